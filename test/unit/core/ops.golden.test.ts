// Every random configuration of scripts/golden/gen_ops.py against PyTorch's own output:
// float32 within 1e-5 and float64 within 1e-12 of the output's largest magnitude, integer
// outputs exactly. The whole suite runs once per kernel engine (float32 convolutions differ:
// WebAssembly SIMD summing in float32 with fused multiply-adds or with products then sums, or
// the float64-summing reference). An engine this runtime lacks is reported as pending, not
// passed (`npm run test:unit` gives Node 20 the flag that turns relaxed SIMD on).
import * as assert from 'node:assert/strict';
import { runOp } from '../../../src/core/engine';
import { availableSimdKernels } from '../../../src/core/kernels/fast';
import type { KernelEngine } from '../../../src/core/plan';
import { assertClose } from '../helpers';
import { loadGoldenCases } from './opsFixtures';

const TOLERANCE = { float32: 1e-5, float64: 1e-12 };

const ENGINES: KernelEngine[] = ['reference', 'simd', 'fma'];

for (const engine of ENGINES) describe(`ops: PyTorch goldens, ${engine} kernels`, function () {
  if (engine !== 'reference' && !availableSimdKernels().includes(engine)) {
    it(`${engine} kernels: this runtime refuses them (${process.version})`);
    return;
  }
  const cases = loadGoldenCases();
  const worst = { float32: 0, float64: 0 };

  after(() => {
    console.log(`      worst relative error: float32 ${worst.float32.toExponential(2)}, float64 ${worst.float64.toExponential(2)} over ${cases.length} cases`);
  });

  it('covers every op, at least 300 configurations', () => {
    assert.ok(cases.length >= 300, `${cases.length} cases`);
    const ops = new Set(cases.map((c) => c.request.op));
    assert.deepEqual([...ops].sort(), ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'corr2d', 'trans_conv']);
  });

  for (const c of cases) {
    it(`${c.id} ${JSON.stringify(c.request.args)} input [${c.request.input.shape.join(',')}] weight [${c.request.weight.shape.join(',')}]${c.request.bias ? ' bias' : ''} ${c.expected.dtype}`, () => {
      const y = runOp(c.request, { engine });
      const expected = c.expected;
      assert.deepEqual(y.shape, expected.shape);
      assert.equal(y.dtype, expected.dtype);
      if (expected.dtype === 'float32' || expected.dtype === 'float64') {
        const err = assertClose(y.data as Float32Array | Float64Array, expected.data as Float32Array | Float64Array, TOLERANCE[expected.dtype], c.id);
        worst[expected.dtype] = Math.max(worst[expected.dtype], err);
      } else {
        assert.deepEqual(Array.from(y.data as ArrayLike<number | bigint>), Array.from(expected.data as ArrayLike<number | bigint>));
      }
    });
  }
});
