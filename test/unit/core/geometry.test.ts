// The geometry record and the plain-number helpers shape inference, hovers and quick fixes use.
// Expected numbers are worked out by hand in the comments (or come from PyTorch where marked).
import * as assert from 'node:assert/strict';
import { isTorchError } from '../../../src/core/errors';
import type { ConvTransposeDimArgs, GeometryRequest } from '../../../src/core/geometry';
import {
  convFormula, convGeometry, convOutputLength, convTransposeFormula, convTransposeOutputLength,
  convTransposeOutputRange, dilationSkipsOutputs, evenOverlapTransposeDim, geometryFormulas, outputPaddingToRestore, unevenOverlapDims, upsampleConvDim,
} from '../../../src/core/geometry';

const f32 = (...shape: number[]) => ({ shape, dtype: 'float32' as const });

function throwsCode(req: GeometryRequest, code: string, message: RegExp): void {
  assert.throws(() => convGeometry(req), (e: unknown) => isTorchError(e) && e.code === code && message.test(e.message));
}

describe('geometry: plain-number helpers', () => {
  it('conv output length: floor((in + 2p - d(k-1) - 1)/s) + 1', () => {
    assert.equal(convOutputLength({ input: 16, kernel: 5, stride: 3, padding: 2 }), 6); // (16+4-4-1)/3 = 5 → 6
    assert.equal(convOutputLength({ input: 7, kernel: 3, dilation: 2 }), 3); // 7-4-1 = 2 → 3
    assert.equal(convOutputLength({ input: 5, kernel: 4, padding: 1, paddingAfter: 2 }), 5); // 'same': 5+3-3-1 = 4 → 5
    assert.equal(convOutputLength({ input: 2, kernel: 3 }), 0);
  });

  it('transposed output length: (in-1)s - 2p + d(k-1) + op + 1', () => {
    assert.equal(convTransposeOutputLength({ input: 2, kernel: 2, stride: 2 }), 4); // 2 + 0 + 1 + 1
    assert.equal(convTransposeOutputLength({ input: 2, kernel: 2, padding: 1 }), 1); // 1 - 2 + 1 + 1
    assert.equal(convTransposeOutputLength({ input: 6, kernel: 5, stride: 3, padding: 2, outputPadding: 1 }), 17); // 15 - 4 + 4 + 1 + 1
  });

  it('the output_size range nn.ConvTranspose2d accepts (PyTorch: 11 to 12 for 5, k3, s2; 15 to 16 with dilation 3)', () => {
    assert.deepEqual(convTransposeOutputRange({ input: 5, kernel: 3, stride: 2 }), { min: 11, max: 12 });
    assert.deepEqual(convTransposeOutputRange({ input: 5, kernel: 3, stride: 2, dilation: 3 }), { min: 15, max: 16 });
  });

  it('the output_padding that restores a conv input size', () => {
    // Conv2d(k5, p2, s3) maps 16, 17 and 18 to 6; from 6 the transposed conv makes 15 − 4 + 4 + 1 + op = 16 + op.
    const p = { input: 6, kernel: 5, stride: 3, padding: 2 };
    assert.equal(outputPaddingToRestore(16, p), 0);
    assert.equal(outputPaddingToRestore(17, p), 1);
    assert.equal(outputPaddingToRestore(18, p), 2);
    assert.equal(outputPaddingToRestore(19, p), undefined); // op 3 is not < stride 3
    assert.equal(outputPaddingToRestore(15, p), undefined);
    // Stride 1, dilation 2: (5 − 1) + 2·1 + 1 = 7 + op, and op 1 is allowed because it is < dilation.
    assert.equal(outputPaddingToRestore(7, { input: 5, kernel: 2, dilation: 2 }), 0);
    assert.equal(outputPaddingToRestore(8, { input: 5, kernel: 2, dilation: 2 }), 1);
    assert.equal(outputPaddingToRestore(9, { input: 5, kernel: 2, dilation: 2 }), undefined);
  });

  it('formulas with the numbers substituted', () => {
    assert.equal(convTransposeFormula('H', { input: 2, kernel: 2, stride: 2 }),
      'H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 = (2 − 1)·2 − 2·0 + 1·(2 − 1) + 0 + 1 = 4');
    assert.equal(convFormula('W', { input: 5, kernel: 3, stride: 2, padding: 1 }),
      'W_out = ⌊(W_in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 = ⌊(5 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 3');
    assert.equal(convFormula('L', { input: 5, kernel: 4, padding: 1, paddingAfter: 2 }),
      'L_out = ⌊(L_in + padding_before + padding_after − dilation·(kernel − 1) − 1) / stride⌋ + 1 = ⌊(5 + 1 + 2 − 1·(4 − 1) − 1) / 1⌋ + 1 = 5');
  });
});

describe('geometry: the record', () => {
  it('conv2d, batched, with groups, dilation and asymmetric tuples', () => {
    const g = convGeometry({ op: 'conv2d', input: f32(2, 4, 9, 7), weight: f32(6, 2, 3, 2), bias: f32(6), args: { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 } });
    assert.equal(g.batch, 2);
    assert.equal(g.unbatched, false);
    assert.equal(g.inChannels, 4);
    assert.equal(g.outChannels, 6);
    assert.deepEqual(g.kernelSize, [3, 2]);
    assert.deepEqual(g.effectiveKernelSize, [3, 3]);
    assert.deepEqual(g.padBefore, [1, 0]);
    // H: (9 + 2 - 2 - 1)/2 + 1 = 5; W: (7 - 2 - 1)/1 + 1 = 5
    assert.deepEqual(g.outputShape, [2, 6, 5, 5]);
    assert.equal(geometryFormulas(g).length, 2);
  });

  it("padding='same' splits dilation·(k − 1) with the smaller half first", () => {
    const g = convGeometry({ op: 'conv1d', input: f32(1, 7), weight: f32(2, 1, 4), args: { padding: 'same', dilation: 3 } });
    // total 3·3 = 9: 4 before, 5 after; unbatched: output [C, L]
    assert.deepEqual([g.padBefore, g.padAfter, g.outputShape, g.unbatched], [[4], [5], [2, 7], true]);
    const reflect = convGeometry({ op: 'conv2d', input: f32(1, 1, 5, 5), weight: f32(1, 1, 2, 3), args: { padding: 'same', paddingMode: 'reflect' } });
    assert.deepEqual([reflect.padBefore, reflect.padAfter, reflect.paddingMode, reflect.inputSize], [[0, 1], [1, 1], 'reflect', [5, 5]]);
  });

  it('transposed: output_size becomes output_padding', () => {
    const g = convGeometry({ op: 'conv_transpose2d', input: f32(1, 1, 5, 5), weight: f32(1, 3, 3, 3), args: { stride: 2, outputSize: [12, 11] } });
    assert.deepEqual(g.outputPadding, [1, 0]);
    assert.deepEqual(g.outputShape, [1, 3, 12, 11]);
    assert.equal(g.outChannels, 3);
  });

  it('d2l corr2d / trans_conv: plain 2-D, float32 whatever X and K are (d2l writes into torch.zeros)', () => {
    const g = convGeometry({ op: 'corr2d', input: { shape: [3, 4], dtype: 'int64' }, weight: { shape: [2, 2], dtype: 'float64' } });
    assert.deepEqual([g.outputShape, g.hasChannels, g.dtype], [[2, 3], false, 'float32']);
    assert.deepEqual(convGeometry({ op: 'trans_conv', input: f32(3, 4), weight: f32(2, 2) }).outputShape, [4, 5]);
  });

  it('errors that are ours, not PyTorch\'s', () => {
    throwsCode({ op: 'conv2d', input: f32(1, 1, 3, 3), weight: f32(1, 1, 2, 2), args: { outputPadding: 1 } }, 'invalid-argument', /^conv2d\(\) got an unexpected keyword argument 'output_padding'$/);
    throwsCode({ op: 'corr2d', input: f32(3, 3), weight: f32(2, 2), args: { stride: 2 } }, 'invalid-argument', /^corr2d\(\) got an unexpected keyword argument 'stride'$/);
    throwsCode({ op: 'trans_conv', input: f32(1, 3, 3), weight: f32(2, 2) }, 'wrong-rank', /trans_conv expects a 2-D X, but got X of size \[1, 3, 3\]/);
    // F.conv2d(x, w, stride=1.5) makes PyTorch list all of conv2d's signatures; we name the argument.
    throwsCode({ op: 'conv2d', input: f32(1, 1, 3, 3), weight: f32(1, 1, 2, 2), args: { stride: 1.5 } }, 'invalid-argument', /^conv2d\(\): argument 'stride' must be tuple of ints, not float$/);
    throwsCode({ op: 'conv2d', input: f32(1, 1, -3, 3), weight: f32(1, 1, 2, 2) }, 'invalid-tensor', /^Trying to create tensor with negative dimension -3: \[1, 1, -3, 3\]$/);
    throwsCode({ op: 'conv1d', input: f32(1, 1, 2.5), weight: f32(1, 1, 2) }, 'invalid-tensor', /input's shape \[1, 1, 2.5\] must hold integers/);
  });
});

describe('geometry: the checkerboard fixes, for every small transposed conv', () => {
  // Every kernel 1..7, stride 2..4, padding 0..4, dilation 1..2 and valid output_padding; outputs compared for inputs 1..24.
  const layers: ConvTransposeDimArgs[] = [];
  for (let kernel = 1; kernel <= 7; kernel++) for (let stride = 2; stride <= 4; stride++) for (let padding = 0; padding <= 4; padding++) {
    for (let dilation = 1; dilation <= 2; dilation++) for (let outputPadding = 0; outputPadding < Math.max(stride, dilation); outputPadding++) {
      layers.push({ kernel, stride, padding, dilation, outputPadding });
    }
  }
  const inputs = Array.from({ length: 24 }, (_, i) => i + 1);
  const sameForEveryInput = (a: (input: number) => number, b: (input: number) => number): boolean => inputs.every((input) => a(input) === b(input));
  const transposed = (p: ConvTransposeDimArgs) => (input: number): number => convTransposeOutputLength({ ...p, input });

  it('kernel_size = 2·stride keeps every output size, and is refused only when no padding ≥ 0 and output_padding < max(stride, dilation) would, or the dilation shares a factor with the stride', () => {
    let offered = 0;
    for (const p of layers) {
      const fixed = evenOverlapTransposeDim(p);
      const candidates: ConvTransposeDimArgs[] = [];
      for (let padding = 0; padding <= 20; padding++) for (let outputPadding = 0; outputPadding < Math.max(p.stride, p.dilation); outputPadding++) {
        const candidate = { ...p, kernel: 2 * p.stride, padding, outputPadding };
        if (sameForEveryInput(transposed(candidate), transposed(p))) candidates.push(candidate);
      }
      // Dilation 2 with stride 2 or 4 puts every tap on an even offset: no kernel size evens that out.
      const skips = p.dilation === 2 && p.stride % 2 === 0;
      assert.equal(dilationSkipsOutputs(p.stride, p.dilation), skips);
      if (fixed === undefined) {
        if (!skips) assert.deepEqual(candidates, [], JSON.stringify(p));
        continue;
      }
      offered++;
      assert.equal(fixed.kernel, 2 * p.stride);
      assert.deepEqual(unevenOverlapDims([fixed.kernel], [fixed.stride], [fixed.dilation]), []);
      assert.ok(candidates.some((c) => c.padding === fixed.padding && c.outputPadding === fixed.outputPadding), JSON.stringify([p, fixed]));
    }
    assert.ok(offered > layers.length / 2, `offered for ${offered} of ${layers.length}`);
  });

  it('nearest Upsample by the stride + a stride-1 conv gives the same output size for every input size', () => {
    let offered = 0;
    for (const p of layers) {
      const fixed = upsampleConvDim(p);
      const upsampled = (kernel: number, padding: number) => (input: number): number => convOutputLength({ input: input * p.stride, kernel, padding });
      if (fixed === undefined) {
        // Refused only when the conv would need a negative padding with the kernel or one more.
        for (const kernel of [p.kernel, p.kernel + 1]) {
          for (let padding = 0; padding <= 20; padding++) assert.ok(!sameForEveryInput(upsampled(kernel, padding), transposed(p)), JSON.stringify([p, kernel, padding]));
        }
        continue;
      }
      offered++;
      assert.equal(fixed.scale, p.stride);
      assert.ok(fixed.padding >= 0 && (fixed.kernel === p.kernel || fixed.kernel === p.kernel + 1));
      assert.ok(sameForEveryInput(upsampled(fixed.kernel, fixed.padding), transposed(p)), JSON.stringify([p, fixed]));
    }
    assert.ok(offered > layers.length / 2, `offered for ${offered} of ${layers.length}`);
  });
});
