// The model summary on public model code: every file of test/fixtures/python/realworld/valid (kept
// verbatim, each with the driver that calls its model) is summarised by Conv Lab without running
// Python, and compared with what scripts/golden/gen_summary.py recorded with forward hooks while
// the same script ran under torch 1.13 (summary/realworld.json). Every number Conv Lab gives must
// be PyTorch's (0 wrong); how many it gives is the ratchet.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeShapes } from '../../../src/python';
import { CallTrace } from '../../../src/python/interpreter/callTrace';
import { dimJson } from '../../../src/python/interpreter/dim';
import { modelCalls, summarize, type SummaryRow } from '../../../src/python/features/summary';
import { fixturePath } from '../helpers';

type Shape = number[] | Shape[] | null;

interface GoldenRow { name: string; kind: 'module' | 'op'; type: string; output: Shape; params: number; macs: number }
interface GoldenCall { file: string; model: string; input: Shape; rows: GoldenRow[]; totals: { params: number; macs: number } }

const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'summary', 'realworld.json'), 'utf8')) as { models: GoldenCall[] };

/** Rows (of PyTorch's, over the model calls Conv Lab found) whose output, parameters and MACs Conv Lab all gives exactly; at least this many. */
const EXACT_ROWS = 3138;
/** Total parameters and total MACs (two per model call found) Conv Lab gives, each PyTorch's; at least this many. */
const EXACT_TOTALS = 201;

interface Tally { rows: number; exact: number; wrong: string[]; calls: number; found: number; totals: number; totalsExact: number }

/** A row's key among the call's rows: its name (an op's type) and which call of it this is. */
function keyed<T extends { name: string; kind: string; type: string }>(rows: readonly T[]): Map<string, T> {
  const seen = new Map<string, number>();
  const out = new Map<string, T>();
  for (const row of rows) {
    const base = `${row.kind}:${row.kind === 'op' ? row.type : row.name}`;
    const nth = seen.get(base) ?? 0;
    seen.set(base, nth + 1);
    out.set(`${base}#${nth}`, row);
  }
  return out;
}

function compareRow(ours: SummaryRow, truth: GoldenRow, where: string, tally: Tally): void {
  // A tuple output is not one shape: the summary gives none, and the row is judged on its numbers.
  const flat = Array.isArray(truth.output) && !Array.isArray(truth.output[0]);
  const checks: [string, unknown, unknown][] = [
    ...(flat ? [['output', ours.output ? JSON.stringify(ours.output.map(dimJson)) : undefined, JSON.stringify(truth.output)] as [string, unknown, unknown]] : []),
    // A module called again has its parameters counted at its first call (the summary's rule); PyTorch's hook sees them at every call.
    ['params', ours.reused ? undefined : ours.parameters, truth.params],
    ['MACs', ours.macs, truth.macs],
  ];
  if (!flat && ours.output) tally.wrong.push(`${where}: output ${JSON.stringify(ours.output.map(dimJson))}, PyTorch ${JSON.stringify(truth.output)}`);
  let known = 0;
  for (const [what, mine, theirs] of checks) {
    if (mine === undefined) continue;
    known++;
    if (mine !== theirs) tally.wrong.push(`${where}: ${what} ${String(mine)}, PyTorch ${String(theirs)}`);
  }
  if (known === checks.filter(([what]) => what !== 'params' || !ours.reused).length) tally.exact++;
}

describe('model summary on public model code (realworld.json)', function () {
  this.timeout(120_000);

  it('gives only PyTorch\'s numbers, for every row and total it gives', () => {
    const tally: Tally = { rows: 0, exact: 0, wrong: [], calls: 0, found: 0, totals: 0, totalsExact: 0 };
    const files = [...new Set(golden.models.map((m) => m.file))];
    for (const file of files) {
      const truth = golden.models.filter((m) => m.file === file);
      const trace = new CallTrace();
      const analysis = analyzeShapes(fs.readFileSync(fixturePath('python', 'realworld', 'valid', file), 'utf8'), { trace });
      // Conv Lab's model calls in run order, each matched to PyTorch's next call of that class.
      let next = 0;
      tally.calls += truth.length;
      for (const call of modelCalls(trace, analysis)) {
        const at = truth.findIndex((t, i) => i >= next && t.model === call.className);
        if (at < 0) continue;
        next = at + 1;
        const expected = truth[at] as GoldenCall;
        tally.found++;
        const summary = summarize(trace, analysis, call);
        const ours = keyed(summary.rows);
        tally.rows += expected.rows.length;
        for (const [key, row] of keyed(expected.rows)) {
          const mine = ours.get(key);
          if (mine) compareRow(mine, row, `${file} ${expected.model} ${key}`, tally);
        }
        for (const [what, mine, theirs] of [['total params', summary.totals.parameters, expected.totals.params], ['total MACs', summary.totals.macs, expected.totals.macs]] as const) {
          tally.totals++;
          if (mine === undefined) continue;
          if (mine === theirs) tally.totalsExact++;
          else tally.wrong.push(`${file} ${expected.model}: ${what} ${mine}, PyTorch ${theirs}`);
        }
      }
    }
    console.log(`      ${files.length} files; ${tally.found} of ${tally.calls} model calls found; rows exact ${tally.exact}/${tally.rows}; totals exact ${tally.totalsExact}/${tally.totals}; wrong ${tally.wrong.length}`);
    assert.deepEqual(tally.wrong, []);
    assert.ok(tally.exact >= EXACT_ROWS, `${tally.exact} rows exact, fewer than ${EXACT_ROWS}`);
    assert.ok(tally.totalsExact >= EXACT_TOTALS, `${tally.totalsExact} totals exact, fewer than ${EXACT_TOTALS}`);
  });
});
