// d2l's readable definitions (corr2d, the scatter trans_conv) against the fast gather kernel:
// conv2d / conv_transpose2d with one input and one output channel must agree with them.
import { runOp } from '../../../src/core/ops';
import { tensor } from '../../../src/core/tensor';
import { assertClose } from '../helpers';

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

describe('ops: d2l references vs the gather kernel', () => {
  const sizes: [number, number, number, number][] = [[3, 3, 2, 2], [5, 7, 3, 2], [1, 6, 1, 4], [6, 4, 6, 1], [4, 4, 4, 4]];
  sizes.forEach(([h, w, kh, kw], i) => {
    const X = values(h * w, 2 * i + 1);
    const K = values(kh * kw, 2 * i + 2);
    it(`corr2d(X ${h}x${w}, K ${kh}x${kw}) = conv2d`, () => {
      const ref = runOp({ op: 'corr2d', input: tensor(X, [h, w], 'float64'), weight: tensor(K, [kh, kw], 'float64') });
      const fast = runOp({ op: 'conv2d', input: tensor(X, [1, 1, h, w], 'float64'), weight: tensor(K, [1, 1, kh, kw], 'float64') });
      assertClose(ref.data as Float64Array, fast.data as Float64Array, 1e-12);
    });
    it(`trans_conv(X ${h}x${w}, K ${kh}x${kw}) = conv_transpose2d`, () => {
      const ref = runOp({ op: 'trans_conv', input: tensor(X, [h, w], 'float64'), weight: tensor(K, [kh, kw], 'float64') });
      const fast = runOp({ op: 'conv_transpose2d', input: tensor(X, [1, 1, h, w], 'float64'), weight: tensor(K, [1, 1, kh, kw], 'float64') });
      assertClose(ref.data as Float64Array, fast.data as Float64Array, 1e-12);
    });
  });
});
