// Ops the benchmarks and the pool's tests run: the seed's op, deterministic random tensors, and
// conv2d ops sized to last a given time on this machine.
import { performance } from 'node:perf_hooks';
import { runOp } from '../src/core/engine';
import type { OpRequest } from '../src/core/vocabulary';
import { numel, type Tensor } from '../src/core/tensor';

/** Uniform values in [-1, 1) from a fixed-seed linear congruential generator: same tensor every run. */
export function randomTensor(shape: readonly number[], seed = 1): Tensor<'float32'> {
  const data = new Float32Array(numel(shape));
  let state = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 31 - 1;
  }
  return { shape: [...shape], dtype: 'float32', data };
}

/** The seed's cell 89: ConvTranspose2d(1, 1, kernel_size=2, bias=False) with weight K on X. */
export function seedCell89(): OpRequest {
  const X = { shape: [1, 1, 2, 2], dtype: 'float32', data: new Float32Array([0, 1, 2, 3]) } as const;
  const K = { shape: [1, 1, 2, 2], dtype: 'float32', data: new Float32Array([0, 1, 2, 3]) } as const;
  return { op: 'conv_transpose2d', input: X, weight: K };
}

/** conv2d of `batch` images 16×64×64 by 32 filters 16×5×5, padding 2: 52 M multiply-adds per image. */
export function convBatch(batch: number): OpRequest {
  return {
    op: 'conv2d',
    input: randomTensor([batch, 16, 64, 64], 2),
    weight: randomTensor([32, 16, 5, 5], 3),
    bias: randomTensor([32], 4),
    args: { padding: 2 },
  };
}

/**
 * convBatch in float64. Float64 ops always run on the plain-TypeScript reference kernels, so ops
 * sized to last seconds stay small enough to hold in memory (the float32 fast path is ~30× faster).
 */
function slowConvBatch(batch: number): OpRequest {
  const req = convBatch(batch);
  const float64 = (t: Tensor): Tensor => ({ shape: t.shape, dtype: 'float64', data: Float64Array.from(t.data as Float32Array) });
  return { ...req, input: float64(req.input), weight: float64(req.weight), ...(req.bias === undefined ? {} : { bias: float64(req.bias) }) };
}

function timeMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Inline milliseconds of one float64 convBatch(1) image on this machine (best of three). */
export function msPerImage(): number {
  const req = slowConvBatch(1);
  return Math.min(...[0, 1, 2].map(() => timeMs(() => runOp(req))));
}

/** A float64 convBatch op that keeps `workers` busy for about `seconds`. */
export function opLasting(seconds: number, workers: number, perImageMs = msPerImage()): OpRequest {
  return slowConvBatch(Math.max(1, Math.round((seconds * 1000 * workers) / perImageMs)));
}
