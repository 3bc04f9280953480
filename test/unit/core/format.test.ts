// PyTorch's and NumPy's printed forms, byte for byte: golden cases from
// scripts/golden/gen_format.py (real PyTorch 1.13 and NumPy 1.24), the d2l seed notebook's printed
// outputs, and the exact decimal helpers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { formatTensor, pythonExponent, pythonFixed, type FormatTensorOptions } from '../../../src/core/format';
import { formatNumpy, numpyPositional, numpyScientific, type NumpyPrintOptions } from '../../../src/core/formatNumpy';
import { tensor, type DType, type Tensor } from '../../../src/core/tensor';
import { fixturePath } from '../helpers';

interface GoldenCase {
  name: string;
  dtype: DType;
  shape: number[];
  /** The values' little-endian bytes, base64. */
  data: string;
  expected: string;
  options?: Record<string, number | boolean | string | null>;
  suffixes?: string[];
}

function readGoldenCases(file: string): GoldenCase[] {
  return JSON.parse(fs.readFileSync(fixturePath('format', file), 'utf8')) as GoldenCase[];
}

/** The tensor a golden case stores (this machine is little-endian, like the fixtures). */
function goldenTensor(c: GoldenCase): Tensor {
  const bytes = Buffer.from(c.data, 'base64');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data = {
    float32: () => new Float32Array(buffer),
    float64: () => new Float64Array(buffer),
    int64: () => new BigInt64Array(buffer),
    int32: () => new Int32Array(buffer),
    bool: () => new Uint8Array(buffer),
  }[c.dtype]();
  return { shape: c.shape, dtype: c.dtype, data } as Tensor;
}

function torchOptions(c: GoldenCase): FormatTensorOptions {
  const o = c.options ?? {};
  return {
    ...(o['precision'] !== undefined && { precision: Number(o['precision']) }),
    ...(o['threshold'] !== undefined && { threshold: o['threshold'] === 'inf' ? Infinity : Number(o['threshold']) }),
    ...(o['edgeitems'] !== undefined && { edgeitems: Number(o['edgeitems']) }),
    ...(o['linewidth'] !== undefined && { linewidth: Number(o['linewidth']) }),
    ...(o['sciMode'] !== undefined && { sciMode: Boolean(o['sciMode']) }),
    ...(c.suffixes && { suffixes: c.suffixes }),
  };
}

describe('formatTensor matches PyTorch 1.13 repr', () => {
  const cases = readGoldenCases('torch.json');
  it('has the golden cases', () => assert.ok(cases.length >= 50, `only ${cases.length} cases`));
  for (const c of cases) {
    it(c.name, () => assert.equal(formatTensor(goldenTensor(c), torchOptions(c)), c.expected));
  }
});

/** The printed output of `In [cell]:` in the seed notebook (copied verbatim into the fixtures). */
function seedOutput(cell: number): string {
  const text = fs.readFileSync(fixturePath('format', 'seed-d2l-transposed-conv.txt'), 'utf8');
  const start = text.indexOf(`In [${cell}]:\n`);
  assert.ok(start >= 0, `seed has no cell ${cell}`);
  const end = text.indexOf('\n\nIn [', start);
  const cellText = text.slice(start, end < 0 ? undefined : end);
  const output = cellText.slice(cellText.indexOf('\ntensor(') + 1);
  assert.ok(output.startsWith('tensor('), `cell ${cell} prints no tensor`);
  return output;
}

function bools(shape: number[], values: boolean[]): Tensor<'bool'> {
  return { shape, dtype: 'bool', data: Uint8Array.from(values, Number) };
}

describe('formatTensor reproduces the seed notebook', () => {
  const grad = { suffixes: ['grad_fn=<ConvolutionBackward0>'] };
  it('cell 89: ConvTranspose2d(kernel_size=2)', () => {
    assert.equal(formatTensor(tensor([0, 0, 1, 0, 4, 6, 4, 12, 9], [1, 1, 3, 3]), grad), seedOutput(89));
  });
  it('cell 90: padding=1', () => {
    assert.equal(formatTensor(tensor([4], [1, 1, 1, 1]), grad), seedOutput(90));
  });
  it('cell 91: stride=2', () => {
    const y = tensor([0, 0, 0, 1, 0, 0, 2, 3, 0, 2, 0, 3, 4, 6, 6, 9], [1, 1, 4, 4]);
    assert.equal(formatTensor(y, grad), seedOutput(91));
  });
  it('cell 93: corr2d', () => {
    assert.equal(formatTensor(tensor([27, 37, 57, 67], [2, 2])), seedOutput(93));
  });
  it('cell 95: kernel2matrix', () => {
    const w = tensor([
      1, 2, 0, 3, 4, 0, 0, 0, 0,
      0, 1, 2, 0, 3, 4, 0, 0, 0,
      0, 0, 0, 1, 2, 0, 3, 4, 0,
      0, 0, 0, 0, 1, 2, 0, 3, 4,
    ], [4, 9]);
    assert.equal(formatTensor(w), seedOutput(95));
  });
  it('cells 96 and 97: bool tensors', () => {
    assert.equal(formatTensor(bools([2, 2], Array(4).fill(true))), seedOutput(96));
    assert.equal(formatTensor(bools([3, 3], Array(9).fill(true))), seedOutput(97));
  });
});

describe('Python float formatting', () => {
  it('rounds exact binary ties half to even, unlike toFixed', () => {
    // 0.03125 = 1/32 is exact: a true tie at 4 decimals; Python keeps the even 2, toFixed gives 3.
    assert.equal((0.03125).toFixed(4), '0.0313');
    assert.equal(pythonFixed(0.03125, 4), '0.0312');
    assert.equal(pythonFixed(-2.5, 0), '-2');
    assert.equal(pythonFixed(3.5, 0), '4');
    // 0.15 is really 0.1499999999999999944...: no tie, rounds down.
    assert.equal(pythonFixed(0.15, 1), '0.1');
  });
  it('keeps the sign of negative zero and of values rounding to zero', () => {
    assert.equal(pythonFixed(-0, 4), '-0.0000');
    assert.equal(pythonFixed(-1e-9, 4), '-0.0000');
    assert.equal(pythonExponent(-0, 2), '-0.00e+00');
  });
  it('writes every digit of large values in fixed notation', () => {
    assert.equal(pythonFixed(1e30, 2), '1000000000000000019884624838656.00');
    assert.equal(pythonFixed(2 ** 70, 0), '1180591620717411303424');
  });
  it('formats exponents with at least two digits and carries rounding into the exponent', () => {
    assert.equal(pythonExponent(9.99996, 4), '1.0000e+01');
    assert.equal(pythonExponent(5e-324, 4), '4.9407e-324');
    assert.equal(pythonExponent(1e-5, 0), '1e-05');
    assert.equal(pythonExponent(1.03125e-5, 4), '1.0312e-05');
  });
  it('spells non-finite values as Python does', () => {
    assert.deepEqual([NaN, Infinity, -Infinity].map((x) => pythonFixed(x, 4)), ['nan', 'inf', '-inf']);
    assert.deepEqual([NaN, Infinity, -Infinity].map((x) => pythonExponent(x, 4)), ['nan', 'inf', '-inf']);
  });
});

interface ScalarCase {
  x: number;
  /** format(x, spec) for '.0f', '.2f', '.4f', '.4e', '.0e', '.10e'. */
  python: string[];
  /** x as float32. */
  x32: number;
  /** The Dragon4 calls listed in gen_format.py's SCALAR_DRAGON4_CALLS, on x and on x32. */
  numpy64: string[];
  numpy32: string[];
}

describe('digits match Python and NumPy on single values', () => {
  const rows = JSON.parse(fs.readFileSync(fixturePath('format', 'scalars.json'), 'utf8')) as ScalarCase[];
  const python = (x: number) => [
    pythonFixed(x, 0), pythonFixed(x, 2), pythonFixed(x, 4), pythonExponent(x, 4), pythonExponent(x, 0), pythonExponent(x, 10),
  ];
  const dragon4 = (x: number, single: boolean) => [
    numpyPositional(x, single, { precision: 8, minDigits: -1, trim: 'zeros', padLeft: 0, padRight: 0 }),
    numpyPositional(x, single, { precision: 8, minDigits: 0, trim: 'zeros', padLeft: 0, padRight: 0 }),
    numpyPositional(x, single, { precision: 3, minDigits: -1, trim: 'zeros', padLeft: 0, padRight: 0 }),
    numpyScientific(x, single, { precision: 8, minDigits: -1, trim: 'zeros', padLeft: 0, expDigits: -1 }),
    numpyScientific(x, single, { precision: 4, minDigits: 4, trim: 'keep', padLeft: 0, expDigits: -1 }),
    numpyScientific(x, single, { precision: 8, minDigits: 8, trim: 'keep', padLeft: 0, expDigits: -1 }),
  ];
  it('has the values', () => assert.ok(rows.length > 500));
  it("Python's '{:.Nf}' and '{:.Ne}'", () => {
    for (const r of rows) assert.deepEqual(python(r.x), r.python, `x = ${r.x}`);
  });
  it("NumPy's Dragon4 for float64", () => {
    for (const r of rows) assert.deepEqual(dragon4(r.x, false), r.numpy64, `x = ${r.x}`);
  });
  it("NumPy's Dragon4 for float32", () => {
    for (const r of rows) assert.deepEqual(dragon4(r.x32, true), r.numpy32, `x = ${r.x32}`);
  });
});

describe('formatTensor options', () => {
  it('refuses options PyTorch cannot print with, naming the option', () => {
    const t = tensor([1, 2], [2]);
    assert.throws(() => formatTensor(t, { precision: -1 }), /precision/);
    assert.throws(() => formatTensor(t, { edgeitems: 0 }), /edgeitems/);
    assert.throws(() => formatTensor(t, { linewidth: 1.5 }), /linewidth/);
    assert.throws(() => formatTensor(t, { threshold: NaN }), /threshold/);
    assert.throws(() => formatNumpy(t, { precision: 2.5 }), /precision/);
    assert.throws(() => formatNumpy(t, { edgeitems: -1 }), /edgeitems/);
  });
});

function numpyOptions(c: GoldenCase): Partial<NumpyPrintOptions> {
  const o = c.options ?? {};
  return {
    ...(o['precision'] !== undefined && { precision: Number(o['precision']) }),
    ...(o['threshold'] !== undefined && { threshold: Number(o['threshold']) }),
    ...(o['edgeitems'] !== undefined && { edgeitems: Number(o['edgeitems']) }),
    ...(o['linewidth'] !== undefined && { linewidth: Number(o['linewidth']) }),
    ...(o['suppress'] !== undefined && { suppress: Boolean(o['suppress']) }),
  };
}

describe('formatNumpy matches NumPy repr', () => {
  const cases = readGoldenCases('numpy.json');
  it('has the golden cases', () => assert.ok(cases.length >= 20, `only ${cases.length} cases`));
  for (const c of cases) {
    it(c.name, () => assert.equal(formatNumpy(goldenTensor(c), numpyOptions(c)), c.expected));
  }
});
