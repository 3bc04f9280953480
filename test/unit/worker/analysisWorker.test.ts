// The analysis worker (dist/analysis.js) through the client the extension uses: programs synced
// whole, then by edits alone (the whole text asked for when they do not reproduce its length),
// settings that reach the analysis, hovers, fixes and selections answered from the analysis of
// the version asked about, and a deadline after which the worker is restarted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnalysisClient } from '../../../src/extension/analysis/client';
import type { FromAnalysisMessage, ProgramAt, ToAnalysisMessage } from '../../../src/protocol/analysis';
import { repoRoot } from '../helpers';

const BUGGY = 'import torch\nimport torch.nn as nn\nconv = nn.Conv2d(3, 8, 3)\ny = conv(torch.randn(1, 4, 9, 9))\n';

function messages(answer: FromAnalysisMessage): string[] {
  assert.equal(answer.type, 'diagnostics');
  return answer.type === 'diagnostics' ? answer.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`) : [];
}

describe('worker: shape analysis', function () {
  this.timeout(30_000);
  const client = new AnalysisClient(repoRoot(), { defaultDtype: 'float32', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 }, () => undefined);
  after(() => client.dispose());
  /** The lengths of the versions this test synced: each query names the one it asks about, as the host does. */
  const syncedLengths = new Map<string, number>();
  const send = (message: ToAnalysisMessage): Promise<FromAnalysisMessage> => {
    if (message.type === 'sync') syncedLengths.set(`${message.key}@${message.version}`, message.length);
    return client.request(message);
  };
  const programAt = (key: string, version: number): ProgramAt => ({ key, version, length: syncedLengths.get(`${key}@${version}`) ?? 0 });

  it('analyses a synced program and re-parses it incrementally from edits', async () => {
    assert.deepEqual(await send({ type: 'sync', key: 'a.py', version: 1, text: BUGGY, length: BUGGY.length }), { type: 'synced', key: 'a.py', version: 1, incremental: false });
    assert.deepEqual(messages(await send({ type: 'diagnostics', ...programAt('a.py', 1) })), ['4:5 channel-mismatch']);
    // Typing "4" over the "3" of in_channels fixes it: one edit on version 1, and no text.
    const at = BUGGY.indexOf('(3, 8');
    const fixed = `${BUGGY.slice(0, at + 1)}4${BUGGY.slice(at + 2)}`;
    const synced = await send({ type: 'sync', key: 'a.py', version: 2, baseVersion: 1, edits: [{ from: at + 1, to: at + 2, insert: '4' }], length: fixed.length });
    assert.deepEqual(synced, { type: 'synced', key: 'a.py', version: 2, incremental: true });
    assert.deepEqual(messages(await send({ type: 'diagnostics', ...programAt('a.py', 2) })), []);
  });

  it('asks for the whole text when the edits do not reproduce its length, and refuses a version it does not have or a copy of another length', async () => {
    // An edit that does not make the host's text: the lengths differ, the worker asks for the text.
    assert.deepEqual(await send({ type: 'sync', key: 'a.py', version: 3, baseVersion: 2, edits: [{ from: 0, to: 0, insert: '# wrong\n' }], length: BUGGY.length }), { type: 'needsText', key: 'a.py' });
    const synced = await send({ type: 'sync', key: 'a.py', version: 3, text: BUGGY, length: BUGGY.length });
    assert.deepEqual(synced, { type: 'synced', key: 'a.py', version: 3, incremental: true });
    assert.deepEqual(messages(await send({ type: 'diagnostics', ...programAt('a.py', 3) })), ['4:5 channel-mismatch']);
    await assert.rejects(send({ type: 'hover', ...programAt('a.py', 2), offset: 0 }), /program a\.py is not at version 2/);
    // A copy that is not the host's (the same version number, another text) is refused, not answered from.
    await assert.rejects(send({ type: 'hover', key: 'a.py', version: 3, length: BUGGY.length + 1, offset: 0 }), /program a\.py at version 3 is not the host's: \d+ characters, not \d+/);
  });

  it('updates a program sent whole (a notebook) from the difference with its last text', async () => {
    assert.deepEqual(await send({ type: 'sync', key: 'b.ipynb', version: 1, text: BUGGY, length: BUGGY.length }), { type: 'synced', key: 'b.ipynb', version: 1, incremental: false });
    assert.deepEqual(messages(await send({ type: 'diagnostics', ...programAt('b.ipynb', 1) })), ['4:5 channel-mismatch']);
    const fixed = BUGGY.replace('randn(1, 4', 'randn(1, 3');
    assert.deepEqual(await send({ type: 'sync', key: 'b.ipynb', version: 2, text: fixed, length: fixed.length }), { type: 'synced', key: 'b.ipynb', version: 2, incremental: true });
    assert.deepEqual(messages(await send({ type: 'diagnostics', ...programAt('b.ipynb', 2) })), []);
    assert.deepEqual(await send({ type: 'sync', key: 'b.ipynb', version: 3, text: `${fixed}z = conv(y)\n`, length: fixed.length + 'z = conv(y)\n'.length }), { type: 'synced', key: 'b.ipynb', version: 3, incremental: true });
    assert.deepEqual(messages(await send({ type: 'diagnostics', ...programAt('b.ipynb', 3) })), ['5:5 channel-mismatch']);
  });

  it('answers hovers, hints and fixes from the same analysis', async () => {
    const hover = await send({ type: 'hover', ...programAt('a.py', 3), offset: BUGGY.indexOf('Conv2d') });
    assert.ok(hover.type === 'hover' && hover.hover?.markdown.startsWith('**nn.Conv2d** `3 → 8` channels'));
    const answer = await send({ type: 'diagnostics', ...programAt('a.py', 3) });
    const diagnostic = answer.type === 'diagnostics' ? answer.diagnostics[0] : undefined;
    assert.ok(diagnostic);
    const fixes = await send({ type: 'codeActions', ...programAt('a.py', 3), diagnostic });
    assert.deepEqual(fixes.type === 'codeActions' ? fixes.fixes.map((f) => f.title) : [], ["Set in_channels to 4 (the input's channels)"]);
  });

  it('adds the checkerboard hint when the lint setting asks for it, fixes it, and opens its overlap map on a placeholder input when no input is known', async () => {
    const source = 'import torch\nimport torch.nn as nn\nup = nn.ConvTranspose2d(8, 4, 3, stride=2)\n';
    await send({ type: 'sync', key: 'up.py', version: 1, text: source, length: source.length });
    const on = await send({ type: 'diagnostics', ...programAt('up.py', 1), lint: { checkerboard: true } });
    const off = await send({ type: 'diagnostics', ...programAt('up.py', 1), lint: { checkerboard: false } });
    const without = await send({ type: 'diagnostics', ...programAt('up.py', 1) });
    const hint = on.type === 'diagnostics' ? on.diagnostics[0] : undefined;
    assert.deepEqual([messages(on), messages(off), messages(without)], [['3:6 checkerboard'], [], []]);
    assert.equal(hint?.severity, 'hint');
    const fixes = await send({ type: 'codeActions', ...programAt('up.py', 1), diagnostic: hint as NonNullable<typeof hint> });
    // c = out at in=1 = 2 + 1 = 3; kernel 4: 4 − 2p + op = 3 → p = 1, op = 1 (scripts/golden/gen_checkerboard.py's 2d-positional case).
    assert.deepEqual(fixes.type === 'codeActions' ? fixes.fixes.map((f) => f.edits.length > 0 && f.title) : [], [
      'Set kernel_size=4, padding=1, output_padding=1: kernel_size a multiple of stride, same output size',
      'Replace with Upsample(scale_factor=2) + Conv2d(kernel_size=4, padding=2): no checkerboard, same output size',
    ]);
    const offset = source.indexOf('nn.ConvTranspose2d');
    const unknown = await send({ type: 'layerOp', ...programAt('up.py', 1), offset });
    const placeholder = await send({ type: 'layerOp', ...programAt('up.py', 1), offset, placeholderInput: true });
    assert.deepEqual(unknown.type === 'layerOp' ? unknown.reason : unknown, 'the input reaching this layer is not known statically');
    assert.deepEqual(placeholder.type === 'layerOp' ? [placeholder.op?.inputShape, placeholder.op?.weightShape] : placeholder, [[1, 8, 8, 8], [8, 4, 3, 3]]);
  });

  it('evaluates selections and typed expressions to tensors, with the reason and range when it cannot', async () => {
    const source = 'import torch\nX = torch.arange(4.).reshape(2, 2)\nY = X.T\nZ = foo(X)\n';
    await send({ type: 'sync', key: 'c.py', version: 1, text: source, length: source.length });
    const span = (text: string): { from: number; to: number } => ({ from: source.indexOf(text), to: source.indexOf(text) + text.length });
    const answer = await send({ type: 'evaluate', ...programAt('c.py', 1), spans: [span('X.T'), span('foo(X)')] });
    assert.ok(answer.type === 'evaluate');
    const [t, z] = answer.results;
    // arange(4.) = [[0, 1], [2, 3]]; its transpose is [[0, 2], [1, 3]].
    assert.ok(t?.ok);
    assert.deepEqual([t.tensor.shape, Array.from(t.tensor.data as Float32Array)], [[2, 2], [0, 2, 1, 3]]);
    assert.ok(z && !z.ok);
    assert.deepEqual([z.error.message, z.error.pythonKind, source.slice(z.error.from, z.error.to)], ["name 'foo' is not defined", 'NameError', 'foo']);
    const typed = await send({ type: 'evaluateTyped', ...programAt('c.py', 1), anchor: source.indexOf('Y ='), expression: 'Y + 1' });
    assert.ok(typed.type === 'evaluate' && typed.results[0]?.ok);
    assert.deepEqual(Array.from(typed.results[0].tensor.data as Float32Array), [1, 3, 2, 4]);
    const wrong = await send({ type: 'evaluateTyped', ...programAt('c.py', 1), anchor: source.indexOf('Y ='), expression: 'Y.view(3)' });
    assert.ok(wrong.type === 'evaluate' && wrong.results[0] && !wrong.results[0].ok);
    // Column 1 of the typed text: 2 × 2 = 4 elements do not view as 3.
    assert.deepEqual([wrong.results[0].error.message, wrong.results[0].error.inTyped, wrong.results[0].error.from], ["shape '[3]' is invalid for input of size 4", true, 0]);
  });

  it('analyses with the settings the host sends: float64 as the default dtype', async () => {
    const source = 'import torch\nx = torch.zeros(2)\n';
    await send({ type: 'sync', key: 'd.py', version: 1, text: source, length: source.length });
    const hover = async (): Promise<string> => {
      const answer = await send({ type: 'hover', ...programAt('d.py', 1), offset: source.indexOf('x =') });
      return answer.type === 'hover' ? (answer.hover?.markdown ?? '') : '';
    };
    assert.match(await hover(), /float32/);
    await client.configure({ defaultDtype: 'float64', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 });
    assert.match(await hover(), /float64/);
    await client.configure({ defaultDtype: 'float32', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 });
  });

  it('stops the worker when a request passes its deadline, and says why', async () => {
    const stops: string[] = [];
    const slow = new AnalysisClient(repoRoot(), { defaultDtype: 'float32', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 }, (reason) => stops.push(reason), 1);
    try {
      // 1 ms: parsing and analysing anything takes longer.
      await assert.rejects(slow.request({ type: 'sync', key: 'e.py', version: 1, text: BUGGY, length: BUGGY.length }), /did not answer sync within/);
      assert.deepEqual(stops, ['no answer to sync within 0.001 s']);
    } finally {
      slow.dispose();
    }
  });

  it('replays the whole cells a selection covers (a notebook cell ending in a def included), and says a selection of a str is not a tensor', async () => {
    // Two notebook cells joined, each followed by a newline: the second defines a function only.
    const cells = ['X = torch.ones(2)\nX', 'def f(x):\n    return x'];
    const text = cells.map((c) => `${c}\n`).join('');
    await send({ type: 'sync', key: 'f.ipynb', version: 1, text, length: text.length });
    const second = { from: cells[0]!.length + 1, to: cells[0]!.length + 1 + cells[1]!.length };
    const defOnly = await send({ type: 'replay', ...programAt('f.ipynb', 1), selection: second, cell: second, precision: 4, keepsExpression: false });
    assert.deepEqual(defOnly.type === 'replay' ? defOnly.steps : undefined, []);
    const first = { from: 0, to: cells[0]!.length };
    const replayed = await send({ type: 'replay', ...programAt('f.ipynb', 1), selection: first, cell: first, precision: 4, keepsExpression: true });
    assert.deepEqual(replayed.type === 'replay' ? replayed.steps?.map((s) => (s.outcome.ok ? s.outcome.printed : s.outcome.error.message)) : undefined, ['tensor([1., 1.])']);
    const source = 'X = "abc"\n';
    await send({ type: 'sync', key: 'g.py', version: 1, text: source, length: source.length });
    const answer = await send({ type: 'evaluate', ...programAt('g.py', 1), spans: [{ from: 4, to: 9 }] });
    assert.deepEqual(answer.type === 'evaluate' && !answer.results[0]?.ok ? answer.results[0]?.error.message : undefined, `'"abc"' is a str, not a tensor`);
  });

  describe('a project on disk (issue #15)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-worker-project-'));
    const root = dir.split(path.sep).join('/');
    const block = 'import torch.nn as nn\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(4, 8, 3)\n    def forward(self, x):\n        return self.conv(x)\n';
    const train = 'import torch\nfrom block import Block\ny = Block()(torch.randn(1, 3, 9, 9))\n';
    const script = (version: number, text: string): ToAnalysisMessage => ({ type: 'sync', key: 'train', version, text, length: text.length, path: `${root}/train.py` });
    before(async () => {
      fs.writeFileSync(path.join(dir, 'block.py'), block);
      await client.configure({ defaultDtype: 'float32', maxElements: 50_000_000, roots: [root], maxIndexedFiles: 2_000 });
    });
    after(() => fs.rmSync(dir, { recursive: true }));

    it('reports an error its run raises in a closed file as that file\'s, with the call chain', async () => {
      await send(script(1, train));
      const answer = await send({ type: 'diagnostics', ...programAt('train', 1) });
      assert.equal(answer.type, 'diagnostics');
      if (answer.type !== 'diagnostics') return;
      assert.deepEqual(answer.diagnostics, []);
      // block.py line 7, `self.conv(x)`: 4 channels wanted, 3 given; called from train.py line 3.
      assert.deepEqual(answer.elsewhere.map((e) => [e.path, e.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.chain?.map((c) => `${c.path}:${c.line}`).join(',')}`)]), [
        [`${root}/block.py`, [`7:16 channel-mismatch ${root}/train.py:3`]],
      ]);
    });

    it('says which open programs an edit of an imported file changes, and answers from the editor\'s text', async () => {
      const fixed = block.replace('Conv2d(4', 'Conv2d(3');
      const synced = await send({ type: 'sync', key: 'block', version: 1, text: fixed, length: fixed.length, path: `${root}/block.py` });
      assert.deepEqual(synced, { type: 'synced', key: 'block', version: 1, incremental: false, affected: ['train'] });
      const answer = await send({ type: 'diagnostics', ...programAt('train', 1) });
      assert.deepEqual(answer.type === 'diagnostics' ? [answer.diagnostics, answer.elsewhere] : answer, [[], []]);
      // Closing the module's editor: the disk's text (the bug) counts again.
      assert.deepEqual(await send({ type: 'close', key: 'block' }), { type: 'synced', key: 'block', version: -1, incremental: false, affected: ['train'] });
      const again = await send({ type: 'diagnostics', ...programAt('train', 1) });
      assert.deepEqual(again.type === 'diagnostics' ? again.elsewhere.map((e) => e.diagnostics.length) : again, [1]);
    });

    it('tells, with a new analysis\'s diagnostics, which open files it now reaches', async () => {
      const model = 'import torch.nn as nn\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n';
      fs.writeFileSync(path.join(dir, 'net.py'), model);
      await send({ type: 'sync', key: 'net', version: 1, text: model, length: model.length, path: `${root}/net.py` });
      const before = 'import torch\nx = torch.zeros(2)\n';
      await send({ type: 'sync', key: 'runner', version: 1, text: before, length: before.length, path: `${root}/runner.py` });
      const first = await send({ type: 'diagnostics', ...programAt('runner', 1) });
      assert.deepEqual(first.type === 'diagnostics' ? first.affected : first, undefined);
      // Now runner.py imports net.py and calls it: net.py's results change, though runner's last run never reached it.
      const after = 'import torch\nfrom net import Net\ny = Net()(torch.zeros(2))\n';
      assert.deepEqual(await send({ type: 'sync', key: 'runner', version: 2, text: after, length: after.length, path: `${root}/runner.py` }), { type: 'synced', key: 'runner', version: 2, incremental: true });
      const second = await send({ type: 'diagnostics', ...programAt('runner', 2) });
      assert.deepEqual(second.type === 'diagnostics' ? second.affected : second, ['net']);
      // Asked again (the same analysis), it has nothing new to tell.
      const third = await send({ type: 'diagnostics', ...programAt('runner', 2) });
      assert.deepEqual(third.type === 'diagnostics' ? third.affected : third, undefined);
    });

    it('evaluates a selection whose tensor comes from an imported module', async () => {
      fs.writeFileSync(path.join(dir, 'consts.py'), 'import torch\nK = torch.tensor([[1., 2.], [3., 4.]])\n');
      const source = 'from consts import K\nY = K * 2\n';
      await send({ type: 'sync', key: 'use', version: 1, text: source, length: source.length, path: `${root}/use.py` });
      const at = source.indexOf('K * 2');
      const answer = await send({ type: 'evaluate', ...programAt('use', 1), spans: [{ from: at, to: at + 'K * 2'.length }] });
      assert.ok(answer.type === 'evaluate' && answer.results[0]?.ok, JSON.stringify(answer));
      // [[1, 2], [3, 4]] doubled.
      assert.deepEqual([answer.results[0].tensor.shape, Array.from(answer.results[0].tensor.data as Float32Array)], [[2, 2], [2, 4, 6, 8]]);
    });
  });
});
