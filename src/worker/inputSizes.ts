// The Input sizes view's data in the analysis worker: the input-size solver
// (python/features/inputSizes.ts) run on a model of the program through the same probe as
// `conv-lab sizes` (python/features/modelProbe.ts: the file analysed again with one more call of
// the model on zeros of each size), within a time budget, answered as chart data per axis.
import { PythonDocument } from '../python';
import { CallTrace } from '../python/interpreter/callTrace';
import { allKnown } from '../python/interpreter/dim';
import { SizeSweepError, sizeChart, solveInputSizes, type AxisSizes, type InputSizes, type SizeRule } from '../python/features/inputSizes';
import { modelSizeProbe } from '../python/features/modelProbe';
import { inputOf, modelCalls, oneCallPerModel } from '../python/features/summary';
import { callsTarget, describeTarget, targetModel } from './summaries';
import type { SummaryTarget } from '../python/features/summaryTargets';
import type { Project } from '../python/project/project';
import { inputSizeProblem, type InputSizesQuery, type WireInputSizes, type WireInputSizesOutcome, type WireSizeAxis, type WireSizeRule } from '../protocol/analysis';

/** The view sweeps sizes 1..SIZES_MAX on each axis: past 128 a strip of one cell per size no longer fits a panel. */
export const SIZES_MAX = 128;

/**
 * Milliseconds the sweep may take, its first run included: the U-Net of the golden takes 0.8 s for
 * 1..128 from the CLI (startup included). Each run is checked against it before it starts, and one
 * run may take the analysis's own budget (2.5 s) past it, which must stay under the host's 10 s deadline.
 */
export const SIZES_TIME_BUDGET_MS = 6_000;

/** A project for the sweep's runs of `file` (which get `trace` in their options); the worker's own project is not changed by them. */
export type SweepProject = (trace: CallTrace) => { readonly project: Project; readonly file: string };

/**
 * The chart data of the query's model in `source`. As for the summary, `targets` name what is
 * called: a class's model is the one the file builds of it, else the class built without arguments.
 */
export function inputSizesOutcome(source: string, query: InputSizesQuery, targets: readonly SummaryTarget[], sweepProject: SweepProject, now: () => number = () => performance.now()): WireInputSizesOutcome {
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
    sizes = solveInputSizes(probe, input.slice(2), { max: SIZES_MAX, budgetMs, now });
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
