// `node esbuild.js && node out/bench/calibrate.js`: fits the per-unit costs core/plan.ts weighs
// each engine's work with. Runs a spread of ops (tiny to large, large strides, padding, depthwise,
// 1-D to 3-D, many kernel calls) on each engine on this thread, the first run of each (the fast
// kernels' planning included, as an op the user runs once pays it), and prints the
// non-negative least-squares fit of milliseconds on the work counts, then each op's estimate
// next to its measured time under the constants plan.ts has now.
import { performance } from 'node:perf_hooks';
import { runPlan } from '../src/core/engine';
import { referenceKernelWork } from '../src/core/kernels/conv';
import { fastKernelWork } from '../src/core/kernels/fast';
import { planOp, type KernelEngine } from '../src/core/plan';
import type { OpArgs, OpName, OpRequest } from '../src/core/vocabulary';
import { randomTensor } from './workloads';

interface Case {
  readonly name: string;
  readonly op: OpName;
  readonly input: number[];
  readonly weight: number[];
  readonly args?: OpArgs;
}

const CASES: Case[] = [
  { name: 'seed cell 89', op: 'conv_transpose2d', input: [1, 1, 2, 2], weight: [1, 1, 2, 2] },
  { name: 'tiny conv', op: 'conv2d', input: [1, 1, 8, 8], weight: [1, 1, 3, 3], args: { padding: 1 } },
  { name: 'C1', op: 'conv2d', input: [1, 10, 16, 16], weight: [20, 10, 5, 5], args: { stride: 3, padding: 2 } },
  { name: 'C2', op: 'conv_transpose2d', input: [1, 20, 6, 6], weight: [20, 10, 5, 5], args: { stride: 3, padding: 2 } },
  { name: 'C3', op: 'conv2d', input: [1, 64, 56, 56], weight: [64, 64, 3, 3], args: { padding: 1 } },
  { name: 'C4 (batch 2)', op: 'conv_transpose2d', input: [2, 128, 16, 16], weight: [128, 64, 4, 4], args: { stride: 2, padding: 1 } },
  { name: 'C5', op: 'conv_transpose2d', input: [1, 21, 10, 10], weight: [21, 21, 64, 64], args: { stride: 32, padding: 16 } },
  { name: 'C6 depthwise', op: 'conv2d', input: [1, 32, 112, 112], weight: [32, 1, 3, 3], args: { padding: 1, groups: 32 } },
  { name: 'C7', op: 'conv2d', input: [1, 3, 224, 224], weight: [64, 3, 7, 7], args: { stride: 2, padding: 3 } },
  { name: 'conv1d long', op: 'conv1d', input: [4, 8, 20000], weight: [8, 8, 9], args: { padding: 4 } },
  { name: 'conv3d', op: 'conv3d', input: [1, 4, 24, 24, 24], weight: [8, 4, 3, 3, 3], args: { padding: 1 } },
  { name: 'conv, padding 200', op: 'conv2d', input: [1, 2, 10, 10], weight: [2, 2, 3, 3], args: { padding: 200 } },
  { name: 'conv, stride 8 dilation 4', op: 'conv2d', input: [1, 8, 200, 200], weight: [8, 8, 3, 3], args: { stride: 8, dilation: 4 } },
  { name: 'tconv stride 300 on 4×4', op: 'conv_transpose2d', input: [1, 2, 4, 4], weight: [2, 2, 3, 3], args: { stride: 300 } },
  { name: 'tconv stride 3000 on 2×2', op: 'conv_transpose2d', input: [1, 1, 2, 2], weight: [1, 1, 3, 3], args: { stride: 3000 } },
  { name: 'tconv stride 40, kernel 40', op: 'conv_transpose2d', input: [1, 4, 8, 8], weight: [4, 4, 40, 40], args: { stride: 40 } },
  { name: 'tconv1d kernel 3000 stride 3000', op: 'conv_transpose1d', input: [1, 1, 4], weight: [1, 1, 3000], args: { stride: 3000 } },
  { name: 'tconv1d kernel 20000 stride 20000', op: 'conv_transpose1d', input: [1, 1, 3], weight: [1, 1, 20000], args: { stride: 20000 } },
  { name: 'tconv stride 2 large', op: 'conv_transpose2d', input: [1, 32, 64, 64], weight: [32, 16, 4, 4], args: { stride: 2, padding: 1 } },
];

function request(c: Case): OpRequest {
  return { op: c.op, input: randomTensor(c.input, 1), weight: randomTensor(c.weight, 2), ...(c.args ? { args: c.args } : {}) };
}

/** Milliseconds of the first run (the fast kernels plan it), then the median of a few more. */
function measure(req: OpRequest, engine: KernelEngine): { first: number; warm: number } {
  const plan = planOp(req, { engine, maxElements: 1e9 });
  const time = (): number => {
    const start = performance.now();
    runPlan(plan);
    return performance.now() - start;
  };
  const first = time();
  const warm = [time(), time(), time()].sort((a, b) => a - b)[1] ?? first;
  return { first, warm };
}

/**
 * Non-negative least squares by projected coordinate descent, on rows scaled by 1/measured
 * (relative error), over the ops that took at least 0.5 ms (below, timer noise rules).
 */
function fit(allRows: readonly number[][], allMeasured: readonly number[]): number[] {
  const kept = allMeasured.map((m, i) => [m, i] as const).filter(([m]) => m >= 0.5).map(([, i]) => i);
  const rows = kept.map((i) => allRows[i] ?? []);
  const measured = kept.map((i) => allMeasured[i] ?? 1);
  const n = rows[0]?.length ?? 0;
  const scaled = rows.map((r, i) => r.map((v) => v / (measured[i] ?? 1)));
  const w = new Array<number>(n).fill(0);
  for (let sweep = 0; sweep < 20000; sweep++) {
    for (let j = 0; j < n; j++) {
      let num = 0, den = 0;
      for (const r of scaled) {
        const others = r.reduce((s, v, k) => (k === j ? s : s + v * (w[k] ?? 0)), 0);
        num += (r[j] ?? 0) * (1 - others);
        den += (r[j] ?? 0) ** 2;
      }
      w[j] = den > 0 ? Math.max(0, num / den) : 0;
    }
  }
  return w;
}

function main(): void {
  // Warm-up: the kernels compiled, the code optimised.
  for (const c of CASES.slice(0, 9)) for (const engine of ['fma', 'reference'] as const) measure(request(c), engine);
  const fastRows: number[][] = [];
  const fastMs: number[] = [];
  const refRows: number[][] = [];
  const refMs: number[] = [];
  const lines: string[] = [];
  for (const c of CASES) {
    const req = request(c);
    const plan = planOp(req, { maxElements: 1e9 });
    const g = plan.geometry;
    const fast = measure(req, 'fma');
    const ref = measure(req, 'reference');
    const fw = fastKernelWork(g);
    fastRows.push([fw.staged, fw.padded, fw.weights, fw.packed, fw.gemmMacs, fw.outputs, fw.calls, fw.tables]);
    fastMs.push(fast.first);
    const rw = referenceKernelWork(g);
    refRows.push([rw.macs, rw.outputs, rw.channelLoops, rw.tapChecks]);
    refMs.push(ref.first);
    const fastEstimate = planOp(req, { engine: 'fma', maxElements: 1e9 }).cost.ms;
    const refEstimate = planOp(req, { engine: 'reference', maxElements: 1e9 }).cost.ms;
    lines.push(`| ${c.name} | ${plan.engine} | ${fast.first.toFixed(2)} / ${fast.warm.toFixed(2)} | ${fastEstimate.toFixed(2)} | ${ref.first.toFixed(2)} / ${ref.warm.toFixed(2)} | ${refEstimate.toFixed(2)} |`);
  }
  console.log('| op | chosen | fast ms (first / warm) | fast estimate | reference ms (first / warm) | reference estimate |');
  console.log('|---|---|---|---|---|---|');
  for (const l of lines) console.log(l);
  const f = fit(fastRows, fastMs);
  const r = fit(refRows, refMs);
  const names = (keys: string[], w: number[]): string => keys.map((k, i) => `${k}: ${(w[i] ?? 0).toExponential(2)}`).join(', ');
  console.log(`\nfitted FAST_MS { ${names(['staged', 'padded', 'weights', 'packed', 'gemmMacs', 'outputs', 'calls', 'tables'], f)} }`);
  console.log(`fitted REFERENCE_MS { ${names(['macs', 'outputs', 'channelLoops', 'tapChecks'], r)} }`);
}

main();
