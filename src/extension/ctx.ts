import * as vscode from 'vscode';
import { commands } from './commands';
import { Log } from './log';

/** What `activate` returns: used by the integration tests, and by nothing else. */
export interface ConvLabApi {
  readonly activationMs: number;
}

/**
 * The extension's one context object: it owns every disposable it creates, so `dispose`
 * releases everything (worker threads included).
 */
export class Ctx implements vscode.Disposable, ConvLabApi {
  readonly log = new Log();
  readonly activationMs: number;
  private readonly disposables: vscode.Disposable[] = [this.log];

  constructor(readonly extension: vscode.ExtensionContext) {
    const started = performance.now();
    for (const [id, factory] of Object.entries(commands)) {
      this.disposables.push(vscode.commands.registerCommand(id, factory(this)));
    }
    extension.subscriptions.push(this);
    this.activationMs = performance.now() - started;
    this.log.info(`Conv Lab ${String(extension.extension.packageJSON['version'])} activated in ${this.activationMs.toFixed(1)} ms`);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
