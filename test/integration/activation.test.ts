import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { convLab, report, waitFor, workspaceFile } from './helpers';

// An extension activates once per extension host, so only the first document opened can show
// which activation event works. The runner starts one host per trigger and names it here
// (@vscode/test-electron's runner does the same); the other kind is then checked to open with
// Conv Lab active.
type Trigger = 'python' | 'notebook';
const firstTrigger: Trigger = process.env['CONV_LAB_FIRST_TRIGGER'] === 'notebook' ? 'notebook' : 'python';

/** Time from opening the first document to Conv Lab being active, as the test sees it. */
let openToActiveMs: number | undefined;

/** Opens the trigger's document; if it is the first, checks that it is what activates Conv Lab. */
async function openAndExpectActive(trigger: Trigger, open: () => Thenable<unknown>): Promise<void> {
  const extension = convLab();
  if (trigger === firstTrigger) assert.equal(extension.isActive, false, 'Conv Lab was active before any Python file or notebook was opened');
  const opened = performance.now();
  await open();
  await waitFor('Conv Lab is active', () => extension.isActive);
  if (trigger === firstTrigger) openToActiveMs = performance.now() - opened;
}

const opens: Record<Trigger, { title: string; run: () => Promise<void> }> = {
  python: {
    title: 'a .py file',
    run: () => openAndExpectActive('python', async () => {
      const document = await vscode.workspace.openTextDocument(workspaceFile('transposed_conv.py'));
      await vscode.window.showTextDocument(document);
      assert.equal(document.languageId, 'python');
    }),
  },
  notebook: {
    title: 'a .ipynb notebook',
    run: () => openAndExpectActive('notebook', async () => {
      const notebook = await vscode.workspace.openNotebookDocument(workspaceFile('transposed_conv.ipynb'));
      await vscode.window.showNotebookDocument(notebook);
      assert.equal(notebook.notebookType, 'jupyter-notebook');
      const source = JSON.parse(fs.readFileSync(workspaceFile('transposed_conv.ipynb').fsPath, 'utf8')) as { cells: unknown[] };
      assert.equal(notebook.cellCount, source.cells.length, 'the notebook opened with a different number of cells than the file has');
    }),
  },
};

describe('activation', () => {
  const order: Trigger[] = firstTrigger === 'python' ? ['python', 'notebook'] : ['notebook', 'python'];
  for (const trigger of order) {
    const verb = trigger === firstTrigger ? 'activates when' : 'is active after';
    it(`${verb} ${opens[trigger].title} is opened`, opens[trigger].run);
  }

  it('reports its activation time', () => {
    const api = convLab().exports;
    assert.ok(api, 'activate() returned nothing: activation failed');
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0, `activationMs is ${String(api.activationMs)}`);
    const observed = openToActiveMs === undefined ? '' : `, ${openToActiveMs.toFixed(0)} ms from opening the ${firstTrigger === 'python' ? '.py file' : 'notebook'} to active`;
    report(`      Conv Lab activation: activate() took ${api.activationMs.toFixed(1)} ms${observed} (VS Code ${vscode.version})`);
  });

  it('is the build under test', () => {
    // The runner names the folder the extension must be loaded from: the repo in development,
    // the extensions dir when the packaged .vsix was installed.
    const expectedRoot = process.env['CONV_LAB_EXPECTED_EXTENSION_ROOT'];
    assert.ok(expectedRoot, 'the runner did not set CONV_LAB_EXPECTED_EXTENSION_ROOT');
    const loadedFrom = fs.realpathSync(convLab().extensionUri.fsPath);
    const expected = fs.realpathSync(expectedRoot);
    assert.ok(loadedFrom === expected || loadedFrom.startsWith(`${expected}/`), `Conv Lab was loaded from ${loadedFrom}, expected it under ${expected}`);
  });
});
