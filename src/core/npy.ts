// NumPy's `.npy` file format (numpy/lib/format.py): read versions 1.0, 2.0 and 3.0, either byte
// order, C or Fortran order; write what `np.save` writes (version 1.0, little-endian, C order, the
// header padded to 64 bytes), byte for byte.
import { allocate, numel, stridesOf, type DataOf, type DType, type Tensor } from './tensor';

/** A file that is not an `.npy` file we can read; the message says what and where. */
export class NpyError extends Error {
  override readonly name = 'NpyError';
}

const MAGIC = [0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0))];
const ALIGN = 64;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Deeper nesting than any dtype descriptor needs; stops hostile headers from exhausting the stack. */
const MAX_HEADER_DEPTH = 32;
/** np.save leaves room to grow the first axis in place: its repr padded to 21 characters. */
const GROWTH_AXIS_MAX_DIGITS = 21;

interface DTypeCode {
  readonly dtype: DType;
  readonly kind: string;
  readonly itemSize: number;
}

const DTYPE_CODES: readonly DTypeCode[] = [
  { dtype: 'float32', kind: 'f', itemSize: 4 },
  { dtype: 'float64', kind: 'f', itemSize: 8 },
  { dtype: 'int32', kind: 'i', itemSize: 4 },
  { dtype: 'int64', kind: 'i', itemSize: 8 },
  { dtype: 'bool', kind: 'b', itemSize: 1 },
];

// ---------------------------------------------------------------------------------------------
// The header: a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }

/** Python ints are bigints, so a hostile size prints as written; our own shapes come as numbers. */
type PyValue = string | number | bigint | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

/** A literal word at a position (sticky: no copy of the rest of the header per value). */
const WORD = /True|False|None|[-+]?\d+/y;

/** Parses the Python literals `.npy` headers use: dicts, tuples, lists, strings, ints, booleans, None. */
class HeaderParser {
  private pos = 0;
  constructor(private readonly text: string, private readonly textOffset: number) {}

  parse(): PyValue {
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])} after the header dict`);
    return value;
  }

  private fail(what: string): never {
    const header = this.text.trimEnd();
    const shown = header.length > 120 ? `${header.slice(0, 120)}...` : header;
    throw new NpyError(`malformed .npy header at byte ${this.textOffset + this.pos}: ${what} in ${JSON.stringify(shown)}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  /** Items up to `close`, separated by commas, a trailing comma allowed. */
  private items<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.eat(close)) {
      out.push(item());
      if (!this.eat(',')) {
        if (!this.eat(close)) this.fail(`expected ',' or '${close}'`);
        break;
      }
    }
    return out;
  }

  private value(depth = 0): PyValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if ((c === '{' || c === '(' || c === '[') && depth >= MAX_HEADER_DEPTH) this.fail(`nested deeper than ${MAX_HEADER_DEPTH} levels`);
    if (c === '{') {
      this.pos++;
      const map = new Map<string, PyValue>();
      for (const [k, v] of this.items('}', () => this.entry(depth + 1))) map.set(k, v);
      return map;
    }
    if (c === '(') {
      this.pos++;
      return { tuple: this.items(')', () => this.value(depth + 1)) };
    }
    if (c === '[') {
      this.pos++;
      return this.items(']', () => this.value(depth + 1));
    }
    if (c === "'" || c === '"') return this.string(c);
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.text)?.[0];
    if (word === undefined) this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    this.pos += word.length;
    if (word === 'True' || word === 'False') return word === 'True';
    if (word === 'None') return null;
    this.eat('L'); // Python 2 long literals, as old files may carry
    return BigInt(word);
  }

  private entry(depth: number): [string, PyValue] {
    const key = this.value(depth);
    if (typeof key !== 'string') this.fail('expected a string key');
    if (!this.eat(':')) this.fail(`expected ':' after '${key}'`);
    return [key, this.value(depth)];
  }

  private string(quote: string): string {
    let out = '';
    for (this.pos++; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos] as string;
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '\\') this.pos++;
      out += this.text[this.pos] ?? '';
    }
    return this.fail('unterminated string');
  }
}

function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(', ')}}`;
  return v.tuple.length === 1 ? `(${pyRepr(v.tuple[0] as PyValue)},)` : `(${v.tuple.map(pyRepr).join(', ')})`;
}

interface Header {
  readonly code: DTypeCode;
  readonly littleEndian: boolean;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

function headerFields(dict: PyValue): Header {
  if (!(dict instanceof Map)) throw new NpyError(`.npy header is not a dict: ${pyRepr(dict)}`);
  const keys = [...dict.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    throw new NpyError(`.npy header must have exactly the keys 'descr', 'fortran_order', 'shape'; it has ${keys.length === 0 ? 'none' : keys.map((k) => `'${k}'`).join(', ')}`);
  }
  const descr = dict.get('descr') as PyValue;
  const fortranOrder = dict.get('fortran_order') as PyValue;
  const shape = dict.get('shape') as PyValue;
  if (typeof fortranOrder !== 'boolean') throw new NpyError(`.npy header field 'fortran_order' is not True or False: ${pyRepr(fortranOrder)}`);
  if (shape === null || typeof shape !== 'object' || !('tuple' in shape) || !shape.tuple.every((s): s is bigint => typeof s === 'bigint' && s >= 0n)) {
    throw new NpyError(`.npy header field 'shape' is not a tuple of non-negative integers: ${pyRepr(shape)}`);
  }
  if (shape.tuple.some((s) => s > BigInt(Number.MAX_SAFE_INTEGER))) {
    throw new NpyError(`.npy header field 'shape' is ${pyRepr(shape)}: sizes past 2**53 - 1 (${Number.MAX_SAFE_INTEGER}) are not read`);
  }
  const supported = 'float32 (<f4), float64 (<f8), int32 (<i4), int64 (<i8) and bool (|b1)';
  const match = typeof descr === 'string' ? /^([<>|=])([fib])(\d+)$/.exec(descr) : null;
  const code = match && DTYPE_CODES.find((d) => d.kind === match[2] && d.itemSize === Number(match[3]));
  if (!match || !code) {
    const what = typeof descr === 'string' ? describeDescr(descr) : Array.isArray(descr) ? 'a structured dtype' : 'not a dtype';
    throw new NpyError(`.npy header field 'descr' is ${pyRepr(descr)} (${what}); supported dtypes are ${supported}, either byte order`);
  }
  // Like numpy, read '=' (native) and '|' (no order) in this machine's order.
  const littleEndian = match[1] === '<' || (match[1] !== '>' && HOST_LITTLE_ENDIAN);
  return { code, littleEndian, fortranOrder, shape: shape.tuple.map(Number) };
}

function describeDescr(descr: string): string {
  const kinds: Record<string, string> = {
    b: 'bool', i: 'signed integer', u: 'unsigned integer', f: 'floating point', c: 'complex',
    O: 'Python objects', S: 'byte string', U: 'unicode string', V: 'raw bytes', M: 'datetime', m: 'timedelta',
  };
  const kind = /^[<>|=]?([a-zA-Z])(\d*)/.exec(descr);
  if (!kind) return 'not a dtype';
  const name = kinds[kind[1] as string] ?? 'an unknown kind';
  return kind[2] ? `${name}, ${kind[2]} byte${kind[2] === '1' ? '' : 's'}` : name;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Reverses the bytes of every `itemSize`-byte element in place (between byte orders). */
function swapByteOrder(bytes: Uint8Array, itemSize: number): void {
  for (let start = 0; start < bytes.length; start += itemSize) {
    for (let i = start, j = start + itemSize - 1; i < j; i++, j--) {
      const b = bytes[i] as number;
      bytes[i] = bytes[j] as number;
      bytes[j] = b;
    }
  }
}

/** A tensor buffer over `bytes` already in host order. */
function typedArrayOver(dtype: DType, buffer: ArrayBuffer): DataOf[DType] {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
    case 'bool': return new Uint8Array(buffer).map((b) => (b === 0 ? 0 : 1));
  }
}

/** Row-major values from `stored`, the same array in Fortran (column-major) order. */
function fromFortranOrder(stored: DataOf[DType], dtype: DType, shape: readonly number[]): DataOf[DType] {
  const count = numel(shape);
  const data = allocate(dtype, count);
  const source = stored as { readonly [i: number]: number | bigint };
  const target = data as { [i: number]: number | bigint };
  const columnStrides = stridesOf([...shape].reverse()).reverse();
  const index = new Array<number>(shape.length).fill(0);
  let offset = 0;
  for (let n = 0; n < count; n++) {
    target[n] = source[offset] as number | bigint;
    // Advance the row-major index, keeping the column-major offset in step.
    for (let d = shape.length - 1; d >= 0; d--) {
      const stride = columnStrides[d] as number;
      if ((index[d] as number) + 1 < (shape[d] as number)) {
        index[d] = (index[d] as number) + 1;
        offset += stride;
        break;
      }
      offset -= (index[d] as number) * stride;
      index[d] = 0;
    }
  }
  return data;
}

/**
 * NumPy's default `max_header_size` (numpy/lib/format.py): a longer header is refused before it
 * is read, so a file cannot make the reader parse megabytes of Python literal.
 */
export const NPY_MAX_HEADER_SIZE = 10_000;
/** The magic string, the version and the longest header-length field (versions 2.0 and 3.0). */
const PREFIX_MAX_BYTES = MAGIC.length + 2 + 4;

/** The longest `.npy` file of at most `maxElements` elements (np.save writes nothing after the data). */
export function npyMaxBytes(maxElements: number): number {
  return PREFIX_MAX_BYTES + NPY_MAX_HEADER_SIZE + maxElements * Math.max(...DTYPE_CODES.map((d) => d.itemSize));
}

export interface NpyReadOptions {
  /** Largest element count accepted: a larger array is refused before its data is read. */
  readonly maxElements?: number;
}

/** Where the header sits, from the file's first bytes. */
interface Layout {
  readonly major: number;
  readonly headerStart: number;
  readonly dataStart: number;
}

function truncated(end: number, what: string, fileLength: number): NpyError {
  return new NpyError(`.npy file is truncated: ${what} needs bytes up to ${end}, the file has ${fileLength}`);
}

/**
 * Checks the magic string, the version and the header length in `prefix`, the file's first
 * PREFIX_MAX_BYTES bytes (fewer only when the file is shorter).
 */
function layoutOf(prefix: Uint8Array): Layout {
  const need = (end: number, what: string): void => {
    if (prefix.length < end) throw truncated(end, what, prefix.length);
  };
  // A short file that starts like the magic string is truncated; anything else is not .npy.
  if (MAGIC.some((b, i) => i < prefix.length && prefix[i] !== b)) {
    const got = Array.from(prefix.subarray(0, MAGIC.length), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new NpyError(`not a .npy file: bytes 0-5 should be the magic string 93 4e 55 4d 50 59 ("\\x93NUMPY"), found ${got}`);
  }
  need(MAGIC.length + 2, 'the magic string and version');
  const major = prefix[6] as number;
  const minor = prefix[7] as number;
  if (minor !== 0 || major < 1 || major > 3) {
    throw new NpyError(`unsupported .npy format version ${major}.${minor} at byte 6; versions 1.0, 2.0 and 3.0 are supported`);
  }
  const lengthSize = major === 1 ? 2 : 4;
  need(8 + lengthSize, 'the header length');
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLength = lengthSize === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthSize;
  // NumPy measures the decoded text; a UTF-8 (3.0) header of more bytes than characters is
  // refused here although NumPy would read it: only structured dtypes, which we refuse anyway, have one.
  if (headerLength > NPY_MAX_HEADER_SIZE) {
    throw new NpyError(`Header info length (${headerLength}) is large and may not be safe to load securely. ` +
      `(bytes 8-${headerStart - 1} give the header length; NumPy's default max_header_size is ${NPY_MAX_HEADER_SIZE})`);
  }
  return { major, headerStart, dataStart: headerStart + headerLength };
}

function headerOf(layout: Layout, headerBytes: Uint8Array): Header {
  // Versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8.
  const headerText = new TextDecoder(layout.major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  return headerFields(new HeaderParser(headerText, layout.headerStart).parse());
}

function dataDescription(header: Header, layout: Layout): string {
  return `${numel(header.shape)} ${header.code.dtype} values of shape ${pyRepr({ tuple: header.shape })} starting at byte ${layout.dataStart}`;
}

function checkElementCount(header: Header, options: NpyReadOptions): void {
  const count = numel(header.shape);
  if (options.maxElements !== undefined && count > options.maxElements) {
    throw new NpyError(`the array of shape ${pyRepr({ tuple: header.shape })} has ${count.toLocaleString('en-US')} elements, ` +
      `more than the limit of ${options.maxElements.toLocaleString('en-US')} (maxElements); refused before reading its data`);
  }
}

/** The tensor from its data bytes, which it takes over (they must be its own buffer, at offset 0). */
function tensorOf(header: Header, raw: Uint8Array): Tensor {
  const { code, littleEndian, fortranOrder, shape } = header;
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapByteOrder(raw, code.itemSize);
  const stored = typedArrayOver(code.dtype, raw.buffer as ArrayBuffer);
  const data = fortranOrder && shape.length > 1 ? fromFortranOrder(stored, code.dtype, shape) : stored;
  return { shape, dtype: code.dtype, data };
}

/** Reads a `.npy` file (format 1.0, 2.0 or 3.0) held in memory into a row-major tensor. */
export function parseNpy(bytes: Uint8Array, options: NpyReadOptions = {}): Tensor {
  const layout = layoutOf(bytes.subarray(0, PREFIX_MAX_BYTES));
  const { headerStart, dataStart } = layout;
  if (bytes.length < dataStart) throw truncated(dataStart, `the ${dataStart - headerStart}-byte header starting at byte ${headerStart}`, bytes.length);
  const header = headerOf(layout, bytes.subarray(headerStart, dataStart));
  const dataEnd = dataStart + numel(header.shape) * header.code.itemSize;
  if (bytes.length < dataEnd) throw truncated(dataEnd, dataDescription(header, layout), bytes.length);
  checkElementCount(header, options);
  // A copy: aligned, and a Node Buffer's slice would be a view into a shared pool.
  return tensorOf(header, new Uint8Array(bytes.subarray(dataStart, dataEnd)));
}

/**
 * Where a streamed `.npy` file comes from: reads up to `length` bytes from the current position,
 * fewer at the end of the file (or from a pipe). Node's `fs.promises.FileHandle` is one.
 */
export interface NpyByteSource {
  read(buffer: Uint8Array, offset: number, length: number, position: null): Promise<{ bytesRead: number }>;
}

/** The next `length` bytes of `source`, fewer only when it ends first. */
async function readBytes(source: NpyByteSource, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await source.read(buffer, filled, length - filled, null);
    if (bytesRead === 0) return buffer.subarray(0, filled);
    filled += bytesRead;
  }
  return buffer;
}

/**
 * Reads a `.npy` file piece by piece, checking each piece before reading the next: the prefix,
 * the header (at most NPY_MAX_HEADER_SIZE bytes), then exactly the data the header announces,
 * once its size is known to fit `maxElements` and, when `size` (the file's length) is given, the
 * file. Nothing past the data is read, so an endless source (`/dev/zero`) or a lying header costs
 * at most the bytes a valid file of that header would.
 */
export async function readNpy(source: NpyByteSource, options: NpyReadOptions & { readonly size?: number } = {}): Promise<Tensor> {
  const prefix = await readBytes(source, PREFIX_MAX_BYTES);
  const layout = layoutOf(prefix);
  const { headerStart, dataStart } = layout;
  // The prefix may hold the first bytes of a version 1.0 header (never data: a valid header is
  // far longer than the two bytes it could take).
  const headerBytes = new Uint8Array(dataStart - headerStart);
  const early = prefix.subarray(headerStart, dataStart);
  headerBytes.set(early);
  const rest = await readBytes(source, headerBytes.length - early.length);
  headerBytes.set(rest, early.length);
  const got = headerStart + early.length + rest.length;
  if (got < dataStart) throw truncated(dataStart, `the ${dataStart - headerStart}-byte header starting at byte ${headerStart}`, got);
  const header = headerOf(layout, headerBytes);
  const dataLength = numel(header.shape) * header.code.itemSize;
  if (options.size !== undefined && options.size < dataStart + dataLength) {
    throw truncated(dataStart + dataLength, dataDescription(header, layout), options.size);
  }
  checkElementCount(header, options);
  const raw = await readBytes(source, dataLength);
  if (raw.length < dataLength) throw truncated(dataStart + dataLength, dataDescription(header, layout), dataStart + raw.length);
  return tensorOf(header, raw);
}

// ---------------------------------------------------------------------------------------------
// Writing

function descrOf(dtype: DType): string {
  const code = DTYPE_CODES.find((d) => d.dtype === dtype) as DTypeCode;
  return `${code.kind === 'b' ? '|' : '<'}${code.kind}${code.itemSize}`;
}

/** The header np.save writes: keys sorted, the growth padding, spaces and '\n' to 64-byte alignment. */
function headerBytes(t: Tensor): Uint8Array {
  const shape = pyRepr({ tuple: [...t.shape] });
  let dict = `{'descr': '${descrOf(t.dtype)}', 'fortran_order': False, 'shape': ${shape}, }`;
  if (t.shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(t.shape[0]).length);
  // numpy's padding: never zero, so a header that is already aligned gains a full 64 bytes.
  const paddedLength = (prefix: number) => dict.length + 1 + ALIGN - ((prefix + dict.length + 1) % ALIGN);
  // Version 1.0 unless the header length does not fit its 16-bit field; then 2.0 (32-bit).
  const version1 = paddedLength(MAGIC.length + 4) <= 0xffff;
  const prefix = MAGIC.length + (version1 ? 4 : 6);
  const length = paddedLength(prefix);
  const out = new Uint8Array(prefix + length);
  out.set(MAGIC);
  out[6] = version1 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (version1) view.setUint16(8, length, true);
  else view.setUint32(8, length, true);
  const text = dict.padEnd(length - 1, ' ') + '\n';
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  return out;
}

/** The bytes `np.save` writes for this tensor (version 1.0, little-endian, C order). */
export function serializeNpy(t: Tensor): Uint8Array {
  const header = headerBytes(t);
  const values = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  const body = out.subarray(header.length);
  if (t.dtype === 'bool') values.forEach((b, i) => (body[i] = b === 0 ? 0 : 1));
  else body.set(values);
  if (!HOST_LITTLE_ENDIAN) swapByteOrder(body, t.data.BYTES_PER_ELEMENT);
  return out;
}
