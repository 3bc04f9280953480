// The extension-host half of the panel's reload check (test/runner/webview.mjs runs the other):
// loaded as `extensionTestsPath` in a launch of its own, it shows the seed's cell 89 in the panel
// and says so (file `shown`); once the runner has seen it (file `reload`) it reloads the window
// the way users do, which lets the workbench save the webview's state first. The runner then
// checks that the panel comes back with its content. After the reload this entry runs again and
// only waits to be stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { serializeNpy } from '../../../src/core/npy';
import { tensor } from '../../../src/core/tensor';
import type { RunOutcome } from '../../../src/extension/runNpy';
import { convLab, workspaceFile } from '../helpers';

const RESTORE_CHECK_ENV = 'CONV_LAB_RESTORE_CHECK_DIR';

export async function run(): Promise<void> {
  const dir = process.env[RESTORE_CHECK_ENV];
  if (dir === undefined) throw new Error(`${RESTORE_CHECK_ENV} is not set: this entry belongs to test/runner/webview.mjs`);
  const shown = path.join(dir, 'shown');
  if (!fs.existsSync(shown)) {
    try {
      const api = await convLab().activate();
      if (!api) throw new Error('Conv Lab returned no API from activate');
      // The seed's X = K = [[0, 1], [2, 3]] as 1×1×2×2 (cells 88-89).
      const x = workspaceFile('restore_X.npy');
      await vscode.workspace.fs.writeFile(x, serializeNpy(tensor([0, 1, 2, 3], [1, 1, 2, 2])));
      const outcome = await vscode.commands.executeCommand<RunOutcome | undefined>('convLab.runOnNpyFiles', { op: 'conv_transpose2d', input: x, weight: x, out: workspaceFile('restore_out.npy') });
      if (!outcome?.ok) throw new Error(`the run failed: ${outcome && !outcome.ok ? outcome.message : 'no outcome'}`);
      const drawn = api.panel.nextRender();
      await vscode.commands.executeCommand('convLab.openPanel');
      await drawn;
      fs.writeFileSync(shown, JSON.stringify({ ok: true }));
    } catch (e) {
      fs.writeFileSync(shown, JSON.stringify({ ok: false, message: e instanceof Error ? e.message : String(e) }));
      throw e;
    }
    while (!fs.existsSync(path.join(dir, 'reload'))) await new Promise((resolve) => setTimeout(resolve, 50));
    await vscode.commands.executeCommand('workbench.action.reloadWindow');
  }
  await new Promise<never>(() => undefined);
}
