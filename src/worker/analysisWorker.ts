// Analysis worker (bundled to dist/analysis.js): the only place Python is parsed and evaluated.
// It keeps the host's programs parsed (re-parsed incrementally from the host's edits), analyses
// each version once (each analysis building on the one before, so an edit re-runs only the
// statements it can affect), and answers every question from that one analysis: diagnostics,
// hovers, inlay hints, quick fixes, and the run commands' (the tensor a selection means, the cells
// it replays, the kernels and layer arguments to offer). The extension host never parses.
// A program that is a file on disk is part of the project (src/python/project): its imports of
// the project's modules are followed (read from disk, or from the editor when open), and what the
// other open files' calls do in it shows in its results.
import { parentPort } from 'node:worker_threads';
import { isTorchError } from '../core/errors';
import type { Tensor } from '../core/tensor';
import {
  analyzeShapes, checkerboardHints, convCallAt, evaluateExpressions, expressionAt, hoverAt, inlayHints, kernelChoices, layerAtOffset, nearestLayerArguments, percentCells, PythonDocument,
  quickFixes, replayStatements, textDifference, TypedExpressions, wholeCellStatements, type AnalysisOptions, type Evaluation, type LintHint, type ShapeAnalysis, type SourceError,
} from '../python';
import { allKnown, isKnown, shapeText } from '../python/interpreter/dim';
import { callAt } from '../python/syntax/nodes';
import { applyConvLayer, convWeightShape } from '../python/rules/conv';
import type {
  AnalysisHostEndpoint, AnalysisSettings, CodeActionsQuery, FromAnalysisMessage, InputSizesQuery, LayerOp, ProgramAt, ReplayQuery, SyncMessage, ToAnalysisMessage, WireDiagnostic, WireEvaluation, WireInputSizesOutcome,
  WireReplayStep, WireSourceError,
} from '../protocol/analysis';
import { RpcEndpoint } from '../protocol/rpc';
import { Project } from '../python/project/project';
import type { CallTrace } from '../python/interpreter/callTrace';
import { diskFiles } from './diskFiles';
import { summaryOutcome } from './summaries';
import { inputSizesOutcome, sizeNotes, SIZES_MAX, sizesHoverMarkdown, type SizeNote } from './inputSizes';
import { SizeSweepError } from '../python/features/inputSizes';
import { summaryTargets } from '../python/features/summaryTargets';

interface Program {
  version: number;
  doc: PythonDocument;
  /** The file it is on disk (part of the project), or undefined (an untitled document). */
  path: string | undefined;
  /** The project's generation `analysis` was taken at (another file's change makes it stale). */
  generation: number;
  analysis: ShapeAnalysis | undefined;
  /** The last analysis of an earlier version of `doc`, which the next analysis builds on. */
  previous: ShapeAnalysis | undefined;
  analysisMs: number;
  /** Whether the other open files its analysis reaches were told (once per analysis made). */
  announced: boolean;
  /** Expressions typed in the kernel prompt, read after the line of an anchor. */
  typed: TypedExpressions | undefined;
  /** The solver's notes on its size errors, at the project generation they were made at. */
  sizeNotes?: { readonly generation: number; readonly notes: Promise<SizeNote[]> };
}

/**
 * Milliseconds one run of the interpreter may take here (the step budget also bounds it): a cold
 * worker's first analysis of a 5,000-line file took 1.03 s on a busy 2-core machine, and no file
 * may hold the worker (every other file's questions wait behind it) much longer. The client stops
 * a worker that has not answered in 10 s.
 */
const ANALYSIS_TIME_BUDGET_MS = 2_500;

/**
 * Milliseconds a file's view may spend analysing the other open files whose calls reach it; past
 * that, those not analysed yet are left out until asked again (so that no request nears the
 * client's 10 s deadline however many files are open).
 */
const VIEW_TIME_BUDGET_MS = 4_000;

/** Where an untitled program's sweep opens it: no file on disk is there, so its text is all it imports from the project. */
const UNTITLED_SWEEP_PATH = '/untitled/conv_lab_sizes.py';

/** Milliseconds a hover on a model waits for the sweep of its input sizes; past that it says the sweep is under way (and the next hover finds it done). */
const HOVER_SIZES_WAIT_MS = 1_500;

const programs = new Map<string, Program>();

/**
 * The Input sizes sweeps made or under way, by program version, project generation, model and
 * input size: the view and the hover on the same model share one. The last few are kept.
 */
const sweeps = new Map<string, Promise<WireInputSizesOutcome>>();
const SWEEPS_KEPT = 8;

/** Lets the worker's other requests in between two slices of a sweep's runs. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
let settings: AnalysisSettings = { defaultDtype: 'float32', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 };

/** Every run of the interpreter here: the user's settings, and the time a run may take. */
function analysisOptions(): { defaultDtype: AnalysisSettings['defaultDtype']; maxElements: number; timeBudgetMs: number } {
  return { defaultDtype: settings.defaultDtype, maxElements: settings.maxElements, timeBudgetMs: ANALYSIS_TIME_BUDGET_MS };
}

function newProject(): Project {
  return new Project(diskFiles, { roots: settings.roots, maxFiles: settings.maxIndexedFiles }, analysisOptions());
}

let project = newProject();

/** The files of the open programs that are on disk: the scripts whose calls each file's results include. */
function openPaths(): string[] {
  return [...programs.values()].flatMap((p) => (p.path === undefined ? [] : [p.path]));
}

/** The keys of the open programs among `paths` (other than `except`). */
function keysOf(paths: ReadonlySet<string>, except: string): string[] {
  return [...programs].flatMap(([key, p]) => (key !== except && p.path !== undefined && paths.has(p.path) ? [key] : []));
}

/**
 * Brings a program to the host's version: the first one (or one the edits cannot reach) from its
 * whole text, later ones by the host's edits on the version the worker has, checked by length.
 */
function sync(message: SyncMessage): FromAnalysisMessage {
  const existing = programs.get(message.key);
  const path = message.path;
  if (!existing || message.baseVersion !== existing.version || !message.edits) {
    if (message.text === undefined) return { type: 'needsText', key: message.key };
    if (!existing) {
      const doc = new PythonDocument(message.text);
      programs.set(message.key, { version: message.version, doc, path, generation: -1, analysis: undefined, previous: undefined, analysisMs: 0, announced: false, typed: undefined });
      return synced(message, false, path === undefined ? [] : opened(message.key, path, doc));
    }
  }
  const program = existing as Program;
  const { doc } = program;
  if (message.edits && message.baseVersion === program.version) {
    try {
      for (const edit of message.edits) doc.edit([edit]);
    } catch {
      // Edits that do not fit the text: the whole text brings it to the host's.
    }
  }
  if (message.text !== undefined && doc.text !== message.text) doc.edit([textDifference(doc.text, message.text)]);
  if (doc.text.length !== message.length) return { type: 'needsText', key: message.key };
  const previous = program.analysis ?? program.previous;
  programs.set(message.key, { version: message.version, doc, path, generation: -1, analysis: undefined, previous, analysisMs: 0, announced: false, typed: undefined });
  return synced(message, true, path === undefined ? [] : opened(message.key, path, doc));
}

function synced(message: SyncMessage, incremental: boolean, affected: readonly string[]): FromAnalysisMessage {
  return { type: 'synced', key: message.key, version: message.version, incremental, ...(affected.length > 0 ? { affected } : {}) };
}

/** An open program's new text counts for the project; returns the other open programs whose results it may change. */
function opened(key: string, path: string, doc: PythonDocument): string[] {
  const related = project.related(path);
  project.setOpen(path, doc);
  project.changed(path);
  return keysOf(related, key);
}

/** The analysis of the version asked about (computed once per version, and again after a change to a file it reads). */
function analysisOf({ key, version, length }: ProgramAt): Program & { analysis: ShapeAnalysis } {
  const program = programs.get(key);
  if (!program || program.version !== version) throw new Error(`program ${key} is not at version ${version}`);
  if (program.doc.text.length !== length) throw new Error(`program ${key} at version ${version} is not the host's: ${program.doc.text.length} characters, not ${length}`);
  if (program.path !== undefined && program.generation !== project.generation) program.analysis = undefined;
  if (!program.analysis) {
    const started = performance.now();
    program.analysis = program.path !== undefined
      ? project.view(program.path, openPaths(), VIEW_TIME_BUDGET_MS)
      : analyzeShapes(program.doc, analysisOptions(), program.previous);
    program.analysis ??= analyzeShapes(program.doc, analysisOptions(), program.previous);
    // A view that ran out of time before every open file was analysed is made again when asked next.
    program.generation = openPaths().every((p) => project.isAnalysed(p)) ? project.generation : -1;
    program.previous = undefined;
    program.analysisMs = performance.now() - started;
    program.announced = false;
  }
  return program as Program & { analysis: ShapeAnalysis };
}

/** How a selection of the program is evaluated: a project file's imports are followed (what other files' calls do is not needed). */
function evaluationOptions(program: Program): AnalysisOptions {
  return program.path === undefined ? analysisOptions() : project.optionsFor(program.path);
}

function wireDiagnostic(analysis: ShapeAnalysis, d: ShapeAnalysis['diagnostics'][number]): WireDiagnostic {
  const { from, to, line, column, code, message: text, kind, related, chain } = d;
  const end = analysis.doc.lineColumnAt(to);
  return {
    from, to, line, column, endLine: end.line, endColumn: end.column, code, message: text, severity: 'error', kind, related,
    ...(chain ? { chain: chain.map((c) => ({ path: c.path, line: c.line, column: c.column })) } : {}),
  };
}

function wireHint(analysis: ShapeAnalysis, h: LintHint): WireDiagnostic {
  const { from, to, line, column, code, message: text, severity } = h;
  const end = analysis.doc.lineColumnAt(to);
  return { from, to, line, column, endLine: end.line, endColumn: end.column, code, message: text, severity };
}

/** Each spatial size of the placeholder input of a layer no known input reaches: its overlap map repeats with period stride, so a few are enough. */
const PLACEHOLDER_INPUT_SIZE = 8;

function layerOp(analysis: ShapeAnalysis, offset: number, placeholderInput: boolean): { op: LayerOp | undefined; reason?: string } {
  const found = layerAtOffset(analysis, offset);
  if (!found || found.layer.type !== 'conv') return functionalConvOp(analysis, offset) ?? { op: undefined, reason: 'no conv layer here' };
  const layer = found.layer;
  const channels = layer.inChannels;
  const placeholder = placeholderInput && channels !== undefined && isKnown(channels) ? [1, channels, ...new Array<number>(layer.spatialDims).fill(PLACEHOLDER_INPUT_SIZE)] : undefined;
  const input = found.inputs.find((i) => i !== undefined && allKnown(i)) ?? placeholder;
  if (!input || !allKnown(input)) return { op: undefined, reason: 'the input reaching this layer is not known statically' };
  const weight = convWeightShape(layer, input[input.length - layer.spatialDims - 1]);
  if (!allKnown(weight)) return { op: undefined, reason: 'its weight shape is not known' };
  try {
    applyConvLayer(layer, input, undefined);
  } catch (e) {
    // The input reaching it is one PyTorch refuses (the diagnostic at the call says so too).
    if (isTorchError(e)) return { op: undefined, reason: `PyTorch refuses the ${shapeText(input)} input that reaches it: ${e.toPythonString()}` };
    throw e;
  }
  return {
    op: {
      op: layer.op, inputShape: input, weightShape: weight, args: layer.written,
      layer: `nn.${layer.name}`, line: analysis.doc.lineColumnAt(found.site.from).line,
    },
  };
}

/** An `F.conv*d` call at the offset, as the op it ran. */
function functionalConvOp(analysis: ShapeAnalysis, offset: number): { op: LayerOp } | undefined {
  const found = convCallAt(analysis, offset);
  const callee = found && callAt(analysis.doc, found.site)?.firstChild;
  if (!found || !callee) return undefined;
  const { op, input, weight } = found.op;
  return { op: { op, inputShape: input.shape as number[], weightShape: weight.shape as number[], args: found.op.args, layer: analysis.doc.textOf(callee), line: analysis.doc.lineColumnAt(found.site.from).line } };
}

function wireError(error: SourceError): WireSourceError {
  return { message: error.message, code: error.code, ...(error.pythonKind ? { pythonKind: error.pythonKind } : {}), from: error.from, to: error.to };
}

/** A result tensor as it travels: its own buffer (the analysis keeps the one it computed). */
function copied(tensor: Tensor): Tensor {
  return { shape: tensor.shape, dtype: tensor.dtype, data: tensor.data.slice() } as Tensor;
}

function wireEvaluation(evaluation: Evaluation): WireEvaluation {
  if (!evaluation.ok) return { ok: false, error: wireError(evaluation.error) };
  return { ok: true, tensor: copied(evaluation.tensor), placeholder: evaluation.placeholder, library: evaluation.library, from: evaluation.from, to: evaluation.to };
}

/** The quick fixes of a diagnostic; a size error's pad fix comes from its note, when the notes were made. */
async function codeActions(key: string, program: Program & { analysis: ShapeAnalysis }, d: CodeActionsQuery['diagnostic']): Promise<FromAnalysisMessage> {
  const { analysis } = program;
  const same = (x: { from: number; to: number; code: string; message: string }): boolean => x.from === d.from && x.to === d.to && x.code === d.code && x.message === d.message;
  const diagnostic = d.severity === 'hint' ? checkerboardHints(analysis).find(same) : analysis.diagnostics.find(same);
  if (!diagnostic) return { type: 'codeActions', fixes: [] };
  const pads = d.severity === 'error' && program.sizeNotes ? (await sizeNotesOf(key, program)).filter((n) => n.path === undefined && same(n)).flatMap((n) => (n.pad ? [n.pad] : [])) : [];
  return { type: 'codeActions', fixes: [...quickFixes(analysis, diagnostic), ...pads] };
}

function replay(program: Program & { analysis: ShapeAnalysis }, query: ReplayQuery): WireReplayStep[] | undefined {
  const { doc, analysis } = program;
  const { selection, cell, precision } = query;
  const statements = wholeCellStatements(doc, selection, cell ? [cell] : percentCells(doc.text));
  if (!statements || (query.keepsExpression && statements.length === 1 && expressionAt(doc, selection))) return undefined;
  return replayStatements(doc, statements, { ...evaluationOptions(program), precision }, analysis).map((step) => ({
    from: step.from,
    to: step.to,
    outcome: step.outcome.ok
      ? {
        ok: true,
        printed: step.outcome.printed,
        ...(step.outcome.tensor && !step.outcome.placeholder ? { tensor: copied(step.outcome.tensor) } : {}),
        ...(step.outcome.op ? { op: { ...step.outcome.op, input: copied(step.outcome.op.input), weight: copied(step.outcome.op.weight), ...(step.outcome.op.bias ? { bias: copied(step.outcome.op.bias) } : {}) } } : {}),
      }
      : { ok: false, error: wireError(step.outcome.error) },
  }));
}

/**
 * A project of their own for a sweep's runs, which open the file with a call appended: the
 * worker's project (and every other file's results) never sees those texts. The other open files
 * are read as the editor has them, unsaved edits included.
 */
function sweepProjectOf(program: Program) {
  return (trace: CallTrace, file = program.path ?? UNTITLED_SWEEP_PATH) => {
    const swept = new Project(diskFiles, { roots: settings.roots, maxFiles: settings.maxIndexedFiles }, { ...analysisOptions(), trace });
    for (const other of programs.values()) if (other.path !== undefined && other.path !== file) swept.setOpen(other.path, new PythonDocument(other.doc.text));
    return { project: swept, file };
  };
}

/** A project file's text as the editor has it when open, else as on disk. */
function projectText(path: string): string | undefined {
  for (const p of programs.values()) if (p.path === path) return p.doc.text;
  return diskFiles.readText(path);
}

/** The Input sizes sweep of a model of the program's version (shared, see `sweeps`). */
function inputSizesOf(key: string, program: Program & { analysis: ShapeAnalysis }, query: Pick<InputSizesQuery, 'target' | 'inputSize'>): Promise<WireInputSizesOutcome> {
  const id = JSON.stringify([key, program.version, project.generation, query.target, query.inputSize ?? null]);
  let sweep = sweeps.get(id);
  if (!sweep) {
    sweep = inputSizesOutcome(program.doc.text, query, summaryTargets(program.analysis), sweepProjectOf(program), { pause: nextTurn });
    if (sweeps.size >= SWEEPS_KEPT) sweeps.delete(sweeps.keys().next().value as string);
    sweeps.set(id, sweep);
  }
  return sweep;
}

/** The solver's notes on the program's errors, made once per version (and project generation); a newer version stops them. */
function sizeNotesOf(key: string, program: Program & { analysis: ShapeAnalysis }): Promise<SizeNote[]> {
  if (program.sizeNotes?.generation === project.generation) return program.sizeNotes.notes;
  const pause = async (): Promise<void> => {
    await nextTurn();
    if (programs.get(key) !== program) throw new SizeSweepError('the file changed');
  };
  const { analysis } = program;
  const errors = [
    ...analysis.diagnostics.map((diagnostic) => ({ diagnostic })),
    ...[...analysis.modules].flatMap(([path, found]) => found.diagnostics.map((diagnostic) => ({ diagnostic, path }))),
  ];
  const file = program.path ?? UNTITLED_SWEEP_PATH;
  const notes = sizeNotes({ source: program.doc.text, file, sourceOf: projectText }, errors, sweepProjectOf(program), { pause })
    .catch((e: unknown) => {
      if (e instanceof SizeSweepError) return [];
      throw e;
    });
  program.sizeNotes = { generation: project.generation, notes };
  return notes;
}

/** The summary target whose name is at `offset`: a module class's name in its definition, or the name a model is bound to. */
function modelNamedAt(analysis: ShapeAnalysis, offset: number) {
  return summaryTargets(analysis).find((t) => {
    const from = t.kind === 'class' ? analysis.doc.text.indexOf(t.name, t.from + 'class'.length) : t.from;
    return from >= 0 && offset >= from && offset <= from + t.name.length;
  });
}

/** The hover; on a model's name, with the input sizes it accepts (when the sweep finishes in time). */
async function hover(key: string, program: Program & { analysis: ShapeAnalysis }, offset: number): Promise<FromAnalysisMessage> {
  const { analysis } = program;
  const found = hoverAt(analysis, offset, { maxElements: settings.maxElements });
  const model = modelNamedAt(analysis, offset);
  if (!model) return { type: 'hover', hover: found };
  const waited = await Promise.race([inputSizesOf(key, program, { target: { kind: model.kind, name: model.name } }), new Promise<undefined>((resolve) => setTimeout(resolve, HOVER_SIZES_WAIT_MS))]);
  const sizes = waited === undefined
    ? `**Input sizes** of \`${model.name}\`: still being checked (sizes 1..${SIZES_MAX} per axis); hover again in a moment.`
    : waited.ok ? sizesHoverMarkdown(waited.sizes) : undefined;
  if (sizes === undefined) return { type: 'hover', hover: found };
  const from = model.kind === 'class' ? analysis.doc.text.indexOf(model.name, model.from + 'class'.length) : model.from;
  return { type: 'hover', hover: found ? { ...found, markdown: `${found.markdown}\n\n---\n${sizes}` } : { from, to: from + model.name.length, markdown: sizes } };
}

function handle(message: ToAnalysisMessage): FromAnalysisMessage | Promise<FromAnalysisMessage> {
  switch (message.type) {
    case 'sync':
      return sync(message);
    case 'close': {
      const path = programs.get(message.key)?.path;
      programs.delete(message.key);
      const affected = path === undefined ? [] : keysOf(project.related(path), message.key);
      if (path !== undefined) project.close(path);
      return { type: 'synced', key: message.key, version: -1, incremental: false, ...(affected.length > 0 ? { affected } : {}) };
    }
    case 'configure':
      settings = message.settings;
      project = newProject();
      sweeps.clear();
      // Every program is analysed anew with the new settings.
      for (const program of programs.values()) {
        program.analysis = undefined;
        program.previous = undefined;
        program.typed = undefined;
        if (program.path !== undefined) project.setOpen(program.path, program.doc);
      }
      return { type: 'configured' };
    case 'filesChanged': {
      const open = new Set(openPaths());
      if (message.structure) project.filesChanged();
      // An open file's text is the editor's: a save changes nothing the analysis reads.
      else for (const path of message.paths) if (!open.has(path)) project.changed(path);
      return { type: 'filesChanged', affected: [...programs.keys()].filter((key) => programs.get(key)?.path !== undefined) };
    }
    case 'diagnostics': {
      const program = analysisOf(message);
      const open = new Set(openPaths());
      const elsewhere = [...program.analysis.modules]
        .filter(([path]) => !open.has(path))
        .map(([path, found]) => ({ path, diagnostics: found.diagnostics.map((d) => wireDiagnostic(found, d)) }));
      const analysis = program.analysis;
      // A new analysis may reach open files its last one did not (an import changed): their results change too.
      const affected = program.announced ? [] : keysOf(new Set(analysis.modules.keys()), message.key);
      program.announced = true;
      const hints = message.lint?.checkerboard ? checkerboardHints(analysis).map((h) => wireHint(analysis, h)) : [];
      const diagnostics = [...analysis.diagnostics.map((d) => wireDiagnostic(analysis, d)), ...hints].sort((a, b) => a.from - b.from || a.to - b.to);
      return { type: 'diagnostics', diagnostics, elsewhere, ...(affected.length > 0 ? { affected } : {}), analysisMs: program.analysisMs, truncated: program.analysis.truncated };
    }
    case 'inlayHints':
      return { type: 'inlayHints', hints: inlayHints(analysisOf(message).analysis, message.mode, message.range) };
    case 'hover':
      return hover(message.key, analysisOf(message), message.offset);
    case 'codeActions':
      return codeActions(message.key, analysisOf(message), message.diagnostic);
    case 'layerOp':
      return { type: 'layerOp', ...layerOp(analysisOf(message).analysis, message.offset, message.placeholderInput ?? false) };
    case 'bindings': {
      const { analysis } = analysisOf(message);
      return { type: 'bindings', bindings: analysis.bindings.map((b) => ({ line: b.line, name: b.name, shape: b.shape ? shapeText(b.shape) : 'unknown' })) };
    }
    case 'evaluate': {
      const program = analysisOf(message);
      const { evaluations, analysis } = evaluateExpressions(program.doc, message.spans, evaluationOptions(program), program.analysis);
      // A project file's analysis includes other files' calls: the one-file evaluation does not replace it.
      if (program.path === undefined) program.analysis = analysis;
      return { type: 'evaluate', results: evaluations.map(wireEvaluation) };
    }
    case 'evaluateTyped': {
      const program = analysisOf(message);
      program.typed ??= new TypedExpressions(program.doc, evaluationOptions(program));
      const { evaluation, start } = program.typed.evaluate(message.anchor, message.expression);
      const result = wireEvaluation(evaluation);
      // An error in the typed expression is told by its column in it; one above it, in the file.
      return { type: 'evaluate', results: [result.ok || result.error.from < start ? result : { ok: false, error: { ...result.error, from: result.error.from - start, to: result.error.to - start, inTyped: true } }] };
    }
    case 'replay':
      return { type: 'replay', steps: replay(analysisOf(message), message) };
    case 'kernelChoices': {
      const { analysis } = analysisOf(message);
      const choices = kernelChoices(analysis, message.before, message.limit).map((c) => ({ name: c.name, shape: c.tensor.shape, dtype: c.tensor.dtype, from: c.from, to: c.to }));
      return { type: 'kernelChoices', choices };
    }
    case 'layerArguments': {
      const found = nearestLayerArguments(analysisOf(message).analysis, message.offset, message.kind, message.spatialDims);
      return { type: 'layerArguments', found: found && { callee: found.callee, from: found.site.from, to: found.site.to, args: found.args, text: found.text } };
    }
    case 'summaryTargets':
      return { type: 'summaryTargets', targets: summaryTargets(analysisOf(message).analysis) };
    case 'summary': {
      const program = analysisOf(message);
      return { type: 'summary', outcome: summaryOutcome(program.doc.text, evaluationOptions(program), message, summaryTargets(program.analysis)) };
    }
    case 'inputSizes':
      return inputSizesOf(message.key, analysisOf(message), message).then((outcome) => ({ type: 'inputSizes', outcome }));
    case 'sizeNotes':
      return sizeNotesOf(message.key, analysisOf(message)).then((notes) => ({
        type: 'sizeNotes', notes: notes.map(({ path, from, to, code, message: text, note }) => ({ ...(path === undefined ? {} : { path }), from, to, code, message: text, note })),
      }));
  }
}

const port = parentPort;
if (port === null) throw new Error('dist/analysis.js must run in a worker thread');
const endpoint: AnalysisHostEndpoint = new RpcEndpoint<FromAnalysisMessage, ToAnalysisMessage>(
  (envelope) => port.postMessage(envelope),
  handle,
);
port.on('message', (envelope) => endpoint.handleMessage(envelope));
