// In a workspace VS Code does not trust, the workspace's .vscode/settings.json (written by the
// runner, test/runner/suite.mjs) cannot raise Conv Lab's resource limits: package.json declares
// them restrictedConfigurations, so VS Code gives Conv Lab the user's values (here the defaults).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { serializeNpy } from '../../../src/core/npy';
import { DEFAULT_MAX_ELEMENTS, tensor } from '../../../src/core/tensor';
import type { RunOutcome } from '../../../src/extension/runNpy';
import { convLab, workspaceFile } from '../helpers';

describe('Restricted Mode: a workspace cannot raise the resource limits', () => {
  const settings = (): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(workspaceFile('.vscode/settings.json').fsPath, 'utf8')) as Record<string, unknown>;

  before(async () => {
    await convLab().activate();
  });

  it('runs in an untrusted workspace whose settings raise the limits', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the launch must open the workspace untrusted');
    const raised = settings();
    assert.ok((raised['convLab.maxElements'] as number) > DEFAULT_MAX_ELEMENTS, 'the workspace must raise convLab.maxElements');
    assert.ok((raised['convLab.workers'] as number) > 8, 'the workspace must raise convLab.workers');
  });

  it("applies the workspace's other settings (they are read)", () => {
    assert.equal(vscode.workspace.getConfiguration('convLab').get('displayPrecision'), settings()['convLab.displayPrecision']);
  });

  it('ignores its convLab.maxElements and convLab.workers', () => {
    const config = vscode.workspace.getConfiguration('convLab');
    assert.equal(config.get('maxElements'), DEFAULT_MAX_ELEMENTS);
    assert.equal(config.get('workers'), 0);
  });

  it("refuses an op past the user's maxElements, not the workspace's", async () => {
    // conv2d of a 1×1 input by a 1×1 kernel with padding 3600: a (1 + 2·3600)² = 7201² output.
    const one = workspaceFile('one.npy');
    await vscode.workspace.fs.writeFile(one, serializeNpy(tensor([1], [1, 1, 1, 1])));
    const outcome = await vscode.commands.executeCommand<RunOutcome | undefined>('convLab.runOnNpyFiles',
      { op: 'conv2d', input: one, weight: one, args: 'padding=3600', out: workspaceFile('never.npy') });
    assert.deepEqual(outcome, {
      ok: false,
      message: 'conv2d output [1, 1, 7201, 7201] has 51,854,401 elements, more than the limit of 50,000,000 (maxElements); refused before computing anything',
    });
  });
});
