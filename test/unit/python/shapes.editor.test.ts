import * as assert from 'node:assert/strict';
import type { TextEdit } from '../../../src/python';
import { analyzeShapes } from '../../../src/python';
import { hoverAt, inlayHints, layerAtOffset, quickFixes } from '../../../src/python';

const HEADER = 'import torch\nimport torch.nn as nn\n';

function apply(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.from - a.from).reduce((t, e) => t.slice(0, e.from) + e.insert + t.slice(e.to), text);
}

/** The first diagnostic's fixes; each applied alone must leave no diagnostic. */
function fixesFor(source: string): { titles: string[]; fixed: string[] } {
  const analysis = analyzeShapes(source);
  const [diagnostic] = analysis.diagnostics;
  assert.ok(diagnostic, 'the source has a diagnostic');
  const fixes = quickFixes(analysis, diagnostic);
  const fixed = fixes.map((f) => apply(source, f.edits));
  for (const text of fixed) assert.deepEqual(analyzeShapes(text).diagnostics.map((d) => d.message), [], `after the fix:\n${text}`);
  return { titles: fixes.map((f) => f.title), fixed };
}

describe('python: shape hovers, inlay hints and quick fixes', () => {
  const seedLike = `${HEADER}conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)\nup = nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1)\nx = torch.randn(1, 3, 15, 15)\nh = conv(x)\ny = up(h)\n`;

  it('hovers a transposed conv with its numbers, formulas, shapes, parameters, MACs and notes', () => {
    const analysis = analyzeShapes(seedLike);
    const hover = hoverAt(analysis, seedLike.indexOf('ConvTranspose2d'));
    const md = hover?.markdown ?? '';
    // The host links Run / Visualize for the layer built here.
    assert.deepEqual(hover?.links, { kind: 'layer', site: { from: seedLike.indexOf('nn.ConvTranspose2d'), to: seedLike.indexOf('\nx = ') } });
    assert.equal(seedLike.slice(hover?.from, hover?.to), 'nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1)');
    // weight (8, 3, 3, 3) + bias 3 = 216 + 3 = 219 parameters; MACs = N·C_in·H·W·C_out·k² = 1·8·8·8·3·9 = 13,824.
    for (const expected of [
      '**nn.ConvTranspose2d** `8 → 3` channels', 'weight `(8, 3, 3, 3)` · bias `(3,)` · 219 parameters',
      'H_out = (H_in − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = `2*H_in - 1`',
      'input `(1, 8, 8, 8)` → output `(1, 3, 15, 15)` · 13,824 MACs', 'H_out = (8 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 15',
      // ⌊(L + 2 − 2 − 1)/2⌋ + 1 = 8 for L = 15 and 16: output_padding 0 or 1 picks one.
      'maps every input size in H 15…16, W 15…16 to `(8, 8)`', 'to restore `(15, 15)` (the size entering the matching conv): `output_padding=(0, 0)`',
      'kernel_size (3, 3) is not a multiple of stride (2, 2)',
    ]) assert.ok(md.includes(expected), `missing ${expected} in\n${md}`);
  });

  it('hovers a keyword with its valid range, a variable with its shape and origin, and a literal with its values', () => {
    const analysis = analyzeShapes(`${seedLike}K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])\n`);
    const keyword = hoverAt(analysis, seedLike.indexOf('stride=2, padding=1)\nx') + 11);
    // Transposed padding ≤ ⌊((8 − 1)·2 + 1·(3 − 1)) / 2⌋ = 8 keeps at least one output element.
    assert.match(keyword?.markdown ?? '', /^\*\*padding\*\*.*\n\nValid here: 0 ≤ padding ≤ \(8, 8\) per dim for the `\(8, 8\)` input/s);
    const variable = hoverAt(analysis, seedLike.indexOf('up(h)') + 3);
    assert.equal(variable?.markdown, '`h`: Tensor `(1, 8, 8, 8)` float32\n\nfrom line 6: `h = conv(x)`');
    const literal = hoverAt(analysis, seedLike.length + 'K = torch.ten'.length);
    assert.equal(literal?.markdown, '**Tensor literal** `(2, 2)` float32 · min 0 · max 3\n\n```python\ntensor([[0., 1.],\n        [2., 3.]])\n```');
  });

  it('escapes the source it quotes: a string with backticks, a link or {{layer-links}} stays text in a code span', () => {
    const hostile = 'x = torch.ones(2) + len("`![i](h:/a)` [q](command:q) {{layer-links}}")';
    const analysis = analyzeShapes(`${HEADER}${hostile}\n`);
    const md = hoverAt(analysis, HEADER.length)?.markdown ?? '';
    // The statement is quoted in a code span whose fence is longer than any backtick run in it:
    // the image, the command link and the placeholder are inert text inside it.
    const span = /from line 3: (`+)(.*)\1$/s.exec(md);
    assert.ok(span, md);
    assert.ok((span[1] ?? '').length > 1, `the fence ${span[1]} must outrun the single backticks inside`);
    assert.ok(!(span[2] ?? '').includes(span[1] ?? ''), md);
    assert.ok(md.includes('{{layer-links}}'), 'the placeholder text is kept as written, never replaced');
  });

  it('hovers a one-letter name with the position at its end (the right half of the letter, as VS Code sends it)', () => {
    const source = `${HEADER}x = torch.zeros(2, 3)\nh = x.T\n`;
    const analysis = analyzeShapes(source);
    const at = source.indexOf('h = x.T');
    assert.equal(hoverAt(analysis, at)?.markdown, hoverAt(analysis, at + 1)?.markdown);
    assert.match(hoverAt(analysis, at + 1)?.markdown ?? '', /^`h`: Tensor `\(3, 2\)` float32/);
  });

  it("hovers F.conv_transpose2d with the shapes reaching it and core/geometry's formulas, and a tensor-valued call", () => {
    const source = `${HEADER}import torch.nn.functional as F\nx = torch.randn(1, 4, 5, 5)\nw = torch.randn(4, 2, 3, 3)\ny = F.conv_transpose2d(x, w, stride=2, padding=(1, 1))\nz = torch.cat([y, y], dim=1)\n`;
    const analysis = analyzeShapes(source);
    const md = hoverAt(analysis, source.indexOf('conv_transpose2d'))?.markdown ?? '';
    // (5 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 9
    assert.ok(md.startsWith('**F.conv_transpose2d** · input `(1, 4, 5, 5)` · weight `(4, 2, 3, 3)`\n\noutput `(1, 2, 9, 9)`'), md);
    assert.ok(md.includes('- H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 = (5 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 9'), md);
    assert.equal(hoverAt(analysis, source.indexOf('torch.cat') + 7)?.markdown, '`torch.cat([y, y], dim=1)`: Tensor `(1, 4, 9, 9)` float32');
  });

  it('finds the layer under a name bound to it', () => {
    const analysis = analyzeShapes(seedLike);
    const found = layerAtOffset(analysis, seedLike.indexOf('up(h)'));
    assert.equal(found?.layer.type === 'conv' ? found.layer.name : undefined, 'ConvTranspose2d');
    assert.deepEqual(found?.inputs, [[1, 8, 8, 8]]);
  });

  it('gives inlay hints after bound names, and after nested layer calls with "all"', () => {
    const source = `${HEADER}conv = nn.Conv2d(1, 2, 3)\nx = torch.zeros(1, 1, 5, 5)\ny = conv(conv.weight.new_zeros(1, 1, 7, 7)) + conv(x).sum()\n`;
    const analysis = analyzeShapes(source);
    const at = (s: string): number => source.indexOf(s) + s.length;
    assert.deepEqual(inlayHints(analysis, 'assignments'), [{ offset: at('x'), label: ': (1, 1, 5, 5)' }, { offset: at('\ny'), label: ': (1, 2, 5, 5)' }]);
    assert.deepEqual(inlayHints(analysis, 'all').filter((h) => h.label.startsWith(' →')), [
      { offset: at('conv(conv.weight.new_zeros(1, 1, 7, 7))'), label: ' → (1, 2, 5, 5)' }, { offset: at('conv(x)'), label: ' → (1, 2, 3, 3)' },
    ]);
    assert.deepEqual(inlayHints(analysis, 'off'), []);
  });

  it('fixes a channel mismatch by setting in_channels', () => {
    const { titles, fixed } = fixesFor(`${HEADER}a = nn.Conv2d(3, 8, 3)\nb = nn.Conv2d(16, 4, 3)\ny = b(a(torch.randn(1, 3, 9, 9)))\n`);
    assert.deepEqual(titles, ["Set in_channels to 8 (the input's channels)"]);
    assert.ok(fixed[0]?.includes('b = nn.Conv2d(8, 4, 3)'));
  });

  it("fixes a skip connection's size by setting output_padding (added when absent)", () => {
    // 16 → ⌊(16 + 2 − 2 − 1)/2⌋ + 1 = 8 → (8 − 1)·2 − 2 + 2 + 0 + 1 = 15 ≠ 16: output_padding 1 gives 16.
    const source = `${HEADER}down = nn.Conv2d(4, 8, 3, stride=2, padding=1)\nup = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)\nx = torch.randn(1, 4, 16, 16)\ny = torch.cat([up(down(x)), x], dim=1)\n`;
    const { titles, fixed } = fixesFor(source);
    // Or the skip's size at the call: 16 is in the range (15 to 15 + stride − 1) the transposed conv gives for 8.
    assert.deepEqual(titles, ['Set output_padding=1 so ConvTranspose2d gives back (16, 16)', "Pass output_size=x.shape[-2:] to up (its output then has the skip's size)"]);
    assert.ok(fixed[0]?.includes('nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)'));
    assert.ok(fixed[1]?.includes('torch.cat([up(down(x), output_size=x.shape[-2:]), x], dim=1)'));
  });

  it("fixes an invalid output_padding with the one restoring the paired conv's input", () => {
    const source = `${HEADER}down = nn.Conv2d(4, 8, 3, stride=2, padding=1)\nup = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=2)\nh = down(torch.randn(1, 4, 16, 16))\ny = up(h)\n`;
    const { titles } = fixesFor(source);
    assert.deepEqual(titles, ['Set output_padding=1 so ConvTranspose2d gives back (16, 16)']);
  });

  it("fixes a stride-1 conv that shrinks its input with padding='same'", () => {
    // 9 − 3 + 1 = 7 ≠ 9: padding='same' keeps 9 × 9, which the residual sum needs.
    const { titles, fixed } = fixesFor(`${HEADER}conv = nn.Conv2d(4, 4, 3)\nx = torch.randn(1, 4, 9, 9)\ny = conv(x) + x\n`);
    assert.deepEqual(titles, ["Set padding='same' so Conv2d keeps (9, 9)"]);
    assert.ok(fixed[0]?.includes("conv = nn.Conv2d(4, 4, 3, padding='same')"));
  });

  it('fixes in_features and a view with -1', () => {
    assert.deepEqual(fixesFor(`${HEADER}fc = nn.Linear(100, 10)\ny = fc(torch.randn(4, 3, 8, 8).flatten(1))\n`).titles, ["Set in_features to 192 (the input's last dim)"]);
    // 4·3·8·8 = 768 elements: (4, -1) infers 192; (-1, 100) would need 768/100.
    assert.deepEqual(fixesFor(`${HEADER}y = torch.randn(4, 3, 8, 8).view(4, 100)\n`).titles, ['Replace 100 with -1 (inferred: 192)']);
  });
});
