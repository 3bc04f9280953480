import * as vscode from 'vscode';

/** The extension's one log, a `LogOutputChannel` so users get levels and timestamps for free. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Conv Lab', { log: true });

  info(message: string): void { this.channel.info(message); }
  warn(message: string): void { this.channel.warn(message); }
  error(message: string, error?: unknown): void {
    this.channel.error(error === undefined ? message : `${message}: ${describe(error)}`);
  }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}

/** A one-line description of anything thrown, without a stack trace. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
