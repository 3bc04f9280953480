// The shape-analysis worker (dist/analysis.js) through the client the extension uses: programs
// synced whole or by edits (falling back to a full parse when the edits do not reproduce the
// text), and hovers and fixes answered from the analysis of the version asked about.
import * as assert from 'node:assert/strict';
import { AnalysisClient } from '../../../src/extension/analysis/client';
import type { FromAnalysisMessage } from '../../../src/protocol/analysis';
import { repoRoot } from '../helpers';

const BUGGY = 'import torch\nimport torch.nn as nn\nconv = nn.Conv2d(3, 8, 3)\ny = conv(torch.randn(1, 4, 9, 9))\n';

function messages(answer: FromAnalysisMessage): string[] {
  assert.equal(answer.type, 'diagnostics');
  return answer.type === 'diagnostics' ? answer.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`) : [];
}

describe('worker: shape analysis', function () {
  this.timeout(30_000);
  const client = new AnalysisClient(repoRoot(), () => undefined);
  after(() => client.dispose());

  it('analyses a synced program and re-parses it incrementally from edits', async () => {
    assert.deepEqual(await client.request({ type: 'sync', key: 'a.py', version: 1, text: BUGGY }), { type: 'synced', key: 'a.py', version: 1, incremental: false });
    assert.deepEqual(messages(await client.request({ type: 'diagnostics', key: 'a.py', version: 1 })), ['4:5 channel-mismatch']);
    // Typing "4" over the "3" of in_channels fixes it: one edit on version 1.
    const at = BUGGY.indexOf('(3, 8');
    const fixed = `${BUGGY.slice(0, at + 1)}4${BUGGY.slice(at + 2)}`;
    const synced = await client.request({ type: 'sync', key: 'a.py', version: 2, text: fixed, baseVersion: 1, edits: [{ from: at + 1, to: at + 2, insert: '4' }] });
    assert.deepEqual(synced, { type: 'synced', key: 'a.py', version: 2, incremental: true });
    assert.deepEqual(messages(await client.request({ type: 'diagnostics', key: 'a.py', version: 2 })), []);
  });

  it('reaches the text by its difference when the edits do not reproduce it, and refuses a version it does not have', async () => {
    const synced = await client.request({ type: 'sync', key: 'a.py', version: 3, text: BUGGY, baseVersion: 2, edits: [{ from: 0, to: 0, insert: '# wrong\n' }] });
    assert.deepEqual(synced, { type: 'synced', key: 'a.py', version: 3, incremental: true });
    assert.deepEqual(messages(await client.request({ type: 'diagnostics', key: 'a.py', version: 3 })), ['4:5 channel-mismatch']);
    await assert.rejects(client.request({ type: 'hover', key: 'a.py', version: 2, offset: 0 }), /program a\.py is not at version 2/);
  });

  it('updates a program sent whole (a notebook) from the difference with its last text', async () => {
    assert.deepEqual(await client.request({ type: 'sync', key: 'b.ipynb', version: 1, text: BUGGY }), { type: 'synced', key: 'b.ipynb', version: 1, incremental: false });
    assert.deepEqual(messages(await client.request({ type: 'diagnostics', key: 'b.ipynb', version: 1 })), ['4:5 channel-mismatch']);
    const fixed = BUGGY.replace('randn(1, 4', 'randn(1, 3');
    assert.deepEqual(await client.request({ type: 'sync', key: 'b.ipynb', version: 2, text: fixed }), { type: 'synced', key: 'b.ipynb', version: 2, incremental: true });
    assert.deepEqual(messages(await client.request({ type: 'diagnostics', key: 'b.ipynb', version: 2 })), []);
    assert.deepEqual(await client.request({ type: 'sync', key: 'b.ipynb', version: 3, text: `${fixed}z = conv(y)\n` }), { type: 'synced', key: 'b.ipynb', version: 3, incremental: true });
    assert.deepEqual(messages(await client.request({ type: 'diagnostics', key: 'b.ipynb', version: 3 })), ['5:5 channel-mismatch']);
  });

  it('answers hovers, hints and fixes from the same analysis', async () => {
    const hover = await client.request({ type: 'hover', key: 'a.py', version: 3, offset: BUGGY.indexOf('Conv2d') });
    assert.ok(hover.type === 'hover' && hover.hover?.markdown.startsWith('**nn.Conv2d** `3 → 8` channels'));
    const answer = await client.request({ type: 'diagnostics', key: 'a.py', version: 3 });
    const diagnostic = answer.type === 'diagnostics' ? answer.diagnostics[0] : undefined;
    assert.ok(diagnostic);
    const fixes = await client.request({ type: 'codeActions', key: 'a.py', version: 3, diagnostic });
    assert.deepEqual(fixes.type === 'codeActions' ? fixes.fixes.map((f) => f.title) : [], ["Set in_channels to 4 (the input's channels)"]);
  });
});
