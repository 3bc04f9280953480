// The "Get Started with Conv Lab" walkthrough: declared with its four steps, every step's media
// shipped, every command its buttons and completion events name registered, and the steps done
// in order as a user does them (open the example, replay cell 89 by selection, open the panel).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ReplayResult } from '../../src/extension/selection/replay';
import { closePanel, convLab, waitFor } from './helpers';

interface Step {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}

interface Manifest {
  contributes?: { walkthroughs?: { id: string; steps: Step[] }[] };
}

describe('walkthrough', () => {
  let steps: Step[];
  before(async () => {
    const extension = convLab();
    await extension.activate();
    const walkthrough = (extension.packageJSON as Manifest).contributes?.walkthroughs?.find((w) => w.id === 'convLab.gettingStarted');
    assert.ok(walkthrough, 'package.json declares no convLab.gettingStarted walkthrough');
    steps = walkthrough.steps;
  });

  it('has the steps: open the example, hover, run a transposed conv, open the panel', () => {
    assert.deepEqual(steps.map((s) => s.id), ['openExample', 'hover', 'runTransposedConv', 'openPanel']);
  });

  it("ships every step's markdown", async () => {
    for (const step of steps) {
      assert.ok(step.media.markdown, `step ${step.id} has no markdown`);
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(convLab().extensionUri, step.media.markdown));
      assert.match(new TextDecoder().decode(bytes), /^# /, `${step.media.markdown} is not a markdown page`);
    }
  });

  it('names only registered commands in its buttons and completion events', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const named = steps.flatMap((s) => [
      ...[...s.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1] as string),
      ...(s.completionEvents ?? []).map((e) => e.replace(/^onCommand:/, '')),
    ]);
    assert.ok(named.length >= 3);
    assert.deepEqual(named.filter((c) => !registered.has(c)), []);
  });

  it("runs its steps: the example opens, cell 89 replays to PyTorch's output, the panel shows it", async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('convLab.openExample');
    const document = editor.document;
    try {
      assert.equal(document.languageId, 'python');
      assert.ok(document.isUntitled, 'the example opens as a new file, not the shipped copy');
      const text = document.getText();
      const start = text.indexOf('# %% In [89]');
      const end = text.indexOf('# %% In [90]');
      assert.ok(start >= 0 && end > start);
      editor.selection = new vscode.Selection(document.positionAt(start), document.positionAt(end));
      const replayed = await vscode.commands.executeCommand<ReplayResult>('convLab.runConvTransposeOnSelection');
      assert.ok(replayed.ok, replayed.ok ? '' : replayed.message);
      // The seed's Out[89], as the example quotes it.
      const out89 = text.slice(text.indexOf('# Out[89]:', start), end).split('\n').slice(1).filter((l) => l.startsWith('# ')).map((l) => l.slice(2)).join('\n');
      assert.equal(replayed.replayed[0]?.printed, out89);
      await vscode.commands.executeCommand('convLab.openPanel');
      const panel = convLab().exports?.panel;
      await waitFor('the panel is open', () => panel?.isOpen === true);
      assert.equal(panel?.view?.op, 'conv_transpose2d');
    } finally {
      await closePanel();
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
