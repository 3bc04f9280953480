// Shape inference for a whole file: the entry point hovers, inlay hints, diagnostics, the panel
// and `conv-lab shapes` share. It runs the abstract interpreter once over the document and
// reports, per assignment, the shape each name received (one entry per distinct shape when the
// statement ran with several), and every PyTorch error at the range that raised it.
import type { DType } from '../../core/tensor';
import { PythonDocument, type Span } from '../parse';
import { dimJson, shapeText, type Dim } from './dim';
import { ShapeInterpreter, spanKey, type AnalysisOptions, type ShapeDiagnostic } from './interpreter';
import type { Layer } from './layers';
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

export interface LocatedDiagnostic extends ShapeDiagnostic {
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
  /** Every layer the file constructs, with its constructor call's range. */
  layers(): { layer: Layer; site: Span; inputs: readonly (readonly Dim[] | undefined)[] }[];
}

/** Analyses a document (or source text). Never throws on any input; bounded by `options.maxSteps`. */
export function analyzeShapes(source: PythonDocument | string, options: AnalysisOptions = {}): ShapeAnalysis {
  const doc = typeof source === 'string' ? new PythonDocument(source) : source;
  const interpreter = new ShapeInterpreter(doc, options);
  interpreter.run();
  const bindings: ShapeBinding[] = [];
  // Shapes already listed per target (the statement ran several times: loops, several calls).
  const seen = new Map<number, string[]>();
  for (const b of interpreter.bindings) {
    if (b.value.kind !== 'tensor' && b.value.kind !== 'unknown') continue;
    const shape = b.value.kind === 'tensor' ? b.value.shape : undefined;
    const text = shape ? shapeText(shape) : '?';
    const listed = seen.get(b.target.from);
    if (listed?.includes(text)) continue;
    if (listed) listed.push(text);
    else seen.set(b.target.from, [text]);
    bindings.push({
      line: doc.lineColumnAt(b.statement.from).line,
      name: b.name,
      shape,
      dtype: b.value.kind === 'tensor' ? b.value.dtype : undefined,
      statement: b.statement,
      target: b.target,
    });
  }
  // A statement also seen with a known shape drops its "unknown" entries (a loop's first, merged pass).
  const known = new Set(bindings.filter((b) => b.shape).map((b) => b.target.from));
  const kept = bindings.filter((b) => b.shape || !known.has(b.target.from));
  kept.sort((a, b) => a.statement.from - b.statement.from || a.target.from - b.target.from);
  const diagnostics = [...interpreter.diagnostics.values()]
    .map((d) => ({ ...d, ...doc.lineColumnAt(d.from) }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  return {
    doc,
    bindings: kept,
    diagnostics,
    truncated: interpreter.truncated,
    valuesAt: (span) => interpreter.valuesAt(span),
    layerAt: (span) => {
      const layer = interpreter.layersAt.get(spanKey(span));
      return layer ? { layer, inputs: interpreter.layerInputs.get(layer) ?? [] } : undefined;
    },
    layerSite: (layer) => interpreter.layerSite(layer),
    layers: () => [...interpreter.layersAt.values()].flatMap((layer) => {
      const site = interpreter.layerSite(layer);
      return site ? [{ layer, site, inputs: interpreter.layerInputs.get(layer) ?? [] }] : [];
    }),
  };
}

/** A notebook's code as one program: code cells in order, each followed by a newline. */
export function notebookSource(ipynb: string): { text: string; cellStarts: number[] } {
  const notebook = JSON.parse(ipynb) as { cells?: { cell_type?: string; source?: string | string[] }[] };
  let text = '';
  const cellStarts: number[] = [];
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== 'code') continue;
    cellStarts.push(text.length);
    text += `${Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '')}\n`;
  }
  return { text, cellStarts };
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

