// Replaying whole cells: every top-level expression statement of the selected cells, its value
// (from the one analysis) printed as Python would show it (`tensor([[27., 37.], ...])`, `True`,
// `torch.Size([2, 2])`). What Conv Lab cannot evaluate statically is reported with the reason and
// its position. The last op a cell ran (a layer call, d2l's corr2d) comes with it for the panel.
import type { SyntaxNode } from '@lezer/common';
import { formatTensor, type FormatTensorOptions } from '../../core/format';
import type { OpRequest } from '../../core/vocabulary';
import type { Tensor } from '../../core/tensor';
import { probeValues, type ShapeAnalysis } from '../interpreter/analysis';
import { DataRefusal, materialize, WorkBudget } from '../interpreter/elements';
import { keyValue, PLACEHOLDER, type ProducingOp, type TensorValue, type Value } from '../interpreter/values';
import type { PythonDocument } from '../syntax/document';
import { evaluateExpressions, type EvaluateOptions, type SourceError } from './evaluation';

/** Element operations replaying one selection of cells may take. */
const REPLAY_WORK = 200_000_000;

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

/**
 * Every expression statement among `statements`, in order, evaluated and printed; builds on
 * `previous` (an analysis of the same document) when given.
 */
export function replayStatements(doc: PythonDocument, statements: readonly SyntaxNode[], options: EvaluateOptions & FormatTensorOptions = {}, previous?: ShapeAnalysis): ReplayStep[] {
  const expressions = statements.flatMap((s) => (s.name === 'ExpressionStatement' && s.firstChild ? [s.firstChild] : []));
  if (expressions.length === 0) return [];
  const { values, analysis } = probeValues(doc, expressions.map((e) => ({ from: e.from, to: e.to })), options, previous);
  const budget = new WorkBudget(REPLAY_WORK);
  return expressions.map((expression, i) => {
    const seen = values[i] ?? [];
    const value = seen[seen.length - 1];
    const outcome = value && value.kind !== 'unknown' && (value.kind !== 'tensor' || value.elements || value.why?.code === PLACEHOLDER.code)
      ? display(value, options, budget)
      : undefined;
    // What cannot be shown is refused the way a selection of it would be.
    const refused = (): ReplayOutcome => {
      const evaluation = evaluateExpressions(doc, [expression], options, analysis).evaluations[0];
      return evaluation && !evaluation.ok ? evaluation : { ok: false, error: { message: 'cannot evaluate this expression statically', code: 'not-static', from: expression.from, to: expression.to, start: doc.lineColumnAt(expression.from), end: doc.lineColumnAt(expression.to) } };
    };
    return { from: expression.from, to: expression.to, outcome: outcome ?? refused() };
  });
}

/** What a notebook shows for a value; tensors in PyTorch's printed form. */
function display(value: Value, options: FormatTensorOptions, budget: WorkBudget): ReplayOutcome | undefined {
  if (value.kind !== 'tensor') return known(value) ? { ok: true, printed: pythonRepr(value), placeholder: false } : undefined;
  if (!value.elements) {
    const shape = value.shape?.map(String).join(', ') ?? '';
    return { ok: true, printed: `<random values: shape [${shape}], dtype ${value.dtype ?? 'unknown'}>`, placeholder: true };
  }
  let tensor: Tensor;
  try {
    tensor = materialize(value.elements, budget);
  } catch (e) {
    if (e instanceof DataRefusal) return undefined;
    throw e;
  }
  const direct = value.op && value.op.output === value.elements.storage ? value.op : undefined;
  const op = direct ? requestOf(direct, budget) : undefined;
  const printed = value.library === 'numpy'
    ? `array of shape (${tensor.shape.join(', ')})`
    : formatTensor(tensor, { ...options, ...(direct?.gradFn ? { suffixes: [`grad_fn=<${direct.gradFn}>`] } : {}) });
  return { ok: true, printed, tensor, ...(op ? { op } : {}), placeholder: false };
}

/** The op a tensor is the direct result of, with its operands' elements (for the panel). */
function requestOf(op: ProducingOp, budget: WorkBudget): OpRequest | undefined {
  const elementsOf = (t: TensorValue | undefined): Tensor | undefined => (t?.elements ? materialize(t.elements, budget) : undefined);
  const [input, weight, bias] = [elementsOf(op.input), elementsOf(op.weight), elementsOf(op.bias)];
  if (!input || !weight || (op.bias && !bias)) return undefined;
  return { op: op.op, input, weight, ...(bias ? { bias } : {}), args: op.args };
}

/** Whether every part of a plain value is known (so its repr is Python's). */
function known(value: Value): boolean {
  switch (value.kind) {
    case 'int': return value.exact !== undefined || typeof value.value === 'number';
    case 'bool':
    case 'float':
    case 'str': return value.value !== undefined;
    case 'tuple':
    case 'list': return value.items.every(known);
    case 'unknown': return false;
    default: return true;
  }
}

/** Python's `repr` of the plain values an expression statement can give. */
export function pythonRepr(value: Value): string {
  switch (value.kind) {
    case 'int': return value.exact !== undefined ? value.exact.toString() : typeof value.value === 'number' ? String(value.value) : 'int(…)';
    case 'bool': return value.value === undefined ? 'bool(…)' : value.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'str': return value.value === undefined ? "'…'" : `'${value.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'float': return value.value === undefined ? 'float(…)' : floatRepr(value.value);
    case 'tuple':
      if (value.torchSize) return `torch.Size([${value.items.map(pythonRepr).join(', ')}])`;
      return value.items.length === 1 ? `(${pythonRepr(value.items[0] as Value)},)` : `(${value.items.map(pythonRepr).join(', ')})`;
    case 'list': return `[${value.items.map(pythonRepr).join(', ')}]`;
    case 'dict': return `{${[...value.entries].map(([k, v]) => `${pythonRepr(keyValue(k))}: ${pythonRepr(v)}`).join(', ')}}`;
    case 'dtype': return value.library === 'torch' ? `torch.${value.dtype}` : `dtype('${value.dtype}')`;
    case 'layer': return `${value.layer.type === 'conv' ? value.layer.name : value.layer.type}(…)`;
    case 'path': return `<${value.path}>`;
    case 'method': return `<built-in method ${value.name}>`;
    case 'function': return `<function ${value.name}>`;
    case 'class': return `<class '${value.name}'>`;
    case 'instance': return `<${value.cls.name} object>`;
    case 'module': return `<module '${value.name}'>`;
    case 'tensor': return 'tensor(…)';
    case 'unknown': return '…';
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
