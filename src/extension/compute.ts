// Running one op in the worker pool under a cancellable progress notification: Cancel aborts
// the worker; a cancelled run resolves to undefined.
import * as vscode from 'vscode';
import { isTorchError } from '../core/errors';
import { formatOpArgs } from '../core/opArgsText';
import type { OpRequest } from '../core/vocabulary';
import type { Tensor } from '../core/tensor';
import type { Ctx } from './ctx';

export async function computeCancellable(ctx: Ctx, request: OpRequest): Promise<Tensor | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Conv Lab: running ${request.op}…`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        return await ctx.pool().run(request, { signal: abort.signal });
      } catch (e) {
        if (abort.signal.aborted) {
          ctx.log.info(`${request.op} cancelled`);
          return undefined;
        }
        throw e;
      } finally {
        subscription.dispose();
      }
    },
  );
}

/** `conv2d(input [1, 1, 4, 4], weight [1, 1, 2, 2], stride=2)`, for the log. */
export function describeRun(request: OpRequest): string {
  const parts = [`input [${request.input.shape.join(', ')}]`, `weight [${request.weight.shape.join(', ')}]`];
  if (request.bias) parts.push(`bias [${request.bias.shape.join(', ')}]`);
  const args = formatOpArgs(request.args ?? {});
  if (args !== '') parts.push(args);
  return `${request.op}(${parts.join(', ')})`;
}

/** One line for the user: PyTorch's `Kind: message` for PyTorch errors, the message otherwise. */
export function messageOf(e: unknown): string {
  if (isTorchError(e)) return e.toPythonString();
  return e instanceof Error ? e.message : String(e);
}
