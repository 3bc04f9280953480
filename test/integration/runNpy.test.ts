import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseNpy, serializeNpy } from '../../src/core/npy';
import { tensor, type Tensor } from '../../src/core/tensor';
import type { RunNpyArgs, RunOutcome } from '../../src/extension/runNpy';
import { convLab, workspaceFile } from './helpers';

// The seed's X and K (shared/seed, cells 88-89): X = K = [[0, 1], [2, 3]] reshaped to 1×1×2×2.
const X = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
const K = tensor([0, 1, 2, 3], [1, 1, 2, 2]);

async function writeNpy(name: string, t: Tensor): Promise<vscode.Uri> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, serializeNpy(t));
  return uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function run(args: RunNpyArgs): Thenable<RunOutcome | undefined> {
  return vscode.commands.executeCommand<RunOutcome | undefined>('convLab.runOnNpyFiles', args);
}

describe('Run Convolution on .npy Files (through the worker pool)', () => {
  let input: vscode.Uri;
  let weight: vscode.Uri;

  before(async () => {
    await convLab().activate();
    input = await writeNpy('seed_X.npy', X);
    weight = await writeNpy('seed_K.npy', K);
  });

  it("reproduces the seed's cell 89 and saves the result", async () => {
    const out = workspaceFile('cell89.npy');
    const outcome = await run({ op: 'conv_transpose2d', input, weight, out });
    assert.ok(outcome?.ok, `the run failed: ${outcome && !outcome.ok ? outcome.message : 'no outcome'}`);
    // Cell 89's printed output, without its grad_fn suffix.
    assert.equal(outcome.printed, [
      'tensor([[[[ 0.,  0.,  1.],',
      '          [ 0.,  4.,  6.],',
      '          [ 4., 12.,  9.]]]])',
    ].join('\n'));
    const saved = parseNpy(await vscode.workspace.fs.readFile(out));
    assert.deepEqual(saved.shape, [1, 1, 3, 3]);
    assert.deepEqual(Array.from(saved.data as Float32Array), [0, 0, 1, 0, 4, 6, 4, 12, 9]);
    assert.ok((convLab().exports?.liveWorkers() ?? 0) > 0, 'the op ran without a worker thread');
  });

  it("takes the arguments in Python syntax: cell 90's padding=1 gives [[4.]]", async () => {
    const outcome = await run({ op: 'conv_transpose2d', input, weight, args: 'padding=1', out: workspaceFile('cell90.npy') });
    assert.ok(outcome?.ok);
    assert.equal(outcome.printed, 'tensor([[[[4.]]]])');
  });

  it("reports PyTorch's message for a channel mismatch and writes nothing", async () => {
    const twoChannels = await writeNpy('two_channels.npy', tensor(new Array(8).fill(1), [1, 2, 2, 2]));
    const out = workspaceFile('never_written.npy');
    const outcome = await run({ op: 'conv_transpose2d', input: twoChannels, weight, out });
    assert.deepEqual(outcome, {
      ok: false,
      // F.conv_transpose2d(torch.zeros(1, 2, 2, 2), torch.zeros(1, 1, 2, 2)) in PyTorch 1.13
      message: 'RuntimeError: Given transposed=1, weight of size [1, 1, 2, 2], expected input[1, 2, 2, 2] to have 1 channels, but got 2 channels instead',
    });
    assert.equal(await exists(out), false, 'a failed run wrote its output file');
  });

  it('names the file that is not an .npy file', async () => {
    const notNpy = workspaceFile('transposed_conv.py');
    const outcome = await run({ op: 'conv2d', input: notNpy, weight });
    assert.ok(outcome && !outcome.ok);
    assert.match(outcome.message, /^transposed_conv\.py: /);
  });

  it("refuses a header past NumPy's max_header_size with NumPy's message, naming the file", async () => {
    // A valid version 1.0 header padded with spaces to 20,001 bytes, then one float32.
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }".padEnd(20_000) + '\n';
    const bytes = new Uint8Array(10 + header.length + 4);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    bytes.set(Buffer.from(header, 'latin1'), 10);
    const uri = workspaceFile('long_header.npy');
    await vscode.workspace.fs.writeFile(uri, bytes);
    const outcome = await run({ op: 'conv2d', input: uri, weight });
    assert.deepEqual(outcome, {
      ok: false,
      message: "long_header.npy: Header info length (20001) is large and may not be safe to load securely. (bytes 8-9 give the header length; NumPy's default max_header_size is 10000)",
    });
  });

  it('refuses /dev/zero after its first bytes instead of reading it forever', async () => {
    const outcome = await run({ op: 'conv2d', input: vscode.Uri.file('/dev/zero'), weight });
    assert.deepEqual(outcome, {
      ok: false,
      message: '/dev/zero: not a .npy file: bytes 0-5 should be the magic string 93 4e 55 4d 50 59 ("\\x93NUMPY"), found 00 00 00 00 00 00',
    });
  });

  it('names the column of a bad argument', async () => {
    const outcome = await run({ op: 'conv2d', input, weight, args: 'stride=2 padding=1' });
    assert.deepEqual(outcome, { ok: false, message: "arguments: expected ',' but found 'p' (column 10)" });
  });
});
