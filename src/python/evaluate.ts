// "Run on the selected literal": the tensor a Python expression denotes, worked out from the
// source alone. Literals, torch/NumPy factories, view chains, indexing, elementwise arithmetic
// and names bound earlier in the file (including `X[...] = v` and `X += v` outside loops) are
// followed; anything else is refused with a message that names it and its exact range, and so
// is a value computed from a tensor that was changed in place afterwards.
import type { SyntaxNode } from '@lezer/common';
import { DEFAULT_MAX_ELEMENTS, type DType, type Tensor } from '../core/tensor';
import { inPlaceResult, negate, tensorArithmetic, type ArithmeticOperator } from './arithmetic';
import { setItem } from './assignment';
import { DEFAULT_NAMES, latestBinding, mutationBetween, type BindingEvent } from './bindings';
import { CallSite } from './callSite';
import { withDefaultDType, type DefaultFloatDType } from './defaultDtype';
import { dtypeOfPath } from './dtypes';
import { callFunction, type Frame, type FunctionHost } from './functions';
import { callLayer, tensorComparison } from './layers';
import { libraryFunction } from './library';
import { tensorFromData } from './literals';
import { callTensorMethod, tensorAttribute } from './methods';
import { indexTensor, sliceRange, type IndexValue } from './indexing';
import { assignmentParts, callArguments, expressionAtCursor, expressionCovering, meaningfulChildren, PythonDocument, subscriptItems, type LineColumn, type Span, type SubscriptItem } from './parse';
import { ElementLimitError, materialize, stridedOf, type StridedTensor } from './strided';
import { EvaluationFailure, pythonTypeName, type Library, type PythonErrorKind, type PyValue } from './values';

export interface EvaluateOptions {
  /** Largest number of elements any tensor on the way may have; checked before allocating. */
  readonly maxElements?: number;
  /** PyTorch's default dtype (`torch.set_default_dtype`); float32 unless given. */
  readonly defaultDtype?: DefaultFloatDType;
}


export interface EvaluatedTensor {
  readonly ok: true;
  readonly tensor: Tensor;
  readonly dtype: DType;
  /** Random or uninitialised values (`torch.rand`, `torch.empty`) stand in: only shape and dtype are real. */
  readonly placeholder: boolean;
  readonly library: Library;
  /** The expression that was evaluated. */
  readonly from: number;
  readonly to: number;
}

export interface SourceError {
  readonly message: string;
  /** Stable identifier: `ragged-nesting`, `non-numeric-element`, `not-static`, `reshape-mismatch`, `too-many-elements`, `syntax-error`... */
  readonly code: string;
  /** The exception Python would raise with exactly this message; absent for Conv Lab's own refusals. */
  readonly pythonKind?: PythonErrorKind;
  readonly from: number;
  readonly to: number;
  readonly start: LineColumn;
  readonly end: LineColumn;
}

export type Evaluation = EvaluatedTensor | { readonly ok: false; readonly error: SourceError };

/**
 * Evaluates the expression at `target` (a selection, an empty selection meaning the expression
 * under the cursor, or a syntax node) to a tensor. Never throws for anything in the source.
 */
export function evaluateTensorExpression(source: PythonDocument | string, target: Span | SyntaxNode, options: EvaluateOptions = {}): Evaluation {
  const doc = typeof source === 'string' ? new PythonDocument(source) : source;
  const node = 'type' in target ? target : target.from === target.to ? expressionAtCursor(doc, target.from) : expressionCovering(doc, target);
  if (!node) return sourceError(doc, 'no expression at the selection', 'no-expression', 'type' in target ? target : target);
  return guarded(doc, node, () => withDefaultDType(options.defaultDtype, () => {
    const evaluator = new StaticEvaluator(doc, options.maxElements ?? DEFAULT_MAX_ELEMENTS);
    const t = evaluator.asTensor(evaluator.evaluate(node, evaluationPosition(node)));
    const tensor = materialize(t.tensor);
    return { ok: true, tensor, dtype: tensor.dtype, placeholder: t.placeholder, library: t.library, from: node.from, to: node.to };
  }));
}

/** The Python value of the expression `node` (a tensor, number, bool, tuple...), names looked up as bound before it. Never throws for anything in the source. */
export function evaluateExpressionValue(doc: PythonDocument, node: SyntaxNode, options: EvaluateOptions = {}): { readonly ok: true; readonly value: PyValue } | { readonly ok: false; readonly error: SourceError } {
  return guarded(doc, node, () => withDefaultDType(options.defaultDtype, () => ({ ok: true, value: new StaticEvaluator(doc, options.maxElements ?? DEFAULT_MAX_ELEMENTS).evaluate(node, node.from) })));
}

function sourceError(doc: PythonDocument, message: string, code: string, at: Span, pythonKind?: PythonErrorKind): { ok: false; error: SourceError } {
  return { ok: false, error: { message, code, ...(pythonKind ? { pythonKind } : {}), from: at.from, to: at.to, start: doc.lineColumnAt(at.from), end: doc.lineColumnAt(at.to) } };
}

/** Runs an evaluation of `node`, turning every failure into a source error at the right range. */
function guarded<T>(doc: PythonDocument, node: SyntaxNode, run: () => T): T | { ok: false; error: SourceError } {
  try {
    return run();
  } catch (e) {
    if (e instanceof EvaluationFailure) return sourceError(doc, e.message, e.code, e.at, e.pythonKind);
    if (e instanceof ElementLimitError) return sourceError(doc, e.message, e.code, node);
    // Nothing in the source may crash the caller: a stack overflow on absurd nesting, or a bug.
    if (e instanceof RangeError && e.message.includes('call stack')) return sourceError(doc, 'the expression is nested too deeply to evaluate', 'too-deep', node);
    return sourceError(doc, `Conv Lab could not evaluate this expression (${e instanceof Error ? e.message : String(e)})`, 'internal-error', node);
  }
}

/**
 * Where names in `node` are looked up: at the node itself, except that a name selected on the
 * left of `=` means the value it receives there.
 */
function evaluationPosition(node: SyntaxNode): number {
  if (node.name !== 'VariableName') return node.from;
  // `X = ...`, `X, K = ...`, or `(X, K) = ...`.
  const inGroup = node.parent?.name === 'TupleExpression' || node.parent?.name === 'ArrayExpression';
  const statement = inGroup ? node.parent?.parent : node.parent;
  if (statement?.name !== 'AssignStatement') return node.from;
  const lastAssign = findLastAssignOp(statement);
  return lastAssign && node.to <= lastAssign.from ? statement.to : node.from;
}

function findLastAssignOp(statement: SyntaxNode): SyntaxNode | undefined {
  let last: SyntaxNode | undefined;
  for (let c = statement.firstChild; c; c = c.nextSibling) if (c.name === 'AssignOp') last = c;
  return last;
}

/** Deepest expression nesting followed; PyTorch itself stops at 64 dimensions. */
const MAX_DEPTH = 400;

export class StaticEvaluator implements FunctionHost {
  private depth = 0;
  /** The calls of the file's functions running now, innermost last. */
  private readonly frames: Frame[] = [];
  /** Each binding's value, and the names it was computed from (transitively). */
  private readonly bindingValues = new Map<BindingEvent, { value: PyValue; dependencies: Set<string> }>();
  /** The dependency sets of the bindings being evaluated, innermost last. */
  private readonly collecting: Set<string>[] = [];

  constructor(
    private readonly doc: PythonDocument,
    readonly maxElements: number,
  ) {}

  textOf(span: Span): string {
    return this.doc.textOf(span);
  }

  withFrame<T>(frame: Frame, run: () => T): T {
    this.frames.push(frame);
    try {
      return run();
    } finally {
      this.frames.pop();
    }
  }

  subscriptIndices(target: SyntaxNode, position: number, value: PyValue): IndexValue[] {
    const library = value.kind === 'tensor' ? value.library : undefined;
    return subscriptItems(target).map((item) => this.indexValue(item, position, library));
  }

  /** `left operator right` for the operators Conv Lab evaluates; undefined for the others. */
  binaryOperation(operator: string, left: PyValue, right: PyValue, at: Span): PyValue | undefined {
    if (operator === '==' || operator === '!=') {
      const compared = tensorComparison(operator, left, right, at, this.maxElements);
      if (compared) return compared;
      const equal = pythonEquals(left, right);
      return equal === undefined ? undefined : { kind: 'bool', value: equal === (operator === '=='), at };
    }
    if (operator === '<' || operator === '<=' || operator === '>' || operator === '>=') return numberOrder(operator, left, right, at);
    return left.kind === 'tensor' || right.kind === 'tensor'
      ? isArithmeticOperator(operator) ? tensorArithmetic(operator, left, right, at, this.maxElements) : undefined
      : arithmetic(operator, left, right, at);
  }

  /** The value of `node`, with names looked up as bound before `position`. */
  evaluate(node: SyntaxNode, position: number): PyValue {
    if (++this.depth > MAX_DEPTH) throw new EvaluationFailure('the expression is nested too deeply to evaluate', 'too-deep', node);
    try {
      if (node.name === 'Number') return parseNumber(this.doc.textOf(node), { from: node.from, to: node.to });
      rejectSyntaxErrors(node);
      return this.evaluateNode(node, position);
    } finally {
      this.depth--;
    }
  }

  /** A value used as a tensor: tensors as they are, numbers and nested sequences as `torch.tensor` reads them. */
  asTensor(value: PyValue): { tensor: StridedTensor; placeholder: boolean; library: Library } {
    if (value.kind === 'tensor') return value;
    if (value.kind === 'list' || value.kind === 'tuple' || value.kind === 'int' || value.kind === 'float' || value.kind === 'bool') {
      return { tensor: stridedOf(tensorFromData(value, undefined, 'torch', this.maxElements)), placeholder: false, library: 'torch' };
    }
    throw new EvaluationFailure(`'${excerpt(this.doc.textOf(value.at))}' is a ${pythonTypeName(value)}, not a tensor`, 'not-a-tensor', value.at);
  }

  private evaluateNode(node: SyntaxNode, position: number): PyValue {
    const at: Span = { from: node.from, to: node.to };
    const text = (): string => this.doc.textOf(node);
    switch (node.name) {
      case 'Boolean': return { kind: 'bool', value: text() === 'True', at };
      case 'None': return { kind: 'none', at };
      case 'String': return { kind: 'str', value: stringContent(text()), at };
      case 'ContinuedString': {
        const parts = meaningfulChildren(node).map((part) => this.evaluate(part, position));
        return { kind: 'str', value: parts.map((p) => (p.kind === 'str' ? p.value : '')).join(''), at };
      }
      case 'ParenthesizedExpression': {
        const [inner] = meaningfulChildren(node);
        if (!inner) throw new EvaluationFailure('invalid syntax', 'syntax-error', at);
        return this.evaluate(inner, position);
      }
      case 'ArrayExpression':
      case 'TupleExpression': {
        const items = meaningfulChildren(node);
        const star = items.find((item) => item.name === '*' || item.name === '**');
        if (star) throw this.notStatic(star.nextSibling ?? star, 'an unpacked sequence');
        return { kind: node.name === 'ArrayExpression' ? 'list' : 'tuple', items: items.map((item) => this.evaluate(item, position)), at };
      }
      case 'UnaryExpression': return this.unary(node, position);
      case 'BinaryExpression': return this.binary(node, position);
      case 'VariableName': return this.lookUp(node, text(), position);
      case 'MemberExpression': return this.member(node, position);
      case 'CallExpression': return this.call(node, position);
      default: throw this.notStatic(node);
    }
  }

  private notStatic(node: SyntaxNode, what?: string): EvaluationFailure {
    const shown = what ?? `'${excerpt(this.doc.textOf(node))}'`;
    return new EvaluationFailure(`cannot evaluate ${shown} statically`, 'not-static', { from: node.from, to: node.to });
  }

  private unary(node: SyntaxNode, position: number): PyValue {
    const [op, operandNode] = meaningfulChildren(node);
    if (!op || !operandNode) throw new EvaluationFailure('invalid syntax', 'syntax-error', node);
    const operand = this.evaluate(operandNode, position);
    const at = { from: node.from, to: node.to };
    const sign = this.doc.textOf(op);
    if (sign === '-' || sign === '+') {
      if (operand.kind === 'int' || operand.kind === 'bool') {
        const v = operand.kind === 'int' ? operand.value : BigInt(operand.value);
        return { kind: 'int', value: sign === '-' ? -v : v, at };
      }
      if (operand.kind === 'float') return { kind: 'float', value: sign === '-' ? -operand.value : operand.value, at };
      if (operand.kind === 'tensor' && operand.library === 'torch') return sign === '-' ? negate(operand, at) : { ...operand, at };
    }
    throw this.notStatic(node);
  }

  private binary(node: SyntaxNode, position: number): PyValue {
    const [leftNode, op, rightNode] = meaningfulChildren(node);
    if (!leftNode || !op || !rightNode) throw new EvaluationFailure('invalid syntax', 'syntax-error', node);
    const left = this.evaluate(leftNode, position);
    const right = this.evaluate(rightNode, position);
    const at = { from: node.from, to: node.to };
    const result = this.binaryOperation(this.doc.textOf(op), left, right, at);
    if (!result) throw this.notStatic(node);
    return result;
  }

  private member(node: SyntaxNode, position: number): PyValue {
    const objectNode = node.firstChild;
    if (!objectNode) throw new EvaluationFailure('invalid syntax', 'syntax-error', node);
    const object = this.evaluate(objectNode, position);
    const at = { from: node.from, to: node.to };
    const property = node.getChild('PropertyName');
    if (!property) return this.subscript(node, object, position);
    const name = this.doc.textOf(property);
    if (object.kind === 'path') {
      const path = `${object.path}.${name}`;
      const dtype = dtypeOfPath(path);
      return dtype ? { kind: 'dtype', ...dtype, at } : { kind: 'path', path, at };
    }
    if (object.kind === 'tensor') {
      const value = tensorAttribute(object, name, at);
      if (value) return value;
    }
    if (object.kind === 'layer' && (name === 'weight' || name === 'bias')) return object[name] ?? { kind: 'none', at };
    throw this.notStatic(node);
  }

  /** `X[0, 1:3, ..., None]` on tensors and arrays; `pair[1]`, `shape[1:]` on lists and tuples. */
  private subscript(node: SyntaxNode, object: PyValue, position: number): PyValue {
    const at = { from: node.from, to: node.to };
    const library = object.kind === 'tensor' ? object.library : undefined;
    const items = subscriptItems(node).map((item) => this.indexValue(item, position, library));
    if (object.kind === 'tensor') return { ...object, tensor: indexTensor(object.tensor, items, object.library), at };
    const [item] = items;
    if ((object.kind === 'list' || object.kind === 'tuple') && items.length === 1 && item) {
      if (item.kind === 'int') {
        const found = object.items[item.value < 0 ? item.value + object.items.length : item.value];
        if (!found) throw new EvaluationFailure(`${object.kind} index out of range`, 'index-out-of-range', at, 'IndexError');
        return { ...found, at } as PyValue;
      }
      if (item.kind === 'slice') {
        const { start, step, length } = sliceRange(object.items.length, item);
        return { kind: object.kind, items: Array.from({ length }, (_, k) => object.items[start + k * step] as PyValue), at };
      }
    }
    throw this.notStatic(node);
  }

  /** One subscript item's value; `library` is the indexed tensor's, for its wording. */
  private indexValue(item: SubscriptItem, position: number, library: Library | undefined): IndexValue {
    if (item.kind === 'slice') {
      // A part left out or given as None takes the slice's default.
      const part = (n: SyntaxNode | undefined): number | undefined => {
        const v = n && this.evaluate(n, position);
        if (!v || v.kind === 'none') return undefined;
        if (v.kind === 'int') return Number(v.value);
        throw new EvaluationFailure('slice indices must be integers or None or have an __index__ method', 'invalid-index', v.at, 'TypeError');
      };
      const [start, stop, step] = [part(item.start), part(item.stop), part(item.step)];
      return { kind: 'slice', at: item.at, ...(start !== undefined ? { start } : {}), ...(stop !== undefined ? { stop } : {}), ...(step !== undefined ? { step } : {}) };
    }
    const at = { from: item.node.from, to: item.node.to };
    if (item.node.name === 'Ellipsis') return { kind: 'ellipsis', at };
    const v = this.evaluate(item.node, position);
    if (v.kind === 'int') return { kind: 'int', value: Number(v.value), at };
    if (v.kind === 'none') return { kind: 'none', at };
    if (v.kind === 'float' && library) {
      const message = library === 'torch'
        ? 'only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)'
        : 'only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices';
      throw new EvaluationFailure(message, 'invalid-index', at, 'IndexError');
    }
    throw this.notStatic(item.node, `the index '${excerpt(this.doc.textOf(item.node))}'`);
  }

  private call(node: SyntaxNode, position: number): PyValue {
    const calleeNode = node.firstChild;
    const argList = node.getChild('ArgList');
    if (!calleeNode || !argList) throw new EvaluationFailure('invalid syntax', 'syntax-error', node);
    rejectSyntaxErrors(argList);
    const callText = `${excerpt(this.doc.textOf(calleeNode))}(...)`;
    const callee = this.calleeValue(calleeNode, position, callText);
    // Bound tensor methods, and the library functions Conv Lab knows; nothing else is called.
    const target = callee.kind === 'method'
      ? { name: callee.name, run: (site: CallSite) => callTensorMethod(callee.self, callee.name, site) }
      : callee.kind === 'layer' ? { name: callee.name, run: (site: CallSite) => callLayer(callee, site) }
      // The file's names are read as bound where the outermost call is (the body runs then).
      : callee.kind === 'function' ? { name: callee.name, run: (site: CallSite) => callFunction(this, callee.def, site.positional, site.keywords, site.at, this.frames[0]?.callPosition ?? position) }
      : callee.kind === 'path'
        ? { name: callee.path.slice(callee.path.lastIndexOf('.') + 1), run: libraryFunction(callee.path) }
        : undefined;
    if (!target?.run) throw this.notStatic(node, `'${callText}'`);
    const args = callArguments(argList, this.doc.text);
    const spread = args.spread[0];
    if (spread) throw this.notStatic(spread, `the unpacked arguments of '${callText}'`);
    const keywords = new Map<string, PyValue>();
    // Where a tensor lives does not change its values: `device=` is not even evaluated.
    for (const [k, { value }] of args.keywords) if (k !== 'device') keywords.set(k, this.evaluate(value, position));
    const movesDevice = callee.kind === 'method' && callee.name === 'to';
    const positional = args.positional.flatMap((a, i) => {
      if (movesDevice && i === 0) {
        // `X.to(device)`: an argument that is no dtype Conv Lab knows names a device.
        try {
          return [this.evaluate(a, position)];
        } catch (e) {
          if (e instanceof EvaluationFailure) return [];
          throw e;
        }
      }
      return [this.evaluate(a, position)];
    });
    const at = { from: node.from, to: node.to };
    try {
      return target.run(new CallSite(target.name, positional, keywords, at, this.maxElements));
    } catch (e) {
      if (e instanceof ElementLimitError) throw new EvaluationFailure(e.message, e.code, at);
      throw e;
    }
  }

  /** The function a call calls; an attribute Conv Lab does not know is reported as the call it is. */
  private calleeValue(calleeNode: SyntaxNode, position: number, callText: string): PyValue {
    try {
      return this.evaluate(calleeNode, position);
    } catch (e) {
      if (e instanceof EvaluationFailure && e.code === 'not-static' && e.at.from === calleeNode.from && e.at.to === calleeNode.to) {
        throw new EvaluationFailure(`cannot evaluate '${callText}' statically`, 'not-static', { from: calleeNode.from, to: calleeNode.parent?.to ?? calleeNode.to });
      }
      throw e;
    }
  }

  /** A name's value: the latest binding before `position`, or a library name the file uses unimported. */
  private lookUp(node: SyntaxNode, name: string, position: number): PyValue {
    const at = { from: node.from, to: node.to };
    const frame = this.frames[this.frames.length - 1];
    if (frame && node.from >= frame.def.from && node.to <= frame.def.to) {
      const local = frame.locals.get(name);
      if (local) return { ...local, at } as PyValue;
      if (frame.localNames.has(name)) throw new EvaluationFailure(`cannot access local variable '${name}' where it is not associated with a value`, 'unbound-name', at, 'UnboundLocalError');
      // Not local: the file's name, as bound where the call is.
      const global = this.lookUpFrom(frame.def, node, name, frame.callPosition);
      if (global.kind === 'tensor') frame.shared.add(global.tensor.data);
      return global;
    }
    return this.lookUpFrom(node, node, name, position);
  }

  /** `name` as bound before `position` in the scopes `site` sees; `node` is where it is used. */
  private lookUpFrom(site: SyntaxNode, node: SyntaxNode, name: string, position: number): PyValue {
    const at = { from: node.from, to: node.to };
    const event = latestBinding(this.doc.tree, this.doc.text, site, name, position);
    if (!event) {
      const path = DEFAULT_NAMES.get(name);
      if (path) return { kind: 'path', path, at };
      throw new EvaluationFailure(`name '${name}' is not defined`, 'unbound-name', at, 'NameError');
    }
    if (event.kind === 'import') return { kind: 'path', path: event.path, at };
    if (event.kind === 'other' && event.statement.name === 'FunctionDefinition') return { kind: 'function', name, def: event.statement, at };
    if (event.kind === 'other' && !(event.mutates && layerParameterAssignment(this.doc, event.statement, name))) {
      const line = this.doc.lineColumnAt(event.statement.from).line;
      const how = event.statement.name === 'ParamList'
        ? 'is a parameter: its value is only known at a call site'
        : `is set by '${excerpt(this.doc.textOf(event.statement))}' on line ${line}, which Conv Lab does not follow`;
      throw new EvaluationFailure(`cannot evaluate '${name}' statically: it ${how}`, 'not-static', at);
    }
    let entry = this.bindingValues.get(event);
    if (!entry) {
      const dependencies = new Set<string>();
      this.collecting.push(dependencies);
      try {
        const value = event.kind === 'assign' ? this.assignedValue(event, event.statement.from)
          : event.kind === 'setitem' ? this.itemAssigned(event)
            : event.kind === 'update' ? this.updated(event)
              : this.layerParameterSet(node, name, event.statement);
        entry = { value, dependencies };
      } finally {
        this.collecting.pop();
      }
      this.bindingValues.set(event, entry);
    }
    // The bindings being evaluated now depend on this name and on what it was computed from.
    for (const outer of this.collecting) {
      outer.add(name);
      for (const d of entry.dependencies) outer.add(d);
    }
    // A tensor this value was computed from has changed in place since: they may share memory.
    for (const d of entry.dependencies) {
      const change = mutationBetween(this.doc.tree, this.doc.text, event.statement, d, event.boundAt, position);
      if (change) {
        const line = this.doc.lineColumnAt(change.statement.from).line;
        throw new EvaluationFailure(
          `cannot evaluate '${name}' statically: '${d}' is changed in place by '${excerpt(this.doc.textOf(change.statement))}' on line ${line} after '${name}' was computed from it, and they may share memory`,
          'not-static', at);
      }
    }
    return entry.value;
  }

  /** `tconv.weight.data = K`: the layer bound before, with that parameter's values replaced (same shape, as `.data =` allows any). */
  private layerParameterSet(node: SyntaxNode, name: string, statement: SyntaxNode): PyValue {
    const update = layerParameterAssignment(this.doc, statement, name);
    if (!update) throw this.notStatic(statement);
    const before = this.lookUp(node, name, statement.from);
    const at = { from: statement.from, to: statement.to };
    if (before.kind !== 'layer') throw this.notStatic(statement, `'${excerpt(this.doc.textOf(statement))}' on a ${pythonTypeName(before)}`);
    const tensor = this.evaluate(update.value, statement.from);
    if (tensor.kind !== 'tensor' || tensor.library !== 'torch') {
      throw new EvaluationFailure(`cannot assign '${pythonTypeName(tensor)}' as parameter '${update.parameter}' (torch.nn.Parameter or None expected)`, 'invalid-argument', tensor.at, 'TypeError');
    }
    return { ...before, [update.parameter]: tensor, at };
  }

  /** `X op= value`: Python numbers rebound, tensors changed in place (so kept in their dtype and shape). */
  private updated(event: Extract<BindingEvent, { kind: 'update' }>): PyValue {
    const position = event.statement.from;
    const before = this.lookUp(event.target, event.name, position);
    const value = this.evaluate(event.value, position);
    const at = { from: event.statement.from, to: event.statement.to };
    const op = event.operator;
    if (before.kind !== 'tensor') {
      const result = before.kind === 'int' || before.kind === 'float' || before.kind === 'bool' ? arithmetic(op, before, value, at) : undefined;
      if (!result) throw this.notStatic(event.statement);
      return result;
    }
    const result = isArithmeticOperator(op) ? tensorArithmetic(op, before, value, at, this.maxElements) : undefined;
    if (!result) throw this.notStatic(event.statement);
    return { ...before, tensor: inPlaceResult(before.tensor, result.tensor, at), placeholder: result.placeholder, at };
  }

  /** `X[...] = value`: the value X had before, copied, with the indexed items replaced. */
  private itemAssigned(event: Extract<BindingEvent, { kind: 'setitem' }>): PyValue {
    const position = event.statement.from;
    const objectNode = event.target.firstChild as SyntaxNode;
    const before = this.lookUp(objectNode, event.name, position);
    const at = { from: event.statement.from, to: event.statement.to };
    if (before.kind !== 'tensor') throw this.notStatic(event.target, `item assignment on a ${pythonTypeName(before)}`);
    const value = this.evaluate(event.value, position);
    const items = subscriptItems(event.target).map((item) => this.indexValue(item, position, before.library));
    return { ...before, tensor: setItem(before.tensor, items, value, before.library, at, this.maxElements), at };
  }

  /** What one target of an assignment receives, unpacking `a, b = x, y` element by element. */
  private assignedValue(event: Extract<BindingEvent, { kind: 'assign' }>, position: number): PyValue {
    const { values, index, count } = event;
    const statementAt = { from: event.statement.from, to: event.statement.to };
    if (index === undefined) {
      if (values.length === 1 && values[0]) return this.evaluate(values[0], position);
      return { kind: 'tuple', items: values.map((v) => this.evaluate(v, position)), at: statementAt };
    }
    if (values.length > 1) {
      if (values.length !== count) throw unpackError(count, values.length, statementAt);
      return this.evaluate(values[index] as SyntaxNode, position);
    }
    const single = values[0];
    if (!single) throw new EvaluationFailure('invalid syntax', 'syntax-error', statementAt);
    const value = this.evaluate(single, position);
    if (value.kind === 'list' || value.kind === 'tuple') {
      if (value.items.length !== count) throw unpackError(count, value.items.length, value.at);
      return value.items[index] as PyValue;
    }
    if (value.kind === 'tensor') throw this.notStatic(single, `unpacking the tensor '${excerpt(this.doc.textOf(single))}'`);
    throw new EvaluationFailure(`cannot unpack non-iterable ${pythonTypeName(value)} object`, 'invalid-unpacking', value.at, 'TypeError');
  }
}

/**
 * `name.weight.data = v`, `name.weight = v` or `name.bias.data = v` (also `nn.Parameter(v)`): which
 * parameter of the layer `name` the statement sets, and the value node; undefined for anything else.
 */
function layerParameterAssignment(doc: PythonDocument, statement: SyntaxNode, name: string): { parameter: 'weight' | 'bias'; value: SyntaxNode } | undefined {
  if (statement.name !== 'AssignStatement') return undefined;
  const { targets, values } = assignmentParts(statement);
  const target = targets.length === 1 && targets[0]?.length === 1 ? targets[0][0] : undefined;
  const value = values.length === 1 ? values[0] : undefined;
  if (!target || !value) return undefined;
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\.(weight|bias)(\.data)?$/.exec(doc.textOf(target).replace(/\s+/g, ''));
  if (!match || match[1] !== name) return undefined;
  // `nn.Parameter(v)` wraps the values it is given.
  const wrapped = value.name === 'CallExpression' && /^(?:(?:torch\.)?nn\.)?Parameter$/.test(doc.textOf(value.firstChild ?? value).replace(/\s+/g, ''))
    ? callArguments(value.getChild('ArgList') ?? value, doc.text).positional[0]
    : undefined;
  return { parameter: match[2] as 'weight' | 'bias', value: wrapped ?? value };
}

/** `<`, `<=`, `>`, `>=` on Python numbers (bools count as ints); undefined for anything else. */
function numberOrder(operator: '<' | '<=' | '>' | '>=', left: PyValue, right: PyValue, at: Span): PyValue | undefined {
  const number = (v: PyValue): number | undefined => (v.kind === 'int' ? Number(v.value) : v.kind === 'float' ? v.value : v.kind === 'bool' ? Number(v.value) : undefined);
  const [a, b] = [number(left), number(right)];
  if (a === undefined || b === undefined) return undefined;
  // Python compares big ints exactly; doubles do for the loop bounds a cell uses.
  const value = left.kind === 'int' && right.kind === 'int'
    ? { '<': left.value < right.value, '<=': left.value <= right.value, '>': left.value > right.value, '>=': left.value >= right.value }[operator]
    : { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[operator];
  return { kind: 'bool', value, at };
}

/** Python's `==` on numbers, strings, None and sequences of them; undefined for what it cannot compare statically. */
function pythonEquals(a: PyValue, b: PyValue): boolean | undefined {
  const number = (v: PyValue): number | bigint | undefined => (v.kind === 'int' ? v.value : v.kind === 'float' ? v.value : v.kind === 'bool' ? BigInt(v.value) : undefined);
  const [x, y] = [number(a), number(b)];
  if (x !== undefined && y !== undefined) return typeof x === typeof y ? x === y : Number(x) === Number(y);
  if (a.kind === 'str' && b.kind === 'str') return a.value === b.value;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  if ((a.kind === 'tuple' || a.kind === 'list') && (b.kind === 'tuple' || b.kind === 'list')) {
    // A tuple never equals a list.
    if (a.kind !== b.kind || a.items.length !== b.items.length) return false;
    let all = true;
    for (let i = 0; i < a.items.length; i++) {
      const e = pythonEquals(a.items[i] as PyValue, b.items[i] as PyValue);
      if (e === undefined) return undefined;
      all &&= e;
    }
    return all;
  }
  return undefined;
}

function unpackError(expected: number, got: number, at: Span): EvaluationFailure {
  const message = got > expected ? `too many values to unpack (expected ${expected})` : `not enough values to unpack (expected ${expected}, got ${got})`;
  return new EvaluationFailure(message, 'invalid-unpacking', at, 'ValueError');
}

/** The first error node directly under `node`: the parser's mark for a missing or stray token. */
function rejectSyntaxErrors(node: SyntaxNode): void {
  if (node.type.isError) throw new EvaluationFailure('invalid syntax', 'syntax-error', { from: node.from, to: node.to });
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.type.isError) throw new EvaluationFailure('invalid syntax', 'syntax-error', { from: child.from, to: child.to });
  }
}

/** At most one line of 40 characters of source, for messages. */
function excerpt(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 40 || line.length < text.length ? `${line.slice(0, 40)}…` : line;
}

/** A Python numeric literal: ints (any base, underscores) as exact big integers, floats as doubles. */
function parseNumber(text: string, at: Span): PyValue {
  const clean = text.split('_').join('');
  const lower = clean.toLowerCase();
  if (lower.endsWith('j')) throw new EvaluationFailure(`cannot evaluate the complex number '${text}' statically`, 'not-static', at);
  if (lower.startsWith('0x') || lower.startsWith('0o') || lower.startsWith('0b')) return { kind: 'int', value: BigInt(lower), at };
  if (lower.includes('.') || lower.includes('e')) return { kind: 'float', value: Number(clean), at };
  return { kind: 'int', value: BigInt(clean), at };
}

/** A string literal's characters between its quotes (prefixes dropped; escapes are not needed for dtype names). */
function stringContent(text: string): string {
  let i = 0;
  while (i < text.length && text[i] !== '"' && text[i] !== "'") i++;
  const quote = text.startsWith('"""', i) || text.startsWith("'''", i) ? 3 : 1;
  return text.slice(i + quote, Math.max(i + quote, text.length - quote));
}

function isArithmeticOperator(op: string): op is ArithmeticOperator {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '//' || op === '%';
}

/** Python's arithmetic on ints and floats (bools count as ints); undefined for anything else. */
function arithmetic(op: string, left: PyValue, right: PyValue, at: Span): PyValue | undefined {
  const asInt = (v: PyValue): bigint | undefined => (v.kind === 'int' ? v.value : v.kind === 'bool' ? BigInt(v.value) : undefined);
  const asFloat = (v: PyValue): number | undefined => (v.kind === 'float' ? v.value : v.kind === 'int' ? Number(v.value) : v.kind === 'bool' ? Number(v.value) : undefined);
  const a = asInt(left);
  const b = asInt(right);
  const zero = (): EvaluationFailure => new EvaluationFailure(op === '%' ? 'integer division or modulo by zero' : 'division by zero', 'division-by-zero', at, 'ZeroDivisionError');
  if (a !== undefined && b !== undefined && op !== '/' && !(op === '**' && b < 0n)) {
    switch (op) {
      case '+': return { kind: 'int', value: a + b, at };
      case '-': return { kind: 'int', value: a - b, at };
      case '*': return { kind: 'int', value: a * b, at };
      case '**': return b > 4096n ? undefined : { kind: 'int', value: a ** b, at };
      case '//':
      case '%': {
        if (b === 0n) throw zero();
        const q = a / b - ((a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? 1n : 0n);
        return { kind: 'int', value: op === '//' ? q : a - q * b, at };
      }
      default: return undefined;
    }
  }
  const x = asFloat(left);
  const y = asFloat(right);
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case '+': return { kind: 'float', value: x + y, at };
    case '-': return { kind: 'float', value: x - y, at };
    case '*': return { kind: 'float', value: x * y, at };
    case '/':
      if (y === 0) throw new EvaluationFailure(a !== undefined && b !== undefined ? 'division by zero' : 'float division by zero', 'division-by-zero', at, 'ZeroDivisionError');
      return { kind: 'float', value: x / y, at };
    case '**': return { kind: 'float', value: x ** y, at };
    case '//':
    case '%': {
      if (y === 0) throw zero();
      const q = Math.floor(x / y);
      return { kind: 'float', value: op === '//' ? q : x - q * y, at };
    }
    default: return undefined;
  }
}
