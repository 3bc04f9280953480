// Shape inference for a whole file: the entry point hovers, inlay hints, diagnostics, the panel
// and `conv-lab shapes` share. It runs the abstract interpreter once over the document and
// reports, per assignment, the shape each name received (one entry per distinct shape when the
// statement ran with several), and every PyTorch error at the range that raised it.
import type { DType } from '../../core/tensor';
import { PythonDocument, type Span } from '../parse';
import { dimJson, shapeText, type Dim } from './dim';
import { ShapeInterpreter, spanKey, type AnalysisOptions } from './interpreter';
import type { Layer } from './layers';
import { NeedsStatements, reusedRecords, statementIndexAt, topLevelStatements, type AnalysisState, type RecordedDiagnostic, type StatementRecord } from './statements';
import type { Value } from './values';

export interface ShapeBinding {
  /** 1-based first line of the binding statement. */
  readonly line: number;
  readonly name: string;
  /** Undefined when the value is not known to be a tensor of known rank. */
  readonly shape: readonly Dim[] | undefined;
  readonly dtype: DType | undefined;
  readonly statement: Span;
  readonly target: Span;
}

/** An error the analysis found, in the document's offsets, with the line and column it starts at. */
export interface LocatedDiagnostic extends Omit<RecordedDiagnostic, 'layer'> {
  /** Where the layer whose call failed was constructed. */
  readonly related?: Span | undefined;
  /** 1-based, as editors and tracebacks count. */
  readonly line: number;
  readonly column: number;
}

export interface ShapeAnalysis {
  readonly doc: PythonDocument;
  readonly bindings: readonly ShapeBinding[];
  readonly diagnostics: readonly LocatedDiagnostic[];
  /** The analysis ran out of its step budget; what it found up to then is kept. */
  readonly truncated: boolean;
  /** The values a call, name or attribute expression had (several when it ran with different inputs). */
  valuesAt(span: Span): readonly Value[];
  /** The layer a constructor call built, and the input shapes it was called with. */
  layerAt(span: Span): { layer: Layer; inputs: readonly (readonly Dim[] | undefined)[] } | undefined;
  /** Where a layer was constructed. */
  layerSite(layer: Layer): Span | undefined;
  /** Every layer the file constructs, with its constructor call's range, in the order of the file. */
  layers(): { layer: Layer; site: Span; inputs: readonly (readonly Dim[] | undefined)[] }[];
  /** What the next analysis of this document, after edits, builds on. */
  readonly state: AnalysisState;
}

/**
 * Analyses a document (or source text). Never throws on any input; bounded by `options.maxSteps`.
 * Given the analysis of an earlier revision of the same document, it re-runs only the top-level
 * statements the edits since then can affect (statements.ts) and reuses the others' results;
 * the answer is the one a whole analysis gives.
 */
export function analyzeShapes(source: PythonDocument | string, options: AnalysisOptions = {}, previous?: ShapeAnalysis): ShapeAnalysis {
  const doc = typeof source === 'string' ? new PythonDocument(source) : source;
  const interpreter = (previous && runIncrementally(doc, options, previous)) ?? runWhole(doc, options);
  return analysisOf(doc, interpreter);
}

/** How many times an incremental run may restart with more statements before the whole file runs. */
const MAX_RESTARTS = 4;

function runWhole(doc: PythonDocument, options: AnalysisOptions): ShapeInterpreter {
  const interpreter = new ShapeInterpreter(doc, options);
  interpreter.run();
  return interpreter;
}

/** A run reusing `previous`'s records, or undefined when the whole file has to run. */
function runIncrementally(doc: PythonDocument, options: AnalysisOptions, previous: ShapeAnalysis): ShapeInterpreter | undefined {
  const state = previous.state;
  if (previous.doc !== doc || previous.truncated) return undefined;
  const change = doc.changesSince(state.revision);
  if (!change) return undefined;
  const statements = topLevelStatements(doc.tree.topNode);
  const rerun = new Set<StatementRecord>();
  for (let attempt = 0; attempt <= MAX_RESTARTS; attempt++) {
    const records = reusedRecords(state, statements, change, rerun);
    if (!records) return undefined;
    const interpreter = new ShapeInterpreter(doc, options, { previous: state, statements, records });
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

function analysisOf(doc: PythonDocument, interpreter: ShapeInterpreter): ShapeAnalysis {
  const { records, starts, ends, layerSites, layerInputs, indexOf } = interpreter;
  const siteOf = (layer: Layer): Span | undefined => {
    const site = layerSites.get(layer);
    const index = site && indexOf.get(site.record);
    if (!site || index === undefined) return undefined;
    const start = starts[index] as number;
    return { from: start + site.from, to: start + site.to };
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
      });
    }
    for (const d of record.diagnostics ?? []) {
      const from = start + d.from;
      diagnostics.push({
        from, to: start + d.to, code: d.code, message: d.message, kind: d.kind,
        related: d.layer ? siteOf(d.layer) : undefined, operands: d.operands, ...doc.lineColumnAt(from),
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
  return {
    doc,
    bindings: kept,
    diagnostics,
    truncated: interpreter.truncated,
    state: { revision: doc.revision, records, starts, layerSites, layerInputs },
    valuesAt: (span) => {
      const at = located(span);
      return at?.record.values.get(at.from)?.find((x) => x.to === at.to)?.values ?? [];
    },
    layerAt: (span) => {
      const at = located(span);
      const layer = at?.record.layers?.get(spanKey(at));
      return layer ? { layer, inputs: layerInputs.get(layer) ?? [] } : undefined;
    },
    layerSite: siteOf,
    layers: () => records
      .flatMap((record) => [...(record.layers?.values() ?? [])].flatMap((layer) => {
        const site = siteOf(layer);
        return site ? [{ layer, site, inputs: layerInputs.get(layer) ?? [] }] : [];
      }))
      .sort((a, b) => a.site.from - b.site.from || a.site.to - b.site.to),
  };
}

/** What `conv-lab shapes --json` prints. */
export function analysisJson(analysis: ShapeAnalysis): { bindings: { line: number; name: string; shape: (number | string)[] | null }[]; diagnostics: { line: number; column: number; code: string; message: string }[] } {
  return {
    bindings: analysis.bindings.map((b) => ({ line: b.line, name: b.name, shape: b.shape ? b.shape.map(dimJson) : null })),
    diagnostics: analysis.diagnostics.map((d) => ({ line: d.line, column: d.column, code: d.code, message: d.message })),
  };
}

/** `12  y: (1, 10, 16, 16)` lines and `9:1 error [code] message` lines, for people. */
export function analysisText(analysis: ShapeAnalysis, fileName: string): string {
  const lines = analysis.bindings.map((b) => `${fileName}:${b.line}  ${b.name}: ${b.shape ? shapeText(b.shape) : 'unknown'}${b.dtype && b.dtype !== 'float32' ? ` ${b.dtype}` : ''}`);
  for (const d of analysis.diagnostics) lines.push(`${fileName}:${d.line}:${d.column}  error  ${d.kind}: ${d.message}  [${d.code}]`);
  const count = analysis.diagnostics.length;
  lines.push(`${analysis.bindings.length} binding${analysis.bindings.length === 1 ? '' : 's'}, ${count} error${count === 1 ? '' : 's'}${analysis.truncated ? ' (analysis stopped at its step budget)' : ''}`);
  return lines.join('\n');
}

