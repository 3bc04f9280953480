// The model summary in the analysis worker: the program run again with its module calls traced
// (its imports followed as in its other analyses), within a time budget, and the summary of the
// model asked for, in the form the panel shows (and the Markdown and CSV the CLI prints).
import { analyzeShapes, PythonDocument, type AnalysisOptions, type ShapeAnalysis } from '../python';
import { CallTrace } from '../python/interpreter/callTrace';
import { inputOf, modelCalls, oneCallPerModel, summarize, withModelCall, type ModelCall, type ModelSummary } from '../python/features/summary';
import { formatSummaries, SUMMARY_HEADERS, summaryCells, summaryShape, summaryTotals } from '../python/features/summaryFormat';
import type { SummaryTarget } from '../python/features/summaryTargets';
import { inputSizeProblem, type SummaryQuery, type WireSummary, type WireSummaryOutcome, type WireSummaryTarget } from '../protocol/analysis';

/**
 * Milliseconds the traced run may take: a ResNet-50-sized model takes 36-74 ms (bench/summary.ts, two runs),
 * and the host stops a worker that has not answered in 10 s.
 */
export const SUMMARY_TIME_BUDGET_MS = 5_000;

/** The traced run of a source: its analysis, and the model calls it made. */
interface TracedRun {
  readonly analysis: ShapeAnalysis;
  readonly trace: CallTrace;
  readonly calls: ModelCall[];
}

function tracedRun(source: string, options: AnalysisOptions): TracedRun {
  const trace = new CallTrace();
  const analysis = analyzeShapes(new PythonDocument(source), { ...options, trace, timeBudgetMs: SUMMARY_TIME_BUDGET_MS });
  return { analysis, trace, calls: modelCalls(trace, analysis) };
}

/** The target as a message names it. */
export function describeTarget(target: WireSummaryTarget): string {
  return target.kind === 'class' ? `the class ${target.name}` : `the model ${target.name}`;
}

/** Whether a model call of the run is the target's: a call of an instance of the class, or of the name. */
export function callsTarget(target: WireSummaryTarget): (call: ModelCall) => boolean {
  return (call) => (target.kind === 'class' ? call.className === target.name : call.callee === target.name);
}

/**
 * What a call on a given size calls: the instance named, or the one the file builds of the class
 * (`targets`: the program's), else the class built without arguments. `instance` is undefined in
 * that last case.
 */
export function targetModel(target: WireSummaryTarget, targets: readonly SummaryTarget[]): { expression: string; instance: string | undefined } {
  const instance = target.kind === 'instance' ? target.name : targets.find((t) => t.kind === 'instance' && t.className === target.name)?.name;
  return { expression: instance ?? `${target.name}()`, instance };
}

const overBudget = (target: WireSummaryTarget): WireSummaryOutcome => ({
  ok: false, needsInput: false,
  message: `The summary of ${describeTarget(target)} stopped at its time budget (${SUMMARY_TIME_BUDGET_MS / 1000} s): the file takes too long to follow.`,
});

/**
 * The summary of the query's model in `source` (the program's text). `targets` are the program's
 * summary targets: a class's summary for a given size calls the model the file builds of it,
 * else the class built without arguments.
 */
export function summaryOutcome(source: string, options: AnalysisOptions, query: SummaryQuery, targets: readonly SummaryTarget[]): WireSummaryOutcome {
  const { target, inputSize } = query;
  const summarized = (run: TracedRun, call: ModelCall, sourceLength: number): WireSummaryOutcome => ({
    ok: true, summary: wireSummary(summarize(run.trace, run.analysis, call, { parameterDtype: options.defaultDtype ?? 'float32' }), sourceLength),
  });
  const matches = callsTarget(target);
  const badSize = inputSize && inputSizeProblem(inputSize.join(','));
  if (badSize) return { ok: false, needsInput: false, message: `input size ${inputSize.join(',')}: ${badSize}` };
  if (inputSize === undefined) {
    const run = tracedRun(source, options);
    const called = oneCallPerModel(run.calls.filter(matches)).find((call) => inputOf(call)?.shape !== undefined);
    if (called) return summarized(run, called, source.length);
    if (run.analysis.truncated) return overBudget(target);
    return { ok: false, needsInput: true, message: `No input of known shape reaches ${describeTarget(target)} in this file.` };
  }
  const { expression, instance } = targetModel(target, targets);
  const appended = withModelCall(source, expression, inputSize);
  const run = tracedRun(appended.source, options);
  const called = run.calls.find((call) => call.line !== undefined && call.line > appended.lines);
  if (called) return summarized(run, called, source.length);
  if (run.analysis.truncated) return overBudget(target);
  return {
    ok: false, needsInput: false,
    message: `${expression}(...) on an input of size ${inputSize.join(', ')} could not be followed: ${instance === undefined ? `${target.name} may need arguments to be built, or ` : ''}the analysis does not reach that call.`,
  };
}

/** The summary as the panel gets it; a row's call past `sourceLength` (the call appended for a size given) has no place in the program. */
function wireSummary(summary: ModelSummary, sourceLength: number): WireSummary {
  const total = summary.totals.parameters;
  return {
    model: summary.model,
    input: summaryShape(summary.input),
    headers: SUMMARY_HEADERS,
    rows: summary.rows.map((row) => ({
      cells: summaryCells(row, total, false), depth: row.depth, macs: row.macs ?? null,
      parameters: row.kind === 'op' ? 0 : row.parameters ?? null, reused: row.reused, from: row.from !== undefined && row.from < sourceLength ? row.from : null,
    })),
    totals: summaryTotals(summary),
    notes: summary.notes,
    markdown: formatSummaries([summary], 'markdown'),
    csv: formatSummaries([summary], 'csv'),
  };
}
