import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { convLab } from './helpers';

describe('commands', () => {
  it('registers every command that package.json contributes', async () => {
    const extension = convLab();
    await extension.activate();
    const manifest = extension.packageJSON as { contributes?: { commands?: { command: string }[] } };
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });
});
