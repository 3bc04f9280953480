// Replaying the seed's cells 89-97 by selecting them whole, in the real VS Code, in the .py file
// (a `# %%` cell) and in the notebook (all of a cell): layer calls, d2l.corr2d, and the notebook's
// own kernel2matrix and trans_conv run statically. Expected outputs are the seed's printed
// ones: the `# Out[N]:` comments of the .py file, and the outputs the notebook itself stores.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CopyOutcome, InsertOutcome } from '../../src/extension/selection/lastResult';
import type { ReplayResult } from '../../src/extension/selection/replay';
import { convLab, waitFor, workspaceFile } from './helpers';

/** The seed's cells in notebook order (the notebook has no markdown cells). */
const SEED_CELLS = [2, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97];
/** The seed's cells that end with an expression, which PyTorch printed (94 only defines a function). */
const REPLAYED = [88, 89, 90, 91, 92, 93, 95, 96, 97];

function succeeded(result: ReplayResult | undefined): readonly { where: string; source: string; printed?: string; error?: string }[] {
  assert.ok(result?.ok, `the replay failed: ${result && !result.ok ? result.message : 'no result'}`);
  return result.replayed;
}

async function replay(editor: vscode.TextEditor, range: vscode.Range, command = 'convLab.replaySelection'): Promise<ReplayResult | undefined> {
  editor.selection = new vscode.Selection(range.start, range.end);
  const before = editor.document.version;
  const result = await vscode.commands.executeCommand<ReplayResult | undefined>(command);
  assert.equal(editor.document.version, before, 'a replay changed the document');
  return result;
}

/** The tests both hosts run: `open(n)` shows cell n and gives its editor, its whole range and what PyTorch printed. */
function replayTests(open: (cell: number) => Promise<{ editor: vscode.TextEditor; range: vscode.Range; printed: string | undefined }>, describeCell: (cell: number) => RegExp): void {
  for (const cell of REPLAYED) {
    it(`cell ${cell}: selected whole, it prints what PyTorch printed`, async () => {
      const { editor, range, printed } = await open(cell);
      assert.ok(printed, `the seed has no output for cell ${cell}`);
      const replayed = succeeded(await replay(editor, range));
      assert.equal(replayed.length, 1);
      assert.equal(replayed[0]?.error, undefined);
      assert.equal(replayed[0]?.printed, printed);
      assert.match(replayed[0]?.where ?? '', describeCell(cell));
    });
  }

  it('cell 94 defines a function: nothing to show', async () => {
    const { editor, range } = await open(94);
    assert.deepEqual(succeeded(await replay(editor, range)), []);
  });

  it('Run Transposed Convolution on a whole cell replays it, and the panel shows its layer call', async () => {
    const { editor, range, printed } = await open(91);
    const replayed = succeeded(await replay(editor, range, 'convLab.runConvTransposeOnSelection'));
    assert.equal(replayed[0]?.printed, printed);
    const view = convLab().exports?.panel.view;
    assert.equal(view?.op, 'conv_transpose2d');
    assert.deepEqual(view?.args, { stride: 2 });
  });

  it('a selection that covers no whole cell is refused with where it is', async () => {
    const { editor, range } = await open(93);
    const result = await replay(editor, new vscode.Range(range.start, range.start.translate(1)));
    assert.ok(result && !result.ok);
    assert.match(result.message, /does not cover a whole cell/);
  });
}

describe('replaying whole cells by selection', () => {
  before(async () => {
    await convLab().activate();
  });

  describe('in the seed as a .py file', () => {
    let document: vscode.TextDocument;
    before(async () => {
      document = await vscode.workspace.openTextDocument(workspaceFile('transposed_conv.py'));
    });
    replayTests(async (cell) => {
      const editor = await vscode.window.showTextDocument(document);
      const text = document.getText();
      const start = text.indexOf(`# %% In [${cell}]`);
      assert.ok(start >= 0);
      const next = text.indexOf('# %%', start + 1);
      const end = next < 0 ? text.length : next;
      const body = text.slice(start, end);
      const outAt = body.indexOf('# Out[');
      // The comment lines after `# Out[N]:` are what PyTorch printed.
      const printed = outAt < 0 ? undefined : body.slice(outAt).split('\n').slice(1).filter((l) => l.startsWith('# ')).map((l) => l.slice(2)).join('\n');
      return { editor, range: new vscode.Range(document.positionAt(start), document.positionAt(end)), printed };
    }, () => /^line \d+, column 1$/);

    it("a cell's one statement, selected, stays the input of the run commands (no replay)", async () => {
      const untitled = await vscode.workspace.openTextDocument({ language: 'python', content: '# %%\ntorch.tensor([[1., 2.], [3., 4.]])\n' });
      const editor = await vscode.window.showTextDocument(untitled);
      await waitFor('the untitled editor is active', () => vscode.window.activeTextEditor?.document === untitled);
      try {
        editor.selection = new vscode.Selection(1, 0, 1, untitled.lineAt(1).text.length);
        const outcome = await vscode.commands.executeCommand<{ ok: boolean; op?: string; printed?: string }>('convLab.runConvTransposeOnSelection', { kernel: 'torch.ones(2, 2)' });
        assert.equal(outcome.op, 'trans_conv');
        // By hand: each X[i, j] added into the 2×2 block at (i, j): [[1, 1+2, 2], [1+3, 1+2+3+4, 2+4], [3, 3+4, 4]].
        assert.equal(outcome.printed, 'tensor([[ 1.,  3.,  2.],\n        [ 4., 10.,  6.],\n        [ 3.,  7.,  4.]])');
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    });

    it('a statement Conv Lab cannot evaluate is named with the reason and its position; the next still prints', async () => {
      const untitled = await vscode.workspace.openTextDocument({ language: 'python', content: '# %%\nX = torch.load("w.pt")\nX\ntorch.ones(2)\n' });
      const editor = await vscode.window.showTextDocument(untitled);
      await waitFor('the untitled editor is active', () => vscode.window.activeTextEditor?.document === untitled);
      try {
        const steps = succeeded(await replay(editor, new vscode.Range(0, 0, 4, 0)));
        assert.deepEqual(steps.map((s) => [s.where, s.printed ?? s.error]), [
          ['line 3, column 1', "cannot evaluate 'torch.load(...)' statically (line 2, column 5)"],
          ['line 4, column 1', 'tensor([1., 1.])'],
        ]);
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    });

    it('convLab.displayPrecision and convLab.defaultDtype print and insert as torch.set_printoptions(precision=6) and set_default_dtype(float64) do', async () => {
      const source = [
        '# %%',
        'X = torch.tensor([[1., 2.], [3., 4.]]).reshape(1, 1, 2, 2) / 3',
        'conv = nn.Conv2d(1, 1, kernel_size=1, bias=False)',
        'conv.weight.data = torch.ones(1, 1, 1, 1)',
        'conv(X)',
        'X.dtype',
        '',
      ].join('\n');
      const untitled = await vscode.workspace.openTextDocument({ language: 'python', content: source });
      const editor = await vscode.window.showTextDocument(untitled);
      await waitFor('the untitled editor is active', () => vscode.window.activeTextEditor?.document === untitled);
      const config = vscode.workspace.getConfiguration('convLab');
      await config.update('displayPrecision', 6, vscode.ConfigurationTarget.Global);
      await config.update('defaultDtype', 'float64', vscode.ConfigurationTarget.Global);
      try {
        const steps = succeeded(await replay(editor, new vscode.Range(0, 0, 6, 0)));
        // PyTorch 1.13, after torch.set_printoptions(precision=6) and torch.set_default_dtype(torch.float64):
        const values = 'tensor([[[[0.333333, 0.666667],\n          [1.000000, 1.333333]]]]';
        assert.deepEqual(steps.map((s) => s.printed ?? s.error), [`${values}, grad_fn=<ConvolutionBackward0>)`, 'torch.float64']);
        // The layer call is the result Insert and Copy use, printed with the same options.
        const copied = await vscode.commands.executeCommand<CopyOutcome>('convLab.copyResultAsPyTorch');
        assert.deepEqual(copied, { ok: true, text: `${values})` });
        // The panel shows the same call, and its Copy as PyTorch prints with the same options.
        const api = convLab().exports;
        await waitFor('the panel shows the layer call', () => api?.panel.view?.op === 'conv2d' && api.panel.view.tensors.some((t) => t.role === 'output' && t.shape.join() === '1,1,2,2'));
        const hooks = api?.testHooks;
        assert.ok(hooks, 'the test hooks (CONV_LAB_TEST_MODE=1)');
        await vscode.env.clipboard.writeText('');
        await hooks.panelMessage({ type: 'copy', role: 'output', format: 'pytorch' });
        assert.equal(await vscode.env.clipboard.readText(), `${values})`);
        editor.selection = new vscode.Selection(4, 0, 4, 0);
        const inserted = await vscode.commands.executeCommand<InsertOutcome>('convLab.insertResultAsLiteral');
        assert.ok(inserted.ok, inserted.ok ? '' : inserted.message);
        const indent = ' '.repeat('result = torch.'.length);
        assert.equal(inserted.text, `result = torch.tensor([[[[0.333333, 0.666667],\n${indent}          [1.000000, 1.333333]]]])`);
      } finally {
        await config.update('displayPrecision', undefined, vscode.ConfigurationTarget.Global);
        await config.update('defaultDtype', undefined, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    });
  });

  describe('in the seed as a notebook', () => {
    let notebook: vscode.NotebookDocument;
    before(async () => {
      notebook = await vscode.workspace.openNotebookDocument(workspaceFile('transposed_conv.ipynb'));
    });
    replayTests(async (cell) => {
      const index = SEED_CELLS.indexOf(cell);
      const range = new vscode.NotebookRange(index, index + 1);
      const notebookEditor = await vscode.window.showNotebookDocument(notebook, { selections: [range] });
      // A cell's editor exists only while the cell is rendered: scroll it into view first.
      notebookEditor.revealRange(range, vscode.NotebookEditorRevealType.AtTop);
      const notebookCell = notebook.cellAt(index);
      const document = notebookCell.document;
      const editor = await vscode.window.showTextDocument(document);
      await waitFor('the cell editor is active', () => vscode.window.activeTextEditor?.document === document);
      const item = notebookCell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'text/plain');
      const printed = item ? new TextDecoder().decode(item.data) : undefined;
      return { editor, range: new vscode.Range(new vscode.Position(0, 0), document.positionAt(document.getText().length)), printed };
    }, (cell) => new RegExp(`^cell ${SEED_CELLS.indexOf(cell) + 1}, line \\d+, column 1$`));
  });
});
