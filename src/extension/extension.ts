import * as vscode from 'vscode';
import { commands } from './commands';
import { Ctx, type ConvLabApi } from './ctx';

let ctx: Ctx | undefined;

/** Thin on purpose: everything lives in `Ctx`, which owns every disposable it creates. */
export function activate(context: vscode.ExtensionContext): ConvLabApi | undefined {
  try {
    ctx = new Ctx(context, commands);
    return ctx.api;
  } catch (e) {
    // VS Code only logs activation failures; tell the user.
    void vscode.window.showErrorMessage(`Conv Lab failed to start: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
