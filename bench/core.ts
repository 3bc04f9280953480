// `npm run bench:core [-- --json FILE] [--rounds N]`: the compute core's float32 speed on the
// configurations C1-C7 of issue #4, against onnxruntime-web (WebAssembly SIMD, 2 threads) and
// PyTorch (CPU, through /usr/bin/python3 when torch imports; skipped with a notice otherwise),
// all in the same run on the same seeded tensors, and against the 128-bit SIMD ceilings
// (f32x4 multiply-then-add, and relaxed_madd, on 2 workers, measured here). It measures the
// runtime it runs on; scripts/bench-core.mjs runs it on Node 20 and on the harness's Node 24.
//   Conv Lab   WorkerPool of 2 workers, a row per kernel build the runtime has ('fma', 'simd';
//              Node 20 gets relaxed SIMD by flag as the CLI does), weights passed per call; end
//              to end from the caller (tiny ops run on the calling thread, see
//              WorkerPoolOptions.inlineMaxMs); the plan's estimate of the engine's time is
//              printed next to it. C3, C4 and C7 also on a pool of 1 worker (the best build):
//              the speed-up of 2 workers over 1
//   ort-web    the better of weights baked into the model and weights fed per call
//   PyTorch    best of 1 and 2 threads, each call timed inside Python
// Ratios are speed ratios (the other's time / Conv Lab's: above 1, Conv Lab is faster); "of its
// ceiling" is against the ceiling of the row's build.
// Engines are interleaved round by round, each round in a rotated order, so a noisy machine hurts
// all alike; medians reported.
// The ceilings are measured before and after every round, and the best of those is reported.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import ceilingWasm from 'wasm:ceiling';
import ceilingFmaWasm from 'wasm:ceiling+relaxed-simd';
import { availableSimdKernels, relaxedSimdSupported, type SimdKernels } from '../src/core/kernels/fast';
import { planOp, type OpPlan } from '../src/core/plan';
import { WorkerPool } from '../src/worker/pool';
import { enableRelaxedSimd } from '../src/worker/relaxedSimd';
import { CONFIGS, requestOf, type Config } from './configs';
import { median } from './models';
import { onnxConvModel } from './onnx';

const workerScript = path.join(__dirname, '..', '..', 'dist', 'worker.js');
const WORKERS = 2;
/** Each engine runs a config for at least this long per round (tiny ops: many calls). */
const BATCH_MS = 40;

interface Prepared {
  config: Config;
  plan: OpPlan;
  /** 2 flops per multiply-add. */
  flops: number;
}

function prepare(config: Config, seed: number): Prepared {
  const plan = planOp(requestOf(config, seed));
  return { config, plan, flops: 2 * plan.macs };
}

/** Calls `run` for at least BATCH_MS (at least twice); returns ms per call of each call. */
async function batch(run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  const until = performance.now() + BATCH_MS;
  while (samples.length < 2 || performance.now() < until) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

// ---------------------------------------------------------------------------------------------
// onnxruntime-web

interface OrtEngine {
  fixed: ort.InferenceSession;
  perCall: ort.InferenceSession;
  run(session: 'fixed' | 'perCall'): Promise<Float32Array>;
}

async function ortEngine(p: Prepared): Promise<OrtEngine> {
  const req = p.plan.request;
  const dims = req.input.shape.length - 2;
  const args = p.config.args;
  const base = {
    transposed: req.op.startsWith('conv_transpose'), inputShape: req.input.shape, weightShape: req.weight.shape, outputShape: p.plan.geometry.outputShape,
    strides: new Array<number>(dims).fill(args.stride), pads: new Array<number>(dims).fill(args.padding),
    dilations: new Array<number>(dims).fill(1), group: args.groups ?? 1,
  };
  const weight = req.weight.data as Float32Array;
  const bias = req.bias?.data as Float32Array;
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const fixed = await ort.InferenceSession.create(onnxConvModel({ ...base, weights: { weight, bias } }), options);
  const perCall = await ort.InferenceSession.create(onnxConvModel(base), options);
  const x = new ort.Tensor('float32', req.input.data as Float32Array, req.input.shape);
  return {
    fixed, perCall,
    async run(which) {
      const feeds: Record<string, ort.Tensor> = { X: x };
      if (which === 'perCall') {
        feeds['W'] = new ort.Tensor('float32', weight, req.weight.shape);
        feeds['B'] = new ort.Tensor('float32', bias, [bias.length]);
      }
      const result = await (which === 'fixed' ? fixed : perCall).run(feeds);
      return result['Y']?.data as Float32Array;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PyTorch, in a long-lived /usr/bin/python3 that times each call itself

class TorchServer {
  private buffered = '';
  private readonly waiting: Array<(line: string) => void> = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiting.push((line) => resolve(JSON.parse(line) as Record<string, unknown>)));
  }

  /** The server, or why PyTorch is skipped. */
  static async start(): Promise<TorchServer | string> {
    const python = '/usr/bin/python3';
    if (!fs.existsSync(python)) return `${python} not found`;
    const child = spawn(python, [path.join(__dirname, '..', '..', 'bench', 'torch_conv.py')], { stdio: 'pipe' });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    const server = new TorchServer(child);
    const hello = await Promise.race([server.next(), new Promise<Record<string, unknown>>((resolve) => child.on('exit', () => resolve({ error: 'python exited' })))]);
    if (typeof hello['error'] === 'string') return hello['error'];
    console.error(`  PyTorch ${String(hello['ready'])} via ${python}`);
    return server;
  }

  async request(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return reply;
  }

  async load(p: Prepared, file: string): Promise<void> {
    const req = p.plan.request;
    const parts = [req.input, req.weight, req.bias].map((t) => Buffer.from((t?.data as Float32Array).buffer));
    fs.writeFileSync(file, Buffer.concat(parts));
    await this.request({ cmd: 'load', id: p.config.id, op: req.op, args: p.config.args, input: req.input.shape, weight: req.weight.shape, bias: req.bias?.shape, path: file });
  }

  async time(id: string, reps: number, threads: number): Promise<number[]> {
    return (await this.request({ cmd: 'time', id, reps, threads }))['ms'] as number[];
  }

  async output(id: string, file: string): Promise<Float32Array> {
    await this.request({ cmd: 'output', id, path: file });
    const bytes = fs.readFileSync(file);
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  stop(): void {
    this.child.stdin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The 128-bit SIMD ceilings: assembly/ceiling.ts on WORKERS threads at once, built without
// relaxed SIMD (multiply then add) and with it (fused multiply-add)

const CEILING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { mulAdd, FLOPS_PER_ITERATION } = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes)).exports;
parentPort.on('message', (iterations) => {
  mulAdd(1e5, 1);
  const start = performance.now();
  const sink = mulAdd(iterations, 1);
  parentPort.postMessage({ ms: performance.now() - start, flops: iterations * FLOPS_PER_ITERATION.value, sink });
});`;

async function ceilingGflops(workers: Worker[]): Promise<number> {
  const iterations = 2e7; // about 100 ms each at ~60 GFLOP/s per core
  const results = await Promise.all(workers.map((w) => new Promise<{ ms: number; flops: number }>((resolve) => {
    w.once('message', resolve);
    w.postMessage(iterations);
  })));
  const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
  return results.reduce((sum, r) => sum + r.flops, 0) / seconds / 1e9;
}

// ---------------------------------------------------------------------------------------------

/** One config on one of Conv Lab's engines, with the anchors measured in the same rounds. */
interface Row {
  id: string;
  op: string;
  engine: SimdKernels;
  convlabMs: number;
  torchMs: number;
  ortMs: number;
  flops: number;
  diffTorch: number;
  diffOrt: number;
  inline: boolean;
  hopMs: number;
  /** The plan's estimate for its engine, run on one thread. */
  estimateMs: number;
  /** The same op on a pool of one worker (C3, C4, C7 on the best engine only). */
  oneWorkerMs: number;
}

/** Configs whose speed-up from 1 to 2 workers is measured. */
const SCALING_CONFIGS = new Set(['C3', 'C4', 'C7']);

interface Samples {
  convlab: Map<SimdKernels, number[]>;
  oneWorker: number[];
  hop: number[];
  fixed: number[];
  perCall: number[];
  torch1: number[];
  torch2: number[];
}

async function main(): Promise<void> {
  const jsonAt = process.argv.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
  const roundsAt = process.argv.indexOf('--rounds');
  const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 7;
  const loadBefore = os.loadavg()[0] ?? 0;
  // On Node 20 relaxed SIMD is behind a flag the CLI turns on; the bench does the same, so the
  // FMA rows exist on both runtimes ('simd' rows are what Node 20 runs without the flag).
  const relaxedNative = relaxedSimdSupported();
  const relaxed = enableRelaxedSimd();
  const runtime = `Node ${process.version}${relaxed && !relaxedNative ? ' (relaxed SIMD by flag)' : ''}`;
  const engines = availableSimdKernels();
  console.error(`bench:core: ${runtime}, ${os.availableParallelism()} cores, load average ${loadBefore.toFixed(1)}, ${rounds} rounds, engines ${engines.join(', ')}`);

  ort.env.wasm.numThreads = WORKERS;
  const torch = await TorchServer.start();
  if (typeof torch === 'string') console.error(`  PyTorch skipped: ${torch}`);
  const pool = new WorkerPool({ workerScript, size: WORKERS });
  const onePool = new WorkerPool({ workerScript, size: 1 });
  // The same op always sent to a worker: what inlining the tiny ones saves.
  const hopPool = new WorkerPool({ workerScript, size: WORKERS, inlineMaxMs: 0 });
  const ceilingBuilds = { simd: ceilingWasm, fma: ceilingFmaWasm };
  const ceilingWorkers = new Map(engines.map((e) => [e, Array.from({ length: WORKERS }, () => new Worker(CEILING_WORKER, { eval: true, workerData: { bytes: ceilingBuilds[e] } }))]));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-bench-'));
  try {
    const prepared = CONFIGS.map((c, i) => prepare(c, 100 + 10 * i));
    const plans = new Map(prepared.map((p) => [p.config.id, new Map(engines.map((e) => [e, planOp(p.plan.request, { engine: e })]))]));
    const planOf = (p: Prepared, e: SimdKernels): OpPlan => plans.get(p.config.id)?.get(e) ?? p.plan;
    const best = engines[0] ?? 'simd';
    const samples = new Map<string, Samples>();
    const orts = new Map<string, OrtEngine>();
    const rows: Row[] = [];
    for (const p of prepared) {
      samples.set(p.config.id, { convlab: new Map(engines.map((e) => [e, []])), oneWorker: [], hop: [], fixed: [], perCall: [], torch1: [], torch2: [] });
      orts.set(p.config.id, await ortEngine(p));
      if (typeof torch !== 'string') await torch.load(p, path.join(scratch, `${p.config.id}.bin`));
    }
    const measureCeilings = async (into: Map<SimdKernels, number[]>): Promise<void> => {
      for (const [e, workers] of ceilingWorkers) into.set(e, [...(into.get(e) ?? []), await ceilingGflops(workers)]);
    };
    const ceilings = new Map<SimdKernels, number[]>();
    await measureCeilings(ceilings);
    // Warm-up: threads started, code optimised, arenas grown.
    for (const p of prepared) {
      for (let i = 0; i < 3; i++) {
        for (const e of engines) await pool.run(planOf(p, e));
        if (SCALING_CONFIGS.has(p.config.id)) await onePool.run(planOf(p, best));
        await hopPool.run(planOf(p, best));
        await orts.get(p.config.id)?.run('fixed');
        await orts.get(p.config.id)?.run('perCall');
      }
      if (typeof torch !== 'string') await torch.time(p.config.id, 3, WORKERS);
    }
    for (let round = 0; round < rounds; round++) {
      console.error(`  round ${round + 1}/${rounds}`);
      for (const p of prepared) {
        const s = samples.get(p.config.id);
        const engine = orts.get(p.config.id);
        if (s === undefined || engine === undefined) continue;
        const measurements: Array<() => Promise<void>> = [
          ...engines.map((e) => async () => void s.convlab.get(e)?.push(...await batch(() => pool.run(planOf(p, e))))),
          ...(SCALING_CONFIGS.has(p.config.id) ? [async () => void s.oneWorker.push(...await batch(() => onePool.run(planOf(p, best))))] : []),
          async () => void s.fixed.push(...await batch(() => engine.run('fixed'))),
          async () => void s.perCall.push(...await batch(() => engine.run('perCall'))),
          ...(p.flops < 1e7 ? [async () => void s.hop.push(...await batch(() => hopPool.run(planOf(p, best))))] : []),
        ];
        // Each round starts at another of them: whatever ran just before (PyTorch's threads, the
        // other engines' pools winding down) does not always land on the same one.
        for (let i = 0; i < measurements.length; i++) await measurements[(i + round) % measurements.length]?.();
        if (typeof torch !== 'string') {
          const reps = Math.max(2, Math.ceil(BATCH_MS / Math.max(0.01, median(s.convlab.get(best) ?? []))));
          s.torch1.push(...await torch.time(p.config.id, reps, 1));
          s.torch2.push(...await torch.time(p.config.id, reps, 2));
        }
      }
      await measureCeilings(ceilings);
    }
    for (const p of prepared) {
      const s = samples.get(p.config.id);
      const engine = orts.get(p.config.id);
      if (s === undefined || engine === undefined) continue;
      const reference = typeof torch === 'string' ? undefined : await torch.output(p.config.id, path.join(scratch, `${p.config.id}.out`));
      const ortOut = await engine.run('perCall');
      for (const e of engines) {
        const plan = planOf(p, e);
        const ours = (await pool.run(plan)).data as Float32Array;
        rows.push({
          id: p.config.id, op: p.config.op, engine: e,
          convlabMs: median(s.convlab.get(e) ?? []),
          torchMs: typeof torch === 'string' ? NaN : Math.min(median(s.torch1), median(s.torch2)),
          ortMs: Math.min(median(s.fixed), median(s.perCall)),
          flops: p.flops,
          diffTorch: reference === undefined ? NaN : maxAbsDiff(ours, reference),
          diffOrt: maxAbsDiff(ours, ortOut),
          inline: pool.runsInline(plan),
          estimateMs: plan.cost.ms,
          hopMs: e === best ? median(s.hop) : NaN,
          oneWorkerMs: e === best ? median(s.oneWorker) : NaN,
        });
      }
    }
    // The best measurement: other processes can only lower it.
    const ceiling = new Map([...ceilings].map(([e, values]) => [e, Math.max(...values)]));
    printTable(rows, ceiling, runtime, loadBefore);
    if (jsonFile !== undefined) {
      const gflops = (ms: number, flops: number): number | null => (Number.isFinite(ms) ? Number((flops / ms / 1e6).toFixed(2)) : null);
      const ratio = (ours: number, theirs: number): number | null => (Number.isFinite(ours) && Number.isFinite(theirs) ? Number((theirs / ours).toFixed(3)) : null);
      fs.writeFileSync(jsonFile, `${JSON.stringify({
        runtime,
        node: process.version,
        relaxed_simd: relaxed ? (relaxedNative ? 'native' : 'flag') : 'refused',
        ceiling_gflops: Number((ceiling.get('simd') ?? NaN).toFixed(1)),
        fma_ceiling_gflops: ceiling.has('fma') ? Number((ceiling.get('fma') ?? NaN).toFixed(1)) : null,
        configs: rows.map((r) => ({
          id: r.id,
          runtime,
          engine: r.engine,
          convlab_gflops: gflops(r.convlabMs, r.flops),
          torch_gflops: gflops(r.torchMs, r.flops),
          ortweb_gflops: gflops(r.ortMs, r.flops),
          vs_ortweb: ratio(r.convlabMs, r.ortMs),
          vs_torch: ratio(r.convlabMs, r.torchMs),
          max_abs_diff: Number.isFinite(r.diffTorch) ? r.diffTorch : r.diffOrt,
          convlab_ms: Number(r.convlabMs.toFixed(4)),
          fraction_of_ceiling: Number((r.flops / r.convlabMs / 1e6 / (ceiling.get(r.engine) ?? NaN)).toFixed(3)),
          speedup_2_over_1_workers: ratio(r.convlabMs, r.oneWorkerMs),
        })),
      }, null, 2)}\n`);
      console.error(`wrote ${jsonFile}`);
    }
  } finally {
    if (typeof torch !== 'string') torch.stop();
    await Promise.all([pool.dispose(), onePool.dispose(), hopPool.dispose(), ...[...ceilingWorkers.values()].flat().map((w) => w.terminate())]);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function printTable(rows: readonly Row[], ceiling: ReadonlyMap<SimdKernels, number>, runtime: string, loadBefore: number): void {
  const gf = (ms: number, flops: number): string => (Number.isFinite(ms) ? (flops / ms / 1e6).toFixed(1) : '-');
  const ms = (x: number): string => (Number.isFinite(x) ? (x < 0.1 ? `${(x * 1000).toFixed(0)} µs` : x.toFixed(3)) : '-');
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) ? `${(b / a).toFixed(2)}×` : '-');
  const sci = (x: number): string => (Number.isFinite(x) ? x.toExponential(1) : '-');
  const header = ['config', 'op', 'engine, estimate ms', 'Conv Lab ms', 'GFLOP/s', 'PyTorch ms', 'GFLOP/s', 'ort-web ms', 'GFLOP/s', 'vs PyTorch', 'vs ort-web', 'of its ceiling', '2 vs 1 workers', 'max|Δ| PyTorch', 'max|Δ| ort-web'];
  const cells = rows.map((r) => [
    r.id, r.op, `${r.engine}, ${ms(r.estimateMs)}`, `${ms(r.convlabMs)}${r.inline ? ' (inline)' : ''}`, gf(r.convlabMs, r.flops), ms(r.torchMs), gf(r.torchMs, r.flops),
    ms(r.ortMs), gf(r.ortMs, r.flops), ratio(r.convlabMs, r.torchMs), ratio(r.convlabMs, r.ortMs),
    `${((100 * r.flops) / r.convlabMs / 1e6 / (ceiling.get(r.engine) ?? NaN)).toFixed(0)}%`, ratio(r.convlabMs, r.oneWorkerMs), sci(r.diffTorch), sci(r.diffOrt),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: readonly string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const ceilings = [...ceiling].map(([e, g]) => `${e === 'fma' ? 'f32x4 relaxed_madd' : 'f32x4 mul+add'} ${g.toFixed(1)}`).join(', ');
  console.log(`${runtime}. 128-bit SIMD ceilings (${WORKERS} workers, best of the run), GFLOP/s: ${ceilings}; load average ${loadBefore.toFixed(1)} at start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at end`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
  for (const r of rows.filter((x) => Number.isFinite(x.hopMs))) {
    console.log(`${r.id}: ${ms(r.convlabMs)} end to end ${r.inline ? 'on the calling thread' : 'through the pool'}, ${ms(r.hopMs)} through the pool's workers (inlineMaxMs 0)`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
}).finally(() => {
  // onnxruntime-web's thread pool keeps the process alive.
  setTimeout(() => process.exit(), 100).unref();
});
