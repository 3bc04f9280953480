// Shared by the unit tests: where the repository is, the one tolerance rule for comparing
// numbers with PyTorch's, and running a request on a worker pool.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../../src/core/tensor';
import type { OpRequest } from '../../src/core/vocabulary';
import type { WorkerPool } from '../../src/worker/pool';

/** The repository root, found from the bundled test's location (out/test/unit/...). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export function fixturePath(...parts: string[]): string {
  return path.join(repoRoot(), 'test', 'fixtures', ...parts);
}

/**
 * Asserts `actual` matches `expected` within `tolerance` relative to the largest magnitude in
 * `expected` (absolute when that is below 1), the rule the golden suite is specified with.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what = 'tensor',
): number {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs((actual[i] as number) - (expected[i] as number)) / scale;
    if (!(diff <= tolerance)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (relative error ${diff} > ${tolerance})`);
    }
    worst = Math.max(worst, diff);
  }
  return worst;
}

/** Plans `req` under the pool's limit and runs it: a refusal at planning becomes a rejection, as a failed run is. */
export async function runOn(pool: WorkerPool, req: OpRequest, options: { signal?: AbortSignal } = {}): Promise<Tensor> {
  return pool.run(pool.plan(req), options);
}
