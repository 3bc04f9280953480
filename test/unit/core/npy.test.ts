// .npy read/write against files NumPy wrote (scripts/golden/gen_npy.py).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { NpyError, parseNpy, serializeNpy } from '../../../src/core/npy';
import { allocate, type DType, type Tensor } from '../../../src/core/tensor';
import { fixturePath } from '../helpers';

interface NpyCase {
  file: string;
  dtype?: DType;
  shape?: number[];
  /** C-order values: numbers, 'nan'/'inf'/'-inf', int64 as decimal strings, booleans. */
  values?: (number | string | boolean)[];
  problem?: string;
}

const cases = JSON.parse(fs.readFileSync(fixturePath('npy', 'cases.json'), 'utf8')) as { read: NpyCase[]; write: NpyCase[] };

function npyFile(dir: 'read' | 'write', file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixturePath('npy', dir, file)));
}

function expectedTensor(c: NpyCase): Tensor {
  assert.ok(c.dtype && c.shape && c.values, `${c.file} has no values`);
  const data = allocate(c.dtype, c.values.length);
  const target = data as { [i: number]: number | bigint };
  c.values.forEach((v, i) => {
    target[i] = c.dtype === 'int64' ? BigInt(v) : typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v);
  });
  return { shape: c.shape, dtype: c.dtype, data };
}

/** Same dtype, shape and bit-identical values (so NaN and -0 count). */
function assertSameTensor(actual: Tensor, expected: Tensor): void {
  assert.equal(actual.dtype, expected.dtype);
  assert.deepEqual(actual.shape, expected.shape);
  const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  assert.ok(bytes(actual).equals(bytes(expected)), `values differ: ${String(actual.data)} vs ${String(expected.data)}`);
}

/** What each refused file's message must say: the problem and where it is. */
const refusals: Record<string, RegExp> = {
  'not-npy.npy': /not a \.npy file: bytes 0-5 .* found 78 2c 79 0a 31 2c/,
  'empty-file.npy': /truncated: the magic string and version needs bytes up to 8, the file has 0/,
  'magic-only.npy': /truncated: the magic string and version needs bytes up to 8, the file has 4/,
  'truncated-header.npy': /truncated: the 118-byte header starting at byte 10 needs bytes up to 128, the file has 40/,
  'truncated-data.npy': /truncated: 6 float32 values of shape \(2, 3\) starting at byte 128 needs bytes up to 152, the file has 147/,
  'version-4.npy': /unsupported \.npy format version 4\.0 at byte 6/,
  'complex64.npy': /'descr' is '<c8' \(complex, 8 bytes\)/,
  'object.npy': /'descr' is '\|O' \(Python objects\)/,
  'float16.npy': /'descr' is '<f2' \(floating point, 2 bytes\)/,
  'uint8.npy': /'descr' is '\|u1' \(unsigned integer, 1 byte\)/,
  'structured.npy': /'descr' is \[\('a', '<f4'\), \('b', '<i4'\)\] \(a structured dtype\)/,
  'header-not-dict.npy': /header is not a dict: \('<f4', False, \(2, 3\)\)/,
  'header-syntax.npy': /malformed \.npy header at byte 65: expected ',' or '\)'/,
  'header-missing-key.npy': /exactly the keys .* it has 'descr', 'shape'/,
  'header-extra-key.npy': /exactly the keys .* it has 'descr', 'fortran_order', 'shape', 'x'/,
  'header-bad-shape.npy': /'shape' is not a tuple of non-negative integers: \(2, -3\)/,
  'header-deep-nesting.npy': /malformed \.npy header at byte 51: nested deeper than 32 levels/,
  'header-bad-order.npy': /'fortran_order' is not True or False: 0/,
};

describe('parseNpy reads what NumPy writes', () => {
  for (const c of cases.read.filter((r) => r.problem === undefined)) {
    it(c.file, () => assertSameTensor(parseNpy(npyFile('read', c.file)), expectedTensor(c)));
  }
  it('covers versions 1.0, 2.0 and 3.0, both byte orders and Fortran order', () => {
    const files = cases.read.map((c) => c.file);
    for (const needed of ['f4-v2.npy', 'f8-v3.npy', 'i8-be.npy', 'f8-fortran.npy', 'f8-0d.npy', 'f8-empty-0x3.npy']) {
      assert.ok(files.includes(needed), needed);
    }
  });
});

describe('parseNpy input', () => {
  it('reads a Node Buffer that is a view into a shared pool', () => {
    // Small Buffer.from copies live inside Node's 8 kB pool: the values must come from the view.
    for (const c of cases.read.filter((r) => r.problem === undefined)) {
      const pooled = Buffer.from(npyFile('read', c.file));
      assertSameTensor(parseNpy(pooled), expectedTensor(c));
    }
  });
  it('reads a view at an odd offset of a larger buffer', () => {
    const file = npyFile('read', 'f8-le.npy');
    const larger = new Uint8Array(file.length + 3);
    larger.set(file, 3);
    assertSameTensor(parseNpy(larger.subarray(3)), parseNpy(file));
  });
});

describe('parseNpy refuses other files with a message naming the problem and where', () => {
  for (const c of cases.read.filter((r) => r.problem !== undefined)) {
    it(`${c.file} (${c.problem})`, () => {
      const expected = refusals[c.file];
      assert.ok(expected, `no expected message for ${c.file}`);
      assert.throws(() => parseNpy(npyFile('read', c.file)), (e: unknown) => {
        assert.ok(e instanceof NpyError, `not an NpyError: ${String(e)}`);
        assert.match(e.message, expected);
        return true;
      });
    });
  }
});

describe('serializeNpy writes what np.save writes', () => {
  for (const c of cases.write) {
    it(c.file, () => {
      const ours = serializeNpy(expectedTensor(c));
      const numpys = npyFile('write', c.file);
      assert.equal(Buffer.from(ours).toString('latin1'), Buffer.from(numpys).toString('latin1'));
    });
  }
  it('round-trips every read fixture', () => {
    for (const c of cases.read.filter((r) => r.problem === undefined)) {
      const t = parseNpy(npyFile('read', c.file));
      assertSameTensor(parseNpy(serializeNpy(t)), t);
    }
  });
  it('switches to format 2.0 when the header outgrows 1.0', () => {
    // 30000 dimensions of size 1: the shape alone is ~90 kB, past 1.0's 16-bit header length.
    const shape = new Array<number>(30000).fill(1);
    const t: Tensor = { shape, dtype: 'float64', data: new Float64Array([2.5]) };
    const bytes = serializeNpy(t);
    assert.deepEqual([bytes[6], bytes[7]], [2, 0]);
    const headerEnd = 12 + new DataView(bytes.buffer).getUint32(8, true);
    assert.equal(headerEnd % 64, 0);
    assert.equal(bytes[headerEnd - 1], 0x0a);
    assertSameTensor(parseNpy(bytes), t);
  });
});
