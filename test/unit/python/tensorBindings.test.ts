import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PythonDocument } from '../../../src/python/parse';
import { tensorBindings } from '../../../src/python/tensorBindings';
import { repoRoot } from '../helpers';

const SEED = fs.readFileSync(path.join(repoRoot(), 'examples', 'transposed_conv.py'), 'utf8');

describe('python: tensorBindings', () => {
  it("lists the seed's tensors with their shapes and lines, up to an offset", () => {
    const doc = new PythonDocument(SEED);
    const before = SEED.indexOf('# %% In [90]');
    const found = tensorBindings(doc, { before }).map((b) => `${b.name} ${b.tensor.shape.join('x')} line ${b.start.line}`);
    // Cell 88 binds 2×2 X and K (lines 20-21); cell 89 reshapes both to 1×1×2×2 (line 27).
    // `Y` inside trans_conv depends on its parameters and `tconv` is a module: neither is listed.
    assert.deepEqual(found, ['X 2x2 line 20', 'K 2x2 line 21', 'X 1x1x2x2 line 27', 'K 1x1x2x2 line 27']);
  });

  it('keeps the latest when limited, marks random placeholders, and leaves out plain numbers', () => {
    const doc = new PythonDocument('a = torch.ones(2)\nb = torch.rand(3)\nc = torch.zeros(1, 2)\nn = 5\n');
    const found = tensorBindings(doc, { limit: 3 });
    assert.deepEqual(found.map((b) => [b.name, b.placeholder]), [['b', true], ['c', false]]);
  });
});
