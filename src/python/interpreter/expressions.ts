// Expressions: literals (each value knowing where it is written, for errors inside a literal),
// names, attributes, subscripts, calls (their arguments evaluated here, the call in calls.ts),
// operators and comprehensions, evaluated on abstract values.
import type { SyntaxNode } from '@lezer/common';
import { isArithmetic, isComparison, numberArithmetic, numberNegation, pythonComparison, tensorBinary, tensorNegation } from '../rules/arithmetic';
import { DEFAULT_NAMES, iterate } from '../rules/builtins';
import type { CallArgs } from '../rules/context';
import { indexSequence, indexTensor, type IndexItem } from '../rules/indexing';
import { LIST_LENGTH_LOST } from '../rules/collections';
import { changesRequiresGrad, changesValues } from '../rules/tensorMethods';
import { messages, type PythonError } from '../rules/messages';
import { argumentItems, meaningfulChildren, nodeEnds, subscriptItems } from '../syntax/nodes';
import { fork, type Activation, type Machine } from './machine';
import { mergeValues } from './merge';
import { bigIntOf, dictKeyOf, exactInt, itemsOf, knownInt, NONE, UNBOUND, UNKNOWN, unknownBecause, type DictKey, type Site, type Value, type Why } from './values';

/** Expressions nested deeper than this are not followed (PyTorch itself stops at 64 dimensions). */
const MAX_DEPTH = 400;
/** Items a comprehension makes at most. */
const MAX_COMPREHENSION = 4096;

export class ExpressionEvaluator {
  private depth = 0;

  constructor(private readonly m: Machine) {}

  eval(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    m.tick();
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      return { kind: 'unknown', why: { code: 'too-deep', message: 'the expression is nested too deeply to evaluate', site: m.siteOf(node) } };
    }
    try {
      const value = this.evalNode(node, act);
      m.probe(node, value);
      return value;
    } finally {
      this.depth--;
    }
  }

  private evalNode(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    switch (node.name) {
      case 'Number':
        return numberLiteral(m.src(node), m, node);
      case 'String':
        return { kind: 'str', value: stringValue(m.src(node)), at: m.siteOf(node) };
      case 'FormatString':
        return { kind: 'str', value: undefined };
      case 'ContinuedString': {
        const parts = m.syntax.of(meaningfulChildren, node).map((part) => this.eval(part, act));
        const known = parts.every((p) => p.kind === 'str' && p.value !== undefined);
        return { kind: 'str', value: known ? parts.map((p) => (p.kind === 'str' ? p.value : '')).join('') : undefined, at: m.siteOf(node) };
      }
      case 'Boolean':
        return { kind: 'bool', value: m.src(node) === 'True', at: m.siteOf(node) };
      case 'None':
        return { kind: 'none', at: m.siteOf(node) };
      case 'VariableName':
        return m.recorded(node, m.lookup(m.src(node), act, node));
      case 'ParenthesizedExpression': {
        const inner = m.syntax.of(meaningfulChildren, node);
        return inner.length === 1 ? this.eval(inner[0] as SyntaxNode, act) : UNKNOWN;
      }
      case 'TupleExpression':
      case 'ArrayExpression':
        return this.sequence(node, act);
      case 'DictionaryExpression':
        return this.dictionary(node, act);
      case 'ArrayComprehensionExpression':
        return this.comprehension(node, act);
      case 'MemberExpression':
        return this.member(node, act);
      case 'CallExpression':
        return this.callExpression(node, act);
      case 'LambdaExpression':
        // A function like a def's, its body one expression (calls.ts runs it).
        return { kind: 'function', node, name: '<lambda>', closure: act.frame, module: m.currentModule };
      case 'BinaryExpression':
        return this.binaryExpression(node, act);
      case 'UnaryExpression':
        return this.unary(node, act);
      case 'ConditionalExpression': {
        const [a, cond, b] = m.syntax.of(meaningfulChildren, node).filter((n) => n.name !== 'if' && n.name !== 'else');
        if (!a || !cond || !b) return UNKNOWN;
        const truth = m.truthOf(this.eval(cond, act));
        if (truth !== undefined) return this.eval(truth ? a : b, act);
        return mergeValues(m.evalSafely(a, act), m.evalSafely(b, act));
      }
      default:
        return node.type.isError
          ? { kind: 'unknown', why: { code: 'syntax-error', message: 'invalid syntax', site: m.siteOf(node) } }
          : { kind: 'unknown', why: { code: 'not-static', site: m.siteOf(node) } };
    }
  }

  /** A name as the running code sees it: its scopes, then the names files use unimported, then builtins. */
  lookup(name: string, act: Activation, node: SyntaxNode): Value {
    const m = this.m;
    const found = act.frame.lookup(name);
    if (found === UNBOUND) return { kind: 'unknown', why: whyOf(messages.unboundLocal(name, m.siteOf(node))) };
    if (found) return m.fresh(named(found, name, node, m), node);
    const path = DEFAULT_NAMES.get(name);
    if (path) return { kind: 'path', path };
    return { kind: 'unknown', why: whyOf(messages.nameNotDefined(name, m.siteOf(node))) };
  }

  private sequence(node: SyntaxNode, act: Activation): Value {
    const items: Value[] = [];
    const itemSites: (Site | undefined)[] = [];
    let spread = false;
    for (const child of this.m.syntax.of(meaningfulChildren, node)) {
      if (child.name === '*') {
        spread = true;
        continue;
      }
      const v = this.eval(child, act);
      if (spread) {
        const expanded = iterate(this.m.rules(child), v);
        if (!expanded) return { kind: 'unknown', why: { code: 'not-static', site: this.m.siteOf(child) } };
        items.push(...expanded);
        itemSites.push(...expanded.map(() => this.m.siteOf(child)));
        spread = false;
      } else {
        items.push(v);
        itemSites.push(this.m.siteOf(child));
      }
    }
    return { kind: node.name === 'TupleExpression' ? 'tuple' : 'list', items, at: this.m.siteOf(node), itemSites };
  }

  private dictionary(node: SyntaxNode, act: Activation): Value {
    const parts = this.m.syntax.of(meaningfulChildren, node);
    const entries = new Map<DictKey, Value>();
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const key = parts[i]?.name === '**' ? undefined : dictKeyOf(this.eval(parts[i] as SyntaxNode, act));
      if (key === undefined) return UNKNOWN;
      entries.set(key, this.eval(parts[i + 1] as SyntaxNode, act));
    }
    return { kind: 'dict', entries };
  }

  /** `[f(c) for c in xs if cond]` over a known sequence. */
  private comprehension(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    const parts = m.syntax.of(meaningfulChildren, node);
    const forAt = parts.findIndex((p) => p.name === 'for');
    const inAt = parts.findIndex((p) => p.name === 'in');
    const element = parts[0];
    const iterableNode = parts[inAt + 1];
    if (!element || forAt < 0 || inAt < 0 || !iterableNode || parts.slice(inAt + 2).some((p) => p.name === 'for')) return UNKNOWN;
    const targets = parts.slice(forAt + 1, inAt);
    const ifAt = parts.findIndex((p, i) => i > inAt && p.name === 'if');
    const condition = ifAt >= 0 ? parts[ifAt + 1] : undefined;
    const items = iterate(m.rules(node), this.eval(iterableNode, act));
    if (!items || items.length > MAX_COMPREHENSION) return UNKNOWN;
    const inner = fork(act);
    const out: Value[] = [];
    for (const item of items) {
      if (targets.length === 1) inner.frame.names.set(m.src(targets[0] as SyntaxNode), item);
      else {
        const unpacked = itemsOf(item);
        targets.forEach((t, i) => inner.frame.names.set(m.src(t), unpacked?.[i] ?? UNKNOWN));
      }
      if (condition) {
        const truth = m.truthOf(this.eval(condition, inner));
        if (truth === undefined) return UNKNOWN;
        if (!truth) continue;
      }
      out.push(this.eval(element, inner));
    }
    return { kind: 'list', items: out };
  }

  private member(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    const { first: objectNode, last } = m.syntax.of(nodeEnds, node);
    if (!objectNode || !last) return UNKNOWN;
    // `a[...]` ends with `]`, `a.b` with its property: no search through the children.
    if (last.name === ']') return this.subscript(node, this.eval(objectNode, act), act);
    if (last.name !== 'PropertyName') return UNKNOWN;
    return m.recorded(node, m.attribute(this.eval(objectNode, act), m.src(last), node));
  }

  private subscript(node: SyntaxNode, object: Value, act: Activation): Value {
    const m = this.m;
    // Only a parameter itself is named (its sizes are symbols); what is read from it is not.
    if (object.kind === 'unknown') return unknownBecause(object.why);
    if (object.kind === 'tensor') {
      const items = indexItems(m, node, act, object.library === 'numpy');
      return m.guard(node, () => indexTensor(m.rules(node), object, items));
    }
    const [first] = m.syntax.of(subscriptItems, node);
    if (!first || m.syntax.of(subscriptItems, node).length !== 1) return UNKNOWN;
    if (object.kind === 'dict' || (object.kind === 'layer' && object.layer.type === 'container' && object.layer.name === 'ModuleDict')) {
      if (first.kind !== 'index') return UNKNOWN;
      const key = dictKeyOf(this.eval(first.node, act));
      if (key === undefined) return UNKNOWN;
      if (object.kind === 'dict') return object.entries.get(key) ?? UNKNOWN;
      const at = object.layer.type === 'container' && typeof key === 'string' ? object.layer.keys.indexOf(key) : -1;
      return object.layer.type === 'container' ? (object.layer.children[at] ?? UNKNOWN) : UNKNOWN;
    }
    const sequence = itemsOf(object) ?? (object.kind === 'layer' && object.layer.type === 'container' ? object.layer.children : undefined);
    if (!sequence) return UNKNOWN;
    const [index] = indexItems(m, node, act, false);
    if (!index) return UNKNOWN;
    if (index.kind === 'int' && index.value === undefined) return sequence.length > 0 && sequence.every((s) => s.kind === 'int') ? { kind: 'int', value: undefined } : UNKNOWN;
    const kind = object.kind === 'tuple' ? 'tuple' : 'list';
    const found = m.guard(node, () => indexSequence(sequence, kind, index) ?? UNKNOWN);
    if (object.kind === 'layer' && object.layer.type === 'container' && index.kind === 'slice' && found.kind === 'list') {
      return { kind: 'layer', layer: { ...object.layer, children: found.items, keys: found.items.map(() => undefined) } };
    }
    return object.kind === 'tuple' && object.torchSize && found.kind === 'tuple' ? { ...found, torchSize: true } : found;
  }

  private callExpression(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    const { first: calleeNode, last: argList } = m.syntax.of(nodeEnds, node);
    if (!calleeNode || argList?.name !== 'ArgList') return UNKNOWN;
    const isSuper = calleeNode.name === 'VariableName' && m.src(calleeNode) === 'super';
    const callee = isSuper ? undefined : this.eval(calleeNode, act);
    const args = this.evalArguments(argList, act);
    if (callee === undefined) {
      if (act.self && act.cls) return { kind: 'super', self: act.self, cls: act.cls } as unknown as Value;
      return UNKNOWN;
    }
    // What the call received, for quick fixes: built only when it fails.
    const operands = (): Value[] => [...(callee.kind === 'method' ? [callee.self] : []), ...args.positional.flatMap((a) => itemsOf(a) ?? [a]), ...args.keywords.values()];
    const value = m.guard(node, () => m.call(callee, args, node), callee.kind === 'layer' ? callee.layer : undefined, operands);
    if (value.kind === 'layer') m.layerBuilt(value.layer, node);
    // `x.add_(1)`: the tensor changes in place; the name (or attribute) it was read from gets its new value.
    const valuesChanged = callee.kind === 'method' && changesValues(callee.name);
    if (callee.kind === 'method' && callee.self.kind === 'tensor' && (valuesChanged || changesRequiresGrad(callee.name)) && value.kind === 'tensor' && calleeNode.name === 'MemberExpression' && calleeNode.firstChild) {
      m.changeInPlace(calleeNode.firstChild, callee.self, value, statementOf(node), act, valuesChanged);
    }
    // `dims.extend(unknown)`: the name the list was read through becomes unknown.
    if (callee.kind === 'method' && callee.self.kind === 'list' && value.kind === 'unknown' && value.why?.code === LIST_LENGTH_LOST && calleeNode.name === 'MemberExpression' && calleeNode.firstChild) {
      m.changeInPlace(calleeNode.firstChild, callee.self, value, statementOf(node), act);
      return m.recorded(node, NONE);
    }
    return m.recorded(node, value);
  }

  /**
   * A call's arguments in order, `*seq` and `**mapping` expanded when their items are known. One
   * that is not known makes `spread` true: what the callee receives is then not all known, and a
   * positional argument after it is dropped (its position is not known either).
   */
  private evalArguments(argList: SyntaxNode, act: Activation): CallArgs {
    const m = this.m;
    const positional: Value[] = [];
    const keywords = new Map<string, Value>();
    let spread = false;
    for (const { value, keyword, star } of m.syntax.of(argumentItems, argList)) {
      if (keyword) {
        // Where a tensor lives does not change its values: `device=` may be anything.
        const name = m.src(keyword);
        keywords.set(name, name === 'device' ? UNKNOWN : m.evalSafely(value, act));
        continue;
      }
      const v = m.evalSafely(value, act);
      if (star === '**') {
        // Keywords are strings; a dict with another key makes Python raise: not followed.
        if (v.kind === 'dict' && [...v.entries.keys()].every((k) => typeof k === 'string')) for (const [k, item] of v.entries) keywords.set(k as string, item);
        else spread = true;
      } else if (star === '*') {
        const items = spread ? undefined : iterate(m.rules(value), v);
        if (items) positional.push(...items);
        else spread = true;
      } else if (!spread) positional.push(v);
    }
    return { positional, keywords, spread };
  }


  private binaryExpression(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    const { left, operator, right } = this.binaryParts(node);
    if (!left || !right) return UNKNOWN;
    if (isChainable(operator)) return this.comparison(node, act).value;
    if (operator === 'and' || operator === 'or') {
      const a = this.eval(left, act);
      const truth = m.truthOf(a);
      if (truth === undefined) {
        // `unknown and False` is falsy whichever side it gives, `unknown or True` truthy: an `if` on it is decided.
        const other = m.truthOf(m.evalSafely(right, act));
        return { kind: 'bool', value: other === (operator === 'or') ? other : undefined };
      }
      return (operator === 'and') === truth ? this.eval(right, act) : a;
    }
    const a = this.eval(left, act);
    const b = this.eval(right, act);
    return m.guard(node, () => numberBinary(m, operator, a, b, node), undefined, () => [a, b]);
  }

  /** A binary expression's operands and operator (`is not` and `not in` are two tokens). */
  private binaryParts(node: SyntaxNode): { left: SyntaxNode | undefined; operator: string; right: SyntaxNode | undefined } {
    const m = this.m;
    const parts = m.syntax.of(meaningfulChildren, node);
    if (parts.length < 3) return { left: undefined, operator: '', right: undefined };
    const operator = parts.length === 3 ? m.src(parts[1] as SyntaxNode) : parts.slice(1, -1).map((p) => m.src(p)).join(' ');
    return { left: parts[0], operator, right: parts[parts.length - 1] };
  }

  /**
   * A comparison, and its right operand's value. `a < b < c` is Python's `a < b and b < c` with `b`
   * evaluated once, but the grammar nests it as `(a < b) < c`: a comparison whose left side is an
   * unparenthesised comparison continues that chain.
   */
  private comparison(node: SyntaxNode, act: Activation): { value: Value; right: Value } {
    const m = this.m;
    const { left, operator, right } = this.binaryParts(node);
    if (!left || !right) return { value: UNKNOWN, right: UNKNOWN };
    const chained = left.name === 'BinaryExpression' && isChainable(this.binaryParts(left).operator);
    let before: Value | undefined;
    let a: Value;
    if (chained) {
      const link = this.comparison(left, act);
      before = link.value;
      // `False and ...`: the rest of the chain is not evaluated.
      if (m.truthOf(before) === false) return { value: before, right: UNKNOWN };
      a = link.right;
    } else a = this.eval(left, act);
    const b = this.eval(right, act);
    const value = m.guard(node, () => numberBinary(m, operator, a, b, node), undefined, () => [a, b]);
    if (!before || m.truthOf(before) === true) return { value, right: b };
    // `before` may be true or false: the chain is false when this link is, else not known.
    return { value: before.kind === 'bool' && value.kind === 'bool' ? { kind: 'bool', value: value.value === false ? false : undefined } : UNKNOWN, right: b };
  }

  private unary(node: SyntaxNode, act: Activation): Value {
    const m = this.m;
    const [op, operand] = m.syntax.of(meaningfulChildren, node);
    if (!op || !operand) return UNKNOWN;
    const v = this.eval(operand, act);
    const operator = m.src(op);
    if (operator === 'not') {
      const truth = m.truthOf(v);
      return { kind: 'bool', value: truth === undefined ? undefined : !truth };
    }
    if (v.kind === 'tensor') return m.guard(node, () => tensorNegation(m.rules(node), operator, v));
    if (v.kind === 'unknown') return unknownBecause(v.why);
    return numberNegation(operator, v) ?? { kind: 'unknown', why: { code: 'not-static', site: m.siteOf(node) } };
  }

  /** Python truthiness when statically known. */
  truthOf(v: Value): boolean | undefined {
    switch (v.kind) {
      case 'bool': return v.value;
      case 'int': {
        const n = bigIntOf(v);
        return n === undefined ? undefined : n !== 0n;
      }
      case 'float': return v.value === undefined ? undefined : v.value !== 0;
      case 'str': return v.value === undefined ? undefined : v.value.length > 0;
      case 'none': return false;
      case 'list':
      case 'tuple': return v.items.length > 0;
      case 'dict': return v.entries.size > 0;
      case 'tensor': {
        const read = v.elements && v.shape?.length !== undefined ? this.m.rules(undefined).read(v) : undefined;
        return read && read.data.length === 1 ? Number(read.data[0]) !== 0 : undefined;
      }
      case 'layer':
      case 'instance':
      case 'function':
      case 'class':
      case 'path':
        return true;
      default: return undefined;
    }
  }
}

/**
 * A value not known because paths met at a statement (`why` code 'not-followed', its message the
 * statement's first line), now read through `name`: the reason says so in the name's words.
 */
function named(value: Value, name: string, node: SyntaxNode, m: Machine): Value {
  const why = value.kind === 'unknown' || value.kind === 'tensor' ? value.why : undefined;
  if (why?.code !== 'not-followed') return value;
  return {
    ...value,
    why: { code: 'not-static', message: `cannot evaluate '${name}' statically: it is set by '${why.message ?? ''}' on line {line}, which Conv Lab does not follow`, site: m.siteOf(node), lineOf: why.site },
  } as Value;
}

/** The statement a node is part of (for messages naming it). */
function statementOf(node: SyntaxNode): SyntaxNode {
  let n: SyntaxNode = node;
  while (n.parent && !n.type.is('Statement')) n = n.parent;
  return n;
}

/** A subscript's items evaluated: ints, slices (bounds known or not), `None`, `...`, or advanced indices. */
export function indexItems(m: Machine, member: SyntaxNode, act: Activation, numpy: boolean): IndexItem[] {
  return m.syntax.of(subscriptItems, member).map((item): IndexItem => {
    if (item.kind === 'slice') {
      const bounds = [item.start, item.stop, item.step].map((n) => (n ? m.eval(n, act) : undefined));
      for (const b of bounds) if (b && b.kind !== 'int' && b.kind !== 'bool' && b.kind !== 'none' && b.kind !== 'unknown') throw messages.sliceIndicesNotInts(m.siteOf(member));
      const known = bounds.every((v) => v === undefined || v.kind === 'none' || knownInt(v) !== undefined);
      const [start, stop, step] = bounds.map((v) => knownInt(v));
      return { kind: 'slice', start, stop, step, known, at: m.siteOf(member) };
    }
    if (item.node.name === 'Ellipsis') return { kind: 'ellipsis', at: m.siteOf(item.node) };
    const v = m.eval(item.node, act);
    if (v.kind === 'none') return { kind: 'none' };
    if (v.kind === 'int' || v.kind === 'bool') return { kind: 'int', value: knownInt(v), at: m.siteOf(item.node) };
    if (v.kind === 'float') throw messages.floatIndex(numpy, m.siteOf(item.node));
    if (v.kind === 'unknown') return { kind: 'int', value: undefined, at: m.siteOf(item.node) };
    return { kind: 'advanced' };
  });
}

/** `a in b` for a known list, tuple, dict or str; undefined when not known. */
function membership(item: Value, container: Value): boolean | undefined {
  if (container.kind === 'dict') {
    const key = dictKeyOf(item);
    return key === undefined ? undefined : container.entries.has(key);
  }
  if (container.kind === 'str') return item.kind === 'str' && item.value !== undefined && container.value !== undefined ? container.value.includes(item.value) : undefined;
  if (container.kind !== 'list' && container.kind !== 'tuple') return undefined;
  let unsure = false;
  for (const candidate of container.items) {
    const equal = pythonComparison('==', item, candidate);
    if (equal === true) return true;
    if (equal === undefined) unsure = true;
  }
  return unsure ? undefined : false;
}

/** Python's comparison operators, which chain (`a < b < c`). */
function isChainable(operator: string): boolean {
  return isComparison(operator) || operator === 'is' || operator === 'is not' || operator === 'in' || operator === 'not in';
}

/** `a op b` on any values: tensors elementwise, Python numbers, sequences, comparisons. */
export function numberBinary(m: Machine, operator: string, a: Value, b: Value, node: SyntaxNode): Value {
  if (operator !== '@' || !m.trace) return untracedBinary(m, operator, a, b, node);
  // A matrix product is an op of the model summary's, known or not.
  const result = untracedBinary(m, operator, a, b, node);
  m.trace.record({ kind: 'library', path: 'operator.matmul' }, [a, b], new Map(), result, m.siteOf(node));
  return result;
}

function untracedBinary(m: Machine, operator: string, a: Value, b: Value, node: SyntaxNode): Value {
  if (a.kind === 'tensor' || b.kind === 'tensor') {
    if (a.kind === 'unknown' || b.kind === 'unknown') return { kind: 'tensor', shape: undefined, why: (a.kind === 'unknown' ? a.why : undefined) ?? (b.kind === 'unknown' ? b.why : undefined) };
    if ((isArithmetic(operator) || isComparison(operator) || operator === '@' || operator === '**') && isOperand(a) && isOperand(b)) return tensorBinary(m.rules(node), operator, a, b);
    return { kind: 'unknown', why: { code: 'not-static', site: m.siteOf(node) } };
  }
  if (a.kind === 'unknown') return unknownBecause(a.why);
  if (b.kind === 'unknown') return unknownBecause(b.why);
  if (isComparison(operator) || operator === 'is' || operator === 'is not') return { kind: 'bool', value: pythonComparison(operator, a, b) };
  if (operator === 'in' || operator === 'not in') {
    const found = membership(a, b);
    return { kind: 'bool', value: found === undefined ? undefined : found === (operator === 'in') };
  }
  if ((a.kind === 'list' || a.kind === 'tuple') && operator === '+' && b.kind === a.kind) return { kind: a.kind, items: [...a.items, ...b.items] };
  if ((a.kind === 'list' || a.kind === 'tuple') && operator === '*' && knownInt(b) !== undefined) {
    const n = Math.min(knownInt(b) as number, 10_000);
    return { kind: a.kind, items: Array.from({ length: n }, () => a.items).flat() };
  }
  if (a.kind === 'str' && b.kind === 'str' && operator === '+') return { kind: 'str', value: a.value !== undefined && b.value !== undefined ? a.value + b.value : undefined };
  if (isNumber(a) && isNumber(b)) return numberArithmetic(operator, a, b, m.siteOf(node));
  return { kind: 'unknown', why: { code: 'not-static', site: m.siteOf(node) } };
}

function isNumber(v: Value): boolean {
  return v.kind === 'int' || v.kind === 'float' || v.kind === 'bool';
}

function isOperand(v: Value): boolean {
  return v.kind === 'tensor' || isNumber(v);
}

/** Digits with at most one point: most literals, read without splitting, lower-casing or bigint. */
const PLAIN_DECIMAL = /^\d*\.?\d*$/;

/** A Python numeric literal: ints exact (any base, underscores), floats as doubles; complex numbers are not followed. */
function numberLiteral(text: string, m: Machine, node: SyntaxNode): Value {
  const at = m.siteOf(node);
  // Fifteen digits are always a safe integer.
  if (text.length <= 15 && PLAIN_DECIMAL.test(text)) return text.includes('.') ? { kind: 'float', value: Number(text), at } : { kind: 'int', value: Number(text), at };
  const clean = text.split('_').join('');
  const lower = clean.toLowerCase();
  if (lower.endsWith('j')) return { kind: 'unknown', why: { code: 'not-static', message: `cannot evaluate the complex number '${text}' statically`, site: at } };
  if (lower.startsWith('0x') || lower.startsWith('0o') || lower.startsWith('0b')) return exactInt(BigInt(lower), at);
  if (lower.includes('.') || lower.includes('e')) return { kind: 'float', value: Number(clean), at };
  // Fifteen digits are always a safe integer: no bigint needed.
  return clean.length <= 15 ? { kind: 'int', value: Number(clean), at } : exactInt(BigInt(clean), at);
}

/** A string literal's characters, when it has no escapes to interpret (dtype names, padding modes, keys). */
function stringValue(text: string): string | undefined {
  const m = /^([rRbBuU]*)('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!m) return undefined;
  return (m[3] ?? '').includes('\\') && !/r/i.test(m[1] ?? '') ? undefined : m[3];
}

/** An error's message and site, as the reason a value is not known. */
function whyOf(e: PythonError): Why {
  return { code: e.code, message: e.message, kind: e.kind, site: e.at };
}
