// .npy read/write against files NumPy wrote (scripts/golden/gen_npy.py).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { NPY_MAX_HEADER_SIZE, NpyError, parseNpy, readNpy, serializeNpy, type NpyByteSource } from '../../../src/core/npy';
import { allocate, type DType, type Tensor } from '../../../src/core/tensor';
import { fixturePath } from '../helpers';

interface NpyCase {
  file: string;
  dtype?: DType;
  shape?: number[];
  /** C-order values: numbers, 'nan'/'inf'/'-inf', int64 as decimal strings, booleans. */
  values?: (number | string | boolean)[];
  problem?: string;
  /** The first line of NumPy's own message when it refuses the file too. */
  numpy_message?: string;
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
  'header-too-long.npy': /^Header info length \(20150\) is large and may not be safe to load securely\. \(bytes 8-9 give the header length; NumPy's default max_header_size is 10000\)$/,
  'header-length-4g.npy': /^Header info length \(4294967295\) is large .* \(bytes 8-11 give the header length/,
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
        if (c.numpy_message !== undefined) assert.ok(e.message.startsWith(c.numpy_message), `NumPy says: ${c.numpy_message}`);
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
    // Like np.load, reading it back is refused: the header is past NumPy's default max_header_size.
    assert.ok(headerEnd - 12 > NPY_MAX_HEADER_SIZE);
    assert.throws(() => parseNpy(bytes), /^NpyError: Header info length \(\d+\) is large and may not be safe to load securely\./);
  });
});

/**
 * A source over `bytes` that hands out at most `chunk` bytes per read, counting what was read;
 * `endless` continues with zero bytes forever, as /dev/zero does.
 */
class TestSource implements NpyByteSource {
  bytesRead = 0;
  constructor(private readonly bytes: Uint8Array, private readonly chunk: number, private readonly endless = false) {}

  read(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesRead: number }> {
    const n = Math.min(length, this.chunk, this.endless ? length : Math.max(0, this.bytes.length - this.bytesRead));
    for (let i = 0; i < n; i++) buffer[offset + i] = this.bytes[this.bytesRead + i] ?? 0;
    this.bytesRead += n;
    return Promise.resolve({ bytesRead: n });
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof NpyError, `not an NpyError: ${String(e)}`);
    return e;
  }
  return assert.fail('the read did not fail');
}

describe('readNpy streams a file, checking each part before reading the next', () => {
  it('reads every fixture as parseNpy does, in pieces of 1, 7 and 4096 bytes', async () => {
    for (const c of cases.read.filter((r) => r.problem === undefined)) {
      const bytes = npyFile('read', c.file);
      for (const chunk of [1, 7, 4096]) assertSameTensor(await readNpy(new TestSource(bytes, chunk)), expectedTensor(c));
    }
  });

  it("refuses every bad fixture with parseNpy's message, its length known or not", async () => {
    for (const c of cases.read.filter((r) => r.problem !== undefined)) {
      const bytes = npyFile('read', c.file);
      const expected = refusals[c.file] as RegExp;
      for (const size of [undefined, bytes.length]) {
        const e = await rejection(readNpy(new TestSource(bytes, 5), size === undefined ? {} : { size }));
        assert.match(e.message, expected, c.file);
      }
    }
  });

  it('reads nothing past the data, so trailing bytes and endless sources are harmless', async () => {
    const bytes = serializeNpy({ shape: [2], dtype: 'float64', data: new Float64Array([1.5, -2]) });
    const source = new TestSource(bytes, 3, true);
    assertSameTensor(await readNpy(source), { shape: [2], dtype: 'float64', data: new Float64Array([1.5, -2]) });
    assert.equal(source.bytesRead, bytes.length);
  });

  it('refuses /dev/zero after its first 12 bytes', async () => {
    const zeros = new TestSource(new Uint8Array(0), 65536, true);
    const e = await rejection(readNpy(zeros));
    assert.match(e.message, /^not a \.npy file: bytes 0-5 should be the magic string .* found 00 00 00 00 00 00$/);
    assert.equal(zeros.bytesRead, 12);
  });

  it('refuses a 4 GB header length before reading the header', async () => {
    const prefix = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0xff]);
    const source = new TestSource(prefix, 65536, true);
    const e = await rejection(readNpy(source));
    assert.match(e.message, /^Header info length \(4294967295\) is large/);
    assert.equal(source.bytesRead, 12);
  });

  /** A file whose header promises `shape` float64 values, followed by `data` bytes. */
  function lyingFile(shape: string, data: number): Uint8Array {
    const header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`.padEnd(117) + '\n';
    const bytes = new Uint8Array(10 + header.length + data);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
    return bytes;
  }

  it('refuses a shape the file is too short for, before reading (or allocating) its data', async () => {
    const bytes = lyingFile('(1000000000,)', 16);
    const source = new TestSource(bytes, 65536);
    const e = await rejection(readNpy(source, { size: bytes.length }));
    // 10 + 118 header bytes, then 10⁹ float64 values: bytes up to 128 + 8·10⁹.
    assert.equal(e.message, '.npy file is truncated: 1000000000 float64 values of shape (1000000000,) starting at byte 128 needs bytes up to 8000000128, the file has 144');
    assert.equal(source.bytesRead, 128);
  });

  it('refuses a shape past maxElements before reading its data, even from an endless source', async () => {
    const source = new TestSource(lyingFile('(100000, 100000)', 0), 65536, true);
    const e = await rejection(readNpy(source, { maxElements: 50_000_000 }));
    assert.equal(e.message, 'the array of shape (100000, 100000) has 10,000,000,000 elements, more than the limit of 50,000,000 (maxElements); refused before reading its data');
    assert.equal(source.bytesRead, 128);
  });

  it('parseNpy applies maxElements too', () => {
    assert.throws(() => parseNpy(lyingFile('(3, 2)', 48), { maxElements: 5 }),
      /^NpyError: the array of shape \(3, 2\) has 6 elements, more than the limit of 5 \(maxElements\)/);
    assert.deepEqual(parseNpy(lyingFile('(3, 2)', 48), { maxElements: 6 }).shape, [3, 2]);
  });

  it('reads a shape within maxElements from an endless source, and no byte more', async () => {
    const source = new TestSource(lyingFile('(3, 2)', 0), 65536, true);
    assertSameTensor(await readNpy(source, { maxElements: 6 }), { shape: [3, 2], dtype: 'float64', data: new Float64Array(6) });
    assert.equal(source.bytesRead, 128 + 48);
  });
});

describe('parseNpy names a bad header field as written', () => {
  /** A version 1.0 file around `dict` (padded to 118 bytes as np.save pads), with no data. */
  function headerOnly(dict: string): Uint8Array {
    const header = dict.padEnd(117) + '\n';
    const bytes = new Uint8Array(10 + header.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
    return bytes;
  }
  const refusals: Array<[string, string]> = [
    // 2**53 + 1 and 2**62 as written, not as the nearest doubles (9007199254740992, 4611686018427388000).
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (9007199254740993,), }",
      ".npy header field 'shape' is (9007199254740993,): sizes past 2**53 - 1 (9007199254740991) are not read"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 0), }",
      ".npy header field 'shape' is (4611686018427387904, 0): sizes past 2**53 - 1 (9007199254740991) are not read"],
    ["{'descr': 4, 'fortran_order': False, 'shape': (6,), }",
      ".npy header field 'descr' is 4 (not a dtype); supported dtypes are float32 (<f4), float64 (<f8), int32 (<i4), int64 (<i8) and bool (|b1), either byte order"],
    ['{}', ".npy header must have exactly the keys 'descr', 'fortran_order', 'shape'; it has none"],
  ];
  for (const [dict, message] of refusals) {
    it(message, () => assert.throws(() => parseNpy(headerOnly(dict)), (e: unknown) => e instanceof NpyError && e.message === message));
  }
});
