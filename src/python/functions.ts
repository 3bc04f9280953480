// Calling a function the file defines, statically: its body is executed statement by statement
// on the evaluator's values — assignments (unpacking, `Y[i, j] = v`, `Y[a:b] += v`), `for` over
// `range(...)`, `if`/`elif`/`else`, `return` — with its own local names, and the file's names as
// they are bound where the call is (Python looks globals up when the function runs). This is what
// d2l's helpers need (`trans_conv`, `kernel2matrix`, `corr2d` written with loops). Anything else in
// a body (while, try, with, nested defs, star arguments) is refused with its position, and so is a
// call that takes too many steps.
import type { SyntaxNode } from '@lezer/common';
import { inPlaceResult, tensorArithmetic } from './arithmetic';
import { setItem } from './assignment';
import { numel, type TensorData } from '../core/tensor';
import { indexTensor, type IndexValue } from './indexing';
import { assignmentParts, meaningfulChildren, type Span } from './parse';
import { EvaluationFailure, pythonTypeName, type PyValue } from './values';

/** A running call: the function, its local values, and where the call is (for the file's names). */
export interface Frame {
  readonly def: SyntaxNode;
  readonly locals: Map<string, PyValue>;
  /** Every name the body assigns: reading one before it is set is Python's UnboundLocalError. */
  readonly localNames: ReadonlySet<string>;
  readonly callPosition: number;
  /**
   * Buffers of the tensors the caller sees (arguments, the file's names): Conv Lab's item
   * assignments copy, so changing one in place, which Python would show the caller, is refused.
   */
  readonly shared: Set<TensorData>;
}

/** What the executor needs of the evaluator. */
export interface FunctionHost {
  evaluate(node: SyntaxNode, position: number): PyValue;
  textOf(span: Span): string;
  /** The index items of `target` (`Y[i:i+h, j]`), for the subscripted value's library. */
  subscriptIndices(target: SyntaxNode, position: number, value: PyValue): IndexValue[];
  withFrame<T>(frame: Frame, run: () => T): T;
  binaryOperation(operator: string, left: PyValue, right: PyValue, at: Span): PyValue | undefined;
  readonly maxElements: number;
}

/** Statements one call may execute, nested calls included: d2l's helpers take a few dozen, a loop over a 28 × 28 image a few thousand. */
const MAX_STEPS = 20_000;
/** Elements item assignments may copy in one call (each copies its tensor): a few seconds at most. */
const MAX_ITEM_WORK = 20_000_000;
/** Nested calls of the file's own functions (recursion included). */
const MAX_CALL_DEPTH = 32;

class Returned {
  constructor(readonly value: PyValue) {}
}

let depth = 0;
let steps = 0;
let itemWork = 0;

export function callFunction(host: FunctionHost, def: SyntaxNode, positional: readonly PyValue[], keywords: ReadonlyMap<string, PyValue>, at: Span, callPosition: number): PyValue {
  const name = host.textOf(def.getChild('VariableName') ?? def);
  if (def.parent?.name === 'DecoratedStatement') throw notStatic(host, def.parent, `the decorated function '${name}'`);
  if (depth >= MAX_CALL_DEPTH) throw new EvaluationFailure(`calls of the file's functions nest more than ${MAX_CALL_DEPTH} deep`, 'too-deep', at);
  if (depth === 0) {
    steps = 0;
    itemWork = 0;
  }
  const locals = bindParameters(host, def, name, positional, keywords, at);
  const body = def.getChild('Body');
  if (!body) throw new EvaluationFailure('invalid syntax', 'syntax-error', { from: def.from, to: def.to });
  const shared = new Set([...locals.values()].flatMap((v) => (v.kind === 'tensor' ? [v.tensor.data] : [])));
  const frame: Frame = { def, locals, localNames: assignedNames(host, body, locals), callPosition, shared };
  depth++;
  try {
    return host.withFrame(frame, () => {
      try {
        executeBlock(host, frame, body);
      } catch (e) {
        if (e instanceof Returned) return e.value;
        throw e;
      }
      return { kind: 'none', at } as PyValue;
    });
  } finally {
    depth--;
  }
}

/** Python's binding of call arguments to `def name(a, b, c=default)` (no `*args` / `**kwargs`). */
function bindParameters(host: FunctionHost, def: SyntaxNode, name: string, positional: readonly PyValue[], keywords: ReadonlyMap<string, PyValue>, at: Span): Map<string, PyValue> {
  const params = def.getChild('ParamList');
  const declared: { name: string; defaultNode: SyntaxNode | undefined }[] = [];
  for (const p of params ? meaningfulChildren(params) : []) {
    if (p.name === '*' || p.name === '**') throw notStatic(host, p.nextSibling ?? p, `the starred parameters of '${name}'`);
    if (p.name === 'VariableName' && p.prevSibling?.name !== 'AssignOp') {
      const defaultNode = p.nextSibling?.name === 'AssignOp' ? p.nextSibling.nextSibling ?? undefined : undefined;
      declared.push({ name: host.textOf(p), defaultNode });
    }
  }
  if (positional.length > declared.length) {
    throw new EvaluationFailure(`${name}() takes ${declared.length} positional argument${declared.length === 1 ? '' : 's'} but ${positional.length} were given`, 'invalid-argument', at, 'TypeError');
  }
  const locals = new Map<string, PyValue>();
  declared.forEach((p, i) => {
    const given = positional[i];
    if (given) locals.set(p.name, given);
  });
  for (const [k, v] of keywords) {
    if (!declared.some((p) => p.name === k)) throw new EvaluationFailure(`${name}() got an unexpected keyword argument '${k}'`, 'invalid-argument', at, 'TypeError');
    if (locals.has(k)) throw new EvaluationFailure(`${name}() got multiple values for argument '${k}'`, 'invalid-argument', at, 'TypeError');
    locals.set(k, v);
  }
  const missing = declared.filter((p) => !locals.has(p.name) && !p.defaultNode).map((p) => `'${p.name}'`);
  if (missing.length > 0) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1] ?? ''}`;
    throw new EvaluationFailure(`${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list ?? ''}`, 'invalid-argument', at, 'TypeError');
  }
  // Defaults were evaluated when the `def` ran.
  for (const p of declared) if (!locals.has(p.name) && p.defaultNode) locals.set(p.name, host.evaluate(p.defaultNode, def.from));
  return locals;
}

/** The names a body binds (assignment targets, loop variables), which are therefore local. */
function assignedNames(host: FunctionHost, body: SyntaxNode, parameters: ReadonlyMap<string, PyValue>): Set<string> {
  const names = new Set(parameters.keys());
  body.cursor().iterate((ref) => {
    if (ref.name === 'FunctionDefinition' || ref.name === 'ClassDefinition' || ref.name === 'LambdaExpression') return false;
    if (ref.name === 'AssignStatement') {
      for (const group of assignmentParts(ref.node).targets) for (const t of group) collectTargetNames(host, t, names);
    } else if (ref.name === 'ForStatement') {
      const target = ref.node.getChild('for')?.nextSibling;
      if (target) collectTargetNames(host, target, names);
    }
    return undefined;
  });
  return names;
}

function collectTargetNames(host: FunctionHost, target: SyntaxNode, names: Set<string>): void {
  if (target.name === 'VariableName') names.add(host.textOf(target));
  else if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
    for (const t of meaningfulChildren(target)) collectTargetNames(host, t, names);
  }
}

function executeBlock(host: FunctionHost, frame: Frame, body: SyntaxNode): void {
  for (let s = body.firstChild; s; s = s.nextSibling) {
    if (s.name === ':' || s.name === 'Comment' || s.type.isSkipped) continue;
    execute(host, frame, s);
  }
}

function execute(host: FunctionHost, frame: Frame, statement: SyntaxNode): void {
  if (++steps > MAX_STEPS) throw new EvaluationFailure(`the call runs more than ${MAX_STEPS.toLocaleString('en-US')} statements, too many to evaluate statically`, 'too-many-steps', { from: statement.from, to: statement.to });
  const position = statement.from;
  switch (statement.name) {
    case 'ExpressionStatement': {
      const expression = statement.firstChild;
      if (expression) host.evaluate(expression, position);
      return;
    }
    case 'PassStatement': return;
    case 'StatementGroup':
      executeBlock(host, frame, statement);
      return;
    case 'AssignStatement': {
      const { targets, values } = assignmentParts(statement);
      const value = values.length === 1 && values[0]
        ? host.evaluate(values[0], position)
        : { kind: 'tuple', items: values.map((v) => host.evaluate(v, position)), at: { from: statement.from, to: statement.to } } as PyValue;
      // `a = b = value` assigns left to right.
      for (const group of targets) assignTarget(host, frame, group.length === 1 && group[0] ? group[0] : group, value, position);
      return;
    }
    case 'UpdateStatement': {
      const [target, op, valueNode] = meaningfulChildren(statement);
      if (!target || !op || !valueNode) throw new EvaluationFailure('invalid syntax', 'syntax-error', { from: statement.from, to: statement.to });
      const operator = host.textOf(op).slice(0, -1);
      const value = host.evaluate(valueNode, position);
      const at = { from: statement.from, to: statement.to };
      if (target.name === 'VariableName') {
        const before = host.evaluate(target, position);
        const result = host.binaryOperation(operator, before, value, at);
        if (!result) throw notStatic(host, statement);
        if (before.kind === 'tensor') checkOwned(host, frame, target, before.tensor.data);
        // A tensor is changed in place (its dtype and shape kept); a number is rebound.
        frame.locals.set(host.textOf(target), before.kind === 'tensor' && result.kind === 'tensor' ? { ...before, tensor: inPlaceResult(before.tensor, result.tensor, at), at } : result);
        return;
      }
      if (target.name === 'MemberExpression' && target.getChild('[')) {
        // `Y[i:i+h, j:j+w] += v`: the items read, updated, and written back.
        const objectNode = target.firstChild as SyntaxNode;
        const object = host.evaluate(objectNode, position);
        if (object.kind !== 'tensor' || objectNode.name !== 'VariableName') throw notStatic(host, statement);
        checkOwned(host, frame, objectNode, object.tensor.data);
        chargeItemAssignment(object.tensor.shape, at);
        const items = host.subscriptIndices(target, position, object);
        const current = { ...object, tensor: indexTensor(object.tensor, items, object.library), at };
        const updated = isTensorOperator(operator) ? tensorArithmetic(operator, current, value, at, host.maxElements) : undefined;
        if (!updated) throw notStatic(host, statement);
        frame.locals.set(host.textOf(objectNode), { ...object, tensor: setItem(object.tensor, items, updated, object.library, at, host.maxElements), at });
        return;
      }
      throw notStatic(host, statement);
    }
    case 'ForStatement': {
      const target = statement.getChild('for')?.nextSibling;
      const iterableNode = statement.getChild('in')?.nextSibling;
      const body = statement.getChild('Body');
      if (!target || !iterableNode || !body) throw new EvaluationFailure('invalid syntax', 'syntax-error', { from: statement.from, to: statement.to });
      if (statement.getChild('else')) throw notStatic(host, statement, "a 'for' loop with an 'else'");
      const iterable = host.evaluate(iterableNode, position);
      if (iterable.kind !== 'list' && iterable.kind !== 'tuple') throw notStatic(host, iterableNode, `a loop over a ${pythonTypeName(iterable)}`);
      for (const item of iterable.items) {
        assignTarget(host, frame, target, item, position);
        executeBlock(host, frame, body);
      }
      return;
    }
    case 'IfStatement': {
      // `if c: body (elif c: body)* (else: body)?`: conditions are the nodes before each Body.
      for (let c = statement.firstChild; c; c = c.nextSibling) {
        if (c.name === 'else') {
          const body = c.nextSibling;
          if (body) executeBlock(host, frame, body);
          return;
        }
        if (c.name !== 'if' && c.name !== 'elif') continue;
        const condition = c.nextSibling;
        const body = condition?.nextSibling;
        if (!condition || !body) throw new EvaluationFailure('invalid syntax', 'syntax-error', { from: statement.from, to: statement.to });
        if (truth(host, host.evaluate(condition, position))) {
          executeBlock(host, frame, body);
          return;
        }
      }
      return;
    }
    case 'ReturnStatement': {
      const valueNode = meaningfulChildren(statement).find((c) => c.name !== 'return');
      throw new Returned(valueNode ? host.evaluate(valueNode, position) : { kind: 'none', at: { from: statement.from, to: statement.to } });
    }
    default:
      throw notStatic(host, statement);
  }
}

/** Binds `value` to an assignment or loop target: a name, a tuple of targets, or an item `Y[i, j]`. */
function assignTarget(host: FunctionHost, frame: Frame, target: SyntaxNode | readonly SyntaxNode[], value: PyValue, position: number): void {
  const elements = Array.isArray(target) ? target : undefined;
  const single = elements ? undefined : (target as SyntaxNode);
  if (single?.name === 'VariableName') {
    frame.locals.set(host.textOf(single), value);
    return;
  }
  const group = elements ?? (single && (single.name === 'TupleExpression' || single.name === 'ArrayExpression' || single.name === 'ParenthesizedExpression') ? meaningfulChildren(single) : undefined);
  if (group) {
    const items = value.kind === 'tuple' || value.kind === 'list' ? value.items : undefined;
    if (!items) throw new EvaluationFailure(`cannot unpack non-iterable ${pythonTypeName(value)} object`, 'invalid-unpacking', value.at, 'TypeError');
    if (items.length !== group.length) {
      const message = items.length > group.length ? `too many values to unpack (expected ${group.length})` : `not enough values to unpack (expected ${group.length}, got ${items.length})`;
      throw new EvaluationFailure(message, 'invalid-unpacking', value.at, 'ValueError');
    }
    group.forEach((t, i) => assignTarget(host, frame, t, items[i] as PyValue, position));
    return;
  }
  if (single?.name === 'MemberExpression' && single.getChild('[') && single.firstChild?.name === 'VariableName') {
    const objectNode = single.firstChild;
    const object = host.evaluate(objectNode, position);
    if (object.kind !== 'tensor') throw notStatic(host, single, `item assignment on a ${pythonTypeName(object)}`);
    const at = { from: single.from, to: single.to };
    checkOwned(host, frame, objectNode, object.tensor.data);
    chargeItemAssignment(object.tensor.shape, at);
    const items = host.subscriptIndices(single, position, object);
    frame.locals.set(host.textOf(objectNode), { ...object, tensor: setItem(object.tensor, items, value, object.library, at, host.maxElements), at });
    return;
  }
  throw notStatic(host, single ?? (elements?.[0] as SyntaxNode));
}

/** Python's truth of a condition's value. */
function truth(host: FunctionHost, v: PyValue): boolean {
  switch (v.kind) {
    case 'bool': return v.value;
    case 'int': return v.value !== 0n;
    case 'float': return v.value !== 0;
    case 'none': return false;
    case 'str': return v.value.length > 0;
    case 'list':
    case 'tuple': return v.items.length > 0;
    default: throw notStatic(host, { from: v.at.from, to: v.at.to } as SyntaxNode, `the truth of a ${pythonTypeName(v)}`);
  }
}

/**
 * A tensor changed in place must be the function's own: not one the caller sees, and not one
 * another local name shares (Python would change both; Conv Lab's copy would change one).
 */
function checkOwned(host: FunctionHost, frame: Frame, target: SyntaxNode, data: TensorData): void {
  const name = host.textOf(target);
  const why = frame.shared.has(data)
    ? 'the caller sees it too'
    : [...frame.locals].find(([other, v]) => other !== name && v.kind === 'tensor' && v.tensor.data === data)?.[0];
  if (why === undefined) return;
  const reason = why === 'the caller sees it too' ? why : `'${why}' shares its memory`;
  throw new EvaluationFailure(`cannot evaluate changing '${name}' in place statically: ${reason}`, 'not-static', { from: target.from, to: target.to });
}

/** `Y[...] = v` copies Y: refused once a call has copied too many elements that way. */
function chargeItemAssignment(tensorShape: readonly number[], at: Span): void {
  itemWork += numel(tensorShape);
  if (itemWork > MAX_ITEM_WORK) {
    throw new EvaluationFailure(`the call's item assignments copy more than ${MAX_ITEM_WORK.toLocaleString('en-US')} elements, too many to evaluate statically`, 'too-many-steps', at);
  }
}

function isTensorOperator(op: string): op is '+' | '-' | '*' | '/' | '//' | '%' {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '//' || op === '%';
}

function notStatic(host: FunctionHost, node: Span, what?: string): EvaluationFailure {
  const text = host.textOf(node).split('\n', 1)[0] ?? '';
  const shown = what ?? `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
  return new EvaluationFailure(`cannot evaluate ${shown} statically`, 'not-static', { from: node.from, to: node.to });
}
