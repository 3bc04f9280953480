// The input sizes a model accepts, in the real VS Code: the "Input sizes" CodeLens beside
// "Summary" on the small U-Net's model, the command it runs opening the panel's Input sizes view,
// its data and (with the runner's webview handshake, test/runner/webview.mjs) its DOM equal to
// PyTorch's sets in the golden test/fixtures/python/sizes/input_sizes.json, shot in light and dark.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SizeStatus, WireInputSizes } from '../../src/protocol/analysis';
import { closePanel, convLab, MODEL_VIEW_THEMES, panelDrawn, useTheme, waitFor, workspaceFile } from './helpers';

/** out/test/integration → the repository (the fixtures are not in the workspace copy). */
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'python');
const SOURCE = fs.readFileSync(path.join(FIXTURES, 'summary', 'unet_small.py'), 'utf8');
interface GoldenModel { file: string; model: string; input: number[]; axes: { fixed: number[]; accepted: number[]; restored: number[] }[] }
const GOLDEN = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'sizes', 'input_sizes.json'), 'utf8')) as { models: GoldenModel[] }).models.find((m) => m.file === 'summary/unet_small.py') as GoldenModel;
/** 0-based line of the fixture's `model = UNet()`. */
const INSTANCE_LINE = 40;
/** The view's sweep: sizes 1..128 (src/worker/inputSizes.ts's SIZES_MAX). */
const MAX = 128;

/** PyTorch's status of each size of 1..MAX on the golden's first axis (the U-Net's axes are alike). */
function goldenStatus(): SizeStatus[] {
  const axis = GOLDEN.axes[0];
  assert.ok(axis);
  return Array.from({ length: MAX }, (_, i) => (axis.restored.includes(i + 1) ? 'restored' : axis.accepted.includes(i + 1) ? 'accepted' : 'failing'));
}

async function sizesLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.filter((l) => l.command?.command === 'convLab.showInputSizes');
}

describe('the input sizes of a model in the editor', function () {
  this.timeout(180_000);

  after(async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await closePanel();
  });

  it('opens the Input sizes view from the CodeLens on the U-Net\'s model: sizes as PyTorch runs them, in data and in the webview, light and dark', async () => {
    const uri = workspaceFile('unet_small.py');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(SOURCE));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    // CodeLenses are asked for again as the analysis comes: polled until the model's is there.
    const deadline = Date.now() + 30_000;
    let lens = (await sizesLenses(uri)).find((l) => l.range.start.line === INSTANCE_LINE);
    while (!lens && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      lens = (await sizesLenses(uri)).find((l) => l.range.start.line === INSTANCE_LINE);
    }
    assert.ok(lens, 'no Input sizes CodeLens on `model = UNet()` within 30 s');
    const command = lens.command as vscode.Command;
    assert.equal(command.title, 'Input sizes');

    const api = convLab().exports;
    assert.ok(api, 'Conv Lab returned no API from activate');
    const drawn = panelDrawn('sizes', 30_000);
    const sizes = await vscode.commands.executeCommand<WireInputSizes | undefined>(command.command, ...(command.arguments ?? []));
    assert.ok(sizes, `${command.command} showed no input sizes`);
    const render = await drawn;
    assert.equal(api.panel.sizes, sizes);
    assert.equal(sizes.model, 'model');
    assert.deepEqual(sizes.input, GOLDEN.input);
    assert.equal(sizes.alike, true);
    // Two axes of 128 cells each in the data; the view draws one strip for both (alike).
    assert.equal(render.elements, 2 * MAX);
    for (const axis of sizes.axes) assert.deepEqual(axis.status, goldenStatus(), `axis ${axis.name}`);
    assert.equal(sizes.axes[0]?.accepted.words, 'multiples of 4 from 4');

    const checkDir = process.env['CONV_LAB_WEBVIEW_CHECK_DIR'];
    if (checkDir === undefined) return; // no runner that can reach the webview's DOM (e.g. test-electron)
    for (const theme of MODEL_VIEW_THEMES) {
      await useTheme(theme);
      const again = panelDrawn('sizes', 30_000);
      await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
      await again;
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('workbench.action.minimizeOtherEditors');
      // The tooltips of H = 1 (fails: the first pool halves 1 to 0), 4, and 6 (the skip and the decoder disagree).
      fs.writeFileSync(path.join(checkDir, `sizes-${theme.name}.ready`), JSON.stringify({ titles: [1, 4, 6] }));
      const file = path.join(checkDir, `sizes-${theme.name}.done`);
      await waitFor(`sizes-${theme.name}.done from the webview check`, () => fs.existsSync(file), 60_000);
      const answer = JSON.parse(fs.readFileSync(file, 'utf8')) as {
        ok: boolean; message: string;
        strips: { label: string; rules: string[]; description: string; status: string[]; sizes: number[]; given: number[]; titles: (string | null)[]; colours: string[] }[];
      };
      assert.ok(answer.ok, `the Input sizes view's DOM in the ${theme.name} theme: ${answer.message}`);
      assert.equal(answer.strips.length, 1);
      const [strip] = answer.strips;
      assert.ok(strip);
      assert.equal(strip.label, 'H, W');
      assert.deepEqual(strip.sizes, Array.from({ length: MAX }, (_, i) => i + 1));
      assert.deepEqual(strip.status, goldenStatus());
      assert.deepEqual(strip.given, [64]);
      assert.deepEqual(strip.rules, ['multiples of 4 from 4', 'multiples of 4 from 4']);
      // 32 multiples of 4 in 1..128 restored, the other 96 failing.
      assert.match(strip.description, /32 restored, 96 failing\.$/);
      assert.match(strip.titles[0] ?? '', /^H, W = 1: failing \(PyTorch raises\) — RuntimeError: .*Output size is too small/);
      assert.equal(strip.titles[1], "H, W = 4: restored (runs, and the output has the input's size)");
      assert.match(strip.titles[2] ?? "", /^H, W = 6: failing \(PyTorch raises\) — RuntimeError: Sizes of tensors must match/);
      // Two colours (restored, failing), neither transparent: the theme's chart colours reached the cells.
      assert.equal(strip.colours.length, 2);
      assert.ok(strip.colours.every((c) => c !== 'rgba(0, 0, 0, 0)'), strip.colours.join(', '));
      await vscode.commands.executeCommand('workbench.action.evenEditorWidths');
    }
  });
});
