// runPlanRegion: the blocks of any split, put back together, are runPlan's output bit for bit,
// with either kernel engine.
import * as assert from 'node:assert/strict';
import { isTorchError } from '../../../src/core/errors';
import { runPlan, runPlanRegion } from '../../../src/core/engine';
import { availableSimdKernels } from '../../../src/core/kernels/fast';
import { planOp, type KernelEngine } from '../../../src/core/plan';
import type { OpRequest, OutputRegion } from '../../../src/core/vocabulary';
import { tensor } from '../../../src/core/tensor';
import { loadGoldenCases } from './opsFixtures';

/** Deterministic cut points: `parts` ranges covering [0, size). */
function split(size: number, parts: number, seed: number): [number, number][] {
  const cuts = new Set<number>([0, size]);
  let s = seed;
  for (let i = 1; i < parts; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    cuts.add(s % (size + 1));
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.slice(1).map((to, i) => [sorted[i] as number, to]);
}

/** runPlan's output rebuilt from the blocks of a batch × channels × rows split. */
function assemble(req: OpRequest, parts: number, seed: number, engine: KernelEngine): (number | bigint)[] {
  const plan = planOp(req, { engine });
  const extent = plan.extent;
  const full = runPlan(plan);
  const rowLength = full.data.length / Math.max(1, extent.batch * extent.channels * extent.rows);
  const out = new Array<number | bigint>(full.data.length).fill(NaN);
  for (const batch of split(extent.batch, parts, seed)) {
    for (const channels of split(extent.channels, parts, seed + 1)) {
      for (const rows of split(extent.rows, parts, seed + 2)) {
        const region: OutputRegion = { batch, channels, rows };
        const block = runPlanRegion(plan, region);
        let i = 0;
        for (let b = batch[0]; b < batch[1]; b++) {
          for (let c = channels[0]; c < channels[1]; c++) {
            for (let r = rows[0]; r < rows[1]; r++) {
              const at = ((b * extent.channels + c) * extent.rows + r) * rowLength;
              for (let k = 0; k < rowLength; k++) out[at + k] = block.data[i++] as number | bigint;
            }
          }
        }
        assert.equal(i, block.data.length, 'block size');
      }
    }
  }
  return out;
}

describe('ops: regions', () => {
  const cases = loadGoldenCases().filter((_, i) => i % 4 === 0);

  for (const engine of ['reference', ...availableSimdKernels()] as const) {
    for (const c of cases) {
      it(`${c.id}, ${engine} kernels: splits into 2, 3 and 5 parts per axis are bit-identical to runPlan`, () => {
        const full = runPlan(planOp(c.request, { engine }));
        for (const parts of [2, 3, 5]) {
          const assembled = assemble(c.request, parts, parts * 7, engine);
          for (let i = 0; i < full.data.length; i++) {
            assert.ok(Object.is(assembled[i], full.data[i]), `element ${i}: ${assembled[i]} != ${full.data[i]} (${parts} parts)`);
          }
        }
      });
    }
  }

  it('reports block shapes: batched NC..., unbatched C..., plain 2-D rows', () => {
    const w = tensor(new Array(2 * 3 * 2 * 2).fill(1), [2, 3, 2, 2]);
    const batched = runPlanRegion(planOp({ op: 'conv2d', input: tensor(new Array(2 * 3 * 4 * 5).fill(1), [2, 3, 4, 5]), weight: w }),
      { batch: [1, 2], channels: [0, 1], rows: [1, 3] });
    assert.deepEqual(batched.shape, [1, 1, 2, 4]);
    const unbatched = runPlanRegion(planOp({ op: 'conv2d', input: tensor(new Array(3 * 4 * 5).fill(1), [3, 4, 5]), weight: w }),
      { batch: [0, 1], channels: [1, 2], rows: [0, 2] });
    assert.deepEqual(unbatched.shape, [1, 2, 4]);
    // 3 channels × 2 × 2 ones: every output element is 12.
    assert.deepEqual(Array.from(unbatched.data as Float32Array), new Array(8).fill(12));
    const plain = runPlanRegion(planOp({ op: 'trans_conv', input: tensor([1, 2, 3, 4], [2, 2]), weight: tensor([1, 1], [1, 2]) }),
      { batch: [0, 1], channels: [0, 1], rows: [1, 2] });
    // Row 1 of trans_conv([[1, 2], [3, 4]], [[1, 1]]) = [3, 3 + 4, 4].
    assert.deepEqual(plain.shape, [1, 3]);
    assert.deepEqual(Array.from(plain.data as Float32Array), [3, 7, 4]);
  });

  it('rejects a buffer that does not fill its shape', () => {
    assert.throws(() => runPlan(planOp({ op: 'conv1d', input: tensor([1, 2, 3, 4], [1, 1, 4]), weight: { shape: [1, 1, 2], dtype: 'float32', data: new Float32Array(3) } })),
      (e: unknown) => isTorchError(e) && e.code === 'invalid-tensor' && e.message === 'weight holds 3 values but its shape [1, 1, 2] needs 2');
  });

  it('rejects regions outside the output', () => {
    const req: OpRequest = { op: 'conv1d', input: tensor([1, 2, 3, 4], [1, 1, 4]), weight: tensor([1, 1], [1, 1, 2]) };
    for (const region of [
      { batch: [0, 2], channels: [0, 1], rows: [0, 3] },
      { batch: [0, 1], channels: [0, 1], rows: [2, 1] },
      { batch: [0, 1], channels: [-1, 1], rows: [0, 3] },
      { batch: [0, 1], channels: [0, 1], rows: [0, 1.5] },
    ] as OutputRegion[]) {
      assert.throws(() => runPlanRegion(planOp(req), region), (e: unknown) => isTorchError(e) && e.code === 'invalid-region' && /outside the output/.test(e.message));
    }
  });
});
