// Replaying a notebook-style cell: the `# %%` cells of a .py file (or one notebook cell), and
// for a selection that covers whole cells, every top-level expression statement in it evaluated
// in order, each result printed as Python would show it (`tensor([[27., 37.], ...])`, `True`).
// Statements Conv Lab cannot evaluate statically are reported with the reason and position.
import type { SyntaxNode } from '@lezer/common';
import { formatTensor, type FormatTensorOptions } from '../core/format';
import type { OpRequest } from '../core/vocabulary';
import type { Tensor } from '../core/tensor';
import { evaluateExpressionValue, type EvaluateOptions, type SourceError } from './evaluate';
import type { PythonDocument, Span } from './parse';
import { materialize } from './strided';
import type { PyValue } from './values';

/** The `# %%` cells of a file: each from its marker line to the next marker (or the end). */
export function percentCells(text: string): Span[] {
  const starts: number[] = [];
  const marker = /^#\s*%%.*$/gm;
  for (let m = marker.exec(text); m; m = marker.exec(text)) starts.push(m.index);
  return starts.map((from, i) => ({ from, to: starts[i + 1] ?? text.length }));
}

/** The top-level statements of the document that lie inside `span` (comments are not statements). */
function statementsWithin(doc: PythonDocument, span: Span): SyntaxNode[] {
  const statements: SyntaxNode[] = [];
  for (let n = doc.tree.topNode.firstChild; n; n = n.nextSibling) {
    if (n.name !== 'Comment' && n.from >= span.from && n.to <= span.to) statements.push(n);
  }
  return statements;
}

/**
 * The statements to replay when `selection` covers all the statements of at least one of
 * `cells` (and cuts no statement in two); undefined when it does not, so the selection is read as
 * one expression instead. A cell with no statements (only comments) is not covered by anything.
 */
export function wholeCellStatements(doc: PythonDocument, selection: Span, cells: readonly Span[]): SyntaxNode[] | undefined {
  const covers = cells.some((cell) => {
    const own = statementsWithin(doc, cell);
    const first = own[0];
    const last = own[own.length - 1];
    return first !== undefined && last !== undefined && selection.from <= first.from && selection.to >= last.to;
  });
  if (!covers) return undefined;
  for (let n = doc.tree.topNode.firstChild; n; n = n.nextSibling) {
    const cut = n.from < selection.to && n.to > selection.from && (n.from < selection.from || n.to > selection.to);
    if (cut && n.name !== 'Comment') return undefined;
  }
  return statementsWithin(doc, selection);
}

export type ReplayOutcome =
  /** `printed` is Python's display of the value; `tensor` and `op` are there when it is a tensor (and an op's direct result). */
  | { readonly ok: true; readonly printed: string; readonly tensor?: Tensor; readonly op?: OpRequest; readonly placeholder: boolean }
  | { readonly ok: false; readonly error: SourceError };

export interface ReplayStep {
  /** The expression statement's value expression. */
  readonly from: number;
  readonly to: number;
  readonly outcome: ReplayOutcome;
}

/** Every expression statement among `statements`, in order, evaluated and printed. */
export function replayStatements(doc: PythonDocument, statements: readonly SyntaxNode[], options: EvaluateOptions & FormatTensorOptions = {}): ReplayStep[] {
  const steps: ReplayStep[] = [];
  for (const statement of statements) {
    if (statement.name !== 'ExpressionStatement') continue;
    const expression = statement.firstChild;
    if (!expression) continue;
    const evaluation = evaluateExpressionValue(doc, expression, options);
    const outcome: ReplayOutcome = evaluation.ok ? display(evaluation.value, options) : evaluation;
    steps.push({ from: expression.from, to: expression.to, outcome });
  }
  return steps;
}

/** What a notebook shows for a value; tensors in PyTorch's printed form. */
function display(value: PyValue, options: FormatTensorOptions): ReplayOutcome {
  if (value.kind === 'tensor') {
    const tensor = materialize(value.tensor);
    const direct = value.producedBy?.output === value.tensor ? value.producedBy : undefined;
    if (value.placeholder) {
      return { ok: true, printed: `<random values: shape [${tensor.shape.join(', ')}], dtype ${tensor.dtype}>`, tensor, placeholder: true };
    }
    const printed = value.library === 'numpy'
      ? `array of shape (${tensor.shape.join(', ')})`
      : formatTensor(tensor, { ...options, ...(direct?.gradFn ? { suffixes: [`grad_fn=<${direct.gradFn}>`] } : {}) });
    return { ok: true, printed, tensor, ...(direct ? { op: direct.request } : {}), placeholder: false };
  }
  return { ok: true, printed: pythonRepr(value), placeholder: false };
}

/** Python's `repr` of the plain values an expression statement can give. */
export function pythonRepr(value: PyValue): string {
  switch (value.kind) {
    case 'int': return value.value.toString();
    case 'bool': return value.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'str': return `'${value.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'float': return floatRepr(value.value);
    case 'tuple':
      if (value.torchSize) return `torch.Size([${value.items.map(pythonRepr).join(', ')}])`;
      return value.items.length === 1 ? `(${pythonRepr(value.items[0] as PyValue)},)` : `(${value.items.map(pythonRepr).join(', ')})`;
    case 'list': return `[${value.items.map(pythonRepr).join(', ')}]`;
    case 'dtype': return value.library === 'torch' ? `torch.${value.dtype}` : `dtype('${value.dtype}')`;
    case 'layer': return `${value.name}(…)`;
    case 'path': return `<${value.path}>`;
    case 'method': return `<built-in method ${value.name}>`;
    case 'function': return `<function ${value.name}>`;
    case 'tensor': return 'tensor(…)';
  }
}

/** Python's float repr: the shortest round-tripping digits, exponent form below 1e-4 and from 1e16. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (Object.is(x, -0)) return '-0.0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const text = String(x);
  return Number.isInteger(x) ? `${text}.0` : text;
}
