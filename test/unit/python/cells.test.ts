// Replaying the seed's `# %%` cells statically: every expression statement of a cell evaluated
// in order and printed; expected values are the `# Out[N]:` comments, which are what PyTorch
// printed when the seed notebook ran (scripts/make-examples.mjs copies them from the seed).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { percentCells, replayStatements, wholeCellStatements, type ReplayStep } from '../../../src/python/cells';
import { PythonDocument } from '../../../src/python/parse';
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

  for (const n of [88, 89, 90, 91, 92, 93]) {
    it(`cell ${n} prints what PyTorch printed`, () => {
      const cell = cells.get(n);
      assert.ok(cell?.out);
      const steps = replayCell(doc, cell);
      assert.equal(steps.length, 1);
      const outcome = steps[0]?.outcome;
      assert.ok(outcome?.ok, outcome && !outcome.ok ? outcome.error.message : '');
      // Cell 88 shows K.shape, a torch.Size; Conv Lab reads shapes as tuples.
      assert.equal(outcome.printed, n === 88 ? '(2, 2)' : cell.out);
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

  it('cells 95-97 need a function Conv Lab does not run: the reason and where', () => {
    const steps = [95, 96, 97].map((n) => replayCell(doc, cells.get(n) as SeedCell)[0]);
    for (const step of steps) assert.equal(step?.outcome.ok, false);
    const first = steps[0]?.outcome;
    assert.ok(first && !first.ok);
    // `W` is bound by `W = kernel2matrix(K)`, a call of the function cell 94 defines.
    assert.equal(first.error.message, "cannot evaluate 'kernel2matrix(...)' statically");
    assert.equal(first.error.start.line, SEED.slice(0, SEED.indexOf('W = kernel2matrix(K)')).split('\n').length);
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
