import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeShapes, kernelChoices } from '../../../src/python';
import { repoRoot } from '../helpers';

const SEED = fs.readFileSync(path.join(repoRoot(), 'examples', 'transposed_conv.py'), 'utf8');

describe('python: kernel choices (the tensors bound above the selection)', () => {
  it("lists the seed's tensors with their shapes and lines, up to an offset, nearest first", () => {
    const before = SEED.indexOf('# %% In [90]');
    const found = kernelChoices(analyzeShapes(SEED), before, 200).map((b) => `${b.name} ${b.tensor.shape.join('x')} line ${b.start.line}`);
    // Cell 88 binds 2×2 X and K (lines 20-21); cell 89 reshapes both to 1×1×2×2 (line 27).
    // `Y` inside trans_conv is local to it and `tconv` is a module: neither is listed.
    assert.deepEqual(found, ['K 1x1x2x2 line 27', 'X 1x1x2x2 line 27', 'K 2x2 line 21', 'X 2x2 line 20']);
  });

  it('keeps the nearest when limited, leaves out random placeholders and plain numbers', () => {
    const found = kernelChoices(analyzeShapes('a = torch.ones(2)\nb = torch.rand(3)\nc = torch.zeros(1, 2)\nn = 5\n'), Infinity, 1);
    assert.deepEqual(found.map((b) => b.name), ['c']);
    assert.deepEqual(kernelChoices(analyzeShapes('a = torch.ones(2)\nb = torch.rand(3)\nc = torch.zeros(1, 2)\nn = 5\n'), Infinity, 5).map((b) => b.name), ['c', 'a']);
  });
});
