// `node dist/cli.js` as users run it, on .npy files written by serializeNpy. Expected printed
// outputs are quoted from the seed notebook (/work/shared/seed), PyTorch's error text from torch 1.13.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convBatch, randomTensor } from '../../../bench/workloads';
import { formatTensor } from '../../../src/core/format';
import { parseNpy, serializeNpy } from '../../../src/core/npy';
import { runOp } from '../../../src/core/engine';
import { planOp } from '../../../src/core/plan';
import type { OpRequest } from '../../../src/core/vocabulary';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { CLI_INLINE_MS } from '../../../src/cli/run';
import { fixturePath, repoRoot } from '../helpers';

const cli = path.join(repoRoot(), 'dist', 'cli.js');

interface Run { code: number | null; stdout: string; stderr: string }

function convLab(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertFails(run: Run, message: RegExp): void {
  assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line, no stack trace:\n${run.stderr}`);
  assert.equal(run.stdout, '');
}

describe('conv-lab CLI', function () {
  this.timeout(60_000);
  let dir = '';
  const npy = (name: string, t: Tensor): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, serializeNpy(t));
    return file;
  };
  let X = '', K = '';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-cli-'));
    // The seed's cell 88/89: X = K = [[0., 1.], [2., 3.]] reshaped to 1×1×2×2.
    X = npy('X.npy', tensor([0, 1, 2, 3], [1, 1, 2, 2]));
    K = npy('K.npy', tensor([0, 1, 2, 3], [1, 1, 2, 2]));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('cell 89: conv_transpose2d prints what PyTorch printed', () => {
    const r = convLab('run', 'conv_transpose2d', '--input', X, '--weight', K, '--print');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, [
      'tensor([[[[ 0.,  0.,  1.],',
      '          [ 0.,  4.,  6.],',
      '          [ 4., 12.,  9.]]]])',
      '',
    ].join('\n'));
  });

  it('cell 90: padding=1', () => {
    const r = convLab('run', 'conv_transpose2d', '--input', X, '--weight', K, '--padding', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'tensor([[[[4.]]]])\n');
  });

  it('cell 91: stride=2', () => {
    const r = convLab('run', 'conv_transpose2d', '--input', X, '--weight', K, '--stride', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      'tensor([[[[0., 0., 0., 1.],',
      '          [0., 0., 2., 3.],',
      '          [0., 2., 0., 3.],',
      '          [4., 6., 6., 9.]]]])',
      '',
    ].join('\n'));
  });

  it("cell 93: d2l's corr2d", () => {
    const x = npy('arange9.npy', tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [3, 3]));
    const k = npy('K1234.npy', tensor([1, 2, 3, 4], [2, 2]));
    const r = convLab('run', 'corr2d', '--input', x, '--weight', k);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'tensor([[27., 37.],\n        [57., 67.]])\n');
  });

  it('--out writes the result as .npy and prints nothing unless --print', () => {
    const out = path.join(dir, 'Y.npy');
    const r = convLab('run', 'conv_transpose2d', '--input', X, '--weight', K, '--out', out);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
    const y = parseNpy(fs.readFileSync(out));
    assert.deepEqual([y.dtype, y.shape, [...y.data]], ['float32', [1, 1, 3, 3], [0, 0, 1, 0, 4, 6, 4, 12, 9]]);
  });

  describe('kernel build', () => {
    // conv1d of x = [1, 1 + 2⁻¹²] by w = [−(1 + 2⁻¹¹), 1 + 2⁻¹²] (worked out in
    // test/unit/core/fast.test.ts): 2⁻²⁴ with a fused multiply-add, 0 with a product then a sum.
    const a = 1 + 2 ** -12;
    const run = (nodeOptions: string[]): { code: number | null; stderr: string; y: number[] } => {
      const x = npy('fx.npy', { shape: [1, 1, 2], dtype: 'float32', data: Float32Array.of(1, a) });
      const w = npy('fw.npy', { shape: [1, 1, 2], dtype: 'float32', data: Float32Array.of(-(1 + 2 ** -11), a) });
      const out = path.join(dir, 'fy.npy');
      fs.rmSync(out, { force: true });
      const r = spawnSync(process.execPath, [...nodeOptions, cli, 'run', 'conv1d', '--input', x, '--weight', w, '--out', out], { encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stderr: r.stderr, y: r.status === 0 ? [...(parseNpy(fs.readFileSync(out)).data as Float32Array)] : [] };
    };

    it('the CLI runs the FMA kernels, turning relaxed SIMD on where Node has it behind a flag (Node 20)', () => {
      assert.deepEqual(run([]), { code: 0, stderr: '', y: [2 ** -24] });
    });

    it('with relaxed SIMD turned off on the command line, the probe refuses it and the CLI falls back to the SIMD kernels', () => {
      const off = '--no-experimental-wasm-relaxed-simd';
      // A Node whose V8 has no such flag keeps relaxed SIMD on: without the flag it must still fuse.
      const hasFlag = spawnSync(process.execPath, [off, '-e', '']).status === 0;
      assert.deepEqual(run(hasFlag ? [off] : []), { code: 0, stderr: '', y: [hasFlag ? 0 : 2 ** -24] });
    });
  });

  it('runs an op above the inline threshold on the worker pool, same result as runOp', () => {
    // In float64 (the reference kernels): several hundred milliseconds of work.
    const float64 = (t: Tensor): Tensor => ({ shape: t.shape, dtype: 'float64', data: Float64Array.from(t.data as Float32Array) });
    const batch = convBatch(1);
    assert.ok(batch.bias !== undefined);
    const req = { ...batch, input: float64(batch.input), weight: float64(batch.weight), bias: float64(batch.bias) };
    assert.ok(planOp(req).cost.ms >= CLI_INLINE_MS, 'the op must take the pool path');
    const out = path.join(dir, 'big.npy');
    const r = convLab('run', 'conv2d', '--input', npy('bx.npy', req.input), '--weight', npy('bw.npy', req.weight),
      '--bias', npy('bb.npy', req.bias), '--padding', '2', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const expected = runOp(req);
    const y = parseNpy(fs.readFileSync(out));
    assert.deepEqual(y.shape, expected.shape);
    assert.ok(Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength)
      .equals(Buffer.from(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength)));
  });

  it('a transposed conv with stride 5000 on a 2×2 input: a 5003×5003 output, printed as runOp prints it', () => {
    // Few multiply-adds and a large output: the fast kernels once planned stride² classes for it
    // and the CLI died out of memory (exit 134).
    const x = npy('x1234.npy', tensor([1, 2, 3, 4], [1, 1, 2, 2]));
    const w = npy('w1to9.npy', tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]));
    const r = convLab('run', 'conv_transpose2d', '--input', x, '--weight', w, '--stride', '5000');
    assert.equal(r.code, 0, r.stderr);
    const req: OpRequest = { op: 'conv_transpose2d', input: tensor([1, 2, 3, 4], [1, 1, 2, 2]), weight: tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]), args: { stride: 5000 } };
    assert.equal(r.stdout, `${formatTensor(runOp(req))}\n`);
    // Rows 0 and 5002 of the scatter: x[0, 0]·w[0] = [1, 2, 3] … x[0, 1]·w[0] = [2, 4, 6]; x[1, 0]·w[2] … x[1, 1]·w[2].
    assert.match(r.stdout, /^tensor\(\[\[\[\[ 1\., +2\., +3\., +\.\.\., +2\., +4\., +6\.\],/);
    assert.match(r.stdout, /\[21\., 24\., 27\., +\.\.\., 28\., 32\., 36\.\]\]\]\]\)\n$/);
  });

  const flagCases: Array<[string, string[], OpRequest]> = [
    ['conv_transpose2d with per-dim stride, padding, output padding, groups, output size',
      ['--stride', '2,1', '--padding', '1,0', '--output-padding', '1,0', '--groups', '2', '--output-size', '12,9'],
      { op: 'conv_transpose2d', input: randomTensor([1, 4, 6, 7], 30), weight: randomTensor([4, 3, 3, 3], 31),
        args: { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2, outputSize: [12, 9] } }],
    ["conv2d with padding 'same', dilation 2 and circular padding",
      ['--padding', 'same', '--dilation', '2', '--padding-mode', 'circular'],
      { op: 'conv2d', input: randomTensor([2, 3, 8, 9], 32), weight: randomTensor([4, 3, 3, 2], 33),
        args: { padding: 'same', dilation: 2, paddingMode: 'circular' } }],
    ["conv1d with padding 'valid' and stride 3",
      ['--padding', 'valid', '--stride', '3'],
      { op: 'conv1d', input: randomTensor([1, 2, 20], 34), weight: randomTensor([3, 2, 4], 35), args: { padding: 'valid', stride: 3 } }],
  ];
  for (const [name, flags, req] of flagCases) {
    it(`flags reach the op: ${name}`, () => {
      const out = path.join(dir, 'flags.npy');
      const r = convLab('run', req.op, '--input', npy('fx.npy', req.input), '--weight', npy('fw.npy', req.weight), ...flags, '--out', out);
      assert.equal(r.code, 0, r.stderr);
      const expected = runOp(req);
      const y = parseNpy(fs.readFileSync(out));
      assert.deepEqual(y.shape, expected.shape);
      assert.deepEqual([...y.data], [...expected.data]);
    });
  }

  describe('errors: one line on stderr, exit code 2', () => {
    it("PyTorch's RuntimeError for mismatched channels", () => {
      const w = npy('W2.npy', tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]));
      // torch 1.13: F.conv2d(torch.zeros(1, 1, 2, 2), torch.zeros(1, 2, 2, 2))
      assertFails(convLab('run', 'conv2d', '--input', X, '--weight', w), new RegExp('^RuntimeError: ' +
        'Given groups=1, weight of size \\[1, 2, 2, 2\\], expected input\\[1, 1, 2, 2\\] to have 2 channels, but got 1 channels instead\n$'));
    });

    it('an output over the element limit, refused before it is allocated', () => {
      // (2 − 1)·100000 + (2 − 1) + 1 = 100,002 per side: 10,000,400,004 elements.
      assertFails(convLab('run', 'conv_transpose2d', '--input', X, '--weight', K, '--stride', '100000'),
        /^conv-lab: conv_transpose2d output \[1, 1, 100002, 100002\] has 10,000,400,004 elements, more than the limit of 50,000,000 \(maxElements\); refused before computing anything\n$/);
    });

    it('a missing file', () => {
      assertFails(convLab('run', 'conv2d', '--input', path.join(dir, 'nope.npy'), '--weight', K),
        /^conv-lab: cannot read --input .*nope\.npy: ENOENT/);
    });

    it('a file that is not .npy', () => {
      const bad = path.join(dir, 'bad.npy');
      fs.writeFileSync(bad, 'not numpy');
      assertFails(convLab('run', 'conv2d', '--input', bad, '--weight', K), /^conv-lab: --input .*bad\.npy is not a readable \.npy file: /);
    });

    it('a bad flag value', () => {
      assertFails(convLab('run', 'conv2d', '--input', X, '--weight', K, '--stride', '2,x'), /^conv-lab: --stride expects integers, got 'x'/);
      assertFails(convLab('run', 'conv2d', '--input', X, '--weight', K, '--padding-mode', 'mirror'),
        /^conv-lab: --padding-mode must be one of zeros, reflect, replicate, circular; got 'mirror'/);
    });

    // torch 1.13: F.conv2d(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), padding=-1) and so on.
    const pytorchRefusals: Array<[string[], string]> = [
      [['--padding', '-1'], 'RuntimeError: negative padding is not supported'],
      [['--padding', '-1,0'], 'RuntimeError: negative padding is not supported'],
      [['--stride', '0'], 'RuntimeError: non-positive stride is not supported'],
      [['--stride', '-2'], 'RuntimeError: non-positive stride is not supported'],
      [['--groups', '0'], 'RuntimeError: non-positive groups is not supported'],
      [['--dilation', '0'], 'RuntimeError: dilation should be greater than zero, but got [0, 0]'],
      [['--stride', '99999999999999999999'], 'conv-lab: --stride: Overflow when unpacking long (99999999999999999999 does not fit in 64 bits)'],
    ];
    for (const [flags, message] of pytorchRefusals) {
      it(`${flags.join(' ')}: ${message}`, () => {
        assertFails(convLab('run', 'conv2d', '--input', X, '--weight', K, ...flags), new RegExp(`^${message.replace(/[()[\]]/g, '\\$&')}\n$`));
      });
    }

    it('a value starting with a dash that is no number: one line, not node\'s three', () => {
      assertFails(convLab('run', 'conv2d', '--input', '-x.npy', '--weight', K), /^conv-lab: Option '--input' argument is ambiguous\. Did you forget/);
    });

    it('/dev/zero as input: refused after its first bytes, not read forever', () => {
      assertFails(convLab('run', 'conv2d', '--input', '/dev/zero', '--weight', K),
        /^conv-lab: --input \/dev\/zero is not a readable \.npy file: not a \.npy file: bytes 0-5 should be .* found 00 00 00 00 00 00\n$/);
    });

    it('a FIFO as input: refused unopened (opening it would wait for a writer)', () => {
      const fifo = path.join(dir, 'input.npy');
      execFileSync('mkfifo', [fifo]);
      assertFails(convLab('run', 'conv2d', '--input', fifo, '--weight', K), /^conv-lab: cannot read --input .*input\.npy: a FIFO, not a file\n$/);
    });

    it("a header past NumPy's max_header_size, with NumPy's message", () => {
      assertFails(convLab('run', 'conv2d', '--input', fixturePath('npy', 'read', 'header-too-long.npy'), '--weight', K),
        /^conv-lab: --input .*header-too-long\.npy is not a readable \.npy file: Header info length \(20150\) is large and may not be safe to load securely\./);
    });

    it('a shape the file is too short for, refused before its data is read', () => {
      // A 1.0 header promising 10⁸ float32 values (400 MB) and no data at all.
      const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000,), }".padEnd(117) + '\n';
      const file = path.join(dir, 'promises.npy');
      fs.writeFileSync(file, Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]), Buffer.from(header, 'latin1')]));
      assertFails(convLab('run', 'conv2d', '--input', file, '--weight', K),
        /: \.npy file is truncated: 100000000 float32 values of shape \(100000000,\) starting at byte 128 needs bytes up to 400000128, the file has 128\n$/);
    });

    it('an unknown flag, op or command, and a missing flag', () => {
      assertFails(convLab('run', 'conv2d', '--input', X, '--weight', K, '--frobnicate'), /^conv-lab: Unknown option '--frobnicate'/);
      assertFails(convLab('run', 'conv4d', '--input', X, '--weight', K), /^conv-lab: unknown op 'conv4d'; one of conv1d, /);
      assertFails(convLab('run', 'conv2d', '--input', X), /^conv-lab: --weight is required/);
      for (const name of ['frobnicate', 'constructor']) {
        const unknown = convLab(name);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, new RegExp(`^conv-lab: unknown command '${name}'\n`));
      }
    });
  });

  it('--help lists the commands, and run --help the ops and flags', () => {
    const top = convLab('--help');
    assert.equal(top.code, 0);
    assert.match(top.stdout, /^usage: conv-lab <command>/);
    assert.match(top.stdout, /\n {2}run {7}run one conv/);
    const run = convLab('run', '--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /ops: conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, corr2d, trans_conv/);
    assert.match(run.stdout, /--output-size N,M/);
  });
});
