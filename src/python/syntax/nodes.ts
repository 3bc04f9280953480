// Reading Lezer's Python tree: which node is an expression, the expression a selection or cursor
// means, and the grammar's flat shapes (assignments, call arguments, subscripts) regrouped.
import type { SyntaxNode } from '@lezer/common';
import type { PythonDocument, Span } from './document';

/** Expression nodes, plus the conditional expression the grammar does not put in that group. */
export function isExpression(node: SyntaxNode): boolean {
  return node.type.is('Expression') || node.name === 'ConditionalExpression';
}

/**
 * The smallest expression whose range contains `span` once surrounding whitespace is trimmed off
 * the selection; when the selection is a whole statement, that statement's value (the right-hand
 * side of a single-target assignment, or the expression of an expression statement).
 */
export function expressionCovering(doc: PythonDocument, span: Span): SyntaxNode | undefined {
  const { from, to } = trimSpan(doc.text, span);
  let node: SyntaxNode | null = doc.tree.resolveInner(from, 1);
  while (node && !(node.from <= from && node.to >= to && (isExpression(node) || isStatement(node)))) {
    node = node.parent;
  }
  if (!node) return undefined;
  if (isExpression(node)) {
    // Outermost of the expressions with exactly this range (`(x)` vs `x` differ, `a.b` vs `a` too).
    while (node.parent && isExpression(node.parent) && node.parent.from === node.from && node.parent.to === node.to) {
      node = node.parent;
    }
    return node;
  }
  return statementValue(node);
}

/**
 * With nothing selected: the whole expression under the cursor, walking up from the innermost
 * node through enclosing expressions and argument lists (`torch.tensor([[1, |2]]).T` gives the
 * `.T` expression), stopping at a statement.
 */
export function expressionAtCursor(doc: PythonDocument, offset: number): SyntaxNode | undefined {
  let statement: SyntaxNode | undefined;
  // The token before the cursor first (`torch.ones(2)|`), then the one after it (`|torch.ones(2)`).
  for (const side of [-1, 1] as const) {
    let outermost: SyntaxNode | undefined;
    for (let node: SyntaxNode | null = doc.tree.resolveInner(offset, side); node && node.name !== 'Script' && node.name !== 'Body'; node = node.parent) {
      if (isStatement(node)) {
        statement ??= node;
        break;
      }
      if (isExpression(node)) outermost = node;
    }
    if (outermost) return outermost;
  }
  return statement ? statementValue(statement) : undefined;
}

function isStatement(node: SyntaxNode): boolean {
  return node.type.is('Statement');
}

function statementValue(statement: SyntaxNode): SyntaxNode | undefined {
  if (statement.name === 'ExpressionStatement') {
    const parts = meaningfulChildren(statement);
    return parts.length === 1 ? parts[0] : undefined;
  }
  if (statement.name === 'AssignStatement') {
    const { targets, values } = assignmentParts(statement);
    return targets.length === 1 && targets[0]?.length === 1 && values.length === 1 ? values[0] : undefined;
  }
  return undefined;
}

function trimSpan(text: string, span: Span): Span {
  let { from, to } = span;
  while (from < to && isWhitespace(text.charCodeAt(from))) from++;
  while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
  return { from, to };
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12;
}

/** A node's first and last children: a call's callee and argument list, `a.b`'s object and property, `a[i]`'s object and `]`. */
export interface NodeEnds {
  readonly first: SyntaxNode | null;
  readonly last: SyntaxNode | null;
}

export function nodeEnds(node: SyntaxNode): NodeEnds {
  return { first: node.firstChild, last: node.lastChild };
}

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', '.', ':', 'AssignOp', '⚠', 'Comment']);

/** A node's children without brackets, commas, dots and error markers. */
export function meaningfulChildren(node: SyntaxNode): readonly SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (!PUNCTUATION.has(child.name)) out.push(child);
  }
  return out;
}

/**
 * An assignment's target groups and value expressions. The grammar keeps them flat:
 * `a, b = c = x, y` is `a , b = c = x , y`, so the runs between `=` signs are regrouped here;
 * the last run is the value, the others are targets (one name each, or several when unpacking).
 */
export interface AssignmentParts {
  /** Each `=`-separated target group, left to right (several names in a group unpack). */
  readonly targets: readonly (readonly SyntaxNode[])[];
  readonly values: readonly SyntaxNode[];
}

export function assignmentParts(statement: SyntaxNode): AssignmentParts {
  const runs: SyntaxNode[][] = [[]];
  for (let child = statement.firstChild; child; child = child.nextSibling) {
    if (child.name === 'AssignOp') runs.push([]);
    else if (child.name !== ',' && child.name !== 'TypeDef' && child.name !== '⚠' && child.name !== 'Comment') runs[runs.length - 1]?.push(child);
  }
  const values = runs.pop() ?? [];
  return { targets: runs, values };
}

export interface CallArguments {
  readonly positional: readonly SyntaxNode[];
  readonly keywords: ReadonlyMap<string, { readonly name: SyntaxNode; readonly value: SyntaxNode }>;
  /** `*xs` and `**kw` arguments, which a static reading cannot expand. */
  readonly spread: readonly SyntaxNode[];
}

/** One argument of a call, in order: `x`, `name=x`, `*xs` or `**kw`. */
export interface ArgumentItem {
  readonly value: SyntaxNode;
  /** The keyword's name node (`name=`). */
  readonly keyword?: SyntaxNode;
  readonly star?: '*' | '**';
}

/**
 * A call's arguments in order. Keyword arguments are flat `VariableName AssignOp value` runs inside
 * the grammar's `ArgList`; starred ones are `*`/`**` operators before an expression.
 */
export function argumentItems(argList: SyntaxNode): readonly ArgumentItem[] {
  const items: ArgumentItem[] = [];
  let keyword: SyntaxNode | undefined;
  let star: '*' | '**' | undefined;
  for (let child = argList.firstChild; child; child = child.nextSibling) {
    const name = child.name;
    if (name === '(' || name === ')' || name === ',' || name === '⚠' || name === 'Comment' || name === 'AssignOp') continue;
    if (name === 'VariableName' && child.nextSibling?.name === 'AssignOp') keyword = child;
    else if (name === '*' || name === '**') star = name;
    else {
      items.push(keyword ? { value: child, keyword } : star ? { value: child, star } : { value: child });
      keyword = undefined;
      star = undefined;
    }
  }
  return items;
}

/** The arguments of a call, by kind. */
export function callArguments(argList: SyntaxNode, text: string): CallArguments {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, { name: SyntaxNode; value: SyntaxNode }>();
  const spread: SyntaxNode[] = [];
  for (const { value, keyword, star } of argumentItems(argList)) {
    if (keyword) keywords.set(text.slice(keyword.from, keyword.to), { name: keyword, value });
    else if (star) spread.push(value);
    else positional.push(value);
  }
  return { positional, keywords, spread };
}

/** One item of a subscript: `x[i]`, `x[a:b:c]`; slice parts are absent when left out. */
export type SubscriptItem =
  | { readonly kind: 'index'; readonly node: SyntaxNode }
  | { readonly kind: 'slice'; readonly start?: SyntaxNode; readonly stop?: SyntaxNode; readonly step?: SyntaxNode; readonly at: Span };

/**
 * The items of a subscript `object[...]`. The grammar keeps them flat inside the member
 * expression (`X[1:3, ::2]` is `X [ 1 : 3 , : : 2 ]`), so they are regrouped here.
 */
export function subscriptItems(member: SyntaxNode): readonly SubscriptItem[] {
  const items: SubscriptItem[] = [];
  let parts: (SyntaxNode | undefined)[] = [undefined];
  let colons = 0;
  let from = -1;
  let to = -1;
  const flush = (): void => {
    if (from < 0) return;
    const [start, stop, step] = parts;
    if (colons === 0 && start) items.push({ kind: 'index', node: start });
    else items.push({ kind: 'slice', ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}), at: { from, to } });
    parts = [undefined];
    colons = 0;
    from = -1;
  };
  const open = member.getChild('[');
  for (let n = open?.nextSibling ?? null; n && n.name !== ']'; n = n.nextSibling) {
    if (n.name === ',') {
      flush();
      continue;
    }
    if (from < 0) from = n.from;
    to = n.to;
    if (n.name === ':') {
      colons++;
      parts.push(undefined);
    } else {
      parts[parts.length - 1] = n;
    }
  }
  flush();
  return items;
}

/** The call expression spanning exactly `span`, if there is one. */
export function callAt(doc: PythonDocument, span: Span): SyntaxNode | undefined {
  let node: SyntaxNode | null = doc.tree.resolveInner(span.from, 1);
  while (node && !(node.name === 'CallExpression' && node.from === span.from && node.to === span.to)) node = node.parent;
  return node ?? undefined;
}
