import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTorchError } from '../../src/core/errors';
import { convGeometry } from '../../src/core/geometry';
import { serializeNpy } from '../../src/core/npy';
import type { OpRequest } from '../../src/core/vocabulary';
import { RunningSum, scatterPlan } from '../../src/core/steps';
import { tensor, type Tensor } from '../../src/core/tensor';
import type { TestHooks } from '../../src/extension/ctx';
import { panelResourceRoots } from '../../src/extension/panel/html';
import { PARAMETERS_RUN_CANCELLED, type PanelApi, type PanelRender } from '../../src/extension/panel/panel';
import { OP_VIEW_NAMES } from '../../src/protocol/panel';
import type { RunNpyArgs, RunOutcome } from '../../src/extension/runNpy';
import { closePanel, convLab, panelTabs, report, waitFor, workspaceFile } from './helpers';

/**
 * Set by test/runner/webview.mjs's launch: a folder for the handshake in which this suite shows
 * each theme (`<theme>.ready`) and the runner, which alone can reach the webview's DOM, answers
 * with its checks of it (`<theme>.done`, JSON `{ ok, message }`).
 */
const WEBVIEW_CHECK_ENV = 'CONV_LAB_WEBVIEW_CHECK_DIR';
const THEMES = [
  { name: 'light', setting: 'Default Light Modern', kind: vscode.ColorThemeKind.Light },
  { name: 'dark', setting: 'Default Dark Modern', kind: vscode.ColorThemeKind.Dark },
  { name: 'high-contrast', setting: 'Default High Contrast', kind: vscode.ColorThemeKind.HighContrast },
] as const;

async function writeNpy(name: string, t: Tensor): Promise<vscode.Uri> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, serializeNpy(t));
  return uri;
}

async function run(args: RunNpyArgs): Promise<RunOutcome & { ok: true }> {
  const outcome = await vscode.commands.executeCommand<RunOutcome | undefined>('convLab.runOnNpyFiles', args);
  assert.ok(outcome?.ok, `the run failed: ${outcome && !outcome.ok ? outcome.message : 'no outcome'}`);
  return outcome;
}

function panelApi(): PanelApi {
  const api = convLab().exports;
  assert.ok(api, 'Conv Lab returned no API from activate');
  return api.panel;
}

function testHooks(): TestHooks {
  const hooks = convLab().exports?.testHooks;
  assert.ok(hooks, 'Conv Lab is not in test mode: the runner sets CONV_LAB_TEST_MODE=1');
  return hooks;
}

/** The webview's next draw, or a rejection naming `what` after `ms`. */
function nextRender(what: string, ms = 20_000): Promise<PanelRender> {
  return Promise.race([
    panelApi().nextRender(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the panel did not draw ${what} within ${ms} ms`)), ms)),
  ]);
}

async function waitForFile(file: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no ${path.basename(file)} from the webview check within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return fs.readFileSync(file, 'utf8');
}

/**
 * What the webview check of the views expects on cell 89, from the core: the scatter's running
 * sum after each step, the output shape with stride=2, and PyTorch's message for stride=2,
 * output_padding=2 (the output padding must be smaller than the stride or the dilation).
 */
function viewExpectations(): { scatterSums: number[][]; strideShape: string; invalidMessage: string } {
  const seed = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
  const req: OpRequest = { op: 'conv_transpose2d', input: seed, weight: seed };
  const plan = scatterPlan(convGeometry(req), { input: seed.data, weight: seed.data });
  const sum = new RunningSum(plan);
  const scatterSums = Array.from({ length: plan.stepCount + 1 }, (_, step) => Array.from(sum.after(step)));
  const strideShape = `[${convGeometry({ ...req, args: { stride: 2 } }).outputShape.join(', ')}]`;
  let invalidMessage = '';
  try {
    convGeometry({ ...req, args: { stride: 2, outputPadding: 2 } });
  } catch (e) {
    if (isTorchError(e)) invalidMessage = e.toPythonString();
  }
  assert.ok(invalidMessage.startsWith('RuntimeError: output padding must be smaller than'), `the core accepted output_padding=2 with stride=2: ${invalidMessage}`);
  return { scatterSums, strideShape, invalidMessage };
}

describe('the Conv Lab panel', () => {
  // The seed's X and K (shared/seed, cells 88-89): [[0, 1], [2, 3]] reshaped to 1×1×2×2.
  let seedX: vscode.Uri;
  let seedK: vscode.Uri;

  before(async () => {
    await convLab().activate();
    seedX = await writeNpy('panel_X.npy', tensor([0, 1, 2, 3], [1, 1, 2, 2]));
    seedK = await writeNpy('panel_K.npy', tensor([0, 1, 2, 3], [1, 1, 2, 2]));
  });

  after(async () => {
    await closePanel();
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  it('opens a 1×64×128×128 output and reports how long it took', async () => {
    // Depthwise 3×3 conv (groups=64) of a 1×64×130×130 ramp: a 1×64×128×128 output, computed quickly.
    const input = await writeNpy('panel_big_X.npy', tensor(Array.from({ length: 64 * 130 * 130 }, (_, i) => (i % 97) - 48), [1, 64, 130, 130]));
    const weight = await writeNpy('panel_big_K.npy', tensor(Array.from({ length: 64 * 9 }, (_, i) => (i % 5) - 2), [64, 1, 3, 3]));
    await closePanel();
    await run({ op: 'conv2d', input, weight, args: 'groups=64', out: workspaceFile('panel_big_out.npy') });
    const drawn = nextRender('the 1×64×128×128 output');
    const started = performance.now();
    await vscode.commands.executeCommand('convLab.openPanel');
    const render = await drawn;
    const openMs = performance.now() - started;
    // input 64·130·130 + weight 64·9 + output 64·128·128 values
    assert.equal(render.elements, 64 * 130 * 130 + 64 * 9 + 64 * 128 * 128);
    report(`      panel: 1×64×128×128 output opened in ${openMs.toFixed(0)} ms (command to drawn; the webview's own drawing ${render.ms.toFixed(1)} ms)`);
  });

  it('draws every view of the 1×64×128×128 op, none with an error, and reports how long each took', async function () {
    this.timeout(240_000);
    const drawn: string[] = [];
    for (const tab of OP_VIEW_NAMES) {
      const started = performance.now();
      let render: PanelRender | undefined;
      const next = (async () => {
        // Draws of the view left behind may still arrive: wait for this view's.
        for (let i = 0; i < 20 && render?.tab !== tab; i++) render = await nextRender(`the ${tab} view`, 60_000);
      })();
      panelApi().selectView(tab);
      await next;
      assert.equal(render?.tab, tab, `the panel did not draw the ${tab} view`);
      assert.equal(render.alert, undefined, `the ${tab} view shows an error: ${render.alert ?? ''}`);
      drawn.push(`${tab} ${(performance.now() - started).toFixed(0)} ms (drawing ${render.ms.toFixed(0)} ms)`);
    }
    report(`      panel: views of the 1×64×128×128 op: ${drawn.join(', ')}`);
    panelApi().selectView('tensors');
  });

  it('redraws 256×256 heatmaps on a theme change and reports how long it took', async () => {
    const input = await writeNpy('panel_256_X.npy', tensor(Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i / 97)), [1, 1, 256, 256]));
    const weight = await writeNpy('panel_256_K.npy', tensor([1, 0, -1, 2, 0, -2, 1, 0, -1], [1, 1, 3, 3]));
    const shown = nextRender('the 256×256 output');
    await run({ op: 'conv2d', input, weight, args: 'padding=1', out: workspaceFile('panel_256_out.npy') });
    await shown;
    const dark = vscode.window.activeColorTheme.kind === vscode.ColorThemeKind.Dark;
    const redrawn = nextRender('after the theme change');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', dark ? 'Default Light Modern' : 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    const render = await redrawn;
    assert.equal(render.elements, 2 * 256 * 256 + 9);
    report(`      panel: redrew input and output 256×256 heatmaps (and the 3×3 kernel) in ${render.ms.toFixed(1)} ms`);
  });

  it('lets its webview load from its own script and stylesheet folders only', async () => {
    const extension = convLab().extensionUri;
    const roots = panelResourceRoots(extension).map((uri) => `${uri.path}/`);
    const reachable = (...parts: string[]) => roots.some((root) => vscode.Uri.joinPath(extension, ...parts).path.startsWith(root));
    assert.ok(reachable('dist', 'webview', 'webview.js') && reachable('media', 'panel', 'panel.css'), `roots ${roots.join(', ')}`);
    // The other bundles (the extension host's, the workers'), the icon and the package are out of reach.
    for (const other of [['dist', 'extension.js'], ['dist', 'worker.js'], ['dist', 'analysis.js'], ['media', 'icon.png'], ['package.json']]) {
      assert.ok(!reachable(...other), `the webview may load ${other.join('/')}`);
    }
    for (const [folder, file] of [['dist/webview', 'webview.js'], ['media/panel', 'panel.css']] as const) {
      const listed = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(extension, ...folder.split('/')));
      assert.deepEqual(listed.map(([name]) => name).filter((name) => !name.endsWith('.map')), [file], `${folder} holds only ${file}`);
    }
  });

  it('a newer Parameters run cancels the one still computing', async function () {
    this.timeout(120_000);
    // float64 (the reference kernels): 4·32·64·64 outputs × 16·5·5 taps, about a second of work.
    const f64 = (length: number, shape: number[]) => tensor(Array.from({ length }, (_, i) => ((i * 7) % 13) - 6), shape, 'float64');
    const input = await writeNpy('panel_slow_X.npy', f64(4 * 16 * 64 * 64, [4, 16, 64, 64]));
    const weight = await writeNpy('panel_slow_K.npy', f64(32 * 16 * 5 * 5, [32, 16, 5, 5]));
    await run({ op: 'conv2d', input, weight, out: workspaceFile('panel_slow_out.npy') });
    await waitFor('the panel shows the float64 conv2d', () => panelApi().view?.call === 'F.conv2d(input, weight)');
    const outcomes = (async () => [await panelApi().nextParametersRun(), await panelApi().nextParametersRun()])();
    const first = testHooks().panelMessage({ type: 'rerun', args: { padding: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = testHooks().panelMessage({ type: 'rerun', args: { stride: 4 } });
    assert.deepEqual(await outcomes, [{ ok: false, text: PARAMETERS_RUN_CANCELLED }, { ok: true, text: 'F.conv2d(input, weight, stride=4)' }]);
    await Promise.all([first, second]);
    assert.deepEqual(panelApi().view?.tensors.find((t) => t.role === 'output')?.shape, [4, 32, 15, 15]); // ⌊(64 − 5) / 4⌋ + 1
  });

  it("shows the seed's cell 89 in one panel, revealed when opened again; its views step, re-run and save", async function () {
    // Three themes of DOM checks and screenshots, the views stepped and re-run in the first.
    this.timeout(240_000);
    await closePanel();
    await run({ op: 'conv_transpose2d', input: seedX, weight: seedK, out: workspaceFile('panel_cell89.npy') });
    const drawn = nextRender("cell 89's tensors");
    const started = performance.now();
    await vscode.commands.executeCommand('convLab.openPanel');
    const render = await drawn;
    report(`      panel: cell 89 (17 values) opened in ${(performance.now() - started).toFixed(0)} ms (command to drawn; the webview's own drawing ${render.ms.toFixed(1)} ms)`);
    assert.equal(render.elements, 4 + 4 + 9);
    await vscode.commands.executeCommand('convLab.openPanel');
    const tabs = panelTabs();
    assert.equal(tabs.length, 1, 'opening the panel twice made a second one');
    assert.ok(tabs[0]?.isActive, 'the panel is not the active tab of its group');
    assert.ok(panelApi().isOpen);

    const checkDir = process.env[WEBVIEW_CHECK_ENV];
    if (checkDir === undefined) return; // no runner that can reach the webview's DOM (e.g. test-electron)
    // The whole window for the panel, so the screenshots show it as users see it full width.
    await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    for (const theme of THEMES) {
      if (vscode.window.activeColorTheme.kind !== theme.kind) {
        const redrawn = nextRender(`in the ${theme.name} theme`);
        await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme.setting, vscode.ConfigurationTarget.Global);
        await redrawn;
      }
      const first = theme === THEMES[0];
      const png = workspaceFile('panel_scatter.png');
      // In the first theme the runner also steps the scatter, runs the Parameters view and saves a PNG.
      if (first) testHooks().savePngTo(png);
      // The first Parameters run the runner makes (stride=2), as the host saw it.
      const strideRun = first ? panelApi().nextParametersRun() : undefined;
      // Written aside and renamed: the runner reads the file as soon as it exists.
      const ready = path.join(checkDir, `${theme.name}.ready`);
      fs.writeFileSync(`${ready}.tmp`, first ? JSON.stringify(viewExpectations()) : '');
      fs.renameSync(`${ready}.tmp`, ready);
      const answer = JSON.parse(await waitForFile(path.join(checkDir, `${theme.name}.done`), 90_000)) as { ok: boolean; message: string };
      assert.ok(answer.ok, `the webview's DOM in the ${theme.name} theme: ${answer.message}`);
      if (first) {
        // The PNG the webview drew, written by the host; the Parameters view's reset brought cell 89 back.
        const bytes = await vscode.workspace.fs.readFile(png);
        assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        assert.deepEqual(await strideRun, { ok: true, text: 'F.conv_transpose2d(input, weight, stride=2)' });
        assert.equal(panelApi().view?.call, 'F.conv_transpose2d(input, weight)');
        // The runner pressed "Copy output as PyTorch" in the light theme: cell 89's printed output.
        assert.equal(await vscode.env.clipboard.readText(), [
          'tensor([[[[ 0.,  0.,  1.],',
          '          [ 0.,  4.,  6.],',
          '          [ 4., 12.,  9.]]]])',
        ].join('\n'));
      }
    }
  });
});
