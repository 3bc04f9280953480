import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { convLab } from './helpers';

interface Manifest {
  contributes?: {
    commands?: { command: string; category?: string }[];
    menus?: Record<string, { command: string; when?: string }[]>;
    keybindings?: { command: string; key: string; when?: string }[];
  };
}

/** The commands that act on the selected text. */
const SELECTION_COMMANDS = ['convLab.runConvOnSelection', 'convLab.runConvTransposeOnSelection', 'convLab.corr2dOnSelection', 'convLab.showKernelMatrix', 'convLab.replaySelection'];
const IN_PYTHON_WITH_SELECTION = 'editorHasSelection && editorLangId == python';

describe('commands', () => {
  let manifest: Manifest;
  before(async () => {
    const extension = convLab();
    await extension.activate();
    manifest = extension.packageJSON as Manifest;
  });

  it('registers every command that package.json contributes', async () => {
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  it('puts every command in the "Conv Lab" category', () => {
    assert.deepEqual((manifest.contributes?.commands ?? []).filter((c) => c.category !== 'Conv Lab').map((c) => c.command), []);
  });

  it('offers the selection commands in the editor context menu when Python text is selected (notebook cells are Python too)', () => {
    const menu = manifest.contributes?.menus?.['editor/context'] ?? [];
    for (const command of SELECTION_COMMANDS) {
      assert.equal(menu.find((m) => m.command === command)?.when, IN_PYTHON_WITH_SELECTION, command);
    }
  });

  it('binds keys to the two run commands', () => {
    const keys = manifest.contributes?.keybindings ?? [];
    assert.deepEqual(
      ['convLab.runConvOnSelection', 'convLab.runConvTransposeOnSelection'].map((command) => keys.find((k) => k.command === command)?.key),
      ['ctrl+shift+alt+c', 'ctrl+shift+alt+t'],
    );
  });
});
