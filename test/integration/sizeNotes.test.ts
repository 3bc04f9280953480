// The input-size solver on a failing line, in the real VS Code: the small U-Net (test/fixtures)
// fed 102×150, whose torch.cat PyTorch refuses, gets the accepted and nearest sizes on its
// diagnostic; the quick fix pads the input to the nearest accepted size and the error goes away;
// the hover on the model's name gives the sizes it accepts. Shot in light and dark for the README.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { convLabDiagnostics, MODEL_VIEW_THEMES, screenshot, useTheme, waitFor, workspaceFile } from './helpers';

/** out/test/integration → the repository (the fixtures are not in the workspace copy). */
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'python');
const UNET = fs.readFileSync(path.join(FIXTURES, 'summary', 'unet_small.py'), 'utf8');
// PyTorch 1.13 on model(torch.zeros(1, 3, 102, 150)): RuntimeError with this message; 104×152 runs
// (test/unit/worker/sizeNotes.test.ts has the same figures, each checked with torch).
const ODD = UNET.replace('x = torch.randn(1, 3, 64, 64)', 'x = torch.randn(1, 3, 102, 150)');
const PYTORCH_MESSAGE = 'Sizes of tensors must match except in dimension 1. Expected size 50 but got size 51 for tensor number 1 in the list.';
// The golden's accepted sets (input_sizes.json): multiples of 4 from 4 on each axis; 102 lies between 100 and 104, 150 between 148 and 152.
const NOTE = 'model fails for this 102×150 input; accepted sizes (each axis with the others at 8): multiples of 4 from 4; nearest: H 100 or 104, W 148 or 152 (sizes 1..256 checked)';
const PAD_TITLE = 'Pad the input to 104×152, the nearest size model accepts: torch.nn.functional.pad(x, (0, 2, 0, 2))';

function errors(uri: vscode.Uri): vscode.Diagnostic[] {
  return convLabDiagnostics(uri, vscode.DiagnosticSeverity.Error);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('the input sizes of a failing model call in the editor', function () {
  this.timeout(120_000);
  let document: vscode.TextDocument;

  before(async () => {
    const uri = workspaceFile('unet_odd.py');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(ODD));
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  it("adds the accepted and nearest sizes to PyTorch's message at the torch.cat", async () => {
    await waitFor('the note on the size error', () => errors(document.uri).some((d) => d.message.includes('\n')), 30_000);
    const [error] = errors(document.uri);
    assert.ok(error);
    assert.equal(error.message, `${PYTORCH_MESSAGE}\n${NOTE}`);
    assert.equal(document.getText(error.range), 'torch.cat([self.up1(x3), x2], dim=1)');
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    for (const theme of MODEL_VIEW_THEMES) {
      await useTheme(theme);
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      await vscode.commands.executeCommand('editor.action.marker.next');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await screenshot(`editor-size-note-${theme.name}`);
      await vscode.commands.executeCommand('closeMarkersNavigation');
    }
  });

  it("hovers the model's name with the sizes it accepts", async () => {
    const at = document.positionAt(ODD.indexOf('model = UNet()') + 2);
    // The first hover may find the sweep under way (it then says so): asked again until done.
    let hover = '';
    for (let attempt = 0; attempt < 20 && !hover.includes('runs for'); attempt++) {
      hover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, at));
    }
    // The sweep of the file's input on 1..128 per axis (the Input sizes view's): as the golden, multiples of 4 from 4.
    assert.match(hover, /\*\*Input sizes\*\* of `model` around the input that reaches it in this file, \(1, 3, 102, 150\); sizes 1\.\.128 checked per axis:/);
    assert.match(hover, /- H, W: runs for multiples of 4 from 4/);
  });

  it("notes the error a script's call raises in the model's file, which is not open", async () => {
    const unet = workspaceFile('sizes_project/unet.py');
    const train = workspaceFile('sizes_project/train.py');
    await vscode.workspace.fs.writeFile(unet, new TextEncoder().encode(UNET.slice(0, UNET.indexOf('model = UNet()'))));
    await vscode.workspace.fs.writeFile(train, new TextEncoder().encode('import torch\nfrom unet import UNet\n\nmodel = UNet()\nx = torch.randn(1, 3, 102, 150)\ny = model(x)\n'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(train), vscode.ViewColumn.One);
    await waitFor('the note on the error in unet.py', () => errors(unet).some((d) => d.message.includes('\n')), 30_000);
    const [error] = errors(unet);
    assert.equal(error?.message, `${PYTORCH_MESSAGE}\n${NOTE}`);
    assert.equal(error?.range.start.line, 35);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
  });

  it('pads the input to the nearest accepted size with the quick fix, and the error goes away', async () => {
    const [error] = errors(document.uri);
    assert.ok(error);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, error.range, vscode.CodeActionKind.QuickFix.value);
    const pad = actions.find((a) => a.title === PAD_TITLE);
    assert.ok(pad?.edit, `no "${PAD_TITLE}" among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(pad.edit));
    assert.ok(document.getText().includes('y = model(torch.nn.functional.pad(x, (0, 2, 0, 2)))'));
    await waitFor('no error after the padding', () => errors(document.uri).length === 0, 20_000);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
