// planOp: one record per run with the size limit, PyTorch's checks, the multiply-adds, the cost of
// each engine and the engine it picks (issue 13, High 1: cost is not multiply-adds alone).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { isTorchError } from '../../../src/core/errors';
import { availableSimdKernels } from '../../../src/core/kernels/fast';
import { OpTooLargeError, opMacs, planOp, withTensors } from '../../../src/core/plan';
import { tensor, zeros } from '../../../src/core/tensor';
import type { DType, OpRequest, TensorSpec } from '../../../src/core/vocabulary';
import { DEFAULT_INLINE_MAX_MS, WorkerPool } from '../../../src/worker/pool';
import { repoRoot } from '../helpers';

const spec = (shape: number[], dtype: DType = 'float32'): TensorSpec => ({ shape, dtype });

describe('planOp', () => {
  it('opMacs counts C_in/groups × kernel per output element (conv) or per input element (transposed)', () => {
    // conv2d: weight [4, 3, 3, 3] → 27 MACs per output element; output [1, 4, 6, 6] has 144.
    assert.equal(opMacs('conv2d', [1, 3, 8, 8], [4, 3, 3, 3], [1, 4, 6, 6]), 144 * 27);
    // conv_transpose2d: weight [3, 2, 2, 2] → 8 MACs per input element; input [1, 3, 5, 5] has 75.
    assert.equal(opMacs('conv_transpose2d', [1, 3, 5, 5], [3, 2, 2, 2], [1, 2, 6, 6]), 75 * 8);
    // d2l: the whole 2×3 kernel per output element of corr2d (4×3 of a 5×5 input), per input element of trans_conv.
    assert.equal(opMacs('corr2d', [5, 5], [2, 3], [4, 3]), 12 * 6);
    assert.equal(opMacs('trans_conv', [5, 5], [2, 3], [6, 7]), 25 * 6);
  });

  it("plans cell 89 once: geometry, output, multiply-adds, extent, and the fast kernels", () => {
    const plan = planOp({ op: 'conv_transpose2d', input: spec([1, 1, 2, 2]), weight: spec([1, 1, 2, 2]) });
    assert.deepEqual(plan.geometry.outputShape, [1, 1, 3, 3]);
    assert.equal(plan.outputElements, 9);
    assert.equal(plan.macs, 16); // 4 input elements × a 2×2 kernel
    assert.deepEqual(plan.extent, { batch: 1, channels: 1, rows: 3 });
    assert.equal(plan.engine, availableSimdKernels()[0]);
    assert.equal(planOp({ op: 'conv_transpose2d', input: spec([1, 1, 2, 2]), weight: spec([1, 1, 2, 2]) }, { engine: 'reference' }).engine, 'reference');
    assert.equal(planOp({ op: 'conv_transpose2d', input: spec([1, 1, 2, 2], 'float64'), weight: spec([1, 1, 2, 2], 'float64') }).engine, 'reference');
  });

  it('a transposed conv with stride 3000 on a 2×2 input has 36 multiply-adds but costs what its 9 million outputs cost: never inline', () => {
    const plan = planOp({ op: 'conv_transpose2d', input: spec([1, 1, 2, 2]), weight: spec([1, 1, 3, 3]), args: { stride: 3000 } });
    assert.equal(plan.macs, 36); // 4 input elements × 9 taps
    assert.equal(plan.outputElements, 3003 * 3003); // (2 − 1)·3000 + (3 − 1) + 1 = 3003 per side
    assert.ok(plan.cost.ms > DEFAULT_INLINE_MAX_MS, `estimated ${plan.cost.ms} ms`);
    const pool = new WorkerPool({ workerScript: path.join(repoRoot(), 'dist', 'worker.js') });
    try {
      assert.equal(pool.runsInline(plan), false);
      assert.equal(pool.runsInline(planOp({ op: 'conv_transpose2d', input: spec([1, 1, 2, 2]), weight: spec([1, 1, 3, 3]), args: { stride: 3 } })), true);
    } finally {
      void pool.dispose();
    }
  });

  it('chooses the reference kernels when the fast ones would make a kernel call per tap (kernel and stride 20000)', () => {
    const req: OpRequest<TensorSpec> = { op: 'conv_transpose1d', input: spec([1, 1, 3]), weight: spec([1, 1, 20000]), args: { stride: 20000 } };
    const plan = planOp(req);
    assert.equal(plan.engine, 'reference');
    assert.ok(planOp(req, { engine: 'simd' }).cost.ms > 10 * plan.cost.ms);
  });

  it('refuses an oversized operand before PyTorch\'s checks, and an output of NaN or infinitely many elements', () => {
    // The weight does not match the input (a TorchError) but is refused for its size first.
    assert.throws(() => planOp({ op: 'conv2d', input: spec([1, 2, 4, 4]), weight: spec([1, 3, 100, 100]) }, { maxElements: 1000 }),
      (e: unknown) => e instanceof OpTooLargeError && e.code === 'too-large' && /^conv2d weight \[1, 3, 100, 100\] has 30,000 elements, more than the limit of 1,000/.test(e.message));
    assert.throws(() => planOp({ op: 'conv2d', input: spec([1, 2, 4, 4]), weight: spec([1, 3, 1, 1]) }), (e: unknown) => isTorchError(e));
    // (3 − 1)·1e308 overflows to Infinity; minus 2·padding = 2e308 (Infinity too) gives NaN.
    for (const [args, size] of [[{ stride: 1e308 }, 'Infinity'], [{ stride: 1e308, padding: 1e308 }, 'NaN']] as const) {
      assert.throws(() => planOp({ op: 'conv_transpose2d', input: spec([1, 1, 3, 3]), weight: spec([1, 1, 2, 2]), args }),
        (e: unknown) => e instanceof OpTooLargeError && e.message.startsWith(`conv_transpose2d output [1, 1, ${size}, ${size}]`));
    }
  });

  it('refuses an op whose working memory alone would be gigabytes (float64, so no fast kernels)', () => {
    // A 20000-tap transposed conv1d over 20000 inputs: 400 million taps in the reference kernels' tables.
    assert.throws(() => planOp({ op: 'conv_transpose1d', input: spec([1, 1, 20000], 'float64'), weight: spec([1, 1, 20000], 'float64') }),
      (e: unknown) => e instanceof OpTooLargeError && /^conv_transpose1d needs about \d+\.\d GB of working memory besides its tensors; refused before computing anything$/.test(e.message));
  });

  it('an empty output costs nothing, however long its other dims', () => {
    // Batch 0: (3 − 1)·10^9 + 2 columns of nothing.
    const plan = planOp({ op: 'conv_transpose2d', input: spec([0, 1, 3, 3]), weight: spec([1, 1, 2, 2]), args: { stride: 1e9 } });
    assert.deepEqual([plan.outputElements, plan.cost.ms, plan.cost.scratchBytes], [0, 0, 0]);
  });

  it('takes the tensors a plan of shapes was made for, and no others', () => {
    const x = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
    const plan = planOp({ op: 'conv_transpose2d', input: spec([1, 1, 2, 2]), weight: spec([1, 1, 2, 2]), args: { stride: 2 } });
    const withData = withTensors(plan, { input: x, weight: x });
    assert.equal(withData.geometry, plan.geometry);
    assert.deepEqual(withData.request, { op: 'conv_transpose2d', input: x, weight: x, args: { stride: 2 } });
    assert.throws(() => withTensors(plan, { input: x, weight: zeros([1, 1, 3, 3], 'float32') }), /do not have the shapes and dtypes it was planned for/);
    assert.throws(() => withTensors(plan, { input: x, weight: zeros([1, 1, 2, 2], 'float64') }), /do not have the shapes and dtypes it was planned for/);
  });
});
