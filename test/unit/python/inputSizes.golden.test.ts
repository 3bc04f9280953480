// The input-size solver against PyTorch: for every encoder-decoder model of
// test/fixtures/python/sizes/input_sizes.json (scripts/golden/gen_input_sizes.py ran each input
// size of 1..256 on each spatial axis through torch 1.13), the solver's accepted and restored sets
// equal PyTorch's on the swept range, with the other axes fixed at the same sizes. A size the
// solver calls unknown is no claim, left out of the comparison and counted (none today, which the
// test pins); the table of agreement is printed for the closing note.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixturePath } from '../helpers';
import { solveFixture } from './sizesFixture';

interface GoldenAxis { fixed: number[]; accepted: number[]; restored: number[] }
interface GoldenModel { file: string; model: string; input: number[]; max: number; axes: GoldenAxis[]; edit?: [string, string] }

const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'sizes', 'input_sizes.json'), 'utf8')) as { models: GoldenModel[] };

describe('input-size solver against PyTorch (gen_input_sizes.py)', function () {
  this.timeout(120_000);
  const table: string[] = [];

  it('covers at least 10 encoder-decoder models, each swept over at least 1..256', () => {
    assert.ok(golden.models.length >= 10, `${golden.models.length} models`);
    for (const m of golden.models) assert.ok(m.max >= 256, `${m.file}: 1..${m.max}`);
  });

  for (const expected of golden.models) {
    const name = `${expected.file}${expected.edit ? ` edited to ${expected.edit[1]}` : ''} (${expected.model})`;
    it(`${name}: the sets PyTorch gives on 1..${expected.max}`, async () => {
      const solved = await solveFixture(expected.file, expected.model, expected.input, expected.max, expected.edit);
      let unknown = 0;
      solved.axes.forEach((axis, i) => {
        const truth = expected.axes[i] as GoldenAxis;
        assert.deepEqual(axis.fixed, truth.fixed, `${axis.name}: the other axes are fixed at other sizes than gen_input_sizes.py's`);
        const sure = (sizes: readonly number[], unsure: readonly number[]): number[] => sizes.filter((s) => !unsure.includes(s));
        assert.deepEqual(axis.accepted.members, sure(truth.accepted, axis.accepted.unknown), `${axis.name}: accepted sizes`);
        assert.deepEqual(axis.restored.members, sure(truth.restored, axis.restored.unknown), `${axis.name}: restored sizes`);
        unknown += axis.accepted.unknown.length;
      });
      // None today: a size that becomes unknown (the analysis less sure) fails here, to be looked at.
      assert.equal(unknown, 0, 'sizes the solver is not sure of');
      const sizes = solved.axes.length * expected.max;
      table.push(`| ${name} | ${solved.axes.map((a) => a.name).join('×')} 1..${expected.max} | ${sizes - unknown}/${sizes} | ${unknown} | ${solved.axes[0]?.accepted.text} | ${solved.axes[0]?.restored.text} |`);
    });
  }

  after(() => {
    if (table.length > 0) console.log(['| model | swept | agree | unknown | accepted (first axis) | restored |', '|---|---|---|---|---|---|', ...table].join('\n'));
  });
});
