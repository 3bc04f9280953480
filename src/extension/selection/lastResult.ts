// The result of the last run on a selection, and what the user can do with it: insert it below
// the selection as a `torch.tensor(...)` statement, or copy it in PyTorch's or NumPy's printed form.
import * as vscode from 'vscode';
import { formatTensor } from '../../core/format';
import { formatNumpy } from '../../core/formatNumpy';
import type { OpName } from '../../core/vocabulary';
import { numel, type Tensor } from '../../core/tensor';
import { tensorLiteralStatement } from '../../core/tensorLiteral';
import type { Ctx } from '../ctx';

export interface LastResult {
  readonly result: Tensor;
  readonly op: OpName;
}

/** Per extension context, so a reloaded extension starts with none. */
const lastResults = new WeakMap<Ctx, LastResult>();

/** Larger results are copied in the summarised printed form: a full literal would be megabytes. */
const FULL_COPY_MAX_ELEMENTS = 10_000;
/**
 * Inserting a literal past FULL_COPY_MAX_ELEMENTS asks first; past this it is refused (about a
 * megabyte of source, formatted on the editor's thread): Copy or a saved `.npy` serves instead.
 */
const INSERT_MAX_ELEMENTS = 100_000;

const NO_RESULT = 'no result yet: run an op on a selection first';

export function rememberResult(ctx: Ctx, last: LastResult): void {
  lastResults.set(ctx, last);
}

export type InsertOutcome =
  | { readonly ok: true; readonly text: string; readonly line: number }
  | { readonly ok: false; readonly message: string };

/**
 * Inserts `<name> = torch.tensor(...)` on a new line below the active editor's selection, with
 * that line's indentation. The name is `result` (or `result2`, … if the file uses it) unless given.
 */
export async function insertResultAsLiteral(ctx: Ctx, args?: { name?: string; confirmed?: boolean } | vscode.Uri): Promise<InsertOutcome> {
  // The editor's context menu passes the document's URI.
  const given = args instanceof vscode.Uri ? {} : args ?? {};
  const last = lastResults.get(ctx);
  const editor = vscode.window.activeTextEditor;
  if (!last) return refuse(ctx, NO_RESULT);
  if (!editor) return refuse(ctx, 'open the editor to insert the result into');
  const n = numel(last.result.shape);
  const size = `[${last.result.shape.join(', ')}] (${n.toLocaleString('en-US')} elements)`;
  if (n > INSERT_MAX_ELEMENTS) {
    return refuse(ctx, `the ${last.op} result ${size} is too large to insert as a literal (at most ${INSERT_MAX_ELEMENTS.toLocaleString('en-US')} elements): copy it instead, or save it as .npy`);
  }
  if (n > FULL_COPY_MAX_ELEMENTS && !given.confirmed) {
    const insert = 'Insert';
    const answer = await vscode.window.showWarningMessage(`Conv Lab: the ${last.op} result ${size} makes a literal of every value. Insert it anyway?`, { modal: true }, insert);
    if (answer !== insert) return { ok: false, message: 'not inserted' };
  }
  const document = editor.document;
  const below = document.lineAt(editor.selection.end.line);
  const indent = below.text.slice(0, below.firstNonWhitespaceCharacterIndex);
  const name = given.name ?? freshName(document.getText(), 'result');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return refuse(ctx, `'${name}' is not a Python name`);
  const statement = tensorLiteralStatement(name, last.result, indent, ctx.config.printSettings);
  const applied = await editor.edit((edit) => edit.insert(below.range.end, `\n${statement}`));
  if (!applied) return refuse(ctx, 'the editor did not accept the edit');
  ctx.log.info(`inserted the ${last.op} result as ${name} at line ${below.lineNumber + 2}`);
  return { ok: true, text: statement, line: below.lineNumber + 1 };
}

export type CopyOutcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

export async function copyResult(ctx: Ctx, format: 'pytorch' | 'numpy'): Promise<CopyOutcome> {
  const last = lastResults.get(ctx);
  if (!last) return refuse(ctx, NO_RESULT);
  const threshold = numel(last.result.shape) <= FULL_COPY_MAX_ELEMENTS ? Infinity : undefined;
  const options = threshold === undefined ? {} : { threshold };
  // The display precision and default dtype are PyTorch's print options; NumPy's repr keeps NumPy's own.
  const text = format === 'pytorch' ? formatTensor(last.result, { ...options, ...ctx.config.printSettings }) : formatNumpy(last.result, options);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`Conv Lab: ${last.op} result copied as ${format === 'pytorch' ? 'PyTorch' : 'NumPy'}`, 3000);
  return { ok: true, text };
}

function refuse(ctx: Ctx, message: string): { ok: false; message: string } {
  ctx.log.warn(message);
  void vscode.window.showErrorMessage(`Conv Lab: ${message}`);
  return { ok: false, message };
}

/** `base`, or `base2`, `base3`… the first that does not occur as a word in `text`. */
function freshName(text: string, base: string): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}${n}`;
    if (!new RegExp(`\\b${name}\\b`).test(text)) return name;
  }
}
