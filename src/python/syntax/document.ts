// One Python document parsed by @lezer/python's grammar (error-tolerant, so half-typed code still
// yields nodes for the parts that parse), re-parsed incrementally after edits by reusing the
// unchanged parts of the previous tree; offsets as lines and columns.
import { TreeFragment, type Tree } from '@lezer/common';
import { parser } from 'lezer:python';
import { fastParse } from './fastParse';
import { blankDeepNesting } from './nesting';
import { SyntaxMemo } from './memo';

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

/** Lezer's parse, or, when building the tree overflows the stack (absurd nesting), the parse of the text with that nesting blanked. */
function parse(text: string, reusable?: readonly TreeFragment[]): Tree {
  try {
    return parser.parse(text, reusable);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return parser.parse(blankDeepNesting(text));
  }
}

/** How many past edits a document remembers the ranges of (for analyses that reuse older results). */
const REMEMBERED_EDITS = 64;

export class PythonDocument {
  private textValue: string;
  private treeValue: Tree;
  private fragments: readonly TreeFragment[];
  private lineStarts: number[] | undefined;
  private revisionValue = 0;
  private memoValue: SyntaxMemo | undefined;
  /** The range each remembered edit changed, in the coordinates of the text before it. */
  private readonly recentEdits: ChangedRange[] = [];

  constructor(text: string) {
    this.textValue = text;
    // The hand-written parser builds Lezer's own tree in a tenth of the time, or declines.
    this.treeValue = fastParse(text) ?? parse(text);
    this.fragments = TreeFragment.addTree(this.treeValue);
  }

  get text(): string {
    return this.textValue;
  }

  get tree(): Tree {
    return this.treeValue;
  }

  /** The answers remembered for this tree's nodes (a new tree starts a new memo). */
  get memo(): SyntaxMemo {
    return (this.memoValue ??= new SyntaxMemo(this.textValue));
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
    this.treeValue = parse(text, reusable);
    this.fragments = TreeFragment.addTree(this.treeValue, reusable);
    this.lineStarts = undefined;
    this.memoValue = undefined;
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

/** Where each line starts: Python ends lines with `\n`, `\r\n` or a lone `\r`. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

