// A whole file (or notebook) analysed by the interpreter: the entry point every client shares
// (hovers, inlay hints, diagnostics, quick fixes, the run commands, `conv-lab shapes`). It runs
// the interpreter once over the document and reports, per assignment, the value each name
// received (one entry per distinct shape when the statement ran with several), every PyTorch
// error at the range that raised it, and answers what an expression's value was (`probe`), with
// why when it is not known.
import type { SyntaxNode } from '@lezer/common';
import type { DType } from '../../core/tensor';
import { PythonDocument, type Span } from '../syntax/document';
import { shapeText, type Dim } from './dim';
import { NeedsStatements, reusedRecords, statementIndexAt, topLevelStatements, type AnalysisState, type RecordedDiagnostic, slotValues, type StatementRecord, type ValueSlot } from './incremental';
import { basename } from '../project/paths';
import { Interpreter, sameShape, spanKey, type AnalysisOptions } from './interpreter';
import type { LoadedModule, ModuleContext } from './modules';
import { excerpt } from './statements';
import type { Layer, PythonErrorKind, Site, Value, Why } from './values';

export type { AnalysisOptions } from './interpreter';

export interface ShapeBinding {
  /** 1-based first line of the binding statement. */
  readonly line: number;
  readonly name: string;
  /** Undefined when the value is not known to be a tensor of known rank. */
  readonly shape: readonly Dim[] | undefined;
  readonly dtype: DType | undefined;
  readonly statement: Span;
  readonly target: Span;
  /** The value bound (its elements, when known, are computed on first use). */
  readonly value: Value;
  /** Found analysing the function whose def starts here without a call (symbolic arguments). */
  readonly symbolicEntry?: number | undefined;
}

/** A place in a file of the project: its path, its range, and the line and column it starts at (1-based). */
export interface FileLocation {
  readonly path: string;
  readonly from: number;
  readonly to: number;
  readonly line: number;
  readonly column: number;
}

/** An error the analysis found, in the document's offsets, with the line and column it starts at. */
export interface LocatedDiagnostic extends Omit<RecordedDiagnostic, 'layer' | 'chain'> {
  /** Where the layer whose call failed was constructed (in this file). */
  readonly related?: Span | undefined;
  /** 1-based, as editors and tracebacks count. */
  readonly line: number;
  readonly column: number;
  /** Found in a call from another file: the calls that led here, outermost first. */
  readonly chain?: readonly FileLocation[] | undefined;
}

/** Why a value is not known, said for people: the message, Python's exception, and where. */
export interface Explanation {
  readonly message: string;
  readonly code: string;
  readonly kind?: PythonErrorKind | undefined;
  readonly from: number;
  readonly to: number;
}

export interface ShapeAnalysis {
  readonly doc: PythonDocument;
  readonly options: AnalysisOptions;
  readonly bindings: readonly ShapeBinding[];
  readonly diagnostics: readonly LocatedDiagnostic[];
  /** The analysis ran out of its step budget; what it found up to then is kept. */
  readonly truncated: boolean;
  /**
   * The values a call, name or attribute expression had (several when it ran with different
   * inputs); not those found analysing a function in `superseded` (by where its def starts) without a call.
   */
  valuesAt(span: Span, superseded?: ReadonlySet<number>): readonly Value[];
  /** The layer a constructor call built, and the input shapes it was called with. */
  layerAt(span: Span): { layer: Layer; inputs: readonly (readonly Dim[] | undefined)[] } | undefined;
  /** Where a layer was constructed. */
  layerSite(layer: Layer): Span | undefined;
  /** Every layer the file constructs, with its constructor call's range, in the order of the file. */
  layers(): { layer: Layer; site: Span; inputs: readonly (readonly Dim[] | undefined)[] }[];
  /** A site of this analysis as document offsets (undefined when it is not from this analysis). */
  spanOf(site: Site | undefined): Span | undefined;
  /** Why a value is not known, for people; `at` is the expression asked about. */
  explain(why: Why | undefined, at: Span): Explanation;
  /** What the next analysis of this document, after edits, builds on. */
  readonly state: AnalysisState;
  /** The file's path, when it was analysed as part of a project. */
  readonly path?: string | undefined;
  /** For a file analysed in a project: what its calls did in each project module it imported (by path). */
  readonly modules: ReadonlyMap<string, ShapeAnalysis>;
  /** Every project file the run read (a change to one of them changes this analysis). */
  readonly imported: readonly string[];
  /** The call sites in other files that reached the function holding `offset` (in the analysis of an imported module). */
  callers(offset: number): readonly FileLocation[];
  /** In the analysis of an imported module: the functions (by where their def starts) other files' calls ran. */
  readonly ranFunctions: ReadonlySet<number>;
}

/**
 * Analyses a document (or source text). Never throws on any input; bounded by `options.maxSteps`.
 * Given the analysis of an earlier revision of the same document, it re-runs only the top-level
 * statements the edits since then can affect (incremental.ts) and reuses the others' results;
 * the answer is the one a whole analysis gives.
 */
export function analyzeShapes(source: PythonDocument | string, options: AnalysisOptions = {}, previous?: ShapeAnalysis): ShapeAnalysis {
  const doc = typeof source === 'string' ? new PythonDocument(source) : source;
  const interpreter = (previous && runIncrementally(doc, options, previous)) ?? runWhole(doc, options);
  return analysisOf(options, interpreter);
}

/**
 * The values the expressions at `spans` had, every time they ran (none when they did not run),
 * and the analysis that found them (the same as a whole analysis gives: it may replace `previous`).
 * Only the statements holding the spans, and those they affect, run again.
 */
export function probeValues(doc: PythonDocument, spans: readonly Span[], options: AnalysisOptions = {}, previous?: ShapeAnalysis): { values: Value[][]; analysis: ShapeAnalysis } {
  const interpreter = (previous && runIncrementally(doc, options, previous, spans)) ?? runWhole(doc, options, spans);
  return { values: spans.map((span) => interpreter.probed.get(`${span.from}:${span.to}`) ?? []), analysis: analysisOf(options, interpreter) };
}

/** How many times an incremental run may restart with more statements before the whole file runs. */
const MAX_RESTARTS = 4;

function runWhole(doc: PythonDocument, options: AnalysisOptions, probes?: readonly Span[]): Interpreter {
  const interpreter = new Interpreter(doc, options, undefined, probes);
  interpreter.run();
  return interpreter;
}

/**
 * A run reusing `previous`'s records, or undefined when the whole file has to run. The statements
 * holding `probes` run again (their values are asked for), with what they affect.
 */
function runIncrementally(doc: PythonDocument, options: AnalysisOptions, previous: ShapeAnalysis, probes?: readonly Span[]): Interpreter | undefined {
  const state = previous.state;
  if (previous.doc !== doc || previous.truncated || state.importedModules || !sameOptions(previous.options, options)) return undefined;
  const change = doc.changesSince(state.revision);
  if (!change) return undefined;
  const statements = topLevelStatements(doc.tree.topNode);
  const rerun = new Set<StatementRecord>();
  if (probes && probes.length > 0) {
    const kept = reusedRecords(state, statements, change, rerun);
    if (!kept) return undefined;
    const starts = statements.map((s) => s.from);
    const ends = statements.map((s) => s.to);
    for (const probe of probes) {
      const held = kept[statementIndexAt(starts, ends, probe.from)];
      if (held) rerun.add(held);
    }
  }
  for (let attempt = 0; attempt <= MAX_RESTARTS; attempt++) {
    const records = reusedRecords(state, statements, change, rerun);
    if (!records) return undefined;
    const interpreter = new Interpreter(doc, options, { previous: state, statements, records }, probes);
    try {
      interpreter.run();
    } catch (e) {
      if (!(e instanceof NeedsStatements)) throw e;
      for (const record of e.records) rerun.add(record);
      continue;
    }
    // A whole run would have stopped at the budget: only it knows where.
    if (interpreter.truncated || interpreter.exceedsBudget()) return undefined;
    const stale = interpreter.staleReaders();
    if (stale.length === 0) return interpreter;
    for (const record of stale) rerun.add(record);
  }
  return undefined;
}

function sameOptions(a: AnalysisOptions, b: AnalysisOptions): boolean {
  return a.defaultDtype === b.defaultDtype && a.maxElements === b.maxElements && a.maxSteps === b.maxSteps && a.modules === b.modules && a.trace === b.trace;
}

function analysisOf(options: AnalysisOptions, interpreter: Interpreter): ShapeAnalysis {
  // Each module's results are put together when first asked for (most runs' are never).
  const modules = new LazyMap<string, ShapeAnalysis>();
  for (const module of interpreter.imports.modules) {
    const context = module.called;
    if (context?.path !== undefined) modules.set(context.path, () => resultsOf(context, options, interpreter, module));
  }
  const imported = interpreter.imports.modules.flatMap((m) => (m.file.path === undefined ? [] : [m.file.path]));
  return { ...resultsOf(interpreter.root, options, interpreter, undefined), modules, imported };
}

/** What a run found in the text of one file: the file analysed, or an imported module (its results from other files' calls). */
function resultsOf(context: ModuleContext, options: AnalysisOptions, interpreter: Interpreter, module: LoadedModule | undefined): ShapeAnalysis {
  const { doc, records, starts, ends } = context;
  const { layerSites, layerInputs } = interpreter;
  const locations = new Map<string, PythonDocument>([[context.path ?? '', doc]]);
  for (const m of interpreter.imports.modules) if (m.doc && m.file.path !== undefined) locations.set(m.file.path, m.doc);
  if (interpreter.root.path !== undefined) locations.set(interpreter.root.path, interpreter.root.doc);
  const fileLocation = (link: { path: string; from: number; to: number }): FileLocation[] => {
    const file = locations.get(link.path);
    return file ? [{ ...link, ...file.lineColumnAt(link.from) }] : [];
  };
  /** A site of this run in this file, as offsets of its text. */
  const spanOf = (site: Site | undefined): Span | undefined => {
    const found = interpreter.locate(site);
    return found && found.context.doc === doc && found.context.path === context.path ? { from: found.from, to: found.to } : undefined;
  };
  const bindings: ShapeBinding[] = [];
  // Shapes already listed per target (the statement ran several times: loops, several calls).
  const seen = new Map<number, string[]>();
  const diagnostics: LocatedDiagnostic[] = [];
  records.forEach((record, index) => {
    const start = starts[index] as number;
    for (const b of record.bindings) {
      if (b.value.kind !== 'tensor' && b.value.kind !== 'unknown') continue;
      const shape = b.value.kind === 'tensor' ? b.value.shape : undefined;
      const text = shape ? shapeText(shape) : '?';
      const target = { from: start + b.target.from, to: start + b.target.to };
      const listed = seen.get(target.from);
      if (listed?.includes(text)) continue;
      if (listed) listed.push(text);
      else seen.set(target.from, [text]);
      const statement = { from: start + b.statement.from, to: start + b.statement.to };
      bindings.push({
        line: doc.lineColumnAt(statement.from).line,
        name: b.name,
        shape,
        dtype: b.value.kind === 'tensor' ? b.value.dtype : undefined,
        statement,
        target,
        value: b.value,
        symbolicEntry: b.symbolicEntry,
      });
    }
    for (const d of record.diagnostics ?? []) {
      const from = start + d.from;
      diagnostics.push({
        from, to: start + d.to, code: d.code, message: d.message, kind: d.kind,
        related: d.layer ? spanOf(layerSites.get(d.layer)) : undefined, operands: d.operands, ...doc.lineColumnAt(from),
        chain: d.chain?.flatMap(fileLocation), symbolicEntry: d.symbolicEntry,
      });
    }
  });
  // A statement also seen with a known shape drops its "unknown" entries (a loop's first, merged pass).
  const known = new Set(bindings.filter((b) => b.shape).map((b) => b.target.from));
  const kept = bindings.filter((b) => b.shape || !known.has(b.target.from));
  kept.sort((a, b) => a.statement.from - b.statement.from || a.target.from - b.target.from);
  diagnostics.sort((a, b) => a.from - b.from || a.to - b.to);
  /** The record holding results at `span`, and `span` relative to its statement. */
  const located = (span: Span): { record: StatementRecord; from: number; to: number } | undefined => {
    const index = statementIndexAt(starts, ends, span.from);
    if (index < 0) return undefined;
    const start = starts[index] as number;
    return { record: records[index] as StatementRecord, from: span.from - start, to: span.to - start };
  };
  const root = context === interpreter.root;
  return {
    doc,
    options,
    bindings: kept,
    diagnostics,
    truncated: interpreter.truncated,
    // An imported module's results hold only what other files' calls did: nothing builds on them.
    state: { revision: doc.revision, records, starts, layerSites, layerInputs, importedModules: !root || interpreter.imports.modules.length > 0 },
    path: context.path,
    modules: new Map(),
    imported: [],
    ranFunctions: module?.ran ?? new Set(),
    callers: (offset) => {
      if (!module) return [];
      for (let node: SyntaxNode | null = doc.tree.resolveInner(offset, 1); node; node = node.parent) {
        const links = node.name === 'FunctionDefinition' ? module.callers.get(node.from) : undefined;
        if (links) return links.flatMap(fileLocation);
      }
      return [];
    },
    valuesAt: (span, superseded) => {
      const at = located(span);
      const slots: ValueSlot[] = [];
      for (let slot = at?.record.values.get(at.from); slot; slot = slot.next) if (slot.to === at?.to && !(slot.entry !== undefined && superseded?.has(slot.entry))) slots.push(slot);
      if (slots.length === 1) return slotValues(slots[0] as ValueSlot);
      const values: Value[] = [];
      for (const v of slots.flatMap(slotValues)) if (values.length < 8 && !values.some((w) => sameShape(v, w))) values.push(v);
      return values;
    },
    layerAt: (span) => {
      const at = located(span);
      const layer = at?.record.layers?.get(spanKey(at));
      return layer ? { layer, inputs: layerInputs.get(layer) ?? [] } : undefined;
    },
    layerSite: (layer) => spanOf(layerSites.get(layer)),
    layers: () => records
      .flatMap((record) => [...(record.layers?.values() ?? [])].flatMap((layer) => {
        const site = spanOf(layerSites.get(layer));
        return site ? [{ layer, site, inputs: layerInputs.get(layer) ?? [] }] : [];
      }))
      .sort((a, b) => a.site.from - b.site.from || a.site.to - b.site.to),
    spanOf,
    explain: (why, at) => explain(doc, interpreter, context, why, at),
  };
}

/** Why a value is not known, for people: a message in Python's or Conv Lab's words and its range. */
function explain(doc: PythonDocument, interpreter: Interpreter, context: ModuleContext, why: Why | undefined, at: Span): Explanation {
  const here = (site: Site | undefined): Span | undefined => {
    const found = interpreter.locate(site);
    return found?.context.doc === doc && found.context.path === context.path ? found : undefined;
  };
  const span = here(why?.site) ?? at;
  const asked = excerpt(doc.textOf(at));
  /** A site's line, with its file when that is another one. */
  const line = (site: Site | undefined): string => {
    const found = interpreter.locate(site);
    if (found && (found.context.doc !== doc || found.context.path !== context.path)) {
      return `${found.context.doc.lineColumnAt(found.from).line} of ${basename(found.context.path ?? '')}`;
    }
    return String(doc.lineColumnAt(found?.from ?? at.from).line);
  };
  if (!why || (why.code === 'not-static' && why.message === undefined)) {
    return { message: `cannot evaluate '${notStaticText(doc, why ? span : at)}' statically`, code: 'not-static', from: span.from, to: span.to };
  }
  if (why.code === 'not-followed') {
    return { message: `cannot evaluate '${asked}' statically: it is set by '${why.message ?? ''}' on line ${line(why.site)}, which Conv Lab does not follow`, code: 'not-static', from: at.from, to: at.to };
  }
  const message = (why.message ?? '').replace('{line}', line(why.lineOf));
  return { message, code: why.code, kind: why.kind, from: span.from, to: span.to };
}

/** What a refusal calls the expression at `span`: a call as `callee(...)`, anything else as written. */
function notStaticText(doc: PythonDocument, span: Span): string {
  let node: SyntaxNode | null = doc.tree.resolveInner(span.from, 1);
  while (node && !(node.from === span.from && node.to === span.to) && node.to <= span.to) node = node.parent;
  if (node?.name === 'CallExpression' && node.from === span.from && node.to === span.to && node.firstChild) return `${excerpt(doc.textOf(node.firstChild))}(...)`;
  return excerpt(doc.textOf(span));
}

/** A map whose values are made on first read. */
class LazyMap<K, V> implements ReadonlyMap<K, V> {
  private readonly made = new Map<K, V>();
  private readonly makers = new Map<K, () => V>();

  set(key: K, make: () => V): void {
    this.makers.set(key, make);
  }

  get(key: K): V | undefined {
    let value = this.made.get(key);
    if (value === undefined) {
      const make = this.makers.get(key);
      if (!make) return undefined;
      value = make();
      this.made.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.makers.has(key);
  }

  get size(): number {
    return this.makers.size;
  }

  *keys(): MapIterator<K> {
    yield* this.makers.keys();
  }

  *values(): MapIterator<V> {
    for (const key of this.makers.keys()) yield this.get(key) as V;
  }

  *entries(): MapIterator<[K, V]> {
    for (const key of this.makers.keys()) yield [key, this.get(key) as V];
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(visit: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) visit(value, key, this);
  }
}
