// `npm run bench` (summary part): the model summary of a ResNet-50-sized model
// (test/fixtures/python/summary/resnet50_like.py: 53 convs, 183 rows, 25.6 M parameters).
// Anchor: the plain analysis of the file (what the editor runs after an edit), in the same run.
// Reported against it:
//   summary in the worker   what the analysis worker runs for the Summary CodeLens
//                           (worker/summaries.ts: the traced run, the summary, the panel's form,
//                           its Markdown and CSV), in this process
//   summary in the CLI      `node dist/cli.js summary resnet50_like.py` spawned (Node's start included)
//   node start              `node -e ""` spawned: the part of the CLI's figure that is Node's
// Then the input-size solver on the small U-Net (test/fixtures/python/summary/unet_small.py),
// anchored on the plain analysis of that file:
//   Input sizes view        the worker's sweep of sizes 1..128 per axis (worker/inputSizes.ts)
//   note on a size error    the same file fed 102×150: the sweep of 1..256 and the pad fix checked
//   CLI sizes               `node dist/cli.js sizes unet_small.py --max 128` spawned
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeShapes } from '../src/python';
import { summaryTargets } from '../src/python/features/summaryTargets';
import { summaryOutcome } from '../src/worker/summaries';
import { inputSizesOutcome, sizeNotes } from '../src/worker/inputSizes';
import { diskFiles } from '../src/worker/diskFiles';
import { CallTrace } from '../src/python/interpreter/callTrace';
import { Project } from '../src/python/project/project';
import { median, printTable } from './models';

const RUNS = 7;
const WARM_UP = 2;
const FILE = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'python', 'summary', 'resnet50_like.py');
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

function timed(run: () => void): number {
  for (let i = 0; i < WARM_UP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function timedAsync(run: () => Promise<void>, runs: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

const UNET = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'python', 'summary', 'unet_small.py');
const SIZE_RUNS = 3;

function sweepProject(trace: CallTrace, file = UNET): { project: Project; file: string } {
  return { project: new Project(diskFiles, { roots: [] }, { trace }), file };
}

async function sizesBench(): Promise<void> {
  const source = fs.readFileSync(UNET, 'utf8');
  const odd = source.replace('x = torch.randn(1, 3, 64, 64)', 'x = torch.randn(1, 3, 102, 150)');
  const anchor = timed(() => {
    if (analyzeShapes(source).truncated) throw new Error('bench: the analysis stopped at its budget');
  });
  const targets = summaryTargets(analyzeShapes(source));
  const view = await timedAsync(async () => {
    const outcome = await inputSizesOutcome(source, { target: { kind: 'instance', name: 'model' } }, targets, sweepProject);
    // PyTorch's set (input_sizes.json): multiples of 4 from 4.
    if (!outcome.ok || outcome.sizes.axes[0]?.accepted.words !== 'multiples of 4 from 4') throw new Error(`bench: the sweep gave ${JSON.stringify(outcome).slice(0, 200)}`);
  }, SIZE_RUNS);
  const oddErrors = analyzeShapes(odd).diagnostics;
  const note = await timedAsync(async () => {
    const notes = await sizeNotes({ source: odd, file: UNET, sourceOf: () => undefined }, oddErrors.map((diagnostic) => ({ diagnostic })), sweepProject);
    if (notes.length !== 1 || !notes[0]?.pad) throw new Error(`bench: ${notes.length} notes on the 102×150 U-Net`);
  }, SIZE_RUNS);
  const cli = timed(() => spawnNode([CLI, 'sizes', UNET, '--max', '128']));
  printTable(`input sizes of unet_small.py (median of ${SIZE_RUNS}; CLI of ${RUNS})`, [
    ['plain analysis (anchor)', anchor],
    ['Input sizes view in the worker (1..128 per axis)', view],
    ['note + pad fix on a 102×150 input (1..256 per axis)', note],
    ['conv-lab sizes --max 128 (spawned)', cli],
  ], anchor);
}

function spawnNode(args: readonly string[]): void {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

function main(): void {
  const source = fs.readFileSync(FILE, 'utf8');
  // The total PyTorch counts (summary.json): proof the summary ran to the end.
  const expected = (JSON.parse(fs.readFileSync(path.join(path.dirname(FILE), 'summary.json'), 'utf8')) as { models: { file: string; totals: { params: number } }[] })
    .models.find((m) => m.file === 'resnet50_like.py')?.totals.params;
  const anchor = timed(() => {
    if (analyzeShapes(source).truncated) throw new Error('bench: the analysis stopped at its budget');
  });
  // The worker answers from the analysis it keeps of the file's version: made before the Summary is asked for.
  const kept = analyzeShapes(source);
  const worker = timed(() => {
    const targets = summaryTargets(kept);
    const outcome = summaryOutcome(source, {}, { type: 'summary', key: 'bench', version: 1, length: source.length, target: { kind: 'instance', name: 'model' } }, targets);
    const total = outcome.ok ? outcome.summary.totals.find((t) => t.label === 'Total params')?.value : undefined;
    if (total !== expected?.toLocaleString('en-US')) throw new Error(`bench: the summary's total params ${total}, PyTorch's ${expected}`);
  });
  const cli = timed(() => spawnNode([CLI, 'summary', FILE, '--format', 'json']));
  const start = timed(() => spawnNode(['-e', '']));
  printTable(`model summary of resnet50_like.py (${source.split('\n').length} lines; median of ${RUNS})`, [
    ['plain analysis (anchor)', anchor],
    ['summary in the worker (targets + traced run + formats)', worker],
    ['summary in the CLI (spawned)', cli],
    ['node start (spawned, for reference)', start],
  ], anchor);
}

main();
sizesBench().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
