// The checkerboard hint and its quick fixes. The fixed layers' text is written by hand in
// scripts/golden/gen_checkerboard.py (with the algebra beside each), which also records PyTorch's
// output sizes for the original and fixed layers over many input sizes (cases.json): the fixes
// must produce exactly that text, and PyTorch must give the fixed layers the original's sizes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { convTransposeOutputLength, expandInts } from '../../../src/core/geometry';
import { analyzeShapes, checkerboardHints, quickFixes, reportJson, reportText, type ShapeAnalysis, type TextEdit } from '../../../src/python';
import { fixturePath } from '../helpers';

const HEADER = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

interface GoldenCase {
  readonly id: string;
  readonly original: string;
  readonly evenKernel: string | null;
  readonly upsampleConv: string | null;
  readonly inputs: readonly (readonly number[])[];
  readonly sizes: { readonly original: readonly (readonly number[] | null)[]; readonly evenKernel?: readonly (readonly number[] | null)[]; readonly upsampleConv?: readonly (readonly number[] | null)[] };
}

const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'checkerboard', 'cases.json'), 'utf8')) as { cases: GoldenCase[] };

function apply(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.from - a.from).reduce((t, e) => t.slice(0, e.from) + e.insert + t.slice(e.to), text);
}

function messages(source: string): string[] {
  return checkerboardHints(analyzeShapes(source)).map((h) => `${h.line}:${h.column} ${h.message}`);
}

/** The program's one hint and its fixes, each as the program after it (the line `layer = ...`'s right side). */
function fixedLayers(source: string): { analysis: ShapeAnalysis; fixes: Map<'evenKernel' | 'upsampleConv', string> } {
  const analysis = analyzeShapes(source);
  const hints = checkerboardHints(analysis);
  assert.equal(hints.length, 1, `one hint in\n${source}`);
  const fixes = new Map<'evenKernel' | 'upsampleConv', string>();
  for (const fix of quickFixes(analysis, hints[0] as NonNullable<(typeof hints)[0]>)) {
    const fixed = apply(source, fix.edits);
    const layer = /^layer = (.*)$/m.exec(fixed)?.[1] ?? '';
    fixes.set(fix.title.startsWith('Replace with') ? 'upsampleConv' : 'evenKernel', layer);
    // The fix makes the hint go away and raises no error.
    const after = analyzeShapes(fixed);
    assert.deepEqual([checkerboardHints(after), after.diagnostics.map((d) => d.message)], [[], []], `after "${fix.title}":\n${fixed}`);
  }
  return { analysis, fixes };
}

describe('python: the checkerboard hint', () => {
  describe("quick fixes, checked against PyTorch's output sizes", () => {
    for (const c of golden.cases) {
      it(`${c.id}: ${c.original}`, () => {
        const { fixes } = fixedLayers(`${HEADER}layer = ${c.original}\n`);
        for (const which of ['evenKernel', 'upsampleConv'] as const) {
          assert.equal(fixes.get(which), c[which] ?? undefined, `${which} of ${c.original}`);
          const sizes = c.sizes[which];
          if (c[which] === null) continue;
          // PyTorch gives the fixed layer the original's output size for every input size it ran (and fails where the original does).
          assert.ok(sizes);
          assert.deepEqual(sizes, c.sizes.original, `${which}: ${c[which]}`);
        }
        assert.ok(c.sizes.original.some((s) => s !== null), 'PyTorch ran the original on some input');
      });
    }

    it("core/geometry's transposed-conv output size is PyTorch's for every original layer and input", () => {
      for (const c of golden.cases) {
        const layer = analyzeShapes(`${HEADER}layer = ${c.original}\n`).layers()[0]?.layer;
        assert.ok(layer?.type === 'conv');
        c.inputs.forEach((input, n) => {
          const expected = c.sizes.original[n];
          const computed = input.map((size, i) => convTransposeOutputLength({
            input: size, kernel: layer.kernelSize[i] ?? 0, stride: expandInts(layer.args.stride, 1, input.length)[i] ?? 1,
            padding: (layer.args.padding as number[])[i] ?? 0, dilation: (layer.args.dilation as number[])[i] ?? 1, outputPadding: ((layer.args.outputPadding ?? []) as number[])[i] ?? 0,
          }));
          // Where PyTorch raised, some output size is below 1.
          if (expected === null) assert.ok(computed.some((size) => size < 1), `${c.id} ${input.join('x')}`);
          else assert.deepEqual(computed, expected, `${c.id} ${input.join('x')}`);
        });
      }
    });
  });

  it('flags 1d, 2d and 3d layers, keyword and positional arguments, tuples, and F.conv_transpose*d with a known weight', () => {
    const source = [
      HEADER.trimEnd(),
      'a = nn.ConvTranspose2d(8, 4, kernel_size=3, stride=2)',
      'b = nn.ConvTranspose1d(3, 3, 5, 2)',
      'c = nn.ConvTranspose3d(3, 3, (3, 4, 4), stride=(2, 2, 2))',
      'd = nn.ConvTranspose2d(4, 4, kernel_size=(3, 3), stride=(2, 1))',
      'e = torch.nn.ConvTranspose2d(4, 4, 5, 3, 2)',
      'x = torch.zeros(1, 8, 5, 5)',
      'y = F.conv_transpose2d(x, torch.zeros(8, 4, 3, 3), stride=2)',
      '',
    ].join('\n');
    // By hand: 3 % 2, 5 % 2, 3 % 2 in D only, 3 % 2 in H only (W has stride 1), 5 % 3, and the weight's 3 × 3 kernel % 2.
    assert.deepEqual(messages(source), [
      '4:5 kernel_size 3 is not a multiple of stride 2: uneven overlap gives checkerboard artifacts',
      '5:5 kernel_size 5 is not a multiple of stride 2: uneven overlap gives checkerboard artifacts',
      '6:5 kernel_size (3, 4, 4) is not a multiple of stride 2 along D: uneven overlap gives checkerboard artifacts',
      '7:5 kernel_size 3 is not a multiple of stride (2, 1) along H: uneven overlap gives checkerboard artifacts',
      '8:5 kernel_size 5 is not a multiple of stride 3: uneven overlap gives checkerboard artifacts',
      '10:5 kernel_size 3 is not a multiple of stride 2: uneven overlap gives checkerboard artifacts',
    ]);
    // The F call's kernel is its weight's: there is no constructor argument to rewrite.
    const analysis = analyzeShapes(source);
    const functional = checkerboardHints(analysis).find((h) => h.line === 10);
    assert.ok(functional);
    assert.deepEqual(quickFixes(analysis, functional), []);
  });

  it('does not flag a kernel_size that is a multiple of the stride, stride 1, a plain conv, or arguments it does not know', () => {
    const source = [
      HEADER.trimEnd(),
      'import sys',
      'a = nn.ConvTranspose2d(8, 4, kernel_size=4, stride=2, padding=1)',
      'b = nn.ConvTranspose2d(8, 4, 3)',
      'c = nn.ConvTranspose1d(8, 4, 6, stride=3)',
      'd = nn.Conv2d(8, 4, 3, stride=2)',
      'k = int(sys.argv[1])',
      'e = nn.ConvTranspose2d(8, 4, k, stride=2)',
      'f = nn.ConvTranspose2d(8, 4, 3, stride=k)',
      'def up(kernel):',
      '    return nn.ConvTranspose2d(8, 4, kernel, 2)',
      'x = torch.zeros(1, 8, 5, 5)',
      'y = F.conv_transpose2d(x, torch.load("w.pt"), stride=2)',
      'z = F.conv_transpose2d(x, torch.zeros(8, 4, 4, 4), stride=2)',
      'def up_from(**options):',
      '    return nn.ConvTranspose2d(8, 4, 3, **options)',
      '',
    ].join('\n');
    assert.deepEqual(messages(source), []);
  });

  it('flags a dilation sharing a factor with the stride (some outputs get no tap), and offers no kernel_size fix for it', () => {
    const source = [
      HEADER.trimEnd(),
      'a = nn.ConvTranspose2d(8, 4, kernel_size=4, stride=2, dilation=2)',
      'b = nn.ConvTranspose1d(8, 4, 4, stride=2, dilation=3)',
      'y = a(torch.zeros(1, 8, 5, 5))',
      '',
    ].join('\n');
    // By hand: taps at 0, 2, 4, 6 with stride 2 all fall on even outputs; dilation 3 with stride 2 is coprime and 4 % 2 == 0: even.
    assert.deepEqual(messages(source), ['4:5 dilation 2 shares a factor with stride 2: some output pixels get no kernel tap, a checkerboard pattern']);
    const analysis = analyzeShapes(source);
    const [hint] = checkerboardHints(analysis);
    assert.ok(hint);
    assert.ok(!quickFixes(analysis, hint).some((f) => f.title.startsWith('Set kernel_size')), 'a kernel_size fix for a dilated layer');
  });

  it('offers no Upsample + Conv for a layer an unbatched input reaches (nn.Upsample would read it as batched 1-D)', () => {
    const batched = fixedLayers(`${HEADER}layer = nn.ConvTranspose2d(8, 4, 3, 2)\ny = layer(torch.zeros(1, 8, 5, 5))\n`).fixes;
    const unbatched = fixedLayers(`${HEADER}layer = nn.ConvTranspose2d(8, 4, 3, 2)\ny = layer(torch.zeros(8, 5, 5))\n`).fixes;
    assert.deepEqual([[...batched.keys()], [...unbatched.keys()]], [['evenKernel', 'upsampleConv'], ['evenKernel']]);
  });

  it('offers no fix when a geometry argument is a name (it may hold other values when the line runs again)', () => {
    const analysis = analyzeShapes(`${HEADER}k = 3\nlayer = nn.ConvTranspose2d(8, 4, k, 2)\n`);
    const [hint] = checkerboardHints(analysis);
    assert.ok(hint, 'the layer is flagged: k is known');
    assert.deepEqual(quickFixes(analysis, hint), []);
  });

  it('is listed by conv-lab shapes as a hint that is not an error', () => {
    const analysis = analyzeShapes(`${HEADER}up = nn.ConvTranspose2d(8, 4, 3, stride=2)\n`);
    assert.deepEqual(reportJson([{ file: undefined, analysis }]).diagnostics, [
      { line: 4, column: 6, code: 'checkerboard', message: 'kernel_size 3 is not a multiple of stride 2: uneven overlap gives checkerboard artifacts', severity: 'hint' },
    ]);
    assert.deepEqual(reportText([{ file: 'up.py', analysis }]).split('\n'), [
      'up.py:4:6  hint  kernel_size 3 is not a multiple of stride 2: uneven overlap gives checkerboard artifacts  [checkerboard]',
      '0 bindings, 0 errors, 1 hint',
    ]);
  });
});
