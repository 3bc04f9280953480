// kernelMatrix: W·vec(X) (+ bias) is the convolution and Wᵀ·vec(Y) the matching transposed
// convolution, for every rank, groups, stride, padding, dilation and padding mode tried.
import * as assert from 'node:assert/strict';
import { outputPaddingToRestore } from '../../../src/core/geometry';
import { kernelMatrix, matTVec, matVec } from '../../../src/core/kernelMatrix';
import type { OpArgs, OpName } from '../../../src/core/vocabulary';
import { runOp } from '../../../src/core/engine';
import { numel, tensor } from '../../../src/core/tensor';
import { assertClose } from '../helpers';

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

interface Config {
  name: string;
  inChannels: number;
  outChannels: number;
  inputSize: number[];
  kernel: number[];
  args: OpArgs;
}

const CONFIGS: Config[] = [
  { name: '1-D stride 2 padding 1', inChannels: 2, outChannels: 3, inputSize: [9], kernel: [3], args: { stride: 2, padding: 1 } },
  { name: '2-D groups 2 dilation 2', inChannels: 4, outChannels: 2, inputSize: [7, 6], kernel: [2, 3], args: { groups: 2, dilation: 2, padding: [1, 2] } },
  { name: '2-D asymmetric stride', inChannels: 1, outChannels: 2, inputSize: [8, 5], kernel: [3, 2], args: { stride: [3, 2], padding: [0, 1] } },
  { name: '3-D', inChannels: 2, outChannels: 2, inputSize: [4, 3, 5], kernel: [2, 2, 3], args: { stride: [1, 2, 2], padding: 1 } },
];

describe('kernelMatrix', () => {
  for (const c of CONFIGS) {
    const dims = c.inputSize.length;
    const groups = c.args.groups ?? 1;
    const wShape = [c.outChannels, c.inChannels / groups, ...c.kernel];
    const weight = tensor(values(numel(wShape), 3), wShape, 'float64');
    const bias = tensor(values(c.outChannels, 5), [c.outChannels], 'float64');
    const X = tensor(values(c.inChannels * numel(c.inputSize), 7), [1, c.inChannels, ...c.inputSize], 'float64');

    it(`${c.name}: W·vec(X) + bias = conv(X); entries name their weight element`, () => {
      const W = kernelMatrix(weight, c.inputSize, c.args);
      const Y = runOp({ op: `conv${dims}d` as OpName, input: X, weight, bias, args: c.args });
      assert.deepEqual(W.rowShape, Y.shape.slice(1));
      const per = Y.data.length / c.outChannels;
      const WX = Array.from(matVec(W, X.data as Float64Array), (v, i) => v + (bias.data[Math.floor(i / per)] as number));
      assertClose(WX, Y.data as Float64Array, 1e-12, 'W·x');
      for (let e = 0; e < W.value.length; e++) assert.equal(W.value[e], weight.data[W.weightIndex[e] as number]);
    });

    it(`${c.name}: Wᵀ·vec(Y) = conv_transpose(Y) with the restoring output_padding`, () => {
      const W = kernelMatrix(weight, c.inputSize, c.args);
      const g = W.geometry;
      const Y = tensor(values(W.rows, 11), [1, ...W.rowShape], 'float64');
      const outputPadding = c.inputSize.map((size, i) => outputPaddingToRestore(size, {
        input: g.outputSize[i] ?? 0, kernel: g.kernelSize[i] ?? 0, stride: g.stride[i] ?? 1, padding: g.padBefore[i] ?? 0, dilation: g.dilation[i] ?? 1,
      }) ?? -1);
      const Z = runOp({ op: `conv_transpose${dims}d` as OpName, input: Y, weight, args: { ...c.args, outputPadding } });
      assert.deepEqual(Z.shape, [1, c.inChannels, ...c.inputSize]);
      assertClose(matTVec(W, Y.data as Float64Array), Z.data as Float64Array, 1e-12, 'Wᵀ·y');
    });
  }

  for (const paddingMode of ['reflect', 'replicate', 'circular'] as const) {
    it(`padding_mode=${paddingMode}: repeated entries sum to the conv`, () => {
      const weight = tensor(values(2 * 1 * 3 * 3, 13), [2, 1, 3, 3], 'float64');
      const X = tensor(values(4 * 5, 17), [1, 1, 4, 5], 'float64');
      const args: OpArgs = { padding: 2, paddingMode };
      const W = kernelMatrix(weight, [4, 5], args);
      assertClose(matVec(W, X.data as Float64Array), runOp({ op: 'conv2d', input: X, weight, args }).data as Float64Array, 1e-12, paddingMode);
    });
  }

  it('validates like the conv it stands for', () => {
    assert.throws(() => kernelMatrix(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [1, 1]), /Kernel size can't be greater than actual input size/);
  });
});
