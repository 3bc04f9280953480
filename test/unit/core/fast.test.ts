// The float32 fast path (WebAssembly SIMD kernels, both builds: 'fma' and 'simd') beyond the
// golden suite, which runs on every engine in ops.golden.test.ts: the relaxed-SIMD probe, the
// FMA build fusing, PyTorch goldens shaped to reach the fast kernels' special paths
// (scripts/golden/gen_fast.py), results through the worker pool for 1, 2, 3 and 5 workers equal
// to runOp's bit for bit on each build, the engine switch (option and environment) reaching the
// workers, and tiny ops running on the calling thread.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runOp } from '../../../src/core/engine';
import { availableSimdKernels, relaxedSimdSupported } from '../../../src/core/kernels/fast';
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
  return planOp(req, options).engine !== 'reference';
}

const fastCases = loadGoldenCases().filter((c) => usesFastKernels(c.request));
const pathCases = loadGoldenCases('fast');

describe('fast kernels', function () {
  this.timeout(120_000);

  it('the unit suite\'s runtime takes relaxed SIMD, so the FMA build is tested (test.mjs gives Node 20 its flag)', () => {
    assert.equal(relaxedSimdSupported(), true, `${process.version} refuses relaxed SIMD`);
    assert.deepEqual(availableSimdKernels(), ['fma', 'simd']);
  });

  it('the FMA build rounds once per multiply-add, the SIMD build twice, the reference sums in float64', () => {
    // conv1d of x = [1, 1 + 2⁻¹²] by w = [−(1 + 2⁻¹¹), 1 + 2⁻¹²], taps in order: s = x0·w0 =
    // −(1 + 2⁻¹¹), exact in float32. x1·w1 = 1 + 2⁻¹¹ + 2⁻²⁴ exactly; rounded to float32 (ulp
    // 2⁻²³ at 1, a tie, to even) it is 1 + 2⁻¹¹, and s + that = 0. Fused, s + x1·w1 = 2⁻²⁴ is
    // rounded once, and kept (a power of two). float64 holds every step exactly: 2⁻²⁴.
    const a = 1 + 2 ** -12;
    const req: OpRequest = {
      op: 'conv1d',
      input: { shape: [1, 1, 2], dtype: 'float32', data: Float32Array.of(1, a) },
      weight: { shape: [1, 1, 2], dtype: 'float32', data: Float32Array.of(-(1 + 2 ** -11), a) },
    };
    assert.deepEqual(Array.from(runOp(req, { engine: 'simd' }).data as Float32Array), [0]);
    assert.deepEqual(Array.from(runOp(req, { engine: 'fma' }).data as Float32Array), [2 ** -24]);
    assert.deepEqual(Array.from(runOp(req, { engine: 'reference' }).data as Float32Array), [2 ** -24]);
    assert.equal(planOp(req, { engine: 'fma' }).engine, 'fma');
  });

  for (const c of pathCases) for (const engine of availableSimdKernels()) {
    it(`${c.id}, ${engine} kernels: within 1e-5 of PyTorch (the golden suite's float32 tolerance)`, () => {
      assert.equal(planOp(c.request, { engine }).engine, engine);
      const y = runOp(c.request, { engine });
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

    for (const engine of availableSimdKernels()) {
      it(`every third float32 golden and every fast-path golden, ${engine} kernels: 1, 2, 3 and 5 workers give runOp bit for bit`, async () => {
        for (const c of [...fastCases.filter((_, i) => i % 3 === 0), ...pathCases]) {
          const expected = runOp(c.request, { engine });
          for (const [size, pool] of pools) sameBits(await pool.run(planOp(c.request, { engine })), expected, `${c.id}, ${size} workers`);
        }
      });
    }
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
