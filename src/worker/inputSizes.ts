// The input-size solver in the analysis worker (python/features/inputSizes.ts), run on a model of
// the program through the same probe as `conv-lab sizes` (python/features/modelProbe.ts: the file
// analysed again with one more call of the model on zeros of each size), within a time budget and
// pausing between slices of runs so that the worker's other requests (a hover) never wait for it:
// the Input sizes view's chart data, the hover's rule, and the notes (and pad fix) added to a size
// error a model's call raised.
import { PythonDocument, type LocatedDiagnostic, type QuickFix, type ShapeAnalysis } from '../python';
import { CallTrace } from '../python/interpreter/callTrace';
import { allKnown } from '../python/interpreter/dim';
import { failureNote, padToAccepted, SizeSweepError, sizeChart, solveInputSizes, type AxisSizes, type InputSizes, type SizeProbe, type SizeRule } from '../python/features/inputSizes';
import { modelSizeProbe } from '../python/features/modelProbe';
import { inputOf, modelCalls, oneCallPerModel, type ModelCall } from '../python/features/summary';
import { callAt, callArguments } from '../python/syntax/nodes';
import { callsTarget, describeTarget, targetModel } from './summaries';
import type { SummaryTarget } from '../python/features/summaryTargets';
import type { Project } from '../python/project/project';
import { inputSizeProblem, type InputSizesQuery, type WireInputSizes, type WireInputSizesOutcome, type WireSizeAxis, type WireSizeNote, type WireSizeRule } from '../protocol/analysis';

/** The view sweeps sizes 1..SIZES_MAX on each axis: past 128 a strip of one cell per size no longer fits a panel. */
export const SIZES_MAX = 128;

/**
 * Milliseconds the sweep may take, its first run included: the U-Net of the golden takes 0.8 s for
 * 1..128 from the CLI (startup included). Each run is checked against it before it starts, and one
 * run may take the analysis's own budget (2.5 s) past it, which must stay under the host's 10 s deadline.
 */
export const SIZES_TIME_BUDGET_MS = 6_000;

/** A project for the sweep's runs of the program's file, or of `file` (runs which get `trace` in their options); the worker's own project is not changed by them. */
export type SweepProject = (trace: CallTrace, file?: string) => { readonly project: Project; readonly file: string };

/** How a sweep shares the worker: awaited between slices of runs (it throws to stop a sweep made useless), and the clock. */
export interface SweepPacing {
  readonly pause?: () => Promise<void>;
  readonly now?: () => number;
}

/**
 * The chart data of the query's model in `source`. As for the summary, `targets` name what is
 * called: a class's model is the one the file builds of it, else the class built without arguments.
 */
export async function inputSizesOutcome(source: string, query: Pick<InputSizesQuery, 'target' | 'inputSize'>, targets: readonly SummaryTarget[], sweepProject: SweepProject, pacing: SweepPacing = {}): Promise<WireInputSizesOutcome> {
  const now = pacing.now ?? (() => performance.now());
  const started = now();
  const { target, inputSize } = query;
  const badSize = inputSize && (inputSizeProblem(inputSize.join(',')) ?? (inputSize.length < 3 ? 'give batch, channels, then at least one spatial size' : undefined));
  if (badSize) return { ok: false, needsInput: false, message: `input size ${inputSize.join(',')}: ${badSize}` };
  const trace = new CallTrace();
  const { project, file } = sweepProject(trace);
  project.setOpen(file, new PythonDocument(source));
  const analysis = project.analyze(file);
  if (!analysis) return { ok: false, needsInput: false, message: 'The file could not be analysed.' };
  const { expression } = targetModel(target, targets);
  let input: readonly number[] | undefined = inputSize;
  if (input === undefined) {
    const shapes = oneCallPerModel(modelCalls(trace, analysis).filter(callsTarget(target))).map((call) => inputOf(call)?.shape);
    input = shapes.find((shape) => shape !== undefined && allKnown(shape) && shape.length >= 3) as readonly number[] | undefined;
    if (input === undefined) return { ok: false, needsInput: true, message: `No input of known shape with a spatial size reaches ${describeTarget(target)} in this file.` };
  }
  const probe = modelSizeProbe({ project, trace, file, source, expression, leading: input.slice(0, 2) });
  const budgetMs = Math.max(0, SIZES_TIME_BUDGET_MS - (now() - started));
  let sizes: InputSizes;
  try {
    sizes = await solveInputSizes(probe, input.slice(2), { max: SIZES_MAX, budgetMs, now, ...(pacing.pause ? { pause: pacing.pause } : {}) });
  } catch (e) {
    if (!(e instanceof SizeSweepError)) throw e;
    const overBudget = now() - started > SIZES_TIME_BUDGET_MS;
    return {
      ok: false, needsInput: false,
      message: overBudget
        ? `The sweep of input sizes 1..${SIZES_MAX} of ${describeTarget(target)} took longer than ${SIZES_TIME_BUDGET_MS / 1000} s: the file takes too long to follow (conv-lab sizes --max N sweeps fewer sizes).`
        : `${expression}: ${e.message}`,
    };
  }
  return { ok: true, sizes: wireInputSizes(expression, input, inputSize === undefined, sizes) };
}

function wireRule(rule: SizeRule): WireSizeRule {
  return { text: rule.text, words: rule.words };
}

function wireAxis(axis: AxisSizes): WireSizeAxis {
  return {
    name: axis.name, fixed: axis.fixed, accepted: wireRule(axis.accepted), restored: wireRule(axis.restored),
    status: sizeChart(axis).status,
    messages: axis.points.map((p) => (p.verdict === 'accepted' ? null : p.message ?? null)),
  };
}

export function wireInputSizes(model: string, input: readonly number[], inputFromFile: boolean, sizes: InputSizes): WireInputSizes {
  return {
    model, input, inputFromFile, max: SIZES_MAX, alike: sizes.alike,
    given: { verdict: sizes.given.verdict, message: sizes.given.message ?? null },
    axes: sizes.axes.map(wireAxis),
  };
}

/** The hover's lines on a model's input sizes, from the view's sweep. */
export function sizesHoverMarkdown(sizes: WireInputSizes): string {
  const axes = sizes.alike && sizes.axes.length > 1 ? [{ ...(sizes.axes[0] as WireSizeAxis), name: sizes.axes.map((a) => a.name).join(', ') }] : sizes.axes;
  const lines = axes.map((a) => {
    const restored = a.restored.words === a.accepted.words ? 'each gives an output of its own size' : `output size = input size for ${a.restored.words}`;
    return `- ${a.name}: runs for ${a.accepted.words} (\`${a.accepted.text}\`); ${restored}`;
  });
  const from = sizes.inputFromFile ? 'the input that reaches it in this file' : 'the input size given';
  return [`**Input sizes** of \`${sizes.model}\` around ${from}, (${sizes.input.join(', ')}); sizes 1..${sizes.max} checked per axis:`, '', ...lines].join('\n');
}

/**
 * Milliseconds the notes' sweeps may take in all. Each run is checked against it before it starts,
 * and one run may take the analysis's own budget (2.5 s) past it: under the host's 10 s deadline.
 */
export const NOTES_TIME_BUDGET_MS = 6_000;

/** A note's sweep checks sizes 1..max: twice the input's largest size (its nearest accepted sizes above it found), from 64, at most 256. */
export function noteSweepMax(spatial: readonly number[]): number {
  return Math.min(256, Math.max(64, 2 * Math.max(...spatial)));
}

/**
 * The errors an input's spatial size can cause, which alone get a sweep (a sweep for an error no
 * size avoids, wrong channels say, would try every size in vain at every pause in typing).
 */
const SIZE_ERROR_CODES: ReadonlySet<string> = new Set([
  'broadcast-mismatch', 'cat-mismatch', 'stack-mismatch', 'expand-mismatch', 'split-mismatch', 'kernel-too-large', 'output-too-small', 'output-size-out-of-range',
  'matmul-mismatch', 'linear-mismatch', 'view-size-mismatch', 'layer-norm-shape', 'invalid-padding', 'pixel-unshuffle-size',
]);

/** A note, with the pad fix when one is checked to run (only for an error of the program's own run, whose call is in the program). */
export interface SizeNote extends WireSizeNote {
  readonly pad: QuickFix | undefined;
}

/** An error a program's run found: in the program itself, or (`path`) in a file it imports. */
export interface RunError {
  readonly diagnostic: LocatedDiagnostic;
  readonly path?: string | undefined;
}

/** The program the notes are for: its text and the file it is analysed as. */
export interface NotedProgram {
  readonly source: string;
  readonly file: string;
  /** The text of another file of the project (the editor's when open), for a call made there. */
  readonly sourceOf: (path: string) => string | undefined;
}

/**
 * The notes on a program's errors. Each error is followed to the call of a model that raised it:
 * the outermost call of its chain (an error raised in a file the script imports), else a call in
 * the program. Each such call that raised, surely made, on an input of known size with a spatial
 * size, is swept (the model named as at the call, which must be a name its file binds at the top
 * level: the probe calls it there); when the solver finds that input rejected with the same
 * message as an error, the error gets the sizes the model accepts and the nearest ones.
 */
export async function sizeNotes(program: NotedProgram, errors: readonly RunError[], sweepProject: SweepProject, pacing: SweepPacing = {}): Promise<SizeNote[]> {
  const now = pacing.now ?? (() => performance.now());
  const deadline = now() + NOTES_TIME_BUDGET_MS;
  // By the file of the call that led to each error.
  const byScript = new Map<string, RunError[]>();
  for (const error of errors) {
    if (!SIZE_ERROR_CODES.has(error.diagnostic.code)) continue;
    const script = error.diagnostic.chain?.[0]?.path ?? (error.path === undefined ? program.file : undefined);
    if (script !== undefined) byScript.set(script, [...(byScript.get(script) ?? []), error]);
  }
  const notes: SizeNote[] = [];
  for (const [script, scriptErrors] of byScript) {
    const source = script === program.file ? program.source : program.sourceOf(script);
    if (source === undefined) continue;
    notes.push(...await scriptNotes(script, source, scriptErrors, sweepProject, { now, deadline, pause: pacing.pause }));
  }
  return notes;
}

/** The notes on `errors`, all led to by calls in `file` (whose text is `source`). */
async function scriptNotes(
  file: string, source: string, errors: readonly RunError[], sweepProject: SweepProject,
  { now, deadline, pause }: { now: () => number; deadline: number; pause: (() => Promise<void>) | undefined },
): Promise<SizeNote[]> {
  const trace = new CallTrace();
  const project = sweepProject(trace, file).project;
  project.setOpen(file, new PythonDocument(source));
  const analysis = project.analyze(file);
  if (!analysis) return [];
  const notes: SizeNote[] = [];
  const swept = new Set<string>();
  for (const call of modelCalls(trace, analysis)) {
    const input = inputOf(call)?.shape;
    const callee = call.callee;
    // A call that raised (no output), surely made, of a model the file names, on an input of known size.
    if (call.call.output !== undefined || call.call.uncertain || callee === undefined || !/^[A-Za-z_]\w*$/.test(callee) || !input || !allKnown(input) || input.length < 3) continue;
    // The errors this call may have led to: those whose chain starts at its line, or (no chain) raised in this file's own run.
    const led = errors.filter(({ diagnostic: d }) => (d.chain?.[0] ? d.chain[0].line === call.line : true));
    const id = `${callee}(${input.join(',')})`;
    if (led.length === 0 || swept.has(id)) continue;
    swept.add(id);
    const spatial = input.slice(2);
    const max = noteSweepMax(spatial);
    const probe = modelSizeProbe({ project, trace, file, source, expression: callee, leading: input.slice(0, 2) });
    let sizes: InputSizes;
    try {
      sizes = await solveInputSizes(probe, spatial, { max, budgetMs: Math.max(0, deadline - now()), now, ...(pause ? { pause } : {}) });
    } catch (e) {
      // Past the budget, or no size surely accepted (the error is not one of sizes): no note.
      if (e instanceof SizeSweepError) continue;
      throw e;
    }
    const rejection = sizes.given.verdict === 'rejected' ? sizes.given.message : undefined;
    const matching = led.filter(({ diagnostic: d }) => rejection !== undefined && (rejection === d.message || rejection === `${d.kind}: ${d.message}`));
    if (matching.length === 0) continue;
    const note = `${callee} ${failureNote(spatial, sizes)} (sizes 1..${max} checked)`;
    // The pad edits the call: offered on an error of the program's own run made in the program.
    const own = matching.filter((e) => e.path === undefined && !e.diagnostic.chain?.length);
    const pad = own.length > 0 ? padFix({ project, file, source, before: analysis, call, callee, spatial, probe, sizes, rejection: own.map((e) => e.diagnostic) }) : undefined;
    notes.push(...matching.map(({ diagnostic: d, path }) => ({
      ...(path === undefined ? {} : { path }), from: d.from, to: d.to, code: d.code, message: d.message, note, pad: path === undefined && !d.chain?.length ? pad : undefined,
    })));
  }
  return notes;
}

interface PadFixInput {
  readonly project: Project;
  readonly file: string;
  readonly source: string;
  /** The analysis of `source` the call was found in. */
  readonly before: ShapeAnalysis;
  readonly call: ModelCall;
  readonly callee: string;
  readonly spatial: readonly number[];
  readonly probe: SizeProbe;
  readonly sizes: InputSizes;
  /** The diagnostics the padding must make go away. */
  readonly rejection: readonly LocatedDiagnostic[];
}

/** How the file can name torch.nn.functional at its top level: its own alias (`F`), else through `torch`. */
function functionalNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/^(?:import torch\.nn\.functional|from torch\.nn import functional) as ([A-Za-z_]\w*)\s*$/gm)) names.push(m[1] as string);
  if (/^import torch\s*$/m.test(source)) names.push('torch.nn.functional');
  return [...new Set(names)];
}

/**
 * The call's input padded (F.pad, at the end of each spatial axis) to the nearest size the model
 * accepts: offered only when the file with the padding applied is analysed again and the call then
 * gives a tensor of known shape, the size errors are gone, and no other error appears.
 */
function padFix({ project, file, source, before, call, callee, spatial, probe, sizes, rejection }: PadFixInput): QuickFix | undefined {
  const padded = padToAccepted(probe, spatial, sizes);
  const span = before.spanOf(call.call.site);
  const argList = span ? callAt(before.doc, span)?.getChild('ArgList') : undefined;
  const argument = argList ? callArguments(argList, source).positional[0] : undefined;
  if (!padded || !span || !argument) return undefined;
  const argumentText = source.slice(argument.from, argument.to);
  for (const functional of functionalNames(source)) {
    const insert = `${functional}.pad(${argumentText}, (${padded.pads.join(', ')}))`;
    const text = source.slice(0, argument.from) + insert + source.slice(argument.to);
    project.setOpen(file, new PythonDocument(text));
    const after = project.analyze(file);
    if (!after) continue;
    const values = after.valuesAt({ from: span.from, to: span.to + insert.length - argumentText.length });
    const runs = values.length === 1 && values[0]?.kind === 'tensor' && values[0].shape !== undefined && allKnown(values[0].shape);
    const errors = new Set(before.diagnostics.map((d) => `${d.code}|${d.message}`));
    const gone = rejection.every((r) => !after.diagnostics.some((d) => d.message === r.message));
    if (runs && gone && after.diagnostics.every((d) => errors.has(`${d.code}|${d.message}`))) {
      return {
        title: `Pad the input to ${padded.spatial.join('×')}, the nearest size ${callee} accepts: ${functional}.pad(${argumentText}, (${padded.pads.join(', ')}))`,
        edits: [{ from: argument.from, to: argument.to, insert }],
        preferred: false,
      };
    }
  }
  return undefined;
}
