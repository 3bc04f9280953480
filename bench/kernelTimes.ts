// `node out/bench/kernelTimes.js [--rounds N] [--only C3,C7]`: issue #4's C1-C7 on one thread (no
// pool), each kernel build interleaved round by round, median ms per op: where kernel changes show
// without the pool's hops and splits in the way.
import { performance } from 'node:perf_hooks';
import { runPlan } from '../src/core/engine';
import { availableSimdKernels } from '../src/core/kernels/fast';
import { planOp } from '../src/core/plan';
import { enableRelaxedSimd } from '../src/worker/relaxedSimd';
import { CONFIGS, requestOf } from './configs';
import { median } from './models';

function main(): void {
  enableRelaxedSimd();
  const roundsAt = process.argv.indexOf('--rounds');
  const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 5;
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',')) : undefined;
  const engines = availableSimdKernels();
  const configs = CONFIGS.filter((c) => only === undefined || only.has(c.id));
  const plans = configs.map((c, i) => engines.map((e) => planOp(requestOf(c, 100 + 10 * i), { engine: e })));
  const samples = plans.map((row) => row.map((): number[] => []));
  for (const row of plans) for (const plan of row) for (let i = 0; i < 3; i++) runPlan(plan);
  for (let round = 0; round < rounds; round++) {
    plans.forEach((row, i) => row.forEach((plan, j) => {
      const until = performance.now() + 40;
      do {
        const start = performance.now();
        runPlan(plan);
        samples[i]?.[j]?.push(performance.now() - start);
      } while (performance.now() < until);
    }));
  }
  console.log(`| config | ${engines.map((e) => `${e} ms | ${e} GFLOP/s`).join(' | ')} |`);
  configs.forEach((c, i) => {
    const flops = 2 * (plans[i]?.[0]?.macs ?? 0);
    console.log(`| ${c.id} | ${engines.map((_, j) => {
      const ms = median(samples[i]?.[j] ?? []);
      return `${ms.toFixed(3)} | ${(flops / ms / 1e6).toFixed(1)}`;
    }).join(' | ')} |`);
  });
}

main();
