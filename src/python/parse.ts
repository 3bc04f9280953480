// The parser layer: one Python document parsed by @lezer/python's grammar (error-tolerant, so half-typed
// code still yields nodes for the parts that parse), re-parsed incrementally after edits by
// reusing the unchanged parts of the previous tree, plus helpers to find expressions and
// positions in it.
import { TreeFragment, type SyntaxNode, type Tree } from '@lezer/common';
import { parser } from 'lezer:python';
import { fastParse } from './fastParse';

/** A half-open range of character offsets into the document text. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** 1-based line and column of an offset, as editors and Python's tracebacks count them. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** One replacement of `from..to` (offsets in the text before the edit) by `insert`. */
export interface TextEdit {
  readonly from: number;
  readonly to: number;
  readonly insert: string;
}

/** Where two revisions of a document differ: `from..oldTo` in the older text is `from..newTo` in the newer. */
export interface ChangedRange {
  readonly from: number;
  readonly oldTo: number;
  readonly newTo: number;
}

/** How many past edits a document remembers the ranges of (for analyses that reuse older results). */
const REMEMBERED_EDITS = 64;

export class PythonDocument {
  private textValue: string;
  private treeValue: Tree;
  private fragments: readonly TreeFragment[];
  private lineStarts: number[] | undefined;
  private revisionValue = 0;
  /** The range each remembered edit changed, in the coordinates of the text before it. */
  private readonly recentEdits: ChangedRange[] = [];

  constructor(text: string) {
    this.textValue = text;
    // The hand-written parser builds Lezer's own tree in a tenth of the time, or declines.
    this.treeValue = fastParse(text) ?? parser.parse(text);
    this.fragments = TreeFragment.addTree(this.treeValue);
  }

  get text(): string {
    return this.textValue;
  }

  get tree(): Tree {
    return this.treeValue;
  }

  /** Counts edits: each `edit` call makes a new revision. */
  get revision(): number {
    return this.revisionValue;
  }

  /**
   * The one range enclosing every change since `revision`, or undefined when that revision is
   * too old to be remembered (or is not a revision of this document).
   */
  changesSince(revision: number): ChangedRange | undefined {
    const count = this.revisionValue - revision;
    if (count < 0 || count > this.recentEdits.length) return undefined;
    let combined: ChangedRange | undefined;
    for (const next of this.recentEdits.slice(this.recentEdits.length - count)) {
      if (!combined) {
        combined = next;
        continue;
      }
      // `combined` maps the old text to the text `next` edits; text past both ranges keeps its offset difference.
      const end = Math.max(combined.newTo, next.oldTo);
      combined = {
        from: Math.min(combined.from, next.from),
        oldTo: end - (combined.newTo - combined.oldTo),
        newTo: end + (next.newTo - next.oldTo),
      };
    }
    return combined ?? { from: 0, oldTo: 0, newTo: 0 };
  }

  /**
   * Applies edits (non-overlapping, offsets in the current text, in any order) and re-parses,
   * reusing every subtree the edits did not touch.
   */
  edit(edits: readonly TextEdit[]): void {
    const sorted = [...edits].sort((a, b) => a.from - b.from);
    let text = '';
    let copiedUpTo = 0;
    let shift = 0;
    const changes = sorted.map((e) => {
      if (e.from < copiedUpTo || e.to < e.from || e.to > this.textValue.length) {
        throw new RangeError(`edit ${e.from}..${e.to} overlaps another edit or lies outside the document`);
      }
      text += this.textValue.slice(copiedUpTo, e.from) + e.insert;
      copiedUpTo = e.to;
      const change = { fromA: e.from, toA: e.to, fromB: e.from + shift, toB: e.from + shift + e.insert.length };
      shift += e.insert.length - (e.to - e.from);
      return change;
    });
    text += this.textValue.slice(copiedUpTo);
    const reusable = TreeFragment.applyChanges(this.fragments, changes);
    this.textValue = text;
    this.treeValue = parser.parse(text, reusable);
    this.fragments = TreeFragment.addTree(this.treeValue, reusable);
    this.lineStarts = undefined;
    const first = changes[0];
    const last = changes[changes.length - 1];
    this.recentEdits.push(first && last ? { from: first.fromA, oldTo: last.toA, newTo: last.toB } : { from: 0, oldTo: 0, newTo: 0 });
    if (this.recentEdits.length > REMEMBERED_EDITS) this.recentEdits.shift();
    this.revisionValue++;
  }

  textOf(span: Span): string {
    return this.textValue.slice(span.from, span.to);
  }

  lineColumnAt(offset: number): LineColumn {
    const starts = (this.lineStarts ??= lineStartsOf(this.textValue));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }
}

/** The one edit turning `before` into `after`: what lies between their common start and common end. */
export function textDifference(before: string, after: string): TextEdit {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return { from: start, to: before.length - end, insert: after.slice(start, after.length - end) };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return starts;
}

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

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', '.', ':', 'AssignOp', '⚠', 'Comment']);

/** A node's children without brackets, commas, dots and error markers. */
export function meaningfulChildren(node: SyntaxNode): SyntaxNode[] {
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
export function assignmentParts(statement: SyntaxNode): { targets: SyntaxNode[][]; values: SyntaxNode[] } {
  const runs: SyntaxNode[][] = [[]];
  for (let child = statement.firstChild; child; child = child.nextSibling) {
    if (child.name === 'AssignOp') runs.push([]);
    else if (child.name !== ',' && child.name !== 'TypeDef' && child.name !== '⚠' && child.name !== 'Comment') runs[runs.length - 1]?.push(child);
  }
  const values = runs.pop() ?? [];
  return { targets: runs, values };
}

export interface CallArguments {
  readonly positional: SyntaxNode[];
  readonly keywords: ReadonlyMap<string, { name: SyntaxNode; value: SyntaxNode }>;
  /** `*xs` and `**kw` arguments, which a static reading cannot expand. */
  readonly spread: SyntaxNode[];
}

/**
 * The arguments of a call. Keyword arguments are flat `VariableName AssignOp value` runs inside
 * the grammar's `ArgList`; starred ones are `*`/`**` operators before an expression.
 */
export function callArguments(argList: SyntaxNode, text: string): CallArguments {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, { name: SyntaxNode; value: SyntaxNode }>();
  const spread: SyntaxNode[] = [];
  let pendingName: SyntaxNode | undefined;
  let pendingStar: SyntaxNode | undefined;
  for (let child = argList.firstChild; child; child = child.nextSibling) {
    const name = child.name;
    if (name === '(' || name === ')' || name === ',' || name === '⚠' || name === 'Comment') continue;
    if (name === 'AssignOp') continue;
    if (name === 'VariableName' && child.nextSibling?.name === 'AssignOp') {
      pendingName = child;
      continue;
    }
    if (name === '*' || name === '**') {
      pendingStar = child;
      continue;
    }
    if (pendingName) {
      keywords.set(text.slice(pendingName.from, pendingName.to), { name: pendingName, value: child });
      pendingName = undefined;
    } else if (pendingStar) {
      spread.push(child);
      pendingStar = undefined;
    } else {
      positional.push(child);
    }
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
export function subscriptItems(member: SyntaxNode): SubscriptItem[] {
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
