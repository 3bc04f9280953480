// Replaying whole cells by selection: a selection that covers every statement of a `# %%` cell
// of a .py file, or all of a notebook cell, has each of its expression statements evaluated in
// order and printed as PyTorch prints it (the seed's cells print their `Out[N]`). Results go to
// the log; the last op run (a layer call, d2l.corr2d) goes to the panel and is kept for Insert /
// Copy Result. What cannot be evaluated statically is reported with the reason and position.
import * as vscode from 'vscode';
import { expressionCovering } from '../../python';
import { percentCells, replayStatements, wholeCellStatements } from '../../python/cells';
import type { Ctx } from '../ctx';
import { rememberResult } from './lastResult';
import { evaluationSettings, printSettings } from './settings';
import { SelectionSource } from './source';

export interface ReplayedStatement {
  /** `line 35, column 1` (or `cell 4, line 4, column 1`) and the expression's source. */
  readonly where: string;
  readonly source: string;
  /** Python's display of the value, or why Conv Lab could not evaluate it. */
  readonly printed?: string;
  readonly error?: string;
}

export type ReplayResult =
  | { readonly ok: true; readonly replayed: readonly ReplayedStatement[] }
  | { readonly ok: false; readonly message: string };

/** The cells a selection in `source` can cover: the notebook cell it is in, or the file's `# %%` cells. */
function cellsOf(source: SelectionSource): { from: number; to: number }[] {
  const own = source.ownCell();
  return own ? [own] : percentCells(source.doc.text);
}

/**
 * Whether the active editor's only selection covers whole cells, so the run commands replay them
 * instead. A cell's one statement selected without its `# %%` line stays a tensor to run an op
 * on, as any selected statement is.
 */
export function selectsWholeCells(editor: vscode.TextEditor): boolean {
  if (editor.selections.length !== 1 || editor.selection.isEmpty) return false;
  const source = new SelectionSource(editor.document);
  const span = source.spanOf(editor.selection);
  const statements = wholeCellStatements(source.doc, span, cellsOf(source));
  return statements !== undefined && (statements.length > 1 || expressionCovering(source.doc, span) === undefined);
}

export async function replaySelection(ctx: Ctx): Promise<ReplayResult> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') return refuse(ctx, 'select whole cells in a Python file or notebook first');
  const source = new SelectionSource(editor.document);
  const statements = wholeCellStatements(source.doc, source.spanOf(editor.selection), cellsOf(source));
  if (!statements) {
    return refuse(ctx, `the selection (${source.describe(source.spanOf(editor.selection).from)}) does not cover a whole cell: select every statement of a '# %%' cell, or all of a notebook cell`);
  }
  const steps = replayStatements(source.doc, statements, { ...evaluationSettings(), ...printSettings() });
  const replayed = steps.map((step): ReplayedStatement => {
    const where = source.describe(step.from);
    const text = source.doc.textOf(step);
    if (!step.outcome.ok) {
      const { pythonKind, message, from } = step.outcome.error;
      return { where, source: text, error: `${pythonKind ? `${pythonKind}: ` : ''}${message} (${source.describe(from)})` };
    }
    return { where, source: text, printed: step.outcome.printed };
  });
  ctx.log.info(replayed.length === 0
    ? 'cell replay: the selected cells have no expression statements to show'
    : `cell replay:\n${replayed.map((r) => `${r.where}: ${r.source}\n${r.printed ?? `not evaluated: ${r.error ?? ''}`}`).join('\n')}`);
  const lastOp = [...steps].reverse().find((s) => s.outcome.ok && s.outcome.op);
  if (lastOp?.outcome.ok && lastOp.outcome.op && lastOp.outcome.tensor) {
    ctx.showInPanel(lastOp.outcome.op, lastOp.outcome.tensor);
    rememberResult(ctx, { result: lastOp.outcome.tensor, op: lastOp.outcome.op.op });
  }
  const failures = replayed.filter((r) => r.error !== undefined).length;
  const summary = `Conv Lab: replayed ${replayed.length} expression${replayed.length === 1 ? '' : 's'}${failures > 0 ? `, ${failures} not evaluated statically` : ''}`;
  void vscode.window.showInformationMessage(summary, 'Show Log').then((choice) => (choice ? ctx.log.show() : undefined));
  return { ok: true, replayed };
}

function refuse(ctx: Ctx, message: string): ReplayResult {
  ctx.log.warn(message);
  void vscode.window.showErrorMessage(`Conv Lab: ${message}`);
  return { ok: false, message };
}
