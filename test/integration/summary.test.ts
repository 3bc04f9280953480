// The model summary in the real VS Code: the "Summary" CodeLens on an nn.Module class and on a
// model instantiation, the Summary view it opens (rows as PyTorch counts them, from the golden
// test/fixtures/python/summary/summary.json), a row's click revealing its call, Copy as Markdown
// and Export CSV, and `convLab.codeLens.summary` hiding the CodeLens. With the runner's webview
// handshake (test/runner/webview.mjs) the view's DOM is checked and shot in light and dark.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WireSummary } from '../../src/protocol/analysis';
import { closePanel, convLab, MODEL_VIEW_THEMES, panelDrawn, useTheme, waitFor, workspaceFile } from './helpers';

/** out/test/integration → the repository (the fixtures are not in the workspace copy). */
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'python', 'summary');
const SOURCE = fs.readFileSync(path.join(FIXTURES, 'dcgan_generator.py'), 'utf8');
interface GoldenModel { file: string; model: string; rows: { name: string; type: string; params: number; macs: number }[]; totals: { params: number; macs: number } }
const GOLDEN = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'summary.json'), 'utf8')) as { models: GoldenModel[] }).models.find((m) => m.file === 'dcgan_generator.py') as GoldenModel;
/** 0-based lines of the fixture: `class Generator(nn.Module):`, `model = Generator()`, `y = model(x)`. */
const CLASS_LINE = 7;
const INSTANCE_LINE = 22;
const CALL_LINE = 24;

async function summaryLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.filter((l) => l.command?.command === 'convLab.showSummary');
}

/** The Summary CodeLenses once there are `count` of them (CodeLenses are asked for again as the analysis and settings change), or as they are after 30 s. */
async function summaryLensesOnce(uri: vscode.Uri, count: number): Promise<vscode.CodeLens[]> {
  const deadline = Date.now() + 30_000;
  let lenses = await summaryLenses(uri);
  while (lenses.length !== count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    lenses = await summaryLenses(uri);
  }
  return lenses;
}

async function setCodeLens(value: boolean | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('convLab').update('codeLens.summary', value, vscode.ConfigurationTarget.Global);
}

/** A row's name as the summary prints it: `(model) (Generator)`, `main.0 (ConvTranspose2d)`. */
function rowLabel(row: GoldenModel['rows'][number]): string {
  return `${row.name === '' ? '(model)' : row.name} (${row.type})`;
}

/** The line of the cursor in the fixture's editor (the panel's webview may hold the focus: no active editor then). */
function cursorLine(document: vscode.TextDocument): number | undefined {
  return vscode.window.visibleTextEditors.find((e) => e.document === document)?.selection.active.line;
}

async function waitForFile(file: string, ms: number): Promise<string> {
  await waitFor(`${path.basename(file)} from the webview check`, () => fs.existsSync(file), ms);
  return fs.readFileSync(file, 'utf8');
}

describe('the model summary in the editor', function () {
  this.timeout(180_000);
  let document: vscode.TextDocument;
  let lenses: vscode.CodeLens[] = [];

  before(async () => {
    const uri = workspaceFile('dcgan_generator.py');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(SOURCE));
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
  });

  after(async () => {
    await setCodeLens(undefined);
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await closePanel();
  });

  it('shows a Summary CodeLens above the nn.Module class and above the model instantiation', async () => {
    lenses = await summaryLensesOnce(document.uri, 2);
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.title]), [[CLASS_LINE, 'Summary'], [INSTANCE_LINE, 'Summary']]);
  });

  it('opens the Summary view with the rows PyTorch counts, from the class and from the instantiation', async () => {
    const api = convLab().exports;
    assert.ok(api, 'Conv Lab returned no API from activate');
    for (const lens of lenses) {
      const command = lens.command as vscode.Command;
      const drawn = panelDrawn('summary');
      const summary = await vscode.commands.executeCommand<WireSummary | undefined>(command.command, ...(command.arguments ?? []));
      assert.ok(summary, `${command.command} showed no summary`);
      await drawn;
      assert.equal(api.panel.summary, summary);
      assert.deepEqual(summary.rows.map((r) => r.cells[0]), GOLDEN.rows.map(rowLabel));
      assert.deepEqual(summary.rows.map((r) => [r.parameters, r.macs]), GOLDEN.rows.map((r) => [r.params, r.macs]));
      assert.equal(summary.totals.find((t) => t.label === 'Total params')?.value, GOLDEN.totals.params.toLocaleString('en-US'));
    }
  });

  it('reveals a row\'s call, copies the Markdown table and exports the CSV', async () => {
    const hooks = convLab().exports?.testHooks;
    assert.ok(hooks, 'Conv Lab is not in test mode: the runner sets CONV_LAB_TEST_MODE=1');
    await vscode.env.clipboard.writeText('');
    // As the webview posts them when the model's row is clicked and Copy as Markdown is pressed.
    await hooks.panelMessage({ type: 'revealSummaryRow', row: 0 });
    await waitFor('the editor shows the model\'s call', () => cursorLine(document) === CALL_LINE);
    await hooks.panelMessage({ type: 'summaryExport', action: 'copyMarkdown' });
    const markdown = await vscode.env.clipboard.readText();
    assert.match(markdown, /^### Generator — input `\(2, 100, 1, 1\)`$/m);
    assert.match(markdown, new RegExp(`^\\| &nbsp;&nbsp;&nbsp;&nbsp;main\\.0 \\(ConvTranspose2d\\) \\| \\(2, 100, 1, 1\\) \\| \\(2, 512, 4, 4\\) \\| 4×4 \\| 1 \\| ${GOLDEN.rows[2]?.params.toLocaleString('en-US')} \\|`, 'm'));
    assert.match(markdown, new RegExp(`^- Total mult-adds \\(MACs\\): ${GOLDEN.totals.macs.toLocaleString('en-US')}$`, 'm'));
    const csv = workspaceFile('generator-summary.csv');
    hooks.saveSummaryCsvTo(csv);
    await vscode.commands.executeCommand('convLab.exportSummaryAsCsv');
    const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(csv)).trim().split('\n');
    assert.equal(lines.length, GOLDEN.rows.length + 1);
    assert.match(lines[3] as string, new RegExp(`^Generator,2,main\\.0,ConvTranspose2d,module,2x100x1x1,2x512x4x4,4x4,1,${GOLDEN.rows[2]?.params},${GOLDEN.rows[2]?.macs},`));
  });

  it('shows the rows in the panel\'s webview, in light and dark, where a click reveals the call and Copy as Markdown copies', async () => {
    const checkDir = process.env['CONV_LAB_WEBVIEW_CHECK_DIR'];
    if (checkDir === undefined) return; // no runner that can reach the webview's DOM (e.g. test-electron)
    const command = lenses[1]?.command as vscode.Command;
    for (const theme of MODEL_VIEW_THEMES) {
      await useTheme(theme);
      // The click must move the cursor: it starts at the top.
      const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      await vscode.env.clipboard.writeText('');
      const drawn = panelDrawn('summary');
      await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
      await drawn;
      // The panel's group as wide as the window (the editor's kept, narrow, for the click to reveal into), as users read a wide table.
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('workbench.action.minimizeOtherEditors');
      // Depth 1 leaves the model and its Sequential.
      fs.writeFileSync(path.join(checkDir, `summary-${theme.name}.ready`), JSON.stringify({ click: '(model) (Generator)', depth: 1 }));
      const answer = JSON.parse(await waitForFile(path.join(checkDir, `summary-${theme.name}.done`), 60_000)) as { ok: boolean; message: string; names: string[]; macs: string[]; namesAtDepth: string[]; sizes: string[] };
      assert.ok(answer.ok, `the Summary view's DOM in the ${theme.name} theme: ${answer.message}`);
      assert.deepEqual(answer.names, GOLDEN.rows.map(rowLabel));
      assert.deepEqual(answer.macs, GOLDEN.rows.map((r) => r.macs.toLocaleString('en-US')));
      assert.deepEqual(answer.namesAtDepth, ['(model) (Generator)', 'main (Sequential)']);
      // PyTorch 1.13 runs the generator on (2, 100, h, 1) for every h of 1..128, each output larger than its input (and so for W).
      assert.deepEqual(answer.sizes, ['H, W: runs for every size; output size = input size for none']);
      await waitFor('the click revealed the model\'s call', () => cursorLine(document) === CALL_LINE);
      assert.match(await vscode.env.clipboard.readText(), /^### Generator — input/);
      await vscode.commands.executeCommand('workbench.action.evenEditorWidths');
    }
  });

  it('hides the CodeLens when convLab.codeLens.summary is off, and shows it again when on', async () => {
    await setCodeLens(false);
    assert.equal((await summaryLensesOnce(document.uri, 0)).length, 0);
    await setCodeLens(true);
    assert.equal((await summaryLensesOnce(document.uri, 2)).length, 2);
  });
});
