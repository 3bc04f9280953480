// Where a name got its value: every statement that binds or changes a name, per scope, in
// document order, so "the latest binding of X before this point" is a lookup. Built once per
// parse tree and scope.
import type { SyntaxNode, Tree } from '@lezer/common';
import { assignmentParts, meaningfulChildren } from './parse';

/** A statement that binds `name`, which code after offset `boundAt` sees. */
export type BindingEvent = { name: string; statement: SyntaxNode; boundAt: number } & (
  /** `name = value`, or one name of an unpacking `a, b = values` (`index` of `count`). */
  | { kind: 'assign'; values: SyntaxNode[]; index: number | undefined; count: number }
  /** `import numpy as np`, `from torch import tensor`: `path` is the dotted name imported. */
  | { kind: 'import'; path: string }
  /** `name[index] = value` outside loops: a copy of the earlier value with the items replaced. */
  | { kind: 'setitem'; target: SyntaxNode; value: SyntaxNode }
  /** `name op= value` outside loops (in place for tensors): `operator` is `+`, `-`, `*`... */
  | { kind: 'update'; target: SyntaxNode; operator: string; value: SyntaxNode }
  /**
   * Anything a static reading does not follow: a rebinding (loop variable, parameter, `def`)
   * or, with `mutates`, a change in place (`X += 1`, `X.add_(1)`, `X[i] = v` in a loop, `X.data = v`).
   */
  | { kind: 'other'; mutates: boolean });

/** What names a file uses without binding them mean: Python's builtins, and the imports notebooks and snippets assume. */
export const DEFAULT_NAMES: ReadonlyMap<string, string> = new Map([
  ['torch', 'torch'], ['np', 'numpy'], ['numpy', 'numpy'], ['nn', 'torch.nn'], ['F', 'torch.nn.functional'],
  ['float', 'float'], ['int', 'int'], ['bool', 'bool'], ['range', 'range'], ['len', 'len'], ['list', 'list'], ['tuple', 'tuple'],
]);

/** In-place methods that change no values. */
const VALUE_PRESERVING_IN_PLACE = new Set(['requires_grad_', 'share_memory_']);

/** Nodes whose children include statements of the same scope; nothing else is walked. */
const STATEMENT_CONTAINERS = new Set(['Script', 'Body', 'StatementGroup', 'IfStatement', 'ForStatement', 'WhileStatement',
  'TryStatement', 'WithStatement', 'DecoratedStatement', 'MatchStatement', 'MatchBody', 'MatchClause']);

const indexes = new WeakMap<Tree, Map<number, Map<string, BindingEvent[]>>>();

/** The Script or function/class Body whose names `node` sees first. */
export function scopeOf(node: SyntaxNode): SyntaxNode {
  let n: SyntaxNode | null = node.parent;
  while (n) {
    if (n.name === 'Script') return n;
    if (n.name === 'Body' && (n.parent?.name === 'FunctionDefinition' || n.parent?.name === 'ClassDefinition')) return n;
    n = n.parent;
  }
  return node;
}

/** The scopes searched for a name used at `node`: its own, then enclosing functions, then the module (class bodies are skipped, as Python does for methods). */
function scopeChain(node: SyntaxNode): SyntaxNode[] {
  const chain = [scopeOf(node)];
  for (let s = chain[0]; s && s.name !== 'Script'; ) {
    const outer: SyntaxNode = scopeOf(s);
    if (outer.name === 'Script' || outer.parent?.name === 'FunctionDefinition') chain.push(outer);
    s = outer;
  }
  return chain;
}

/** The first in-place change of `name` that takes effect in `after < offset <= before`, seen from `site`. */
export function mutationBetween(tree: Tree, text: string, site: SyntaxNode, name: string, after: number, before: number): BindingEvent | undefined {
  for (const scope of scopeChain(site)) {
    const events = scopeIndex(tree, text, scope).get(name);
    const found = events?.find((e) => e.boundAt > after && e.boundAt <= before && (e.kind === 'setitem' || e.kind === 'update' || (e.kind === 'other' && e.mutates)));
    if (found) return found;
  }
  return undefined;
}

/** The latest event binding `name` that ends at or before `position`, seen from `site`. */
export function latestBinding(tree: Tree, text: string, site: SyntaxNode, name: string, position: number): BindingEvent | undefined {
  for (const scope of scopeChain(site)) {
    const events = scopeIndex(tree, text, scope).get(name);
    if (!events) continue;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i] as BindingEvent;
      if (e.boundAt <= position) return e;
    }
  }
  return undefined;
}

function scopeIndex(tree: Tree, text: string, scope: SyntaxNode): Map<string, BindingEvent[]> {
  let perTree = indexes.get(tree);
  if (!perTree) indexes.set(tree, (perTree = new Map()));
  let index = perTree.get(scope.from);
  if (!index) perTree.set(scope.from, (index = buildIndex(text, scope)));
  return index;
}

function buildIndex(text: string, scope: SyntaxNode): Map<string, BindingEvent[]> {
  const index = new Map<string, BindingEvent[]>();
  const nameOf = (n: SyntaxNode): string => text.slice(n.from, n.to);
  const add = (e: BindingEvent): void => {
    const list = index.get(e.name);
    if (list) list.push(e);
    else index.set(e.name, [e]);
  };
  // `torch.backends.cudnn.benchmark = True`, `nn.init.zeros_(w)`: changes through a module leave
  // the module's name bound to the module.
  const namesModule = (name: string): boolean => {
    const events = index.get(name);
    const latest = events?.[events.length - 1];
    return latest ? latest.kind === 'import' : DEFAULT_NAMES.has(name);
  };
  const changedInPlace = (target: SyntaxNode, statement: SyntaxNode): void => {
    for (const n of targetNames(target)) {
      const name = nameOf(n);
      if (!namesModule(name)) add({ kind: 'other', name, statement, boundAt: statement.to, mutates: true });
    }
  };
  const other = (target: SyntaxNode, statement: SyntaxNode, boundAt = statement.to): void => {
    // Assigning to `x[i]` or `x.y`, unlike to `x`, changes the object `x` names.
    if (target.name === 'MemberExpression') changedInPlace(target, statement);
    else for (const n of targetNames(target)) add({ kind: 'other', name: nameOf(n), statement, boundAt, mutates: false });
  };

  const params = scope.parent?.name === 'FunctionDefinition' ? scope.parent.getChild('ParamList') : null;
  if (params) {
    for (const p of meaningfulChildren(params)) {
      if (p.name === 'VariableName' && p.prevSibling?.name !== 'AssignOp') add({ kind: 'other', name: nameOf(p), statement: params, boundAt: params.to, mutates: false });
    }
  }

  const visit = (node: SyntaxNode): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      switch (child.name) {
        case 'AssignStatement': {
          const { targets, values } = assignmentParts(child);
          for (const group of targets) {
            const single = group.length === 1 ? group[0] : undefined;
            const elements = single && (single.name === 'TupleExpression' || single.name === 'ArrayExpression')
              ? meaningfulChildren(single)
              : group;
            elements.forEach((target, i) => {
              const item = subscriptedName(target);
              if (target.name === 'VariableName') {
                add({ kind: 'assign', name: nameOf(target), statement: child, boundAt: child.to, values, index: elements === group && group.length === 1 ? undefined : i, count: elements.length });
              } else if (item && targets.length === 1 && elements.length === 1 && values.length === 1 && values[0] && !insideLoop(child, scope)) {
                add({ kind: 'setitem', name: nameOf(item), statement: child, boundAt: child.to, target, value: values[0] });
              } else {
                other(target, child);
              }
            });
          }
          break;
        }
        case 'UpdateStatement': {
          // `X += 1` adds in place when X is a tensor.
          const [target, op, value] = meaningfulChildren(child);
          if (target?.name === 'VariableName' && op?.name === 'UpdateOp' && value && !insideLoop(child, scope)) {
            add({ kind: 'update', name: nameOf(target), statement: child, boundAt: child.to, target, operator: nameOf(op).slice(0, -1), value });
          } else if (target) {
            changedInPlace(target, child);
          }
          break;
        }
        case 'DeleteStatement':
          for (const target of meaningfulChildren(child)) if (target.name !== 'del') other(target, child);
          break;
        case 'ForStatement': {
          // The loop variable is bound inside the loop's body.
          const bodyStart = child.getChild('Body')?.from ?? child.to;
          for (let t = child.getChild('for')?.nextSibling; t && t.name !== 'in'; t = t.nextSibling) other(t, child, bodyStart);
          break;
        }
        case 'WithStatement':
        case 'TryStatement':
          for (let t = child.firstChild; t; t = t.nextSibling) {
            if (t.name === 'as' && t.nextSibling) other(t.nextSibling, child, t.nextSibling.to);
          }
          break;
        case 'ImportStatement':
          importEvents(child, nameOf).forEach(add);
          break;
        case 'FunctionDefinition':
        case 'ClassDefinition': {
          const name = child.getChild('VariableName');
          if (name) add({ kind: 'other', name: nameOf(name), statement: child, boundAt: name.to, mutates: false });
          break;
        }
        case 'ExpressionStatement': {
          // `X.add_(1)`, `X.data.fill_(0)`: PyTorch's in-place methods end with an underscore.
          const call = child.firstChild;
          const callee = call?.name === 'CallExpression' ? call.firstChild : null;
          const method = callee?.name === 'MemberExpression' ? callee.lastChild : null;
          const methodName = method?.name === 'PropertyName' ? nameOf(method) : '';
          if (callee && methodName.endsWith('_') && !VALUE_PRESERVING_IN_PLACE.has(methodName)) changedInPlace(callee, child);
          break;
        }
        default:
          break;
      }
      if (STATEMENT_CONTAINERS.has(child.name)) visit(child);
    }
  };
  visit(scope);
  // A try statement's `except ... as e` is recorded before the statements of its body.
  for (const events of index.values()) events.sort((a, b) => a.boundAt - b.boundAt);
  return index;
}

/** `x` of a target `x[...]`. */
function subscriptedName(target: SyntaxNode): SyntaxNode | undefined {
  const object = target.firstChild;
  return target.name === 'MemberExpression' && object?.name === 'VariableName' && object.nextSibling?.name === '[' ? object : undefined;
}

/** Whether `statement` runs in a loop of its own scope (so it may run any number of times). */
function insideLoop(statement: SyntaxNode, scope: SyntaxNode): boolean {
  const isScope = (n: SyntaxNode): boolean => n.from === scope.from && n.to === scope.to && n.name === scope.name;
  for (let n = statement.parent; n && !isScope(n); n = n.parent) {
    if (n.name === 'ForStatement' || n.name === 'WhileStatement') return true;
  }
  return false;
}

/** The names an assignment target binds or changes: `x`, `a, (b, c)`, and the root of `x[0]` or `x.y`. */
function targetNames(target: SyntaxNode): SyntaxNode[] {
  if (target.name === 'VariableName') return [target];
  if (target.name === 'MemberExpression') {
    let root: SyntaxNode | null = target;
    while (root && root.name === 'MemberExpression') root = root.firstChild;
    return root?.name === 'VariableName' ? [root] : [];
  }
  if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
    return meaningfulChildren(target).flatMap(targetNames);
  }
  return [];
}

/** `import a.b as c`, `import a.b` (binds `a`), `from a.b import c as d`. */
function importEvents(statement: SyntaxNode, nameOf: (n: SyntaxNode) => string): BindingEvent[] {
  const events: BindingEvent[] = [];
  let fromModule: string | undefined;
  let dotted: string[] = [];
  let afterAs = false;
  const flush = (): void => {
    if (dotted.length === 0) return;
    const path = fromModule !== undefined ? `${fromModule}.${dotted.join('.')}` : dotted.join('.');
    events.push({ kind: 'import', name: dotted[0] ?? '', statement, boundAt: statement.to, path: fromModule !== undefined ? path : (dotted[0] ?? '') });
    dotted = [];
  };
  for (let n = statement.firstChild; n; n = n.nextSibling) {
    if (n.name === 'from') {
      const parts: string[] = [];
      for (let m = n.nextSibling; m && m.name !== 'import'; m = m.nextSibling) {
        if (m.name === 'VariableName') parts.push(nameOf(m));
        n = m;
      }
      fromModule = parts.join('.');
    } else if (n.name === 'as') {
      afterAs = true;
    } else if (n.name === 'VariableName') {
      if (afterAs) {
        const path = fromModule !== undefined ? `${fromModule}.${dotted.join('.')}` : dotted.join('.');
        events.push({ kind: 'import', name: nameOf(n), statement, boundAt: statement.to, path });
        dotted = [];
        afterAs = false;
      } else {
        if (n.prevSibling?.name !== '.') flush();
        dotted.push(nameOf(n));
      }
    }
  }
  flush();
  return events;
}
