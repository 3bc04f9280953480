// "Conv Lab: Run Convolution on .npy Files…": the op runs in the worker pool under a cancellable
// progress notification; the result goes to the log in PyTorch's printed form and, on request,
// to an .npy file. Every failure becomes one message naming the file or argument at fault.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { formatTensor } from '../core/format';
import { NpyError, npyMaxBytes, parseNpy, readNpy, serializeNpy } from '../core/npy';
import { parseOpArgs } from '../core/opArgsText';
import { OP_NAMES, type OpArgs, type OpName, type OpRequest } from '../core/vocabulary';
import type { Tensor } from '../core/tensor';
import { computeCancellable, describeRun, messageOf } from './compute';
import type { Ctx } from './ctx';
import { askOpArgs } from './opArgsInput';

/** Arguments for running without prompts (tests, other commands). */
export interface RunNpyArgs {
  op: OpName;
  input: vscode.Uri;
  weight: vscode.Uri;
  bias?: vscode.Uri;
  /** Python keyword syntax (`stride=2, padding=1`) or already parsed. */
  args?: string | OpArgs;
  /** Where to save the result; when omitted the user is offered a save dialog. */
  out?: vscode.Uri;
}

export type RunOutcome =
  | { readonly ok: true; readonly result: Tensor; readonly printed: string }
  | { readonly ok: false; readonly message: string };

/** What each op expects, shown under its name in the picker. */
const OP_DETAILS: Record<OpName, string> = {
  conv1d: 'input (N, C, L) or (C, L), weight (C_out, C/groups, k)',
  conv2d: 'input (N, C, H, W) or (C, H, W), weight (C_out, C/groups, kh, kw)',
  conv3d: 'input (N, C, D, H, W) or (C, D, H, W)',
  conv_transpose1d: 'weight (C_in, C_out/groups, k)',
  conv_transpose2d: 'weight (C_in, C_out/groups, kh, kw)',
  conv_transpose3d: 'weight (C_in, C_out/groups, kd, kh, kw)',
  corr2d: "d2l's 2-D cross-correlation of two matrices",
  trans_conv: "d2l's scatter definition of the 2-D transposed convolution",
};

class UserError extends Error {}

export async function runNpy(ctx: Ctx, given?: RunNpyArgs): Promise<RunOutcome | undefined> {
  const request = given ?? (await askForRun());
  if (request === undefined) return undefined;
  try {
    const opRequest = await readRequest(request, ctx.config.settings.maxElements);
    const plan = ctx.pool().plan(opRequest);
    const result = await computeCancellable(ctx, plan);
    if (result === undefined) return undefined;
    const printed = formatTensor(result);
    ctx.log.info(`${describeRun(opRequest)} → [${result.shape.join(', ')}]\n${printed}`);
    ctx.showInPanel(plan, result);
    await saveResult(request.out, result, opRequest.op);
    return { ok: true, result, printed };
  } catch (e) {
    const message = messageOf(e);
    ctx.log.error(`${request.op} failed: ${message}`);
    void vscode.window.showErrorMessage(`Conv Lab: ${message}`);
    return { ok: false, message };
  }
}

async function askForRun(): Promise<RunNpyArgs | undefined> {
  const picked = await vscode.window.showQuickPick(
    OP_NAMES.map((op) => ({ label: op, detail: OP_DETAILS[op], op })),
    { title: 'Conv Lab: operation to run', placeHolder: 'conv2d, conv_transpose2d, …' },
  );
  if (picked === undefined) return undefined;
  const input = await pickNpy(`${picked.op}: input tensor`);
  if (input === undefined) return undefined;
  const weight = await pickNpy(`${picked.op}: ${picked.op === 'corr2d' || picked.op === 'trans_conv' ? 'kernel K' : 'weight'}`);
  if (weight === undefined) return undefined;
  const args = await askOpArgs(picked.op);
  if (args === undefined) return undefined;
  return { op: picked.op, input, weight, args };
}

async function pickNpy(title: string): Promise<vscode.Uri | undefined> {
  const uris = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'NumPy arrays': ['npy'] } });
  return uris?.[0];
}

async function readRequest(run: RunNpyArgs, maxElements: number): Promise<OpRequest> {
  let args: OpArgs;
  try {
    args = typeof run.args === 'string' ? parseOpArgs(run.args) : run.args ?? {};
  } catch (e) {
    throw new UserError(`arguments: ${messageOf(e)}`);
  }
  const [input, weight, bias] = await Promise.all([readNpyFile(run.input, maxElements), readNpyFile(run.weight, maxElements), run.bias && readNpyFile(run.bias, maxElements)]);
  return { op: run.op, input, weight, ...(bias ? { bias } : {}), args };
}

async function readNpyFile(uri: vscode.Uri, maxElements: number): Promise<Tensor> {
  const name = vscode.workspace.asRelativePath(uri);
  try {
    return await readNpyUri(uri, maxElements);
  } catch (e) {
    throw new UserError(e instanceof NpyError ? `${name}: ${e.message}` : `${name}: cannot read the file (${messageOf(e)})`);
  }
}

/**
 * A local file is streamed, its header checked before its data is read, so a hostile one
 * (`/dev/zero`, a huge header, a lying shape) is refused unread; another file system only
 * reads whole files, so one larger than any acceptable `.npy` is refused by its size first.
 */
async function readNpyUri(uri: vscode.Uri, limit: number): Promise<Tensor> {
  if (uri.scheme === 'file') {
    // Opening a FIFO would wait for a writer, maybe forever.
    const kind = await fs.promises.stat(uri.fsPath);
    if (kind.isFIFO() || kind.isSocket()) throw new Error(`a ${kind.isFIFO() ? 'FIFO' : 'socket'}, not a file`);
    const handle = await fs.promises.open(uri.fsPath, 'r');
    try {
      const stat = await handle.stat();
      return await readNpy(handle, { maxElements: limit, ...(stat.isFile() ? { size: stat.size } : {}) });
    } finally {
      await handle.close();
    }
  }
  const { size } = await vscode.workspace.fs.stat(uri);
  if (size > npyMaxBytes(limit)) {
    throw new NpyError(`the file has ${size.toLocaleString('en-US')} bytes, more than a .npy file of at most ${limit.toLocaleString('en-US')} elements (maxElements) can have`);
  }
  return parseNpy(await vscode.workspace.fs.readFile(uri), { maxElements: limit });
}

async function saveResult(out: vscode.Uri | undefined, result: Tensor, op: OpName): Promise<void> {
  const target = out ?? (await offerSave(result, op));
  if (target !== undefined) await vscode.workspace.fs.writeFile(target, serializeNpy(result));
}

async function offerSave(result: Tensor, op: OpName): Promise<vscode.Uri | undefined> {
  const save = 'Save as .npy…';
  const choice = await vscode.window.showInformationMessage(
    `Conv Lab: ${op} → [${result.shape.join(', ')}] (printed in the Conv Lab log)`,
    save,
  );
  if (choice !== save) return undefined;
  return vscode.window.showSaveDialog({ title: `Save the ${op} result`, filters: { 'NumPy arrays': ['npy'] } });
}
