// The float32 fast path (WebAssembly SIMD kernels) beyond the golden suite, which runs on both
// engines in ops.golden.test.ts: PyTorch goldens shaped to reach the fast kernels' special paths
// (scripts/golden/gen_fast.py), results through the worker pool for 1, 2, 3 and 5 workers equal
// to runOp's bit for bit, the engine switch (option and environment) reaching the workers, and
// tiny ops running on the calling thread.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runOp } from '../../../src/core/engine';
import { planOp, type PlanOptions } from '../../../src/core/plan';
import type { OpRequest } from '../../../src/core/vocabulary';
import type { Tensor } from '../../../src/core/tensor';
import { WorkerPool } from '../../../src/worker/pool';
import { assertClose, repoRoot, runOn } from '../helpers';
import { loadGoldenCases } from './opsFixtures';

const workerScript = path.join(repoRoot(), 'dist', 'worker.js');

function sameBits(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = Buffer.from(actual.data.buffer, actual.data.byteOffset, actual.data.byteLength);
  const b = Buffer.from(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength);
  assert.ok(a.equals(b), `${what}: values differ from runOp`);
}

/** Whether the plan of `req` takes the fast kernels. */
function usesFastKernels(req: OpRequest, options: PlanOptions = {}): boolean {
  return planOp(req, options).engine === 'fast';
}

const fastCases = loadGoldenCases().filter((c) => usesFastKernels(c.request));
const pathCases = loadGoldenCases('fast');

describe('fast kernels', function () {
  this.timeout(120_000);

  for (const c of pathCases) {
    it(`${c.id}: within 1e-5 of PyTorch (the golden suite's float32 tolerance)`, () => {
      assert.equal(usesFastKernels(c.request), true);
      const y = runOp(c.request);
      assert.deepEqual(y.shape, c.expected.shape);
      assertClose(y.data as Float32Array, c.expected.data as Float32Array, 1e-5, c.id);
    });
  }

  it('serve the float32 convolutions of the goldens, and nothing else', () => {
    const all = loadGoldenCases();
    assert.ok(fastCases.length >= 200, `${fastCases.length} float32 convolution cases`);
    for (const c of all) {
      const expected = c.expected.dtype === 'float32' && !['corr2d', 'trans_conv'].includes(c.request.op);
      assert.equal(usesFastKernels(c.request), expected, c.id);
      assert.equal(usesFastKernels(c.request, { engine: 'reference' }), false, c.id);
    }
  });

  it('differ from the float64-summing reference kernels (so the golden suite tests two engines)', () => {
    const differing = fastCases.filter((c) => {
      const fast = runOp(c.request).data;
      const reference = runOp(c.request, { engine: 'reference' }).data;
      return fast.some((v, i) => !Object.is(v, reference[i]));
    });
    assert.ok(differing.length > fastCases.length / 2, `${differing.length} of ${fastCases.length} differ`);
  });

  describe('through the worker pool', () => {
    const pools = new Map<number, WorkerPool>();
    before(() => {
      // minBlockMs 0, minBlockChannels 1: the largest split (3 blocks per worker); inlineMaxMs 0:
      // no op stays here.
      for (const size of [1, 2, 3, 5]) pools.set(size, new WorkerPool({ workerScript, size, minBlockMs: 0, minBlockChannels: 1, inlineMaxMs: 0 }));
    });
    after(() => Promise.all([...pools.values()].map((p) => p.dispose())));

    it('every third float32 golden and every fast-path golden: 1, 2, 3 and 5 workers give runOp bit for bit', async () => {
      for (const c of [...fastCases.filter((_, i) => i % 3 === 0), ...pathCases]) {
        const expected = runOp(c.request);
        for (const [size, pool] of pools) sameBits(await runOn(pool, c.request), expected, `${c.id}, ${size} workers`);
      }
    });
  });

  it('CONV_LAB_KERNELS=reference reaches the workers', async () => {
    const req = fastCases.find((c) => {
      const fast = runOp(c.request).data;
      return runOp(c.request, { engine: 'reference' }).data.some((v, i) => !Object.is(v, fast[i]));
    })?.request as OpRequest;
    const saved = process.env['CONV_LAB_KERNELS'];
    process.env['CONV_LAB_KERNELS'] = 'reference';
    const pool = new WorkerPool({ workerScript, size: 2, minBlockMs: 0, minBlockChannels: 1, inlineMaxMs: 0 });
    try {
      sameBits(await runOn(pool, req), runOp(req, { engine: 'reference' }), 'reference engine in the workers');
      assert.equal(usesFastKernels(req), false);
    } finally {
      await pool.dispose();
      if (saved === undefined) delete process.env['CONV_LAB_KERNELS'];
      else process.env['CONV_LAB_KERNELS'] = saved;
    }
  });

  it('tiny float32 ops run on the calling thread; float64 ones still go to a worker', async () => {
    const pool = new WorkerPool({ workerScript, size: 2 });
    try {
      const small = fastCases.find((c) => c.request.input.data.length < 100)?.request as OpRequest;
      sameBits(await runOn(pool, small), runOp(small), 'inline op');
      assert.equal(pool.liveWorkers, 0);
      const float64 = loadGoldenCases().find((c) => c.expected.dtype === 'float64' && c.request.input.data.length < 100)?.request as OpRequest;
      sameBits(await runOn(pool, float64), runOp(float64), 'float64 op');
      assert.equal(pool.liveWorkers, 1);
    } finally {
      await pool.dispose();
    }
  });
});
