// The panel's step-by-step maths: after the last step the running sum is runOp's output plane
// (the seed's cell 89 worked by hand, then stride, padding, dilation, output_padding, groups,
// bias and padding modes against runOp), and the receptive fields and overlap counts worked out
// by hand.
import * as assert from 'node:assert/strict';
import { convGeometry, unevenOverlapDims } from '../../../src/core/geometry';
import type { OpRequest } from '../../../src/core/vocabulary';
import { runOp } from '../../../src/core/engine';
import { coordinatesOf, linkIndex, linksFromInput, linksIntoOutput, overlapCounts, paddedSources, windowInPaddedInput } from '../../../src/core/receptiveField';
import { kernelPlaneOffset, RunningSum, scatterPlan, slidingWindowPlan, type StepPlan } from '../../../src/core/steps';
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

function planOf(req: OpRequest, batch: number, outChannel: number): StepPlan {
  const g = convGeometry(req);
  const tensors = { input: req.input.data, weight: req.weight.data, bias: req.bias?.data };
  return g.transposed ? scatterPlan(g, tensors, batch, outChannel) : slidingWindowPlan(g, tensors, batch, outChannel);
}

/** runOp's output plane (batch, outChannel) of a batched request. */
function outputPlane(req: OpRequest, batch: number, outChannel: number): Float64Array {
  const out = runOp(req);
  const plane = numel(out.shape.slice(2));
  const start = (batch * (out.shape[1] ?? 1) + outChannel) * plane;
  return Float64Array.from(out.data.subarray(start, start + plane) as Float64Array);
}

describe('step-by-step views: the transposed conv as a scatter', () => {
  // d2l's cell 89: X = K = [[0, 1], [2, 3]]. Worked by hand: X[0,0]=0 places nothing; X[0,1]=1
  // places K at rows 0-1, cols 1-2: [[0,0,1],[0,2,3],[0,0,0]]; X[1,0]=2 places 2K at rows 1-2,
  // cols 0-1: adds [[0,0,0],[0,2,0],[4,6,0]]; X[1,1]=3 places 3K at rows 1-2, cols 1-2: adds
  // [[0,0,0],[0,0,3],[0,6,9]] → [[0,0,1],[0,4,6],[4,12,9]].
  const seedSums = [
    [0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 0, 2, 3, 0, 0, 0],
    [0, 0, 1, 0, 4, 3, 4, 6, 0],
    [0, 0, 1, 0, 4, 6, 4, 12, 9],
  ];
  for (const [name, req] of [
    ["d2l's trans_conv", { op: 'trans_conv', input: tensor([0, 1, 2, 3], [2, 2]), weight: tensor([0, 1, 2, 3], [2, 2]) }],
    ['conv_transpose2d', { op: 'conv_transpose2d', input: tensor([0, 1, 2, 3], [1, 1, 2, 2]), weight: tensor([0, 1, 2, 3], [1, 1, 2, 2]) }],
  ] as [string, OpRequest][]) {
    it(`steps through the seed's cell 89 (${name}) one input element at a time`, () => {
      const plan = planOf(req, 0, 0);
      assert.equal(plan.stepCount, 4);
      const sum = new RunningSum(plan);
      assert.deepEqual(Array.from(sum.after(0)), seedSums[0]);
      assert.deepEqual(Array.from(sum.after(4)), seedSums[4]);
      // scrubbing back starts again from the bias
      assert.deepEqual(Array.from(sum.after(3)), seedSums[3]);
      assert.deepEqual(Array.from(sum.after(2)), seedSums[2]);
      assert.deepEqual(Array.from(sum.after(1)), seedSums[1]);
      const step = plan.step(3);
      assert.equal(step.element, 3);
      assert.deepEqual(step.terms.map((t) => [t.output, t.kernel, t.inputValue * t.weightValue]), [[4, 0, 0], [5, 1, 3], [7, 2, 6], [8, 3, 9]]);
      assert.deepEqual(Array.from(runOp(req).data as Float32Array), seedSums[4]);
    });
  }

  const configs: { name: string; inC: number; outC: number; size: number[]; kernel: number[]; args: OpRequest['args']; bias: boolean }[] = [
    { name: '1-D stride 3 padding 1 output_padding 2', inC: 2, outC: 3, size: [5], kernel: [4], args: { stride: 3, padding: 1, outputPadding: 2 }, bias: true },
    { name: '2-D groups 2 dilation 2 stride 2', inC: 4, outC: 6, size: [3, 4], kernel: [3, 2], args: { groups: 2, dilation: 2, stride: [2, 1], padding: [1, 0] }, bias: true },
    { name: '2-D kernel 3 stride 2 output_padding 1', inC: 1, outC: 1, size: [4, 4], kernel: [3, 3], args: { stride: 2, padding: 1, outputPadding: 1 }, bias: false },
    { name: '3-D', inC: 2, outC: 2, size: [2, 3, 2], kernel: [2, 2, 3], args: { stride: [1, 2, 2], padding: [0, 1, 1] }, bias: true },
  ];
  for (const c of configs) {
    it(`${c.name}: after the last step the running sum is runOp's output, every (batch, channel)`, () => {
      const groups = c.args?.groups ?? 1;
      const wShape = [c.inC, c.outC / groups, ...c.kernel];
      const req: OpRequest = {
        op: `conv_transpose${c.size.length}d` as OpRequest['op'],
        input: tensor(values(2 * c.inC * numel(c.size), 3), [2, c.inC, ...c.size], 'float64'),
        weight: tensor(values(numel(wShape), 5), wShape, 'float64'),
        ...(c.bias ? { bias: tensor(values(c.outC, 7), [c.outC], 'float64') } : {}),
        ...(c.args ? { args: c.args } : {}),
      };
      for (const batch of [0, 1]) {
        for (let oc = 0; oc < c.outC; oc++) {
          const plan = planOf(req, batch, oc);
          assert.equal(plan.stepCount, (c.inC / groups) * numel(c.size));
          assertClose(new RunningSum(plan).after(plan.stepCount), outputPlane(req, batch, oc), 1e-12, `batch ${batch} channel ${oc}`);
        }
      }
    });
  }

  it('refuses a plane outside the output and a conv', () => {
    const req: OpRequest = { op: 'conv_transpose2d', input: tensor([0, 1, 2, 3], [1, 1, 2, 2]), weight: tensor([0, 1, 2, 3], [1, 1, 2, 2]) };
    assert.throws(() => planOf(req, 0, 1), /output channel 1 is outside \[0, 1\)/);
    assert.throws(() => planOf(req, 0, 0).step(4), /step 4 is outside \[0, 4\)/);
    const g = convGeometry({ ...req, op: 'conv2d' });
    assert.throws(() => scatterPlan(g, { input: req.input.data, weight: req.weight.data }), /conv2d is not a transposed convolution/);
  });
});

describe('step-by-step views: the conv as a sliding window', () => {
  it("d2l's corr2d of the chapter's X = arange(9).reshape(3, 3), K = [[0, 1], [2, 3]]: each step is one window's dot product", () => {
    // Worked by hand (d2l 7.2): window at (0,0) reads 0,1,3,4 → 0·0 + 1·1 + 3·2 + 4·3 = 19.
    const req: OpRequest = { op: 'corr2d', input: tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [3, 3]), weight: tensor([0, 1, 2, 3], [2, 2]) };
    const plan = planOf(req, 0, 0);
    assert.equal(plan.stepCount, 4);
    assert.deepEqual(plan.step(0).terms.map((t) => [t.input, t.kernel, t.inputValue * t.weightValue]), [[0, 0, 0], [1, 1, 1], [3, 2, 6], [4, 3, 12]]);
    assert.deepEqual(Array.from(new RunningSum(plan).after(4)), [19, 25, 37, 43]);
  });

  for (const [name, args] of [
    ['stride 2 padding 1 dilation 2 groups 2', { stride: 2, padding: 1, dilation: 2, groups: 2 }],
    ['reflect padding', { padding: [1, 2], paddingMode: 'reflect' }],
    ['circular padding, stride (2, 1)', { padding: 1, paddingMode: 'circular', stride: [2, 1] }],
  ] as [string, OpRequest['args']][]) {
    it(`${name}: after the last step the running sum is runOp's output`, () => {
      const groups = args?.groups ?? 1;
      const req: OpRequest = {
        op: 'conv2d',
        input: tensor(values(2 * 4 * 6 * 5, 11), [2, 4, 6, 5], 'float64'),
        weight: tensor(values(4 * (4 / groups) * 9, 13), [4, 4 / groups, 3, 3], 'float64'),
        bias: tensor(values(4, 17), [4], 'float64'),
        ...(args ? { args } : {}),
      };
      for (const oc of [0, 3]) {
        const plan = planOf(req, 1, oc);
        assertClose(new RunningSum(plan).after(plan.stepCount), outputPlane(req, 1, oc), 1e-12, `channel ${oc}`);
      }
    });
  }
});

describe('receptive fields and the overlap map', () => {
  // conv1d, input 5, kernel 3, stride 2, padding 1: output ⌊(5 + 2 − 2 − 1) / 2⌋ + 1 = 3; output o
  // reads padded positions 2o .. 2o + 2, i.e. inputs 2o − 1 .. 2o + 1.
  const conv = convGeometry({ op: 'conv1d', input: { shape: [1, 1, 5], dtype: 'float32' }, weight: { shape: [1, 1, 3], dtype: 'float32' }, args: { stride: 2, padding: 1 } });

  it('hovering an output cell gives the input cells and kernel taps that feed it', () => {
    const index = linkIndex(conv);
    assert.deepEqual(linksIntoOutput(index, 0).map((l) => [l.input, l.kernel]), [[0, 1], [1, 2]]);
    assert.deepEqual(linksIntoOutput(index, 2).map((l) => [l.input, l.kernel]), [[3, 0], [4, 1]]);
  });

  it('hovering an input cell gives the output cells it reaches', () => {
    const index = linkIndex(conv);
    assert.deepEqual(linksFromInput(index, 1).map((l) => [l.output, l.kernel]), [[0, 2], [1, 0]]);
    assert.deepEqual(linksFromInput(index, 2).map((l) => [l.output, l.kernel]), [[1, 1]]);
  });

  it('the padded input: zeros outside, the reflect mode reads mirrored elements', () => {
    assert.deepEqual(Array.from(paddedSources(conv)[0] ?? []), [-1, 0, 1, 2, 3, 4, -1]);
    const reflect = convGeometry({ op: 'conv1d', input: { shape: [1, 1, 5], dtype: 'float32' }, weight: { shape: [1, 1, 3], dtype: 'float32' }, args: { stride: 2, padding: 1, paddingMode: 'reflect' } });
    // padded position 0 is input −1 → reflected to 1; position 6 is input 5 → 2·4 − 5 = 3
    assert.deepEqual(Array.from(paddedSources(reflect)[0] ?? []), [1, 0, 1, 2, 3, 4, 3]);
  });

  it('transposed conv, kernel 3, stride 2: taps per output pixel are uneven, and it says so', () => {
    // input 3 → output (3 − 1)·2 + 3 = 7; input i covers outputs 2i .. 2i + 2, so outputs 2 and 4 get two taps.
    const g = convGeometry({ op: 'conv_transpose1d', input: { shape: [1, 1, 3], dtype: 'float32' }, weight: { shape: [1, 1, 3], dtype: 'float32' }, args: { stride: 2 } });
    assert.deepEqual(Array.from(overlapCounts(linkIndex(g))), [1, 1, 2, 1, 2, 1, 1]);
    assert.deepEqual(unevenOverlapDims(g.kernelSize, g.stride), [0]);
  });

  it('transposed conv, kernel 4, stride 2, dilation 2: every tap lands on an even output, and it says so', () => {
    // input 3 → output (3 − 1)·2 + 2·(4 − 1) + 1 = 11; input i covers 2i + {0, 2, 4, 6}: odd outputs get no tap.
    const g = convGeometry({ op: 'conv_transpose1d', input: { shape: [1, 1, 3], dtype: 'float32' }, weight: { shape: [1, 1, 4], dtype: 'float32' }, args: { stride: 2, dilation: 2 } });
    assert.deepEqual(Array.from(overlapCounts(linkIndex(g))), [1, 0, 2, 0, 3, 0, 3, 0, 2, 0, 1]);
    assert.deepEqual(unevenOverlapDims(g.kernelSize, g.stride, g.dilation), [0]);
    // Dilation 3 shares no factor with stride 2: taps at 0, 3, 6, 9 fall on both parities, two each per output away from the edges.
    const coprime = convGeometry({ op: 'conv_transpose1d', input: { shape: [1, 1, 6], dtype: 'float32' }, weight: { shape: [1, 1, 4], dtype: 'float32' }, args: { stride: 2, dilation: 3 } });
    assert.deepEqual(Array.from(overlapCounts(linkIndex(coprime))).slice(9, 12), [2, 2, 2]);
    assert.deepEqual(unevenOverlapDims(coprime.kernelSize, coprime.stride, coprime.dilation), []);
  });

  it('transposed conv, kernel 4, stride 2, padding 1: even overlap, 2 × 2 taps away from the edges', () => {
    // 2-D input 3 × 3 → full output (3 − 1)·2 + 4 = 8 per dim, input i covering 2i .. 2i + 3: taps
    // per position [1, 1, 2, 2, 2, 2, 1, 1]; padding 1 crops one from each end → [1, 2, 2, 2, 2, 1].
    const g = convGeometry({ op: 'conv_transpose2d', input: { shape: [1, 1, 3, 3], dtype: 'float32' }, weight: { shape: [1, 1, 4, 4], dtype: 'float32' }, args: { stride: 2, padding: 1 } });
    const perDim = [1, 2, 2, 2, 2, 1];
    assert.deepEqual(Array.from(overlapCounts(linkIndex(g))), perDim.flatMap((r) => perDim.map((c) => r * c)));
    assert.deepEqual(unevenOverlapDims(g.kernelSize, g.stride), []);
  });
});

describe('step-by-step views: where windows and kernel planes are', () => {
  const spec = (shape: number[]) => ({ shape, dtype: 'float32' as const });

  it("a conv window in the padded input: stride apart, its taps dilation apart", () => {
    // conv1d, input 5, kernel 3, stride 2, padding 1: padded length 7, output 1's window starts at 2.
    const g1 = convGeometry({ op: 'conv1d', input: spec([1, 1, 5]), weight: spec([1, 1, 3]), args: { stride: 2, padding: 1 } });
    assert.deepEqual(windowInPaddedInput(g1, 1), [2, 3, 4]);
    // dilation 2, no padding: taps at 0, 2, 4
    const dilated = convGeometry({ op: 'conv1d', input: spec([1, 1, 7]), weight: spec([1, 1, 3]), args: { dilation: 2 } });
    assert.deepEqual(windowInPaddedInput(dilated, 0), [0, 2, 4]);
    // conv2d 5 × 5, kernel 3, stride 2, padding 1: padded 7 × 7; output (1, 1) covers rows and cols 2..4 → 2·7 + 2 = 16 …
    const g2 = convGeometry({ op: 'conv2d', input: spec([1, 1, 5, 5]), weight: spec([1, 1, 3, 3]), args: { stride: 2, padding: 1 } });
    assert.deepEqual(windowInPaddedInput(g2, 4), [16, 17, 18, 23, 24, 25, 30, 31, 32]);
  });

  it('the kernel plane of (input channel, output channel) in conv and transposed weights with groups', () => {
    // conv weight [4, 2, 3, 3], groups 2: output 3 is in group 1, whose input channel 2 is its first → (3·2 + 0)·9 = 54
    const conv = convGeometry({ op: 'conv2d', input: spec([1, 4, 5, 5]), weight: spec([4, 2, 3, 3]), args: { groups: 2 } });
    assert.equal(kernelPlaneOffset(conv, 2, 3), 54);
    // transposed weight [4, 3, 2, 2], groups 2 (6 outputs): input 3, output 4 (index 1 of its group) → (3·3 + 1)·4 = 40
    const transposed = convGeometry({ op: 'conv_transpose2d', input: spec([1, 4, 2, 2]), weight: spec([4, 3, 2, 2]), args: { groups: 2 } });
    assert.equal(kernelPlaneOffset(transposed, 3, 4), 40);
  });
});

describe('flat indices as coordinates', () => {
  it('row-major, last dim fastest', () => {
    // index 5 of [2, 3] is row 1 col 2; index 23 of [2, 3, 4] is (1, 2, 3)
    assert.deepEqual(coordinatesOf(5, [2, 3]), [1, 2]);
    assert.deepEqual(coordinatesOf(23, [2, 3, 4]), [1, 2, 3]);
    assert.deepEqual(coordinatesOf(4, [7]), [4]);
  });
});
