// The output_size quick fix on a U-Net's torch.cat: applied to test/fixtures/python/summary/
// unet_small.py fed a 100×150 input, the fixed code analyses without errors, is the very edit
// scripts/golden/gen_input_sizes.py makes before sweeping the fixed model under PyTorch (so the
// golden test holds the fixed model's sizes to PyTorch's), and accepts every even size from 4
// where the original accepted multiples of 4 only.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeShapes, quickFixes, type TextEdit } from '../../../src/python';
import { fixturePath } from '../helpers';
import { fixtureSource, solveFixture, type FixtureEdit } from './sizesFixture';

function apply(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.from - a.from).reduce((t, e) => t.slice(0, e.from) + e.insert + t.slice(e.to), text);
}

const RESIZED: FixtureEdit = ['torch.randn(1, 3, 64, 64)', 'torch.randn(1, 3, 100, 150)'];
const unet = fixtureSource('summary/unet_small.py', RESIZED);
/** The edit the golden script makes: the fixed U-Net whose sizes PyTorch recorded. */
const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'sizes', 'input_sizes.json'), 'utf8')) as { models: { file: string; edit?: [string, string] }[] };
const fixEdit = golden.models.find((m) => m.file === 'summary/unet_small.py' && m.edit)?.edit as FixtureEdit;

describe('output_size quick fix', function () {
  this.timeout(60_000);

  it('passes the skip\'s size to the transposed conv whose output the cat rejects; the fixed U-Net runs', () => {
    const analysis = analyzeShapes(unet);
    const [error] = analysis.diagnostics;
    // W 150 → pool 75 → pool 37 → up1 74, against the skip x2's 75.
    assert.equal(error?.code, 'cat-mismatch');
    const fix = quickFixes(analysis, error as NonNullable<typeof error>).find((f) => f.title.startsWith('Pass output_size'));
    assert.equal(fix?.title, 'Pass output_size=x2.shape[-2:] to self.up1 (its output then has the skip\'s size)');
    const fixed = apply(unet, fix?.edits ?? []);
    assert.match(fixed, /torch\.cat\(\[self\.up1\(x3, output_size=x2\.shape\[-2:\]\), x2\], dim=1\)/);
    const after = analyzeShapes(fixed);
    assert.deepEqual(after.diagnostics, []);
    // 1×2×100×150: outc keeps the input's spatial size (75 → up1 with output_size → 75; up2(75) = 150).
    assert.deepEqual(after.bindings.filter((b) => b.name === 'y').at(-1)?.shape, [1, 2, 100, 150]);
    assert.equal(fixed, unet.replace(fixEdit[0], fixEdit[1]));
  });

  it('the fixed U-Net accepts every even size from 4, where the original took multiples of 4', async () => {
    // Two 2×2 pools need 4; the second cat, left as it was, still needs 2·(H//2) = H: H even.
    const solved = await solveFixture('summary/unet_small.py', 'model', [1, 3, 100, 150], 64, fixEdit);
    assert.deepEqual(solved.axes.map((a) => a.accepted.text), ['H ≥ 4 and H ≡ 0 (mod 2)', 'W ≥ 4 and W ≡ 0 (mod 2)']);
  });

  it('offers nothing when the transposed conv cannot reach the skip\'s size', () => {
    // ConvTranspose2d(k2, s2) on 4×4 gives 8 or, with output_padding 1, 9: never the skip's 11.
    const source = 'import torch\nfrom torch import nn\nup = nn.ConvTranspose2d(4, 4, 2, stride=2)\nx = torch.zeros(1, 4, 4, 4)\nskip = torch.zeros(1, 4, 11, 11)\ny = torch.cat([up(x), skip], dim=1)\n';
    const analysis = analyzeShapes(source);
    const [error] = analysis.diagnostics;
    assert.equal(error?.code, 'cat-mismatch');
    assert.deepEqual(quickFixes(analysis, error as NonNullable<typeof error>).filter((f) => f.title.startsWith('Pass output_size')), []);
  });
});
