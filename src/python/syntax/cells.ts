// Notebook-style cells in a file: the `# %%` cells of a .py file, and whether a selection covers
// whole cells (then the run commands replay them instead of reading one tensor).
import type { SyntaxNode } from '@lezer/common';
import type { PythonDocument, Span } from './document';

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
    if (n.name !== 'Comment' && n.from >= span.from && contentEnd(doc, n) <= span.to) statements.push(n);
  }
  return statements;
}

/** Where a statement's text ends, without the line break (and blank space) the grammar counts in it. */
function contentEnd(doc: PythonDocument, node: SyntaxNode): number {
  let end = node.to;
  while (end > node.from && /\s/.test(doc.text.charAt(end - 1))) end--;
  return end;
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
    return first !== undefined && last !== undefined && selection.from <= first.from && selection.to >= contentEnd(doc, last);
  });
  if (!covers) return undefined;
  for (let n = doc.tree.topNode.firstChild; n; n = n.nextSibling) {
    const end = contentEnd(doc, n);
    const cut = n.from < selection.to && end > selection.from && (n.from < selection.from || end > selection.to);
    if (cut && n.name !== 'Comment') return undefined;
  }
  return statementsWithin(doc, selection);
}
