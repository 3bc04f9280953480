// d2l's readable definitions (corr2d, the scatter trans_conv) against the fast gather kernel:
// conv2d / conv_transpose2d with one input and one output channel must agree with them. d2l's
// functions return float32 (they write into torch.zeros); the float64 conv rounded to float32
// is the same number for corr2d (same summation order, one rounding) and at most one float32
// ulp away for trans_conv (the scatter adds in another order).
import * as assert from 'node:assert/strict';
import { runOp } from '../../../src/core/engine';
import { tensor } from '../../../src/core/tensor';
import { assertClose } from '../helpers';

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

const FLOAT32_ULP = 2 ** -23;

describe('ops: d2l references vs the gather kernel', () => {
  const sizes: [number, number, number, number][] = [[3, 3, 2, 2], [5, 7, 3, 2], [1, 6, 1, 4], [6, 4, 6, 1], [4, 4, 4, 4]];
  sizes.forEach(([h, w, kh, kw], i) => {
    const X = values(h * w, 2 * i + 1);
    const K = values(kh * kw, 2 * i + 2);
    it(`corr2d(X ${h}x${w}, K ${kh}x${kw}) = conv2d`, () => {
      const ref = runOp({ op: 'corr2d', input: tensor(X, [h, w], 'float64'), weight: tensor(K, [kh, kw], 'float64') });
      const fast = runOp({ op: 'conv2d', input: tensor(X, [1, 1, h, w], 'float64'), weight: tensor(K, [1, 1, kh, kw], 'float64') });
      assert.equal(ref.dtype, 'float32');
      assert.deepEqual(Array.from(ref.data as Float32Array), Array.from(Float32Array.from(fast.data as Float64Array)));
    });
    it(`trans_conv(X ${h}x${w}, K ${kh}x${kw}) = conv_transpose2d`, () => {
      const ref = runOp({ op: 'trans_conv', input: tensor(X, [h, w], 'float64'), weight: tensor(K, [kh, kw], 'float64') });
      const fast = runOp({ op: 'conv_transpose2d', input: tensor(X, [1, 1, h, w], 'float64'), weight: tensor(K, [1, 1, kh, kw], 'float64') });
      assertClose(ref.data as Float32Array, fast.data as Float64Array, FLOAT32_ULP);
    });
  });

  it('takes integer tensors, as d2l does (torch.arange(9) is int64)', () => {
    // Seed cell 93 with X = torch.arange(9).reshape(3, 3): [[27., 37.], [57., 67.]]
    const X = { shape: [3, 3], dtype: 'int64' as const, data: BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]) };
    const K = { shape: [2, 2], dtype: 'int32' as const, data: Int32Array.from([1, 2, 3, 4]) };
    const Y = runOp({ op: 'corr2d', input: X, weight: K });
    assert.equal(Y.dtype, 'float32');
    assert.deepEqual(Array.from(Y.data as Float32Array), [27, 37, 57, 67]);
  });
});
