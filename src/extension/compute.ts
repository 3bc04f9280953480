// Running one planned op in the worker pool under a cancellable progress notification: Cancel
// aborts the worker; a cancelled run resolves to undefined.
import * as vscode from 'vscode';
import { isTorchError } from '../core/errors';
import { formatOpArgs } from '../core/opArgsText';
import type { OpPlan } from '../core/plan';
import type { Tensor } from '../core/tensor';
import type { OpRequest } from '../core/vocabulary';
import type { Ctx } from './ctx';

/** Computes `plan` (made by `ctx.pool().plan`, which checks the size limit and PyTorch's rules first). */
export async function computeCancellable(ctx: Ctx, plan: OpPlan): Promise<Tensor | undefined> {
  const op = plan.request.op;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Conv Lab: running ${op}…`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        return await ctx.pool().run(plan, { signal: abort.signal });
      } catch (e) {
        if (abort.signal.aborted) {
          ctx.log.info(`${op} cancelled`);
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
