// `node out/bench/kernelTimes.js [--rounds N] [--only C3,C7] [--pool N]`: issue #4's C1-C7 per
// kernel build, interleaved round by round, median ms per op: on this thread (no pool), where
// kernel changes show without the pool's hops and splits in the way, or with --pool N through a
// WorkerPool of N workers. Two builds of it run alternately compare variants on a busy machine.
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runPlan } from '../src/core/engine';
import { availableSimdKernels } from '../src/core/kernels/fast';
import { planOp, type OpPlan } from '../src/core/plan';
import { WorkerPool } from '../src/worker/pool';
import { enableRelaxedSimd } from '../src/worker/relaxedSimd';
import { CONFIGS, requestOf } from './configs';
import { median } from './models';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  enableRelaxedSimd();
  const rounds = Number(option('--rounds') ?? 5);
  const only = option('--only')?.split(',');
  const poolSize = Number(option('--pool') ?? 0);
  const pool = poolSize > 0 ? new WorkerPool({ workerScript: path.join(__dirname, '..', '..', 'dist', 'worker.js'), size: poolSize }) : undefined;
  const run = async (plan: OpPlan): Promise<unknown> => (pool === undefined ? runPlan(plan) : pool.run(plan));
  const engines = availableSimdKernels();
  const configs = CONFIGS.filter((c) => only === undefined || only.includes(c.id));
  const plans = configs.map((c, i) => engines.map((e) => planOp(requestOf(c, 100 + 10 * i), { engine: e })));
  const samples = plans.map((row) => row.map((): number[] => []));
  try {
    for (const row of plans) for (const plan of row) for (let i = 0; i < 3; i++) await run(plan);
    for (let round = 0; round < rounds; round++) {
      for (const [i, row] of plans.entries()) {
        for (const [j, plan] of row.entries()) {
          const until = performance.now() + 40;
          do {
            const start = performance.now();
            await run(plan);
            samples[i]?.[j]?.push(performance.now() - start);
          } while (performance.now() < until);
        }
      }
    }
  } finally {
    await pool?.dispose();
  }
  console.log(`${pool === undefined ? 'this thread' : `pool of ${poolSize}`}\n| config | ${engines.map((e) => `${e} ms | ${e} GFLOP/s`).join(' | ')} |`);
  configs.forEach((c, i) => {
    const flops = 2 * (plans[i]?.[0]?.macs ?? 0);
    console.log(`| ${c.id} | ${engines.map((_, j) => {
      const ms = median(samples[i]?.[j] ?? []);
      return `${ms.toFixed(3)} | ${(flops / ms / 1e6).toFixed(1)}`;
    }).join(' | ')} |`);
  });
}

void main();
