// Issue 13, High 1: a transposed convolution whose stride dwarfs its input has few
// multiply-adds but a large, mostly-bias output. The fast kernels once planned one class (tables,
// a kernel call) per output phase, stride² of them: stride 3000 on a 2×2 input took 2.5 GB of
// JS heap, stride 5000 aborted V8. Neither engine may need more than the output and a few tables.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { planOp } from '../../../src/core/plan';
import type { Tensor } from '../../../src/core/tensor';
import type { OpRequest } from '../../../src/core/vocabulary';
import { WorkerPool } from '../../../src/worker/pool';
import { repoRoot } from '../helpers';

const workerScript = path.join(repoRoot(), 'dist', 'worker.js');

/**
 * F.conv_transpose2d(x, w, bias, stride) with x = [[1, 2], [3, 4]] and w = 1..9 as 3×3: with the
 * kernel smaller than the stride, the scatter definition puts x[i, j]·w[a, b] alone at
 * (i·stride + a, j·stride + b); every other output element is the bias. Returns the first
 * element that differs, or undefined.
 */
function firstMismatch(y: Tensor, stride: number, bias: number): string | undefined {
  const side = stride + 3; // (2 − 1)·stride + (3 − 1) + 1
  if (y.shape.join() !== [1, 1, side, side].join()) return `shape [${y.shape.join(', ')}]`;
  const x = [1, 2, 3, 4];
  for (let r = 0; r < side; r++) {
    const [i, a] = r >= stride ? [1, r - stride] : [0, r];
    for (let c = 0; c < side; c++) {
      const [j, b] = c >= stride ? [1, c - stride] : [0, c];
      const expected = a < 3 && b < 3 ? (x[2 * i + j] as number) * (3 * a + b + 1) + bias : bias;
      const actual = y.data[r * side + c] as number;
      if (actual !== expected) return `(${r}, ${c}) is ${actual}, expected ${expected}`;
    }
  }
  return undefined;
}

function largeStrideOp(stride: number, bias: number): OpRequest {
  return {
    op: 'conv_transpose2d',
    input: { shape: [1, 1, 2, 2], dtype: 'float32', data: Float32Array.from([1, 2, 3, 4]) },
    weight: { shape: [1, 1, 3, 3], dtype: 'float32', data: Float32Array.from({ length: 9 }, (_, i) => i + 1) },
    bias: { shape: [1], dtype: 'float32', data: Float32Array.of(bias) },
    args: { stride },
  };
}

describe('a transposed conv with a stride far larger than its input', function () {
  this.timeout(60_000);

  it('stride 5000 on 2×2: the fast kernels compute it in a worker with a 128 MB heap, every element as the scatter definition says', async () => {
    const pool = new WorkerPool({ workerScript, size: 1, workerHeapMb: 128, inlineMaxMs: 0 });
    try {
      const y = await pool.run(planOp(largeStrideOp(5000, 0.5), { engine: 'simd' }));
      assert.equal(firstMismatch(y, 5000, 0.5), undefined);
    } finally {
      await pool.dispose();
    }
  });
});
