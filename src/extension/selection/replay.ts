// Replaying whole cells by selection: a selection that covers every statement of a `# %%` cell
// of a .py file, or all of a notebook cell, has each of its expression statements evaluated in
// order (by the analysis worker) and printed as PyTorch prints it (the seed's cells print their
// `Out[N]`). Results go to the log; the last op run (a layer call, d2l.corr2d) goes to the panel
// and is kept for Insert / Copy Result. What cannot be evaluated statically is reported with the
// reason and position.
import * as vscode from 'vscode';
import type { OpRequest } from '../../core/vocabulary';
import type { Span } from '../../python';
import { locate } from '../analysis/programs';
import type { Ctx } from '../ctx';
import { rememberResult } from './lastResult';
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

export async function replaySelection(ctx: Ctx): Promise<ReplayResult> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') return refuse(ctx, 'select whole cells in a Python file or notebook first');
  const source = new SelectionSource(ctx.analysis, editor.document);
  const selection = source.spanOf(editor.selection);
  const replayed = await replayInEditor(ctx, source, selection, false);
  return replayed ?? refuse(ctx, `the selection (${source.describe(selection.from)}) does not cover a whole cell: select every statement of a '# %%' cell, or all of a notebook cell`);
}

/**
 * Replays the cells `selection` covers whole, logging and showing the results; undefined when it
 * covers none. With `keepsExpression`, a selection of one expression is not a replay either: the
 * run commands read it as a tensor (a cell's one statement selected without its `# %%` line).
 */
export async function replayInEditor(ctx: Ctx, source: SelectionSource, selection: Span, keepsExpression = true): Promise<ReplayResult | undefined> {
  const steps = await source.replay(selection, ctx.config.settings.displayPrecision, keepsExpression);
  if (!steps) return undefined;
  const textOf = (from: number, to: number): string => {
    const place = locate(source.program, from, to);
    return place ? place.document.getText(place.range) : '';
  };
  const replayed = steps.map((step): ReplayedStatement => {
    const where = source.describe(step.from);
    const text = textOf(step.from, step.to);
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
    const op: OpRequest = lastOp.outcome.op;
    ctx.showInPanel(op, lastOp.outcome.tensor);
    rememberResult(ctx, { result: lastOp.outcome.tensor, op: op.op });
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
