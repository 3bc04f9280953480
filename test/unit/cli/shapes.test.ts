// `conv-lab shapes` as users run it: on the corpus files (PyTorch's ground truth beside them).
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath, repoRoot } from '../helpers';

const cli = path.join(repoRoot(), 'dist', 'cli.js');

function shapes(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'shapes', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('conv-lab shapes', function () {
  this.timeout(60_000);

  it('prints every tensor binding of a valid notebook as JSON, with its checkerboard hints, and exits 0', () => {
    const file = fixturePath('python', 'shapes', 'valid', 'transposed_conv.ipynb');
    const run = shapes(file, '--json');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { bindings: { line: number; name: string; shape: unknown }[]; diagnostics: { code: string; message: string; severity: string }[] };
    const truth = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as { bindings: { line: number; name: string; shape: number[] }[] };
    for (const b of truth.bindings) {
      assert.ok(out.bindings.some((o) => o.line === b.line && o.name === b.name && JSON.stringify(o.shape) === JSON.stringify(b.shape)), `${b.line} ${b.name}`);
    }
    // d2l's ConvTranspose2d(1, 1, kernel_size=3, stride=2) and ConvTranspose2d(20, 10, kernel_size=5, padding=2, stride=3): hints, not errors.
    assert.deepEqual(out.diagnostics.map((d) => [d.severity, d.code, d.message.split(':')[0]]), [
      ['hint', 'checkerboard', 'kernel_size 3 is not a multiple of stride 2'],
      ['hint', 'checkerboard', 'kernel_size 5 is not a multiple of stride 3'],
    ]);
  });

  it("reports PyTorch's error on PyTorch's line and exits 1", () => {
    const file = fixturePath('python', 'shapes', 'buggy', 'channel_mismatch.py');
    const truth = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as { error: { line: number; message: string } };
    const json = shapes(file, '--json');
    assert.equal(json.code, 1);
    const out = JSON.parse(json.stdout) as { diagnostics: { line: number; column: number; code: string; message: string; severity: string }[] };
    assert.deepEqual(out.diagnostics.map((d) => [d.line, d.code, d.message, d.severity]), [[truth.error.line, 'channel-mismatch', truth.error.message, 'error']]);
    const human = shapes(file);
    assert.equal(human.code, 1);
    assert.ok(human.stdout.includes(`channel_mismatch.py:${truth.error.line}:`), human.stdout);
    assert.ok(human.stdout.includes(`RuntimeError: ${truth.error.message}`), human.stdout);
    assert.match(human.stdout.trimEnd().split('\n').pop() ?? '', /^\d+ bindings, 1 error$/);
  });

  it('gives symbolic sizes in a module no call reaches', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-shapes-'));
    const file = path.join(dir, 'down.py');
    fs.writeFileSync(file, [
      'import torch.nn as nn',
      'class Down(nn.Module):',
      '    def __init__(self, cin, cout):',
      '        super().__init__()',
      '        self.conv = nn.Conv2d(cin, cout, 3, stride=2, padding=1)',
      '    def forward(self, x):',
      '        y = self.conv(x)',
      '        return y',
      '',
    ].join('\n'));
    const run = shapes(file, '--json');
    assert.equal(run.code, 0, run.stderr);
    // H_out = ⌊(H + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊(H − 1) / 2⌋ + 1 = ⌊(H + 1) / 2⌋
    assert.deepEqual(JSON.parse(run.stdout), { bindings: [{ line: 7, name: 'y', shape: ['N', 'cout', '(H + 1)//2', '(W + 1)//2'] }], diagnostics: [] });
    fs.rmSync(dir, { recursive: true });
  });

  const malformed: Array<[string, unknown, string]> = [
    ['cells: 5', { cells: 5 }, "'cells' is a number, not a list of cells"],
    ['cells a string', { cells: 'X = 1' }, "'cells' is a string, not a list of cells"],
    ['a source that is an object', { cells: [{ cell_type: 'code', source: 'X = 1' }, { cell_type: 'code', source: { a: 1 } }] },
      "cells[1]: 'source' is an object, not a string or a list of strings"],
  ];
  for (const [what, notebook, message] of malformed) {
    it(`refuses a malformed notebook (${what}) naming the problem, exit 2`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-shapes-'));
      const file = path.join(dir, 'bad.ipynb');
      fs.writeFileSync(file, JSON.stringify(notebook));
      const run = shapes(file);
      fs.rmSync(dir, { recursive: true });
      assert.deepEqual([run.code, run.stdout, run.stderr], [2, '', `conv-lab: ${file} is not a notebook: ${message}\n`]);
    });
  }

  it('refuses /dev/zero after 50 MB instead of reading it forever', () => {
    const run = shapes('/dev/zero');
    assert.deepEqual([run.code, run.stdout, run.stderr], [2, '', 'conv-lab: cannot read /dev/zero: larger than 50 MB\n']);
  });

  it('refuses a FIFO without opening it (that would wait for a writer)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-shapes-'));
    const fifo = path.join(dir, 'model.py');
    execFileSync('mkfifo', [fifo]);
    const run = shapes(fifo);
    fs.rmSync(dir, { recursive: true });
    assert.deepEqual([run.code, run.stdout, run.stderr], [2, '', `conv-lab: cannot read ${fifo}: a FIFO, not a file\n`]);
  });

  it('fails with one line and exit 2 on a missing file or a broken notebook', () => {
    const missing = shapes('/nonexistent/model.py');
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), 'conv-lab: cannot read /nonexistent/model.py: ENOENT');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-shapes-'));
    const broken = path.join(dir, 'broken.ipynb');
    fs.writeFileSync(broken, '{"cells": [');
    const run = shapes(broken);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^conv-lab: .*broken\.ipynb is not a notebook: /);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1);
    fs.rmSync(dir, { recursive: true });
  });

  describe('on a project (issue #15)', () => {
    const project = fixturePath('python', 'projects', 'buggy', 'pytorch-semseg-decoder_channels');
    const run = (cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [cli, 'shapes', ...args], { encoding: 'utf8', timeout: 60_000, cwd });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    // PyTorch's trace (conv_lab_truth.json): the driver's line 15 calls segnet.py:34, which calls utils.py:101, raising at utils.py:40.
    const message = 'Given groups=1, weight of size [256, 256, 3, 3], expected input[1, 512, 8, 12] to have 256 channels, but got 512 channels instead';

    it('reports, for one file named, the error its call raises in an imported file, with "file" and the chain', () => {
      const result = run(project, 'conv_lab_driver.py', '--json');
      assert.equal(result.code, 1, result.stderr);
      const json = JSON.parse(result.stdout) as { bindings: { file?: string; line: number; name: string; shape: unknown }[]; diagnostics: { file?: string; line: number; message: string; chain?: { file: string; line: number }[] }[] };
      assert.deepEqual(json.diagnostics.map((d) => [d.file, d.line, d.message, d.chain?.map((c) => `${c.file}:${c.line}`)]), [
        ['ptsemseg/models/utils.py', 40, message, ['conv_lab_driver.py:15', 'ptsemseg/models/segnet.py:34', 'ptsemseg/models/utils.py:101']],
      ]);
      // The driver's own bindings have no "file"; segnet.py's first encoder output (64 channels, 64×96 halved) does.
      assert.ok(json.bindings.some((b) => b.file === undefined && b.line === 14 && b.name === 'images'));
      assert.ok(json.bindings.some((b) => b.file === 'ptsemseg/models/segnet.py' && b.line === 27 && b.name === 'down1' && JSON.stringify(b.shape) === '[1,64,32,48]'));
    });

    it('reads a folder (honouring .gitignore) and groups the listing by file', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-project-'));
      fs.cpSync(project, dir, { recursive: true });
      fs.mkdirSync(path.join(dir, 'build'));
      fs.writeFileSync(path.join(dir, 'build', 'broken.py'), 'import torch\nz = torch.zeros(2, 3) + torch.zeros(4)\n');
      fs.writeFileSync(path.join(dir, '.gitignore'), '# generated\nbuild/\n');
      const result = run(os.tmpdir(), path.basename(dir));
      fs.rmSync(dir, { recursive: true });
      assert.equal(result.code, 1, result.stderr);
      const files = [...new Set(result.stdout.split('\n').flatMap((l) => /^(\S+?\.py):\d+/.exec(l)?.[1] ?? []))];
      const base = path.basename(dir);
      assert.deepEqual(files, [`${base}/conv_lab_driver.py`, `${base}/ptsemseg/models/segnet.py`, `${base}/ptsemseg/models/utils.py`]);
      assert.match(result.stdout, new RegExp(`${base}/ptsemseg/models/utils.py:40:\\d+  error  RuntimeError: ${message.replace(/[[\]]/g, '\\$&')}`));
      assert.match(result.stdout, /in 5 files\n?$/);
    });

    it('searches --root for imports, and refuses a --root that is not a folder', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-root-'));
      fs.mkdirSync(path.join(dir, 'lib'));
      fs.mkdirSync(path.join(dir, 'app'));
      fs.writeFileSync(path.join(dir, 'lib', 'sizes.py'), 'WIDTH = 6\n');
      fs.writeFileSync(path.join(dir, 'app', 'main.py'), 'import torch\nfrom sizes import WIDTH\nx = torch.zeros(WIDTH)\n');
      const without = run(dir, 'app/main.py', '--json');
      const withRoot = run(dir, 'app/main.py', '--root', 'lib', '--json');
      const refused = run(dir, 'app/main.py', '--root', 'nowhere');
      fs.rmSync(dir, { recursive: true });
      assert.deepEqual(JSON.parse(without.stdout).bindings, [{ line: 3, name: 'x', shape: null }]);
      assert.deepEqual(JSON.parse(withRoot.stdout).bindings, [{ line: 3, name: 'x', shape: [6] }]);
      assert.deepEqual([refused.code, refused.stderr], [2, 'conv-lab: --root nowhere: not a folder\n']);
    });
  });
});
