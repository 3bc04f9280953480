// Statements, run the way Python runs them but on abstract values: assignments (unpacking, item
// and attribute targets, tensors changed in place), `if` and loops whose conditions are known
// (unrolled), or unknown (every way, merged: after a join a name is what every path allows),
// `try` (its handlers as other paths), `with`, imports. A tensor changed in place gets its new
// value and its other views are marked stale.
import type { SyntaxNode } from '@lezer/common';
import { tensorBinary } from '../rules/arithmetic';
import { iterate } from '../rules/builtins';
import { setItem } from '../rules/indexing';
import { messages } from '../rules/messages';
import { assignmentParts, meaningfulChildren, nodeEnds } from '../syntax/nodes';
import { fork, type Activation, type Flow, type Machine } from './machine';
import { indexItems, numberBinary } from './expressions';
import { mergeValues } from './merge';
import { dictKeyOf, Frame, itemsOf, knownFlag, NONE, pythonTypeName, tupleOf, UNKNOWN, type Value, type Why } from './values';

/** Iterations a loop is unrolled; beyond, or with a bound not known, its body runs once, merged. */
const MAX_UNROLL = 512;

/** Statements that are one step: one during which Python raised stops its path. */
const SIMPLE_STATEMENTS = new Set(['AssignStatement', 'UpdateStatement', 'ExpressionStatement', 'DeleteStatement', 'AssertStatement']);

export class StatementRunner {
  constructor(private readonly m: Machine) {}

  execBlock(container: SyntaxNode, act: Activation): Flow {
    for (let child = container.firstChild; child; child = child.nextSibling) {
      if (!child.type.is('Statement') && child.name !== 'Body') continue;
      const flow = this.exec(child, act);
      if (flow !== 'next') return flow;
    }
    return 'next';
  }

  exec(node: SyntaxNode, act: Activation): Flow {
    const raisedBefore = this.m.raised;
    const flow = this.execStatement(node, act);
    // A simple statement during which Python raised stops its path, as the exception would;
    // compound statements pass on the flows of their blocks (an `except` may catch it).
    return flow === 'next' && this.m.raised > raisedBefore && SIMPLE_STATEMENTS.has(node.name) ? 'raise' : flow;
  }

  private execStatement(node: SyntaxNode, act: Activation): Flow {
    const m = this.m;
    m.tick();
    switch (node.name) {
      case 'AssignStatement':
        this.assignStatement(node, act);
        return 'next';
      case 'UpdateStatement':
        this.updateStatement(node, act);
        return 'next';
      case 'ExpressionStatement':
        for (const e of m.syntax.of(meaningfulChildren, node)) m.evalSafely(e, act);
        return 'next';
      case 'ReturnStatement': {
        const raisedBefore = m.raised;
        const parts = m.syntax.of(meaningfulChildren, node).filter((n) => n.name !== 'return');
        const value = parts.length === 0 ? NONE : parts.length === 1 ? m.evalSafely(parts[0] as SyntaxNode, act) : tupleOf(parts.map((p) => m.evalSafely(p, act)));
        if (m.raised > raisedBefore) return 'raise';
        act.returns.push(value);
        return 'return';
      }
      case 'IfStatement':
        return this.ifStatement(node, act);
      case 'ForStatement':
        return this.forStatement(node, act);
      case 'WhileStatement':
        return this.whileStatement(node, act);
      case 'FunctionDefinition':
        m.defineFunction(node, act);
        return 'next';
      case 'ClassDefinition':
        m.defineClass(node, act);
        return 'next';
      case 'DecoratedStatement': {
        const inner = node.lastChild;
        return inner ? this.exec(inner, act) : 'next';
      }
      case 'ImportStatement':
        this.importStatement(node, act.frame);
        return 'next';
      case 'WithStatement': {
        const outer = m.gradMode;
        const mode = this.withTargets(node, act);
        const body = node.getChild('Body');
        if (mode !== 'on' && outer !== 'off') m.gradMode = mode;
        try {
          return body ? this.execBlock(body, act) : 'next';
        } finally {
          m.gradMode = outer;
        }
      }
      case 'TryStatement':
        return this.tryStatement(node, act);
      case 'BreakStatement':
        return 'break';
      case 'ContinueStatement':
        return 'continue';
      case 'RaiseStatement': {
        const [exception] = m.syntax.of(meaningfulChildren, node).filter((n) => n.name !== 'raise' && n.name !== 'from');
        if (exception) m.evalSafely(exception, act);
        m.noteRaised(raisedBy(exception, m), node);
        return 'raise';
      }
      case 'Body':
      case 'StatementGroup':
        return this.execBlock(node, act);
      default:
        return 'next';
    }
  }

  private assignStatement(node: SyntaxNode, act: Activation): void {
    const { targets, values } = this.m.syntax.of(assignmentParts, node);
    if (values.length === 0) return;
    const value = values.length === 1 ? this.m.evalSafely(values[0] as SyntaxNode, act) : tupleOf(values.map((v) => this.m.evalSafely(v, act)));
    // `a = b = value` assigns left to right.
    for (const group of targets) {
      if (group.length === 1) this.assignTarget(group[0] as SyntaxNode, value, node, act);
      else this.unpack(group, value, node, act);
    }
  }

  /** `a, b = value`: each target gets its item; Python's error (every target unknown, saying why) when the count differs. */
  private unpack(targets: readonly SyntaxNode[], value: Value, statement: SyntaxNode, act: Activation): void {
    const m = this.m;
    const items = itemsOf(value) ?? (value.kind === 'tensor' ? iterate(m.rules(statement), value) : undefined);
    const refused = items && items.length !== targets.length ? messages.unpackCount(targets.length, items.length, m.siteOf(statement))
      : value.kind === 'int' || value.kind === 'float' || value.kind === 'bool' || value.kind === 'none' ? messages.unpackNonIterable(pythonTypeName(value), m.siteOf(statement))
        : undefined;
    const why = refused ? { code: refused.code, message: refused.message, kind: refused.kind, site: refused.at } : value.kind === 'unknown' ? value.why : undefined;
    targets.forEach((t, i) => this.assignTarget(t, items && !refused ? (items[i] as Value) : why ? { kind: 'unknown', why } : UNKNOWN, statement, act));
  }

  assignTarget(target: SyntaxNode, value: Value, statement: SyntaxNode, act: Activation): void {
    const m = this.m;
    if (target.name === 'VariableName') {
      this.bindName(target, value, statement, act);
      return;
    }
    if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
      const parts = m.syntax.of(meaningfulChildren, target);
      if (target.name === 'ParenthesizedExpression' && parts.length === 1) this.assignTarget(parts[0] as SyntaxNode, value, statement, act);
      else this.unpack(parts, value, statement, act);
      return;
    }
    if (target.name !== 'MemberExpression') return;
    const { first: objectNode, last } = m.syntax.of(nodeEnds, target);
    if (!objectNode) return;
    if (last?.name === ']') {
      const outcome = m.guard(target, () => {
        this.setItem(target, objectNode, value, statement, act);
        return NONE;
      });
      // Python raised: the name is not known after the statement (what follows cannot run).
      if (outcome.kind === 'unknown' && objectNode.name === 'VariableName' && boundInScope(act.frame, m.src(objectNode))) act.frame.names.set(m.src(objectNode), outcome);
      return;
    }
    // `a.b` ends with its property.
    if (last?.name === 'PropertyName') this.setAttribute(objectNode, m.src(last), value, act, statement);
  }

  /** `name = value`: the name bound in this scope, and the binding recorded for hints and `--json`. */
  private bindName(target: SyntaxNode, value: Value, statement: SyntaxNode, act: Activation): void {
    act.frame.names.set(this.m.src(target), value);
    this.m.recorded(target, value);
    this.m.probe(target, value);
    // Loop variables are bindings too (`for x, y in loader`): hints, hovers and --json list them.
    this.m.recordBinding(target, statement, value);
  }

  /** `obj[index] = value`: a tensor's items (a new value; its other views go stale), a list's or dict's. */
  private setItem(target: SyntaxNode, objectNode: SyntaxNode, value: Value, statement: SyntaxNode, act: Activation): void {
    const m = this.m;
    const object = m.eval(objectNode, act);
    if (object.kind === 'tensor') {
      const items = indexItems(m, target, act, object.library === 'numpy');
      const updated = setItem(m.rules(target), object, items, value, m.siteOf(statement));
      this.changeInPlace(objectNode, object, updated, statement, act);
      return;
    }
    const [index] = indexItems(m, target, act, false);
    if (object.kind === 'list' && index?.kind === 'int' && index.value !== undefined) {
      const i = index.value < 0 ? index.value + object.items.length : index.value;
      if (i >= 0 && i < object.items.length) object.items[i] = value;
    } else if (object.kind === 'dict') {
      const key = dictKeyOf(m.eval(target.getChild('[')?.nextSibling ?? target, act));
      if (key !== undefined) object.entries.set(key, value);
    }
  }

  /**
   * A tensor changed in place through `receiver` (a name or an attribute): the receiver gets the
   * new value, and what else shares the old storage is marked stale.
   */
  changeInPlace(receiver: SyntaxNode, before: Value, after: Value, statement: SyntaxNode, act: Activation, valuesChanged = true): void {
    const m = this.m;
    if (valuesChanged) m.storageChanged(before, m.src(receiver), statement);
    if (receiver.name === 'VariableName') {
      // A name of this scope gets the new value (in this branch, merged at its join); one of an
      // enclosing scope is left as it was: its storage is stale now, so its values are not read.
      const name = m.src(receiver);
      if (boundInScope(act.frame, name)) act.frame.names.set(name, after);
    } else if (receiver.name === 'MemberExpression' && receiver.lastChild?.name === 'PropertyName' && receiver.firstChild) {
      const object = m.eval(receiver.firstChild, act);
      if (object.kind === 'instance') object.attributes.set(m.src(receiver.lastChild), after);
    }
  }

  /** `obj.name = value`: instance attributes, and a layer's parameters (`tconv.weight.data = K`). */
  private setAttribute(objectNode: SyntaxNode, name: string, value: Value, act: Activation, statement: SyntaxNode): void {
    const m = this.m;
    // `layer.weight.data = K`: the parameter's owner is two levels up.
    if (name === 'data' && objectNode.name === 'MemberExpression') {
      const parameter = objectNode.getChild('PropertyName');
      const owner = objectNode.firstChild;
      const parameterName = parameter ? m.src(parameter) : '';
      if (owner && (parameterName === 'weight' || parameterName === 'bias')) {
        this.replaceParameter(m.evalSafely(owner, act), parameterName, value, statement);
        return;
      }
    }
    const object = m.evalSafely(objectNode, act);
    // `x.requires_grad = flag`: the name x was read through keeps its values, with the new flag.
    if (name === 'requires_grad') m.trace?.freezing(object);
    if (object.kind === 'tensor' && name === 'requires_grad') this.changeInPlace(objectNode, object, { ...object, requiresGrad: knownFlag(value, false) }, statement, act, false);
    else if (object.kind === 'instance') object.attributes.set(name, value);
    else if (object.kind === 'dict' && object.argparse === 'namespace') object.entries.set(name, value);
    else if (object.kind === 'layer' && (name === 'weight' || name === 'bias')) this.replaceParameter(object, name, value, statement);
  }

  private replaceParameter(owner: Value, parameter: 'weight' | 'bias', value: Value, statement: SyntaxNode): void {
    if (owner.kind !== 'layer') return;
    const layer = owner.layer;
    this.m.trace?.reassigned.add(layer);
    const tensor = value.kind === 'tensor' ? value : undefined;
    this.m.guard(statement, () => {
      if (value.kind !== 'tensor' && value.kind !== 'unknown' && value.kind !== 'none') throw messages.layerParameterType(pythonTypeName(value), parameter);
      return NONE;
    });
    if (layer.type === 'conv') {
      if (parameter === 'weight') layer.weight = tensor ?? { kind: 'tensor', shape: undefined };
      else layer.biasValue = tensor;
    } else if (layer.type === 'linear' && parameter === 'weight') layer.weight = tensor ?? { kind: 'tensor', shape: undefined };
  }

  private updateStatement(node: SyntaxNode, act: Activation): void {
    const m = this.m;
    const [target, op, valueNode] = m.syntax.of(meaningfulChildren, node);
    if (!target || !op || !valueNode) return;
    const operator = m.src(op).slice(0, -1);
    const current = m.evalSafely(target, act);
    const value = m.evalSafely(valueNode, act);
    if (current.kind === 'tensor') {
      // A tensor is changed in place (its shape and dtype kept), through a name, an item or an attribute.
      const result = m.guard(node, () => tensorBinary(m.rules(node), operator, current, value, true), undefined, () => [current, value]);
      if (target.name === 'MemberExpression' && target.lastChild?.name === ']') this.assignTarget(target, result, node, act);
      else this.changeInPlace(target, current, result, node, act);
      if (target.name === 'VariableName') {
        // `out += identity` binds `out` as an assignment does (hints, --json).
        m.recorded(target, result);
        m.recordBinding(target, node, result);
      }
      return;
    }
    const result = m.guard(node, () => numberBinary(m, operator, current, value, node), undefined, () => [current, value]);
    this.assignTarget(target, result, node, act);
  }

  private ifStatement(node: SyntaxNode, act: Activation): Flow {
    // Clauses: (condition, body) pairs, then an optional else body.
    const clauses: { condition: SyntaxNode | undefined; body: SyntaxNode }[] = [];
    let pending: SyntaxNode | undefined;
    let sawElse = false;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'else') sawElse = true;
      else if (child.name === 'Body') {
        clauses.push({ condition: sawElse ? undefined : pending, body: child });
        pending = undefined;
      } else if (child.name !== 'if' && child.name !== 'elif' && child.name !== ':' && !child.type.isError) pending = child;
    }
    return this.runClauses(clauses, act, node);
  }

  private runClauses(clauses: readonly { condition: SyntaxNode | undefined; body: SyntaxNode }[], act: Activation, statement: SyntaxNode): Flow {
    const first = clauses[0];
    if (!first) return 'next';
    const truth = first.condition ? this.m.truthOf(this.m.evalSafely(first.condition, act)) : true;
    if (truth === true) return this.execBlock(first.body, act);
    if (truth === false) return this.runClauses(clauses.slice(1), act, statement);
    // Unknown condition: both ways, each on its own copy of the names, then merged.
    const thenAct = fork(act);
    const elseAct = fork(act);
    const [thenFlow, elseFlow] = this.uncertainly(() => [this.execBlock(first.body, thenAct), this.runClauses(clauses.slice(1), elseAct, statement)]);
    return this.join(act, [[thenAct, thenFlow], [elseAct, elseFlow]], statement);
  }

  /** Merges branches back into `act`: names from the branches that fall through; the flow all of them share. */
  join(act: Activation, branches: readonly [Activation, Flow][], statement: SyntaxNode): Flow {
    const continuing = branches.filter(([, flow]) => flow === 'next');
    if (continuing.length === 0) {
      const flows = new Set(branches.map(([, f]) => f));
      // Paths that end differently: the function ends; it raises only when every path raises.
      return flows.size === 1 ? (branches[0]?.[1] ?? 'next') : 'return';
    }
    const names = new Set(continuing.flatMap(([a]) => [...a.frame.names.keys()]));
    const why = this.joinedWhy(statement);
    for (const name of names) {
      const values = continuing.map(([a]) => a.frame.names.get(name) ?? lookupOrUnbound(act.frame, name));
      act.frame.names.set(name, values.reduce((x, y) => mergeValues(x, y, why)));
    }
    return 'next';
  }

  /** Why a name two paths disagree on is not known: the statement whose paths meet (its first line is the message). */
  private joinedWhy(statement: SyntaxNode): Why {
    return { code: 'not-followed', message: excerpt(this.m.src(statement)), site: this.m.siteOf(statement) };
  }

  private forStatement(node: SyntaxNode, act: Activation): Flow {
    const m = this.m;
    const inIndex = node.getChild('in')?.from ?? -1;
    const children = m.syntax.of(meaningfulChildren, node);
    const targets = children.filter((c, i) => i > 0 && c.from < inIndex && c.name !== 'for');
    const iterableNode = children.find((c) => c.from > inIndex && c.name !== 'Body');
    const body = node.getChild('Body');
    if (!iterableNode || !body) return 'next';
    const iterable = m.evalSafely(iterableNode, act);
    const bindTarget = (item: Value | undefined, into: Activation): void => {
      const value = item ?? UNKNOWN;
      if (targets.length === 1) this.assignTarget(targets[0] as SyntaxNode, value, node, into);
      else this.unpack(targets, value, node, into);
    };
    const items = iterate(m.rules(node), iterable);
    if (items && items.length <= MAX_UNROLL) {
      for (const item of items) {
        bindTarget(item, act);
        const flow = this.execBlock(body, act);
        if (flow === 'break') return 'next';
        if (flow === 'return' || flow === 'raise') return flow;
      }
      const orElse = elseBody(node);
      return orElse ? this.execBlock(orElse, act) : 'next';
    }
    const element = iterable.kind === 'tensor' ? { kind: 'tensor' as const, shape: iterable.shape?.slice(1), dtype: iterable.dtype } : undefined;
    return this.unknownLoop(body, act, (pass) => bindTarget(element, pass), node);
  }

  /** Runs a path the analysis cannot tell is taken (the trace marks the calls made on it). */
  private uncertainly<T>(run: () => T): T {
    const trace = this.m.trace;
    return trace ? trace.uncertainly(run) : run();
  }

  /** `while`: unrolled while its condition is known (at most MAX_UNROLL times), else one pass, merged. */
  private whileStatement(node: SyntaxNode, act: Activation): Flow {
    const m = this.m;
    const condition = m.syntax.of(meaningfulChildren, node).find((c) => c.name !== 'while' && c.name !== 'Body');
    const body = node.getChild('Body');
    if (!condition || !body) return 'next';
    for (let i = 0; i < MAX_UNROLL; i++) {
      const truth = m.truthOf(m.evalSafely(condition, act));
      if (truth === undefined) break;
      if (!truth) {
        const orElse = elseBody(node);
        return orElse ? this.execBlock(orElse, act) : 'next';
      }
      const flow = this.execBlock(body, act);
      if (flow === 'break') return 'next';
      if (flow === 'return' || flow === 'raise') return flow;
    }
    return this.unknownLoop(body, act, () => undefined, node);
  }

  /** A loop run an unknown number of times: zero passes or one (its variables bound in it), merged. */
  private unknownLoop(body: SyntaxNode, act: Activation, bindTargets: (pass: Activation) => void, statement: SyntaxNode): Flow {
    const pass = fork(act);
    bindTargets(pass);
    const flow = this.uncertainly(() => this.execBlock(body, pass));
    this.join(act, [[fork(act), 'next'], [pass, flow === 'return' || flow === 'raise' ? flow : 'next']], statement);
    return 'next';
  }

  /** `try`: the body, then each handler as another path from before it (the body may stop anywhere), merged; `finally` after. */
  private tryStatement(node: SyntaxNode, act: Activation): Flow {
    const parts: { kind: string; body: SyntaxNode; name: SyntaxNode | undefined }[] = [];
    let kind = 'try';
    let name: SyntaxNode | undefined;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'try' || child.name === 'except' || child.name === 'else' || child.name === 'finally') {
        kind = child.name;
        name = undefined;
      } else if (child.name === 'VariableName' && child.prevSibling?.name === 'as') name = child;
      else if (child.name === 'Body') parts.push({ kind, body: child, name });
    }
    const bodyAct = fork(act);
    let flow = 'next' as Flow;
    for (const part of parts.filter((p) => p.kind === 'try' || p.kind === 'else')) {
      flow = this.execBlock(part.body, bodyAct);
      if (flow !== 'next') break;
    }
    const paths: [Activation, Flow][] = [[bodyAct, flow]];
    for (const handler of parts.filter((p) => p.kind === 'except')) {
      const handlerAct = fork(act);
      if (handler.name) handlerAct.frame.names.set(this.m.src(handler.name), { kind: 'unknown', why: this.joinedWhy(node) });
      paths.push([handlerAct, this.uncertainly(() => this.execBlock(handler.body, handlerAct))]);
    }
    const joined = this.join(act, paths, node);
    const final = parts.find((p) => p.kind === 'finally');
    return final ? this.execBlock(final.body, act) : joined;
  }

  /** Binds a `with` statement's targets; says what its context managers do to autograd. */
  private withTargets(node: SyntaxNode, act: Activation): 'on' | 'off' | 'unknown' {
    let mode: 'on' | 'off' | 'unknown' = 'on';
    for (let child = node.firstChild; child && child.name !== 'Body'; child = child.nextSibling) {
      if (child.name === 'as') {
        const target = child.nextSibling;
        if (target?.name === 'VariableName') act.frame.names.set(this.m.src(target), UNKNOWN);
      } else if (child.name !== 'with' && child.name !== ',' && child.name !== 'VariableName') {
        const effect = this.gradEffect(child, act);
        if (effect === 'off' || (effect === 'unknown' && mode === 'on')) mode = effect;
        if (child.nextSibling?.name !== 'as') this.m.evalSafely(child, act);
      }
    }
    return mode;
  }

  /** `torch.no_grad()`, `torch.inference_mode()`, `torch.set_grad_enabled(False)` turn autograd off; any other context manager (`enable_grad` too) may do anything. */
  private gradEffect(manager: SyntaxNode, act: Activation): 'on' | 'off' | 'unknown' {
    const m = this.m;
    const callee = manager.name === 'CallExpression' && manager.firstChild ? m.evalSafely(manager.firstChild, act) : undefined;
    const path = callee?.kind === 'path' ? callee.path : undefined;
    if (path === 'torch.no_grad' || path === 'torch.inference_mode' || path === 'torch.autograd.no_grad') return 'off';
    if (path === 'torch.set_grad_enabled') {
      const args = manager.lastChild?.name === 'ArgList' ? m.syntax.of(meaningfulChildren, manager.lastChild) : [];
      const flag = args.length === 1 && args[0] ? m.evalSafely(args[0], act) : undefined;
      return flag?.kind === 'bool' && flag.value !== undefined ? (flag.value ? 'on' : 'off') : 'unknown';
    }
    return 'unknown';
  }

  private importStatement(node: SyntaxNode, frame: Frame): void {
    const m = this.m;
    const parts = m.syntax.of(meaningfulChildren, node);
    if (parts[0]?.name === 'from') {
      const importAt = parts.findIndex((p) => p.name === 'import');
      // `from ..models.unet import x`: the dots (a relative import's level) and the dotted name.
      const fromNode = parts[0] as SyntaxNode;
      const importNode = parts[importAt];
      const written = importNode ? m.text.slice(fromNode.to, importNode.from).replace(/[\s\\]+/g, '') : '';
      const dotted = written.replace(/^\.+/, '');
      const level = written.length - dotted.length;
      const project = m.importModule(dotted, level);
      const module = project?.leaf;
      const names = parts.slice(importAt + 1);
      if (module && names.some((n) => n.name === '*')) {
        for (const [name, value] of m.starNames(module)) frame.names.set(name, value);
        return;
      }
      for (let i = 0; i < names.length; i++) {
        const n = names[i] as SyntaxNode;
        if (n.name !== 'VariableName') continue;
        const alias = names[i + 1]?.name === 'as' ? names[i + 2] : undefined;
        const value: Value = module ? m.importedName(module, m.src(n), n)
          // Not a project module: a library path (`torch.nn`), which the rules know or not.
          : level > 0 ? UNKNOWN : { kind: 'path', path: `${dotted}.${m.src(n)}` };
        frame.names.set(m.src(alias ?? n), value);
        if (alias) i += 2;
      }
      return;
    }
    // `import a.b as c, d`: dotted names are runs of VariableNames separated by `.` tokens.
    let dotted: string[] = [];
    let lastEnd = -1;
    const flush = (alias: string | undefined): void => {
      if (dotted.length === 0) return;
      const path = dotted.join('.');
      const project = m.importModule(path, 0);
      if (alias) frame.names.set(alias, project?.leaf ?? { kind: 'path', path });
      else frame.names.set(dotted[0] as string, project?.top ?? { kind: 'path', path: dotted[0] as string });
      dotted = [];
    };
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'VariableName') {
        if (c.prevSibling?.name === 'as') {
          flush(m.src(c));
          continue;
        }
        if (dotted.length > 0 && c.prevSibling?.name !== '.') flush(undefined);
        dotted.push(m.src(c));
        lastEnd = c.to;
      } else if (c.name === ',') flush(undefined);
    }
    if (lastEnd >= 0) flush(undefined);
  }
}

/**
 * Whether `name` is bound in the scope `frame` belongs to (a branch's frames up to its function's,
 * or the module's), as opposed to an enclosing scope.
 */
function boundInScope(frame: Frame, name: string): boolean {
  for (let f: Frame | undefined = frame; f; f = f.parent) {
    if (f.names.has(name) || f.locals?.has(name)) return true;
    if (f.locals) return false;
  }
  return false;
}

function lookupOrUnbound(frame: Frame, name: string): Value {
  const found = frame.lookup(name);
  return found && typeof found !== 'symbol' ? found : UNKNOWN;
}

function elseBody(node: SyntaxNode): SyntaxNode | undefined {
  const orElse = node.getChild('else');
  return orElse?.nextSibling?.name === 'Body' ? orElse.nextSibling : undefined;
}

/** At most one line of 40 characters of source, for messages. */
export function excerpt(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 40 || line.length < text.length ? `${line.slice(0, 40)}…` : line;
}

/** What `raise X("message")` raises, as far as it reads: the class's name and a literal message. */
function raisedBy(exception: SyntaxNode | undefined, m: Machine): { kind: string; message: string } {
  if (!exception) return { kind: 'the exception being handled', message: '' };
  const call = exception.name === 'CallExpression' ? exception : undefined;
  const kind = m.src(call?.firstChild ?? exception);
  const first = call?.lastChild?.firstChild?.nextSibling;
  const literal = first?.name === 'String' ? /^(['"])([^'"\\]*)\1$/.exec(m.src(first)) : null;
  const message = literal?.[2] ?? '';
  return { kind, message };
}
