// The checkerboard hint in the real VS Code: a transposed conv whose kernel_size is not a multiple
// of its stride gets a Hint-severity diagnostic whose code links to the panel's overlap map, its
// quick fixes apply, and `convLab.lint.checkerboard` turns it off and on again.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PanelRender } from '../../src/extension/panel/panel';
import { closePanel, convLab, convLabDiagnostics, waitFor, workspaceFile } from './helpers';

const SOURCE = [
  'import torch',
  'import torch.nn as nn',
  '',
  'up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)',
  'y = up(torch.randn(1, 8, 5, 5))',
  '',
].join('\n');
// By hand: 3 % 2 = 1.
const MESSAGE = 'kernel_size 3 is not a multiple of stride 2: uneven overlap gives checkerboard artifacts';

function hints(uri: vscode.Uri): vscode.Diagnostic[] {
  return convLabDiagnostics(uri, vscode.DiagnosticSeverity.Hint);
}

async function setCheckerboard(value: boolean | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('convLab').update('lint.checkerboard', value, vscode.ConfigurationTarget.Global);
}

describe('the checkerboard hint in the editor', function () {
  this.timeout(120_000);
  let document: vscode.TextDocument;

  before(async () => {
    const uri = workspaceFile('checkerboard.py');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(SOURCE));
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
  });

  after(async () => {
    await setCheckerboard(undefined);
    await closePanel();
  });

  it('shows a Hint on the layer, whose code links to the command that opens its overlap map', async () => {
    await waitFor('the checkerboard hint appears', () => hints(document.uri).length > 0, 20_000);
    const [hint] = hints(document.uri);
    assert.ok(hint);
    assert.equal(hint.message, MESSAGE);
    assert.equal(document.getText(hint.range), 'nn.ConvTranspose2d');
    assert.ok(typeof hint.code === 'object', `code ${String(hint.code)} is not a link`);
    assert.equal(hint.code.value, 'checkerboard');
    assert.deepEqual([hint.code.target.scheme, hint.code.target.path], ['command', 'convLab.visualizeLayerAt']);
  });

  it("the code's link opens the panel on the layer's overlap map", async () => {
    const [hint] = hints(document.uri);
    assert.ok(hint && typeof hint.code === 'object');
    const api = convLab().exports;
    assert.ok(api, 'Conv Lab returned no API from activate');
    let render: PanelRender | undefined;
    const drawn = (async () => {
      // The panel may draw its first view before it switches to the overlap map.
      for (let i = 0; i < 10 && render?.tab !== 'overlap'; i++) render = await api.panel.nextRender();
    })();
    // A command link's query is its JSON list of arguments (Uri.query is decoded).
    const args = JSON.parse(hint.code.target.query) as unknown[];
    await vscode.commands.executeCommand(hint.code.target.path, ...args);
    await Promise.race([drawn, new Promise((_, reject) => setTimeout(() => reject(new Error('the panel did not draw the overlap map in 30 s')), 30_000))]);
    assert.equal(render?.tab, 'overlap');
    assert.equal(render.alert, undefined, `the overlap map shows an error: ${render.alert ?? ''}`);
    assert.ok(api.panel.isOpen);
    // The layer ran on the input reaching it: (5 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 10.
    assert.equal(api.panel.view?.op, 'conv_transpose2d');
    assert.deepEqual(api.panel.view?.tensors.find((t) => t.role === 'output')?.shape, [1, 4, 10, 10]);
  });

  it('convLab.lint.checkerboard turns the hint off, and on again', async () => {
    await setCheckerboard(false);
    await waitFor('the hint goes away with the setting off', () => hints(document.uri).length === 0, 20_000);
    await setCheckerboard(true);
    await waitFor('the hint comes back with the setting on', () => hints(document.uri).length === 1, 20_000);
  });

  it('offers both fixes; kernel_size = 2·stride applies and the hint goes away', async () => {
    const [hint] = hints(document.uri);
    assert.ok(hint);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, hint.range, vscode.CodeActionKind.QuickFix.value);
    // scripts/golden/gen_checkerboard.py's 2d-keywords case, positional: k' = 4, p' = 1, op' = 0; Upsample ×2 + Conv k = 3, p = 1.
    const titles = actions.map((a) => a.title);
    const evenKernel = 'Set kernel_size=4, output_padding=0: kernel_size a multiple of stride, same output size';
    assert.deepEqual(titles.filter((t) => t.includes('same output size')), [evenKernel, 'Replace with Upsample(scale_factor=2) + Conv2d(kernel_size=3, padding=1): no checkerboard, same output size']);
    const action = actions.find((a) => a.title === evenKernel);
    assert.ok(action?.edit);
    assert.ok(await vscode.workspace.applyEdit(action.edit));
    assert.ok(document.getText().includes('up = nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1, output_padding=0)'), document.getText());
    await waitFor('the hint goes away after the fix', () => hints(document.uri).length === 0, 20_000);
    assert.deepEqual(vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'Conv Lab'), []);
  });
});
