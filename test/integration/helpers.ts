// Shared by the integration tests (each test file is bundled on its own, so this is inlined).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { ConvLabApi } from '../../src/extension/ctx';
import type { PanelRender } from '../../src/extension/panel/panel';
import type { ViewName } from '../../src/protocol/panel';

export const EXTENSION_ID = 'conv-lab.conv-lab';

/** The Conv Lab extension as VS Code loaded it; fails the test if VS Code does not know it. */
export function convLab(): vscode.Extension<ConvLabApi | undefined> {
  const extension = vscode.extensions.getExtension<ConvLabApi | undefined>(EXTENSION_ID);
  if (!extension) throw new Error(`VS Code has not loaded ${EXTENSION_ID}`);
  return extension;
}

/** A file of the opened workspace (a temp copy of examples/). */
export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need a workspace folder open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Conv Lab's diagnostics of one severity in a document (its errors, or its hints such as the checkerboard lint). */
export function convLabDiagnostics(uri: vscode.Uri, severity: vscode.DiagnosticSeverity): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Conv Lab' && d.severity === severity);
}

/** Polls `condition` every 25 ms; rejects naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Prints a line among mocha's reporter output, which the runner shows (`console.log` in the
 * extension host goes to VS Code's log only).
 */
export function report(line: string): void {
  Mocha.reporters.Base.consoleLog(line);
}

/** The workbench tabs of the Conv Lab panel (webview view types carry a prefix). */
export function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('convLab.panel'));
}

/** Closes the Conv Lab panel's tabs, if any. */
export async function closePanel(): Promise<void> {
  await vscode.window.tabGroups.close(panelTabs());
}

/**
 * Asks the runner (test/runner/webview.mjs) for a screenshot of the workbench as it is now, for
 * the README; without the runner's handshake folder (e.g. under @vscode/test-electron) it does nothing.
 */
export async function screenshot(name: string): Promise<void> {
  const dir = process.env['CONV_LAB_WEBVIEW_CHECK_DIR'];
  if (!dir) return;
  fs.writeFileSync(path.join(dir, `${name}.shot`), '');
  await waitFor(`the runner's screenshot ${name}`, () => fs.existsSync(path.join(dir, `${name}.shot-done`)), 20_000).catch((e: unknown) => report(`      (no screenshot: ${e instanceof Error ? e.message : String(e)})`));
}

/** The themes the model views are checked and shot in. */
export const MODEL_VIEW_THEMES = [
  { name: 'light', setting: 'Default Light Modern', kind: vscode.ColorThemeKind.Light },
  { name: 'dark', setting: 'Default Dark Modern', kind: vscode.ColorThemeKind.Dark },
] as const;

/** Switches the workbench to `theme` (a no-op when it is shown already). */
export async function useTheme(theme: (typeof MODEL_VIEW_THEMES)[number]): Promise<void> {
  if (vscode.window.activeColorTheme.kind === theme.kind) return;
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme.setting, vscode.ConfigurationTarget.Global);
  await waitFor(`the ${theme.name} theme`, () => vscode.window.activeColorTheme.kind === theme.kind);
}

/** The panel's next draw of view `tab` (a panel opened by earlier tests draws its op first when it loads again), or a rejection after `ms`. */
export async function panelDrawn(tab: ViewName, ms = 20_000): Promise<PanelRender> {
  const api = convLab().exports;
  if (!api) throw new Error('Conv Lab returned no API from activate');
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    const render = await Promise.race([
      api.panel.nextRender(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the panel did not draw the ${tab} view within ${ms} ms`)), Math.max(0, left))),
    ]);
    if (render.tab === tab) return render;
  }
}
