// "Show Kernel as Matrix": the selection (input and kernel as the run commands read them) run as a
// convolution, whose kernel the panel draws as the sparse matrix W with W·vec(X) = vec(Y) (the
// transposed convolution is Wᵀ). The panel opens on its "Kernel as a matrix" view.
import type { Ctx } from '../ctx';
import { runOnSelection, type RunSelectionArgs } from './runSelection';
import type * as vscode from 'vscode';

export async function showKernelMatrix(ctx: Ctx, args?: RunSelectionArgs | vscode.Uri): ReturnType<typeof runOnSelection> {
  const outcome = await runOnSelection(ctx, 'conv', args);
  if (outcome?.ok) {
    ctx.panel.open();
    ctx.panel.selectView('matrix');
  }
  return outcome;
}
