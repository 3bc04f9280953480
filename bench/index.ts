// `npm run bench`: the worker pool's costs on this machine, each a median over repeated runs.
//   round trip   a seed-sized op through a warm pool (median, p95)
//   cold start   new pool + first seed op (thread start-up included)
//   event loop   largest delay of this thread's event loop during a ~2 s op
//   cancel       abort() to rejection of a running multi-second op
//   speed-up     a larger conv on 1 worker and on the whole pool, against inline runOp
//   detach       inline kernels before and after a buffer transfer (why results are not transferred)
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { runOp } from '../src/core/engine';
import { planOp } from '../src/core/plan';
import { WorkerPool } from '../src/worker/pool';
import { convBatch, msPerImage, opLasting, seedCell89 } from './workloads';

const workerScript = path.join(__dirname, '..', '..', 'dist', 'worker.js');

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
const median = (samples: readonly number[]): number => quantile(samples, 0.5);

async function timed(run: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function repeat(times: number, run: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await run());
  return samples;
}

async function withPool<T>(size: number | undefined, use: (pool: WorkerPool) => Promise<T>): Promise<T> {
  // inlineMaxMs 0: these figures are the workers' (tiny ops would otherwise stay on this thread).
  const pool = new WorkerPool(size === undefined ? { workerScript, inlineMaxMs: 0 } : { workerScript, size, inlineMaxMs: 0 });
  try {
    return await use(pool);
  } finally {
    await pool.dispose();
  }
}

const rows: Array<[string, string, string]> = [];
function report(metric: string, value: string, note: string): void {
  rows.push([metric, value, note]);
  console.error(`  ${metric}: ${value}`);
}
const ms = (x: number): string => `${x.toFixed(x < 1 ? 3 : 1)} ms`;

async function roundTrip(): Promise<void> {
  const samples = await withPool(undefined, async (pool) => {
    const seed = planOp(seedCell89());
    for (let i = 0; i < 50; i++) await pool.run(seed); // warm-up: threads started, code optimised
    return repeat(500, () => timed(() => pool.run(seed)));
  });
  report('round trip, seed op (warm)', `${ms(median(samples))} median, ${ms(quantile(samples, 0.95))} p95`, '500 runs');
}

async function coldStart(): Promise<void> {
  const samples = await repeat(10, async () => {
    const started = performance.now();
    const pool = new WorkerPool({ workerScript, inlineMaxMs: 0 });
    await pool.run(planOp(seedCell89()));
    const elapsed = performance.now() - started;
    await pool.dispose();
    return elapsed;
  });
  report('cold start (new pool + first op)', `${ms(median(samples))} median`, '10 runs');
}

/** The largest delay of this thread's event loop, in ms, while `during` runs. */
async function maxLoopDelayMs(during: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await during();
  histogram.disable();
  return histogram.max / 1e6;
}

async function eventLoopDelay(perImageMs: number): Promise<void> {
  const idle = await repeat(3, () => maxLoopDelayMs(() => new Promise((resolve) => setTimeout(resolve, 2000))));
  const busy = await withPool(undefined, (pool) => repeat(3, () => {
    const plan = planOp(opLasting(2, pool.size, perImageMs)); // built outside the measurement
    return maxLoopDelayMs(() => pool.run(plan));
  }));
  report('event-loop max delay during ~2 s op', `${ms(median(busy))} median, ${ms(Math.max(...busy))} worst`, '3 runs');
  report('event-loop max delay, idle 2 s', `${ms(median(idle))} median, ${ms(Math.max(...idle))} worst`, "3 runs: the machine's own noise");
}

async function cancellation(perImageMs: number): Promise<void> {
  const samples = await withPool(undefined, (pool) => repeat(5, async () => {
    const controller = new AbortController();
    const running = pool.run(planOp(opLasting(3, pool.size, perImageMs)), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const abortedAt = performance.now();
    controller.abort();
    await running.catch(() => undefined);
    return performance.now() - abortedAt;
  }));
  report('cancel latency (abort → reject)', `${ms(median(samples))} median, ${ms(Math.max(...samples))} worst`, '5 runs, op of ~3 s');
}

async function speedUp(): Promise<void> {
  const req = convBatch(8);
  const inline = median(await repeat(3, () => timed(() => runOp(req))));
  const plan = planOp(req);
  const onPool = async (size: number | undefined): Promise<[number, number]> => withPool(size, async (pool) => {
    await pool.run(plan); // warm: threads started
    return [pool.size, median(await repeat(3, () => timed(() => pool.run(plan))))];
  });
  const [, one] = await onPool(1);
  const [size, all] = await onPool(undefined);
  const macs = 8 * 52_428_800;
  report('inline runOp, conv2d 8×16×64×64 * 32×16×5×5', ms(inline), `${(macs / inline / 1e3).toFixed(0)} M MAC/s, the anchor`);
  report('same op, pool of 1 worker', ms(one), `${(inline / one).toFixed(2)}× inline`);
  report(`same op, pool of ${size} workers`, ms(all), `${(inline / all).toFixed(2)}× inline, ${(one / all).toFixed(2)}× 1 worker`);
}

/** Other processes' load changes every figure here: print it with them. */
function machine(): string {
  return `${os.availableParallelism()} cores, load average ${os.loadavg()[0]?.toFixed(1)}`;
}

/**
 * Why results are not transferred: once any ArrayBuffer of a thread has been detached, V8 guards
 * every later typed-array access there. Last, since it slows this thread for good.
 */
async function detachCost(): Promise<void> {
  const req = convBatch(4);
  const before = median(await repeat(3, () => timed(() => runOp(req))));
  const buffer = new ArrayBuffer(8);
  structuredClone(buffer, { transfer: [buffer] });
  const after = median(await repeat(3, () => timed(() => runOp(req))));
  report('inline runOp, conv2d 4×16×64×64, after a detach', ms(after), `${(after / before).toFixed(2)}× the ${ms(before)} before it`);
}

async function main(): Promise<void> {
  console.error('measuring (about a minute)...');
  const before = machine();
  const perImageMs = msPerImage();
  await roundTrip();
  await coldStart();
  await eventLoopDelay(perImageMs);
  await cancellation(perImageMs);
  await speedUp();
  await detachCost();
  const header: [string, string, string] = ['metric', 'value', 'note'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`machine: ${before} at start, ${machine()} at end`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
