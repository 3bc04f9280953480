// Replaying the seed's `# %%` cells statically: every expression statement of a cell evaluated
// in order and printed; expected values are the `# Out[N]:` comments, which are what PyTorch
// printed when the seed notebook ran (scripts/make-examples.mjs copies them from the seed).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { percentCells, replayStatements, wholeCellStatements, type ReplayStep } from '../../../src/python';
import { PythonDocument } from '../../../src/python';
import { repoRoot } from '../helpers';

const SEED = fs.readFileSync(path.join(repoRoot(), 'examples', 'transposed_conv.py'), 'utf8');

interface SeedCell {
  readonly span: { from: number; to: number };
  /** The printed output PyTorch gave, from the `# Out[N]:` comment lines. */
  readonly out: string | undefined;
}

/** The seed's cells by their `In [N]` number. */
function seedCells(text: string): Map<number, SeedCell> {
  const cells = new Map<number, SeedCell>();
  for (const span of percentCells(text)) {
    const body = text.slice(span.from, span.to);
    const number = Number(/^# %% In \[(\d+)\]/.exec(body)?.[1]);
    const outAt = body.indexOf('# Out[');
    const out = outAt < 0 ? undefined : body.slice(outAt).split('\n').slice(1).filter((l) => l.startsWith('#')).map((l) => l.slice(2)).join('\n');
    cells.set(number, { span, out });
  }
  return cells;
}

function replayCell(doc: PythonDocument, cell: SeedCell): ReplayStep[] {
  const statements = wholeCellStatements(doc, cell.span, percentCells(doc.text));
  assert.ok(statements, 'the whole cell is selected');
  return replayStatements(doc, statements);
}

describe('python: replaying notebook-style cells', () => {
  const doc = new PythonDocument(SEED);
  const cells = seedCells(SEED);

  it('finds the seed\'s 12 `# %%` cells', () => {
    assert.deepEqual([...cells.keys()], [2, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97]);
  });

  for (const n of [88, 89, 90, 91, 92, 93, 95, 96, 97]) {
    it(`cell ${n} prints what PyTorch printed`, () => {
      const cell = cells.get(n);
      assert.ok(cell?.out);
      const steps = replayCell(doc, cell);
      assert.equal(steps.length, 1);
      const outcome = steps[0]?.outcome;
      assert.ok(outcome?.ok, outcome && !outcome.ok ? outcome.error.message : '');
      // Cell 88 shows K.shape, printed as the torch.Size it is.
      assert.equal(outcome.printed, cell.out);
    });
  }

  it('cells 89-91 give the layer call as an op, with the weight the cell sets', () => {
    const outcome = replayCell(doc, cells.get(91) as SeedCell)[0]?.outcome;
    assert.ok(outcome?.ok && outcome.op);
    assert.equal(outcome.op.op, 'conv_transpose2d');
    assert.deepEqual(outcome.op.weight.shape, [1, 1, 2, 2]);
    assert.deepEqual(outcome.op.args, { stride: 2 });
  });

  it('cell 94 defines a function: nothing to show', () => {
    assert.deepEqual(replayCell(doc, cells.get(94) as SeedCell), []);
  });

  it("cells 95 and 97 run the notebook's own functions (kernel2matrix, trans_conv): loops, slices, += on items", () => {
    // Cell 97's Z = trans_conv(Y, K) by hand: Y = [[27, 37], [57, 67]] scattered with K = [[1, 2], [3, 4]].
    const doc97 = new PythonDocument(`${SEED}\nZ\n`);
    const z = replayStatements(doc97, wholeCellStatements(doc97, { from: SEED.length, to: doc97.text.length }, [{ from: SEED.length, to: doc97.text.length }]) ?? [])[0]?.outcome;
    assert.ok(z?.ok, z && !z.ok ? z.error.message : '');
    assert.equal(z.printed, 'tensor([[ 27.,  91.,  74.],\n        [138., 400., 282.],\n        [171., 429., 268.]])');
  });

  it('a function may change in place what it made itself, a clone included', () => {
    const small = new PythonDocument('# %%\ndef f(x):\n    y = x.clone()\n    y[0] = 5\n    return y\nX = torch.zeros(2)\nf(X)\nX\n');
    const statements = wholeCellStatements(small, { from: 0, to: small.text.length }, percentCells(small.text)) ?? [];
    // PyTorch: f(X) is tensor([5., 0.]) and X stays tensor([0., 0.]).
    assert.deepEqual(replayStatements(small, statements).map((s) => (s.outcome.ok ? s.outcome.printed : s.outcome.error.message)), ['tensor([5., 0.])', 'tensor([0., 0.])']);
  });

  it('runs the file\'s functions as Python does: loops with known bounds, changes in place seen by the caller', () => {
    // Values by hand: 3 → 2 → 1 → 0; x[0] = 5 changes the caller's zeros; k += 1 changes K's ones.
    const cases: [string, string][] = [
      ['def f(x):\n    while x:\n        x = x - 1\n    return x\nf(3)', '0'],
      ['def f(x):\n    x[0] = 5\n    return x\nf(torch.zeros(2))', 'tensor([5., 0.])'],
      ['K = torch.zeros(2)\ndef f():\n    k = K\n    k += 1\n    return k\nf()', 'tensor([1., 1.])'],
    ];
    for (const [source, expected] of cases) {
      const small = new PythonDocument(`# %%\n${source}\n`);
      const statements = wholeCellStatements(small, { from: 0, to: small.text.length }, percentCells(small.text)) ?? [];
      const outcome = replayStatements(small, statements).at(-1)?.outcome;
      assert.ok(outcome?.ok, source);
      assert.equal(outcome.printed, expected, source);
    }
  });

  it("a function body Conv Lab cannot follow is refused with the reason", () => {
    const cases: [string, RegExp][] = [
      ['def f(x):\n    y = y + x\n    return y\nf(1)', /^cannot access local variable 'y' where it is not associated with a value$/],
      ['def f(x, k):\n    return x\nf(1)', /^f\(\) missing 1 required positional argument: 'k'$/],
      ['def f(n):\n    return f(n + 1)\nf(0)', /^cannot evaluate the recursive call of 'f' statically$/],
      // z is a view of y: after z changes in place, y's values are not followed.
      ['def f():\n    y = torch.zeros(2)\n    z = y.reshape(1, 2)\n    z[0, 0] = 1\n    return y\nf()', /^cannot evaluate 'y' statically: 'z' is changed in place by 'z\[0, 0\] = 1' on line 5 after 'y' was computed from it, and they may share memory$/],
      // 1,000 iterations: more than a loop is unrolled, so y's values after it are not known.
      ['def f():\n    y = torch.zeros(100000)\n    for i in range(1000):\n        y[i] = i\n    return y\nf()', /^cannot evaluate 'y' statically: it is set by 'for i in range\(1000\):…' on line 4, which Conv Lab does not follow$/],
      // 1 × 64 × 512 × 512 outputs of 64 × 3 × 3 taps each: 9,663,676,416 multiply-accumulates, for the worker pool.
      ['c = nn.Conv2d(64, 64, 3, padding=1, bias=False)\nc.weight.data = torch.ones(64, 64, 3, 3)\nc(torch.ones(1, 64, 512, 512))', /^conv2d of 9,663,676,416 multiply-accumulates is too large to run while reading the file/],
    ];
    for (const [source, expected] of cases) {
      const small = new PythonDocument(`# %%\n${source}\n`);
      const statements = wholeCellStatements(small, { from: 0, to: small.text.length }, percentCells(small.text)) ?? [];
      const outcome = replayStatements(small, statements).at(-1)?.outcome;
      assert.ok(outcome && !outcome.ok, source);
      assert.match(outcome.error.message, expected, source);
    }
  });

  it('a selection that cuts a statement, or covers no whole cell, is not a cell replay', () => {
    const cell = cells.get(93) as SeedCell;
    const all = percentCells(SEED);
    assert.equal(wholeCellStatements(doc, { from: cell.span.from + 20, to: cell.span.to }, all), undefined);
    const y = SEED.indexOf('Y = d2l.corr2d');
    assert.equal(wholeCellStatements(doc, { from: y, to: y + 'Y = d2l.corr2d(X, K)'.length }, all), undefined);
  });

  it('prints with the display precision asked for, and Python values as Python does', () => {
    const small = new PythonDocument('# %%\nx = torch.tensor([1 / 3])\nx\nx.shape == (1,)\n1e-5\n');
    const steps = replayStatements(small, wholeCellStatements(small, { from: 0, to: small.text.length }, percentCells(small.text)) ?? [], { precision: 6 });
    assert.deepEqual(steps.map((s) => (s.outcome.ok ? s.outcome.printed : s.outcome.error.message)), ['tensor([0.333333])', 'True', '1e-05']);
  });
});
