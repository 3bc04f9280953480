// "Run on the selected tensor": the tensor an expression in the file denotes, read from the one
// analysis (the value the expression had where it runs, its elements computed now, within a work
// budget), or the reason it cannot be known, with Python's or PyTorch's message and the exact
// range it is about. A bare Python number or list reads as `torch.tensor(value)` would.
import type { SyntaxNode } from '@lezer/common';
import { DEFAULT_MAX_ELEMENTS, numel, zeros, type DType, type Tensor } from '../../core/tensor';
import { analyzeShapes, probeValues, type AnalysisOptions, type ShapeAnalysis } from '../interpreter/analysis';
import { allKnown } from '../interpreter/dim';
import { DataRefusal, materialize, WorkBudget } from '../interpreter/elements';
import { excerpt } from '../interpreter/statements';
import { PLACEHOLDER, pythonTypeName, UNKNOWN, type PythonErrorKind, type TensorValue, type Value } from '../interpreter/values';
import type { RuleContext } from '../rules/context';
import { tensorFromData } from '../rules/literals';
import { asPythonError } from '../rules/messages';
import { PythonDocument, type LineColumn, type Span } from '../syntax/document';
import { expressionAtCursor, expressionCovering } from '../syntax/nodes';

export type EvaluateOptions = Pick<AnalysisOptions, 'maxElements' | 'defaultDtype'>;

/** Element operations computing one request's tensors may take (a few hundred milliseconds). */
const REQUEST_WORK = 200_000_000;

export interface EvaluatedTensor {
  readonly ok: true;
  readonly tensor: Tensor;
  readonly dtype: DType;
  /** Random or uninitialised values (`torch.rand`, `torch.empty`): only the shape and dtype are real. */
  readonly placeholder: boolean;
  readonly library: 'torch' | 'numpy';
  /** The expression that was evaluated. */
  readonly from: number;
  readonly to: number;
}

export interface SourceError {
  readonly message: string;
  /** Stable identifier: `ragged-nesting`, `not-static`, `view-size-mismatch`, `too-many-elements`, `syntax-error`... */
  readonly code: string;
  /** The exception Python would raise with exactly this message; absent for Conv Lab's own refusals. */
  readonly pythonKind?: PythonErrorKind;
  readonly from: number;
  readonly to: number;
  readonly start: LineColumn;
  readonly end: LineColumn;
}

export type Evaluation = EvaluatedTensor | { readonly ok: false; readonly error: SourceError };

/** The expression a selection means: the one under the cursor when nothing is selected. */
export function expressionAt(doc: PythonDocument, target: Span): SyntaxNode | undefined {
  return target.from === target.to ? expressionAtCursor(doc, target.from) : expressionCovering(doc, target);
}

/**
 * Evaluates the expression at `target` (a selection, an empty selection meaning the expression
 * under the cursor, or a syntax node) to a tensor, in a fresh analysis. Never throws for
 * anything in the source.
 */
export function evaluateTensorExpression(source: PythonDocument | string, target: Span | SyntaxNode, options: EvaluateOptions = {}): Evaluation {
  const doc = typeof source === 'string' ? new PythonDocument(source) : source;
  return evaluateExpressions(doc, [target], options).evaluations[0] as Evaluation;
}

/**
 * Evaluates the expressions at `targets`, building on `previous` (an analysis of the same
 * document) when given; returns the analysis the values came from, which may replace it.
 */
export function evaluateExpressions(doc: PythonDocument, targets: readonly (Span | SyntaxNode)[], options: EvaluateOptions = {}, previous?: ShapeAnalysis): { evaluations: Evaluation[]; analysis: ShapeAnalysis } {
  const nodes = targets.map((t) => ('type' in t ? t : expressionAt(doc, t)));
  const probes = nodes.flatMap((n) => (n ? [{ from: n.from, to: n.to }] : []));
  const { values, analysis } = probes.length > 0 ? probeValues(doc, probes, options, previous) : { values: [], analysis: previous ?? analyzeShapes(doc, options) };
  let next = 0;
  const evaluations = nodes.map((node, i): Evaluation => {
    if (!node) {
      const t = targets[i] as Span;
      return failure(doc, { message: 'no expression at the selection', code: 'no-expression', from: t.from, to: t.to });
    }
    return tensorOf(analysis, node, values[next++] ?? [], options);
  });
  return { evaluations, analysis };
}

/** The one tensor an expression's values make, or why there is none. */
function tensorOf(analysis: ShapeAnalysis, node: SyntaxNode, values: readonly Value[], options: EvaluateOptions): Evaluation {
  const doc = analysis.doc;
  const syntax = firstErrorNode(node);
  if (syntax) return failure(doc, { message: 'invalid syntax', code: 'syntax-error', from: syntax.from, to: syntax.to });
  const at = { from: node.from, to: node.to };
  const budget = new WorkBudget(REQUEST_WORK);
  const tensors: Tensor[] = [];
  let last: { value: TensorValue; tensor: Tensor } | undefined;
  for (const raw of values) {
    const value = raw.kind === 'tensor' ? raw : asTensorValue(raw, options);
    if (value.kind !== 'tensor') {
      if (value.kind === 'unknown') return failure(doc, analysis.explain(value.why, at));
      // Named where the value was written ('"abc"' in `X = "abc"`), which says more than the selected name.
      const written = ('at' in value ? analysis.spanOf(value.at) : undefined) ?? at;
      return failure(doc, { message: `'${excerpt(doc.textOf(written))}' is a ${pythonTypeName(value)}, not a tensor`, code: 'not-a-tensor', ...written });
    }
    const read = readTensor(analysis, value, at, budget, options);
    if (!read.ok) return read;
    if (tensors.some((t) => !sameTensor(t, read.tensor))) {
      return failure(doc, { message: `cannot evaluate '${excerpt(doc.textOf(at))}' statically: it has different values where it runs (in a loop, or at several calls)`, code: 'not-static', ...at });
    }
    tensors.push(read.tensor);
    last = { value, tensor: read.tensor };
  }
  if (!last) return failure(doc, { message: `cannot evaluate '${excerpt(doc.textOf(at))}' statically: it does not run (no path or call reaches it)`, code: 'not-static', ...at });
  const placeholder = last.value.elements === undefined;
  return { ok: true, tensor: last.tensor, dtype: last.tensor.dtype, placeholder, library: last.value.library ?? 'torch', ...at };
}

/** A tensor value's elements (zeros standing in for random ones), or why they are not known. */
function readTensor(analysis: ShapeAnalysis, value: TensorValue, at: Span, budget: WorkBudget, options: EvaluateOptions): { ok: true; tensor: Tensor } | { ok: false; error: SourceError } {
  const doc = analysis.doc;
  if (value.elements) {
    try {
      return { ok: true, tensor: materialize(value.elements, budget) };
    } catch (e) {
      if (e instanceof DataRefusal) return failure(doc, { message: e.message, code: e.code, ...(analysis.spanOf(e.at) ?? at) });
      const error = asPythonError(e);
      if (error) return failure(doc, { message: error.message, code: error.code, kind: error.kind, ...(analysis.spanOf(error.at) ?? at) });
      throw e;
    }
  }
  const shape = value.shape;
  if (value.why?.code === PLACEHOLDER.code && shape && allKnown(shape) && value.dtype) {
    const limit = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
    // Zeros stand in for the random values: refused like any tensor past the limit, before allocating.
    if (numel(shape) > limit) {
      return failure(doc, { message: `a tensor of shape [${shape.join(', ')}] has ${numel(shape).toLocaleString('en-US')} elements, more than the limit of ${limit.toLocaleString('en-US')} (convLab.maxElements); refused before allocating it`, code: 'too-many-elements', ...at });
    }
    return { ok: true, tensor: zeros(shape, value.dtype) };
  }
  return failure(doc, analysis.explain(value.why, at));
}

/** A Python number or nested list read as `torch.tensor` reads it. */
function asTensorValue(value: Value, options: EvaluateOptions): Value {
  if (value.kind !== 'int' && value.kind !== 'float' && value.kind !== 'bool' && value.kind !== 'list' && value.kind !== 'tuple') return value;
  const ctx: RuleContext = {
    defaultDtype: options.defaultDtype ?? 'float32',
    maxElements: options.maxElements ?? Infinity,
    site: undefined,
    argumentSite: () => undefined,
    now: () => 0,
    call: () => UNKNOWN,
    read: () => undefined,
    gradEnabled: undefined,
  };
  try {
    return tensorFromData(ctx, value, undefined, 'torch');
  } catch (e) {
    const error = asPythonError(e);
    if (error) return { kind: 'unknown', why: { code: error.code, message: error.message, kind: error.kind, site: error.at } };
    throw e;
  }
}

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

/** The first error node directly under `node` or in it: the parser's mark for a missing or stray token. */
function firstErrorNode(node: SyntaxNode): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  node.cursor().iterate((ref) => {
    if (found) return false;
    if (ref.type.isError) found = ref.node;
    return undefined;
  });
  return found;
}

function failure(doc: PythonDocument, e: { message: string; code: string; kind?: PythonErrorKind | undefined; from: number; to: number }): { ok: false; error: SourceError } {
  return {
    ok: false,
    error: { message: e.message, code: e.code, ...(e.kind ? { pythonKind: e.kind } : {}), from: e.from, to: e.to, start: doc.lineColumnAt(e.from), end: doc.lineColumnAt(e.to) },
  };
}

/**
 * Expressions typed in a prompt, each read on a line of its own after the line an anchor is on.
 * A prompt validates on every keystroke, so the document holding the typed line and its analysis
 * are kept and edited incrementally rather than read again from the top of the file.
 */
export class TypedExpressions {
  private current: { anchor: number; from: number; doc: PythonDocument; analysis: ShapeAnalysis | undefined } | undefined;

  constructor(private readonly source: PythonDocument, private readonly options: EvaluateOptions) {}

  /**
   * The typed expression's tensor; `start` is where the expression begins in the text it was read
   * in (offsets before it are the file's own: an error may be about a line above).
   */
  evaluate(anchor: number, expression: string): { evaluation: Evaluation; start: number } {
    const typed = this.current?.anchor === anchor ? this.current : this.start(anchor);
    typed.doc.edit([{ from: typed.from, to: typed.doc.text.length, insert: expression }]);
    const span = { from: typed.from, to: typed.from + expression.length };
    const { evaluations, analysis } = evaluateExpressions(typed.doc, [span], this.options, typed.analysis);
    typed.analysis = analysis;
    return { evaluation: evaluations[0] as Evaluation, start: typed.from };
  }

  private start(anchor: number): { anchor: number; from: number; doc: PythonDocument; analysis: ShapeAnalysis | undefined } {
    const text = this.source.text;
    const lineEnd = text.indexOf('\n', anchor);
    const head = lineEnd < 0 ? text : text.slice(0, lineEnd);
    this.current = { anchor, from: head.length + 1, doc: new PythonDocument(`${head}\n`), analysis: undefined };
    return this.current;
  }
}
