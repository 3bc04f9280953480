// Pad layers and F.pad in a mode check sizes as PyTorch 1.13 does (the messages below are what
// torch 1.13 raised for these very calls): a reflection pad must be smaller than the size it pads,
// a circular pad wraps at most once, a replication pad takes any non-empty size. The input-size
// solver depends on it: a CycleGAN generator's ReflectionPad2d(3) rejects sizes 1..3.
import * as assert from 'node:assert/strict';
import { analyzeShapes } from '../../../src/python';

function errorsOf(source: string): string[] {
  return analyzeShapes(`import torch\nimport torch.nn.functional as F\nfrom torch import nn\n${source}`).diagnostics.map((d) => d.message);
}

describe('pad modes', () => {
  it('ReflectionPad and F.pad(mode="reflect") reject a pad not smaller than the size', () => {
    assert.deepEqual(errorsOf('a = nn.ReflectionPad2d(3)(torch.zeros(1, 3, 3, 64))'), ['Argument #6: Padding size should be less than the corresponding input dimension, but got: padding (3, 3) at dimension 2 of input 4']);
    assert.deepEqual(errorsOf("b = F.pad(torch.zeros(1, 3, 64, 2), (2, 2, 3, 3), mode='reflect')"), ['Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (2, 2) at dimension 3 of input 4']);
    assert.deepEqual(errorsOf('e = nn.ReflectionPad1d((1, 3))(torch.zeros(1, 3, 3))'), ['Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (1, 3) at dimension 2 of input [1, 3, 3]']);
  });

  it('a circular pad may not wrap more than once; a replication pad and a size above the pad pass', () => {
    assert.deepEqual(errorsOf("c = F.pad(torch.zeros(1, 3, 2, 64), (2, 2, 3, 3), mode='circular')"), ['Padding value causes wrapping around more than once.']);
    const fine = analyzeShapes("import torch\nimport torch.nn.functional as F\nfrom torch import nn\nd = F.pad(torch.zeros(1, 3, 2, 64), (2, 2, 3, 3), mode='replicate')\nr = nn.ReflectionPad2d(3)(torch.zeros(1, 3, 4, 64))\n");
    assert.deepEqual(fine.diagnostics, []);
    // (2 + 3 + 3, 64 + 2 + 2) and (4 + 6, 64 + 6), as torch 1.13 gives them.
    assert.deepEqual(fine.bindings.map((b) => [b.name, b.shape]), [['d', [1, 3, 8, 68]], ['r', [1, 3, 10, 70]]]);
  });
});
