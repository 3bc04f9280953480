// Every snippet in test/fixtures/python/literals against what PyTorch / NumPy made of it
// (scripts/golden/gen_literals.py): the last line is selected and evaluated; shapes, dtypes and
// values must match exactly (float32 bit for bit; `# ulp: N` cases within N units in the last
// place), errors must carry Python's exception class and message (or Conv Lab's own message for
// `# conv-lab:` cases) and cover the `# error-at:` text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateTensorExpression } from '../../../src/python';
import { fixturePath } from '../helpers';

interface LiteralCase {
  readonly selected: string;
  readonly errorAt?: string;
  readonly convLab?: string;
  readonly maxElements?: number;
  readonly placeholder?: boolean;
  readonly ulp?: number;
  /** `values` is absent for placeholder cases. */
  readonly result?: { library: string; shape: number[]; dtype: string; values?: (number | string | boolean)[] };
  readonly error?: { kind: string; message: string };
}

const DIR = fixturePath('python', 'literals');

function loadCases(): { name: string; source: string; expected: LiteralCase }[] {
  return fs.readdirSync(DIR)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => ({
      name: f.slice(0, -3),
      source: fs.readFileSync(path.join(DIR, f), 'utf8'),
      expected: JSON.parse(fs.readFileSync(path.join(DIR, `${f.slice(0, -3)}.json`), 'utf8')) as LiteralCase,
    }));
}

/** A fixture value as a number (floats; "inf"/"-inf"/"nan" spelled out), bigint (ints) or 0/1 (bools). */
function decode(v: number | string | boolean, dtype: string): number | bigint {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (dtype === 'int64') return BigInt(v);
  if (dtype === 'int32') return Number(v);
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  return v as number;
}

/** Distance in units in the last place between two values of a float dtype. */
function ulpDistance(a: number, b: number, dtype: string): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  const toOrdered = dtype === 'float32'
    ? (x: number) => { const i = new Int32Array(new Float32Array([x]).buffer)[0] ?? 0; return i < 0 ? -2147483648 - i : i; }
    : (x: number) => { const i = new BigInt64Array(new Float64Array([x]).buffer)[0] ?? 0n; return Number(i < 0n ? -(2n ** 63n) - i : i); };
  return Math.abs(toOrdered(a) - toOrdered(b));
}

describe('python: tensor literal fixtures (PyTorch goldens)', () => {
  const cases = loadCases();

  it('has at least 60 cases, each with its expected JSON', () => {
    assert.ok(cases.length >= 60, `${cases.length} cases`);
  });

  for (const { name, source, expected } of cases) {
    it(`${name}: ${expected.selected}`, () => {
      const from = source.lastIndexOf(expected.selected);
      const options = expected.maxElements !== undefined ? { maxElements: expected.maxElements } : {};
      const r = evaluateTensorExpression(source, { from, to: from + expected.selected.length }, options);
      if (expected.convLab !== undefined || expected.error) {
        assert.ok(!r.ok, `expected an error, got a ${r.ok ? r.dtype : ''} tensor`);
        if (expected.convLab !== undefined) {
          assert.equal(r.error.message, expected.convLab);
          assert.equal(r.error.pythonKind, undefined, 'Conv Lab\'s own refusal claims a Python exception');
        } else if (expected.error) {
          assert.equal(r.error.message, expected.error.message);
          assert.equal(r.error.pythonKind, expected.error.kind);
        }
        if (expected.errorAt !== undefined) assert.equal(source.slice(r.error.from, r.error.to), expected.errorAt);
        assert.equal(source.slice(0, r.error.from).split('\n').length, r.error.start.line);
        return;
      }
      const result = expected.result;
      assert.ok(result, 'fixture has neither result nor error');
      assert.ok(r.ok, `expected a tensor, got: ${r.ok ? '' : `${r.error.message} at ${r.error.from}..${r.error.to}`}`);
      assert.deepEqual(r.tensor.shape, result.shape);
      assert.equal(r.dtype, result.dtype);
      assert.equal(r.library, result.library);
      assert.equal(r.placeholder, expected.placeholder === true);
      if (expected.placeholder) return;
      assert.ok(result.values, 'fixture has no values');
      const actual = Array.from(r.tensor.data as ArrayLike<number | bigint>);
      const values = result.values.map((v) => decode(v, result.dtype));
      assert.equal(actual.length, values.length);
      const ulp = expected.ulp ?? 0;
      values.forEach((want, i) => {
        const got = actual[i];
        if (typeof want === 'bigint' || ulp === 0) {
          // Object.is: -0 and 0 differ, NaN equals NaN, as bit-exact comparison wants.
          assert.ok(typeof want === 'bigint' ? got === want : Object.is(got, want), `element ${i}: ${String(got)} != ${String(want)}`);
        } else {
          const d = ulpDistance(got as number, want, result.dtype);
          assert.ok(d <= ulp, `element ${i}: ${String(got)} is ${d} ulp from ${want}`);
        }
      });
    });
  }
});
