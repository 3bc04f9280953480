// The commands on selected tensors, in the real VS Code, in the seed as a .py file and as a
// notebook: selections set on the editor (multi-cursor: input first, kernel second), the
// arguments prompt accepted as pre-filled from the nearest layer, Insert / Copy Result, and bad
// selections that leave the document as it was. Expected outputs are the seed's printed ones
// (shared/seed, cells 89, 90 and 93).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CopyOutcome, InsertOutcome } from '../../src/extension/selection/lastResult';
import type { RunSelectionArgs, SelectionOutcome } from '../../src/extension/selection/runSelection';
import { closePanel, convLab, report, waitFor, workspaceFile } from './helpers';

const CELL_89 = ['tensor([[[[ 0.,  0.,  1.],', '          [ 0.,  4.,  6.],', '          [ 4., 12.,  9.]]]])'].join('\n');
const CELL_90 = 'tensor([[[[4.]]]])';
const CELL_93 = ['tensor([[27., 37.],', '        [57., 67.]])'].join('\n');

/**
 * Selections that are no tensor, one source line each (plus a kernel line): where the problem is
 * (`line L, column C` of the source), and the message after it, a regular expression. The
 * evaluator's messages; the ragged one is torch.tensor's own ValueError.
 */
const BAD_SELECTIONS = [
  { title: 'ragged', source: 'X = torch.tensor([[1., 2.], [3.]])', at: '1, column 29', message: 'ValueError: expected sequence of length 2 at dim 1 \\(got 1\\)$' },
  { title: 'too large', source: 'X = torch.zeros(100000, 100000)', at: '1, column 5', message: 'a tensor of shape \\[100000, 100000\\] has 10,000,000,000 elements, more than the limit of ' },
  // The file's own function runs until what it cannot follow: torch.load inside it.
  { title: 'an unevaluable call', source: 'def load_weights(path):\n    return torch.load(path)\nX = load_weights("w.pt")', at: '2, column 12', message: "cannot evaluate 'torch\\.load\\(\\.\\.\\.\\)' statically$" },
  { title: 'not a tensor', source: 'X = "abc"', at: '1, column 5', message: `'"abc"' is a str, not a tensor$` },
];

type RunCommand = 'convLab.runConvOnSelection' | 'convLab.runConvTransposeOnSelection' | 'convLab.corr2dOnSelection';

/** The range of the `occurrence`-th `needle` after `after` (0-based), in `document`. */
function rangeOf(document: vscode.TextDocument, needle: string, options: { after?: string; occurrence?: number; within?: string } = {}): vscode.Range {
  const text = document.getText();
  let at = options.after === undefined ? 0 : text.indexOf(options.after);
  assert.ok(at >= 0, `'${options.after ?? ''}' is not in ${document.uri.toString()}`);
  if (options.within !== undefined) {
    const line = text.indexOf(options.within, at);
    assert.ok(line >= 0, `'${options.within}' is not in ${document.uri.toString()}`);
    at = line;
  }
  for (let i = 0; i <= (options.occurrence ?? 0); i++) {
    at = text.indexOf(needle, i === 0 ? at : at + 1);
    assert.ok(at >= 0, `'${needle}' is not in ${document.uri.toString()}`);
  }
  return new vscode.Range(document.positionAt(at), document.positionAt(at + needle.length));
}

/** `attempt`'s result, retried every 100 ms for up to 5 s while it throws. */
async function retried<T>(what: string, attempt: () => Thenable<T>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what} kept failing: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function select(editor: vscode.TextEditor, ...ranges: vscode.Range[]): void {
  editor.selections = ranges.map((r) => new vscode.Selection(r.start, r.end));
}

function run(command: RunCommand, args?: RunSelectionArgs): Thenable<SelectionOutcome | undefined> {
  return vscode.commands.executeCommand<SelectionOutcome | undefined>(command, args);
}

/** Runs `command` as a user does, accepting the arguments prompt with what it is pre-filled with. */
async function runAcceptingPrompt(command: RunCommand): Promise<SelectionOutcome | undefined> {
  let settled = false;
  const outcome = Promise.resolve(run(command)).finally(() => {
    settled = true;
  });
  // The input box shows once the selections are evaluated; accepting before it shows does nothing.
  while (!settled) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return outcome;
}

function succeeded(outcome: SelectionOutcome | undefined): SelectionOutcome & { ok: true } {
  assert.ok(outcome?.ok, `the run failed: ${outcome && !outcome.ok ? outcome.message : 'no outcome (cancelled)'}`);
  return outcome;
}

function failed(outcome: SelectionOutcome | undefined): string {
  assert.ok(outcome && !outcome.ok, `expected a refusal, got ${outcome?.ok ? outcome.printed : 'nothing'}`);
  return outcome.message;
}

/** Runs `command` on `ranges` and asserts it refused with a message matching `expected`, leaving the document untouched. */
async function expectRefusal(editor: vscode.TextEditor, ranges: vscode.Range[], expected: RegExp, command: RunCommand = 'convLab.runConvTransposeOnSelection'): Promise<void> {
  const { version } = editor.document;
  const text = editor.document.getText();
  select(editor, ...ranges);
  const message = failed(await run(command, { args: '' }));
  assert.match(message, expected);
  assert.equal(editor.document.getText(), text, 'a refused run changed the document');
  assert.equal(editor.document.version, version, 'a refused run changed the document version');
}

/** The tests every host document runs: the seed's cells 89, 90 and 93 by selection, then Insert Result. */
interface SeedHost {
  /** The editor of the cell (notebook) or of the file (.py) with the cell's source. */
  open(cell: SeedCell): Promise<vscode.TextEditor>;
  /** Text that starts the cell in that document, if it holds more than the cell. */
  cellStart(cell: SeedCell): string | undefined;
  /** How a position in the cell is told in messages. */
  describeAt(cell: SeedCell, line: number, column: number): string;
}

type SeedCell = 89 | 90 | 93;

function seedCellTests({ open, cellStart, describeAt }: SeedHost): void {
  /** `needle` inside the first `within` of `cell`. */
  const inCell = (editor: vscode.TextEditor, cell: SeedCell, needle: string, within: string): vscode.Range => {
    const after = cellStart(cell);
    return rangeOf(editor.document, needle, after === undefined ? { within } : { within, after });
  };

  it("cell 89: the selected X and K (multi-cursor) through conv_transpose2d give the cell's printed output", async () => {
    const editor = await open(89);
    // `X, K = X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)`: the targets mean the reshaped values.
    select(editor, inCell(editor, 89, 'X', 'X, K = X.reshape'), inCell(editor, 89, 'K', 'X, K = X.reshape'));
    // No ConvTranspose2d above this line: PyTorch's defaults.
    const outcome = succeeded(await run('convLab.runConvTransposeOnSelection', { acceptPrefilled: true }));
    assert.equal(outcome.op, 'conv_transpose2d');
    assert.equal(outcome.argsText, '');
    assert.equal(outcome.printed, CELL_89);
  });

  it("cell 90: the arguments prompt comes pre-filled with the layer's padding=1, accepted it gives [[4.]]", async () => {
    const editor = await open(90);
    select(editor, inCell(editor, 90, 'X', 'tconv(X)'), inCell(editor, 90, 'K', 'tconv.weight.data = K'));
    const outcome = succeeded(await runAcceptingPrompt('convLab.runConvTransposeOnSelection'));
    assert.equal(outcome.argsText, 'padding=1');
    assert.equal(outcome.printed, CELL_90);
  });

  it("cell 93: Cross-Correlate Selection on X and K gives d2l.corr2d's printed output", async () => {
    const editor = await open(93);
    select(editor, inCell(editor, 93, 'X', 'd2l.corr2d(X, K)'), inCell(editor, 93, 'K', 'd2l.corr2d(X, K)'));
    const outcome = succeeded(await run('convLab.corr2dOnSelection'));
    assert.equal(outcome.op, 'corr2d');
    assert.equal(outcome.printed, CELL_93);
  });

  it("Show Kernel as Matrix on cell 93's X and K runs corr2d (W·vec(X), cell 96) and opens the panel on that run, on its matrix view", async () => {
    const editor = await open(93);
    select(editor, inCell(editor, 93, 'X', 'd2l.corr2d(X, K)'), inCell(editor, 93, 'K', 'd2l.corr2d(X, K)'));
    const drawn: string[] = [];
    const panelApi = convLab().exports?.panel;
    const matrixDrawn = (async () => {
      for (let i = 0; i < 10 && !drawn.includes('matrix'); i++) drawn.push(String((await panelApi?.nextRender())?.tab));
    })();
    const outcome = succeeded(await vscode.commands.executeCommand<SelectionOutcome | undefined>('convLab.showKernelMatrix'));
    await Promise.race([matrixDrawn, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    assert.ok(drawn.includes('matrix'), `the panel drew ${JSON.stringify(drawn)}, not the matrix view`);
    assert.equal(outcome.op, 'corr2d');
    assert.equal(outcome.printed, CELL_93);
    const panel = convLab().exports?.panel;
    assert.ok(panel?.isOpen, 'the panel did not open');
    assert.equal(panel.view?.op, 'corr2d');
    // The kernel-as-matrix view draws W from the run's kernel and input sizes: K and a 3×3 X.
    assert.deepEqual(Object.fromEntries(panel.view.tensors.map((t) => [t.role, t.shape])), { input: [3, 3], weight: [2, 2], output: [2, 2] });
    await closePanel();
  });

  it('Insert Result as Literal puts the last result below the selection as a torch.tensor statement, undoable', async () => {
    const editor = await open(93);
    const before = editor.document.getText();
    const line = rangeOf(editor.document, 'Y = d2l.corr2d(X, K)').start.line;
    select(editor, new vscode.Range(line, 4, line, 4));
    const inserted = await vscode.commands.executeCommand<InsertOutcome>('convLab.insertResultAsLiteral');
    assert.ok(inserted.ok, inserted.ok ? '' : inserted.message);
    // Under PyTorch's second bracket, as in `tensor([[27., 37.],\n        [57., 67.]])`.
    const statement = `result = torch.tensor([[27., 37.],\n${' '.repeat('result = torch.tensor(['.length)}[57., 67.]])`;
    assert.equal(inserted.text, statement);
    assert.equal(inserted.line, line + 1);
    const lines = editor.document.getText().split('\n');
    assert.equal(lines.slice(line, line + 3).join('\n'), `Y = d2l.corr2d(X, K)\n${statement}`);
    // The inserted literal is itself a tensor Conv Lab reads: corr2d of it with K again.
    select(editor, rangeOf(editor.document, 'result'), inCell(editor, 93, 'K', 'd2l.corr2d(X, K)'));
    // [[27, 37], [57, 67]] ⋆ [[1, 2], [3, 4]] = 27·1 + 37·2 + 57·3 + 67·4 = 540.
    assert.equal(succeeded(await run('convLab.corr2dOnSelection')).printed, 'tensor([[540.]])');
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), before);
  });

  it('bad selections get one message naming the problem and where it is; the document is unchanged', async () => {
    const editor = await open(90);
    const layerLine = rangeOf(editor.document, 'tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1');
    const k = inCell(editor, 90, 'K', 'tconv.weight.data = K');
    // An empty selection (a bare cursor) as the input.
    await expectRefusal(editor, [new vscode.Range(layerLine.start, layerLine.start), k],
      new RegExp(`^input: nothing is selected at ${describeAt(90, 1, 1)}; select a tensor expression or name$`));
    // A module, not a tensor: the layer constructor itself (its source cut to 40 characters).
    const call = rangeOf(editor.document, 'nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1, bias=False)');
    await expectRefusal(editor, [call, k], new RegExp(`^input \\(${describeAt(90, 1, 9)}\\): 'nn\\.ConvTranspose2d\\(1, 1, kernel_size=2, …' is a ConvTranspose2d, not a tensor$`));
  });
}

describe('commands on selections', () => {
  before(async () => {
    await convLab().activate();
  });

  describe('in the seed as a .py file', () => {
    let document: vscode.TextDocument;
    before(async () => {
      document = await vscode.workspace.openTextDocument(workspaceFile('transposed_conv.py'));
    });
    const lineOfCell = (cell: number): number => document.getText().split('\n').indexOf(`# %% In [${cell}]`) + 1;
    seedCellTests({
      open: async () => vscode.window.showTextDocument(document),
      cellStart: (cell) => `# %% In [${cell}]`,
      describeAt: (cell, line, column) => `line ${lineOfCell(cell) + line}, column ${column}`,
    });

    it('Insert Result as Literal refuses a result past 100,000 elements (nothing changed) and inserts one past 10,000 only once confirmed', async () => {
      const untitled = await vscode.workspace.openTextDocument({ language: 'python', content: 'import torch\nX = torch.ones(1, 1, 400, 400)\nY = torch.ones(1, 1, 101, 101)\n' });
      const editor = await vscode.window.showTextDocument(untitled);
      await waitFor('the untitled editor is active', () => vscode.window.activeTextEditor?.document === untitled);
      try {
        const before = untitled.getText();
        // conv2d with a 1×1 kernel of ones: the input itself, 1·1·400·400 = 160,000 elements.
        editor.selection = new vscode.Selection(1, 0, 1, 1);
        succeeded(await vscode.commands.executeCommand<SelectionOutcome>('convLab.runConvOnSelection', { kernel: 'torch.ones(1, 1, 1, 1)', args: {} }));
        const refused = await vscode.commands.executeCommand<InsertOutcome>('convLab.insertResultAsLiteral');
        assert.deepEqual(refused, { ok: false, message: 'the conv2d result [1, 1, 400, 400] (160,000 elements) is too large to insert as a literal (at most 100,000 elements): copy it instead, or save it as .npy' });
        assert.equal(untitled.getText(), before);
        // 101·101 = 10,201 elements: past the copy cap, inserted once confirmed (the prompt's Insert).
        // The command reads the active editor's selection: select Y in the editor shown now (a run once took X again).
        (await vscode.window.showTextDocument(untitled)).selection = new vscode.Selection(2, 0, 2, 1);
        await waitFor('Y is selected in the active editor', () => vscode.window.activeTextEditor?.document === untitled && vscode.window.activeTextEditor.selection.start.line === 2);
        succeeded(await vscode.commands.executeCommand<SelectionOutcome>('convLab.runConvOnSelection', { kernel: 'torch.ones(1, 1, 1, 1)', args: {} }));
        const inserted = await vscode.commands.executeCommand<InsertOutcome>('convLab.insertResultAsLiteral', { name: 'big', confirmed: true });
        assert.ok(inserted.ok, inserted.ok ? '' : inserted.message);
        assert.ok(untitled.getText().includes('big = torch.tensor([[[[1., 1., 1.'), 'the literal below line 3');
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
    });

    it('Copy Result as PyTorch / as NumPy put the printed forms on the clipboard', async () => {
      const editor = await vscode.window.showTextDocument(document);
      select(editor, rangeOf(document, 'X', { within: 'd2l.corr2d(X, K)' }), rangeOf(document, 'K', { within: 'd2l.corr2d(X, K)' }));
      succeeded(await run('convLab.corr2dOnSelection'));
      const torch = await vscode.commands.executeCommand<CopyOutcome>('convLab.copyResultAsPyTorch');
      assert.deepEqual(torch, { ok: true, text: CELL_93 });
      assert.equal(await vscode.env.clipboard.readText(), CELL_93);
      const numpy = await vscode.commands.executeCommand<CopyOutcome>('convLab.copyResultAsNumpy');
      // np.array([[27., 37.], [57., 67.]], dtype=np.float32) in NumPy 1.24.
      const printed = 'array([[27., 37.],\n       [57., 67.]], dtype=float32)';
      assert.deepEqual(numpy, { ok: true, text: printed });
      assert.equal(await vscode.env.clipboard.readText(), printed);
    });

    it('with one selection the kernel can be given as typed text, read after the input', async () => {
      const editor = await vscode.window.showTextDocument(document);
      select(editor, rangeOf(document, 'X', { within: 'tconv(X)', after: '# %% In [91]' }));
      // Cell 91: stride=2 from its layer; its weight is `tconv.weight.data = K`, typed here as `K`.
      const outcome = succeeded(await run('convLab.runConvTransposeOnSelection', { kernel: 'K', acceptPrefilled: true }));
      assert.equal(outcome.argsText, 'stride=2');
      // Cell 91's printed output: with stride 2 the blocks X[i, j]·K tile the 4×4 output without overlap.
      assert.equal(outcome.printed, [
        'tensor([[[[0., 0., 0., 1.],',
        '          [0., 0., 2., 3.],',
        '          [0., 2., 0., 3.],',
        '          [4., 6., 6., 9.]]]])',
      ].join('\n'));
    });

    it("shows the run in the panel: cell 93's X, K and output", async () => {
      const editor = await vscode.window.showTextDocument(document);
      select(editor, rangeOf(document, 'X', { within: 'd2l.corr2d(X, K)' }), rangeOf(document, 'K', { within: 'd2l.corr2d(X, K)' }));
      succeeded(await run('convLab.corr2dOnSelection'));
      const api = convLab().exports;
      assert.ok(api, 'Conv Lab returned no API from activate');
      const drawn = api.panel.nextRender();
      await vscode.commands.executeCommand('convLab.openPanel');
      const render = await Promise.race([drawn, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the panel did not draw within 20 s')), 20_000))]);
      // X is 3×3, K 2×2, the output 2×2.
      assert.equal(render.elements, 9 + 4 + 4);
      await closePanel();
    });

    it('with one selection the kernel is picked from the tensors bound above, nearest first', async () => {
      const editor = await vscode.window.showTextDocument(document);
      // `tconv(X)` in cell 89: the nearest binding above is cell 89's reshaped K (1×1×2×2).
      select(editor, rangeOf(document, 'X', { within: 'tconv(X)', after: '# %% In [89]' }));
      const started = performance.now();
      const outcome = succeeded(await runAcceptingPrompt('convLab.runConvTransposeOnSelection'));
      report(`      selection: kernel picked and arguments accepted, conv_transpose2d shown in ${(performance.now() - started).toFixed(0)} ms`);
      assert.equal(outcome.printed, CELL_89);
    });

    it("two selected matrices run d2l's trans_conv, the same values as cell 89 in 2-D", async () => {
      const editor = await vscode.window.showTextDocument(document);
      // Cell 88's X and K, both [[0., 1.], [2., 3.]].
      select(editor, rangeOf(document, 'X', { after: '# %% In [88]' }), rangeOf(document, 'K', { after: '# %% In [88]' }));
      const outcome = succeeded(await run('convLab.runConvTransposeOnSelection'));
      assert.equal(outcome.op, 'trans_conv');
      assert.equal(outcome.printed, ['tensor([[ 0.,  0.,  1.],', '        [ 0.,  4.,  6.],', '        [ 4., 12.,  9.]])'].join('\n'));
    });

    it("reports PyTorch's message when the op refuses the tensors", async () => {
      const editor = await vscode.window.showTextDocument(document);
      const version = document.version;
      select(editor, rangeOf(document, 'X', { within: 'tconv(X)', after: '# %% In [89]' }));
      const message = failed(await run('convLab.runConvOnSelection', { kernel: 'torch.ones(1, 2, 2, 2)', args: '' }));
      // F.conv2d(torch.zeros(1, 1, 2, 2), torch.ones(1, 2, 2, 2)) in PyTorch 1.13.
      assert.equal(message, 'RuntimeError: Given groups=1, weight of size [1, 2, 2, 2], expected input[1, 1, 2, 2] to have 2 channels, but got 1 channels instead');
      assert.equal(document.version, version);
    });

    describe('bad selections in other files', () => {
      for (const { title, source, at, message } of BAD_SELECTIONS) {
        it(`${title}: one message with the position, nothing changed`, async () => {
          const untitled = await vscode.workspace.openTextDocument({ language: 'python', content: `${source}\nK = torch.ones(1, 1, 2, 2)\n` });
          const editor = await vscode.window.showTextDocument(untitled);
          // The previous case's editor may still be closing: the command reads the active editor.
          await waitFor('the untitled editor is active', () => vscode.window.activeTextEditor?.document === untitled);
          try {
            await expectRefusal(editor, [rangeOf(untitled, 'X', { within: 'X = ' }), rangeOf(untitled, 'K', { within: 'K = ' })], new RegExp(`^input \\(line ${at}\\): ${message}`));
          } finally {
            await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
          }
        });
      }
    });
  });

  describe('in the seed as a notebook (each cell reads the cells above it)', () => {
    let notebook: vscode.NotebookDocument;
    before(async () => {
      notebook = await vscode.workspace.openNotebookDocument(workspaceFile('transposed_conv.ipynb'));
      await vscode.window.showNotebookDocument(notebook);
    });
    const cellIndex = (cell: SeedCell): number => ({ 89: 3, 90: 4, 93: 7 })[cell];
    seedCellTests({
      open: async (cell) => {
        const index = cellIndex(cell);
        const range = new vscode.NotebookRange(index, index + 1);
        const notebookEditor = await vscode.window.showNotebookDocument(notebook, { selections: [range] });
        // A cell's editor exists only while the cell is rendered: scroll it into view first.
        notebookEditor.revealRange(range, vscode.NotebookEditorRevealType.AtTop);
        const document = notebook.cellAt(index).document;
        assert.equal(document.languageId, 'python');
        const editor = await retried(`opening cell ${cell}'s editor`, () => vscode.window.showTextDocument(document));
        await waitFor('the cell editor is active', () => vscode.window.activeTextEditor?.document === document);
        return editor;
      },
      cellStart: () => undefined,
      describeAt: (cell, line, column) => `cell ${cellIndex(cell) + 1}, line ${line}, column ${column}`,
    });

    describe('bad selections in a new notebook', () => {
      for (const { title, source, at, message } of BAD_SELECTIONS) {
        it(`${title}: one message with the cell and position, nothing changed`, async () => {
          const cells = [source, 'K = torch.ones(1, 1, 2, 2)'].map((text) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, 'python'));
          const untitled = await vscode.workspace.openNotebookDocument('jupyter-notebook', new vscode.NotebookData(cells));
          await vscode.window.showNotebookDocument(untitled);
          const input = untitled.cellAt(0).document;
          const editor = await retried('opening the first cell\'s editor', () => vscode.window.showTextDocument(input));
          await waitFor('the cell editor is active', () => vscode.window.activeTextEditor?.document === input);
          try {
            // The kernel is typed: a second selection cannot span two cells.
            const { version } = input;
            select(editor, rangeOf(input, 'X', { within: 'X = ' }));
            const refusal = failed(await run('convLab.runConvTransposeOnSelection', { kernel: 'K', args: '' }));
            assert.match(refusal, new RegExp(`^input \\(cell 1, line ${at}\\): ${message}`));
            assert.equal(input.version, version, 'a refused run changed the cell');
          } finally {
            await vscode.window.showNotebookDocument(untitled);
            await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
          }
        });
      }
    });
  });
});
