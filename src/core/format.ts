// PyTorch's printed form of a tensor: exactly what `repr(t)` prints in PyTorch 1.13
// (torch/_tensor_str.py), plus the exact decimal formatting of doubles it relies on.
// Float32 values print as PyTorch prints them: widened to double, then formatted by Python's
// '{:.4f}' / '{:.4e}', which round the exact binary value half to even.
import { numel, stridesOf, torchDTypeName, type Tensor } from './tensor';

/** Mirrors `torch.set_printoptions`. */
export interface TorchPrintOptions {
  /** Digits after the decimal point. */
  readonly precision: number;
  /** More elements than this are summarised with `...`; `Infinity` never summarises. */
  readonly threshold: number;
  /** Items kept at each end of a summarised dimension. */
  readonly edgeitems: number;
  readonly linewidth: number;
  /** `undefined` lets PyTorch's rule choose; `true`/`false` force scientific / fixed notation. */
  readonly sciMode: boolean | undefined;
}

export interface FormatTensorOptions extends Partial<TorchPrintOptions> {
  /** Extra `key=value` items after the values, e.g. `grad_fn=<ConvolutionBackward0>`. */
  readonly suffixes?: readonly string[];
  /** `torch.get_default_dtype()`: the float dtype repr leaves unnamed (float32 unless given). */
  readonly defaultDtype?: 'float32' | 'float64';
}

export const TORCH_PRINT_DEFAULTS: TorchPrintOptions = {
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: undefined,
};

// ---------------------------------------------------------------------------------------------
// Exact decimal arithmetic on doubles (shared with the NumPy formatter).

/** A finite positive double as an exact fraction: `x = mantissa * 2**exponent`. */
export interface BinaryFraction {
  readonly mantissa: bigint;
  readonly exponent: number;
}

const bitsView = new DataView(new ArrayBuffer(8));

/** Decomposes |x| (finite, nonzero) into its binary mantissa and exponent. */
export function binaryFraction(x: number): BinaryFraction {
  bitsView.setFloat64(0, Math.abs(x));
  const high = bitsView.getUint32(0);
  const low = bitsView.getUint32(4);
  const biased = high >>> 20;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

const powersOfTen: bigint[] = [1n];
export function pow10(n: number): bigint {
  while (powersOfTen.length <= n) powersOfTen.push((powersOfTen[powersOfTen.length - 1] as bigint) * 10n);
  return powersOfTen[n] as bigint;
}

/** num/den as exact numerator and denominator of `f * 10**scale`. */
export function scaledFraction(f: BinaryFraction, scale: number): [bigint, bigint] {
  let num = f.mantissa;
  let den = 1n;
  if (f.exponent >= 0) num <<= BigInt(f.exponent);
  else den <<= BigInt(-f.exponent);
  if (scale >= 0) num *= pow10(scale);
  else den *= pow10(-scale);
  return [num, den];
}

/** The integer nearest to num/den, ties to even (Python's and IEEE's rounding). */
export function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twiceRest = 2n * (num - q * den);
  if (twiceRest > den || (twiceRest === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** floor(log10(f)), exactly. */
export function decimalExponent(f: BinaryFraction): number {
  // The estimate from the double is off by at most one near powers of ten; the fraction decides.
  const approx = Math.log10(Number(f.mantissa)) + f.exponent * Math.LOG10E * Math.LN2;
  let d = Math.floor(approx);
  for (;;) {
    const [num, den] = scaledFraction(f, -d);
    if (num < den) d--;
    else if (num >= 10n * den) d++;
    else return d;
  }
}

function nonFiniteText(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return undefined;
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** Python's `format(x, '.{precision}f')`. */
export function pythonFixed(x: number, precision: number): string {
  const special = nonFiniteText(x);
  if (special !== undefined) return special;
  let digits: string;
  const magnitude = Math.abs(x);
  // toFixed is exact except that it breaks ties away from zero and gives up at 1e21; a tie at
  // this precision means |x| * 2**(precision+1) is an odd integer.
  const doubled = magnitude * 2 ** (precision + 1);
  if (magnitude < 1e21 && precision <= 100 && !(Number.isInteger(doubled) && doubled % 2 === 1)) {
    return signOf(x) + magnitude.toFixed(precision);
  }
  if (magnitude === 0) {
    digits = '0'.repeat(precision + 1);
  } else {
    const [num, den] = scaledFraction(binaryFraction(magnitude), precision);
    digits = roundHalfEven(num, den).toString().padStart(precision + 1, '0');
  }
  const point = digits.length - precision;
  return signOf(x) + digits.slice(0, point) + (precision > 0 ? '.' + digits.slice(point) : '');
}

/** Python's `format(x, '.{precision}e')`. */
export function pythonExponent(x: number, precision: number): string {
  const special = nonFiniteText(x);
  if (special !== undefined) return special;
  let digits = '0'.repeat(precision + 1);
  let exponent = 0;
  if (x !== 0) {
    const f = binaryFraction(x);
    exponent = decimalExponent(f);
    const [num, den] = scaledFraction(f, precision - exponent);
    let n = roundHalfEven(num, den);
    if (n === pow10(precision + 1)) {
      n = pow10(precision);
      exponent++;
    }
    digits = n.toString();
  }
  const mantissa = digits.slice(0, 1) + (precision > 0 ? '.' + digits.slice(1) : '');
  return `${signOf(x)}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// The tensor printer.

/** Python's `str(tuple(shape))`. */
export function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Which indices of each dimension are shown: all of them, or when summarising a dimension
 * longer than 2 * edgeitems, its two edges with `null` marking the elided middle.
 */
export function shownIndices(shape: readonly number[], summarize: boolean, edgeitems: number): (number | null)[][] {
  return shape.map((size) => {
    if (summarize && size > 2 * edgeitems) {
      const head = Array.from({ length: edgeitems }, (_, i) => i);
      const tail = Array.from({ length: edgeitems }, (_, i) => size - edgeitems + i);
      return [...head, null, ...tail];
    }
    return Array.from({ length: size }, (_, i) => i);
  });
}

/** Flat offsets of every shown element, in row-major order. */
export function shownOffsets(shown: readonly (readonly (number | null)[])[], strides: readonly number[]): number[] {
  let offsets = [0];
  shown.forEach((indices, dim) => {
    const stride = strides[dim] ?? 1;
    const next: number[] = [];
    for (const base of offsets) {
      for (const i of indices) if (i !== null) next.push(base + i * stride);
    }
    offsets = next;
  });
  return offsets;
}

/** Formats one element (by flat offset) padded to the shared column width. */
interface ElementFormatter {
  readonly width: number;
  format(offset: number): string;
}

/** torch/_tensor_str.py `_Formatter` for float tensors. */
function floatFormatter(data: Float32Array | Float64Array, offsets: readonly number[], opts: TorchPrintOptions): ElementFormatter {
  const { precision } = opts;
  let intMode = true;
  let sciMode = false;
  let width = 1;
  let min = Infinity;
  let max = 0;
  const nonzeroFinite: number[] = [];
  for (const offset of offsets) {
    const v = data[offset] as number;
    if (!Number.isFinite(v) || v === 0) continue;
    nonzeroFinite.push(v);
    const abs = Math.abs(v);
    if (abs < min) min = abs;
    if (abs > max) max = abs;
    if (!Number.isInteger(v)) intMode = false;
  }
  // Like PyTorch, a tensor without nonzero finite values ignores the sci_mode option.
  if (nonzeroFinite.length > 0) {
    const wide = max / min > 1000 || max > 1e8;
    if (intMode) {
      sciMode = wide;
      for (const v of nonzeroFinite) {
        width = Math.max(width, sciMode ? pythonExponent(v, precision).length : pythonFixed(v, 0).length + 1);
      }
    } else {
      sciMode = wide || min < 1e-4;
      for (const v of nonzeroFinite) {
        width = Math.max(width, (sciMode ? pythonExponent(v, precision) : pythonFixed(v, precision)).length);
      }
    }
    if (opts.sciMode !== undefined) sciMode = opts.sciMode;
  }
  return {
    width,
    format(offset) {
      const v = data[offset] as number;
      let text: string;
      if (sciMode) text = pythonExponent(v, precision);
      else if (intMode) text = pythonFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
      else text = pythonFixed(v, precision);
      return text.padStart(width);
    },
  };
}

/** `_Formatter` for integer and bool tensors: Python's `str` of each value. */
function plainFormatter(t: Tensor, offsets: readonly number[]): ElementFormatter {
  const text = t.dtype === 'bool'
    ? (offset: number) => (t.data[offset] ? 'True' : 'False')
    : (offset: number) => String(t.data[offset]);
  let width = 1;
  for (const offset of offsets) width = Math.max(width, text(offset).length);
  return { width, format: (offset) => text(offset).padStart(width) };
}

function elementFormatter(t: Tensor, offsets: readonly number[], opts: TorchPrintOptions): ElementFormatter {
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return floatFormatter(t.data, offsets, opts);
  return plainFormatter(t, offsets);
}

interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly shown: readonly (readonly (number | null)[])[];
  readonly formatter: ElementFormatter;
  readonly linewidth: number;
}

/** `_vector_str`: one dimension's values, wrapped to the line width. */
function vectorText(layout: Layout, offset: number, indent: number): string {
  const { formatter, linewidth } = layout;
  const stride = layout.strides[layout.strides.length - 1] ?? 1;
  const items = (layout.shown[layout.shown.length - 1] ?? []).map((i) =>
    i === null ? ' ...' : formatter.format(offset + i * stride));
  const perLine = Math.max(1, Math.floor((linewidth - indent) / (formatter.width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

/** `_tensor_str_with_formatter`: nested brackets, blank lines between blocks of rank >= 3. */
function blockText(layout: Layout, dim: number, offset: number, indent: number): string {
  const rank = layout.shape.length;
  if (dim === rank - 1) return vectorText(layout, offset, indent);
  const stride = layout.strides[dim] ?? 1;
  const slices = (layout.shown[dim] ?? []).map((i) =>
    i === null ? '...' : blockText(layout, dim + 1, offset + i * stride, indent + 1));
  return '[' + slices.join(',' + '\n'.repeat(rank - dim - 1) + ' '.repeat(indent + 1)) + ']';
}

/** `_add_suffixes`: `, key=value` items, moved to a new line when they would pass the width. */
function withSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const parts = [text];
  // PyTorch's count: the last line's length plus two.
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLength += suffix.length + 2;
    }
  }
  return parts.join('') + ')';
}

/** Validates the print options PyTorch and NumPy share, naming the one that is wrong. */
export function checkPrintOptions(opts: Pick<TorchPrintOptions, 'precision' | 'threshold' | 'edgeitems' | 'linewidth'>): void {
  if (!Number.isInteger(opts.precision) || opts.precision < 0) {
    throw new RangeError(`print option precision must be a non-negative integer, got ${opts.precision}`);
  }
  if (!Number.isInteger(opts.edgeitems) || opts.edgeitems < 1) {
    throw new RangeError(`print option edgeitems must be a positive integer, got ${opts.edgeitems}`);
  }
  if (!Number.isInteger(opts.linewidth)) throw new RangeError(`print option linewidth must be an integer, got ${opts.linewidth}`);
  if (Number.isNaN(opts.threshold)) throw new RangeError('print option threshold must be a number, got NaN');
}

/** Exactly what PyTorch 1.13's `repr(t)` prints (a tensor without grad, on the CPU). */
export function formatTensor(t: Tensor, options: FormatTensorOptions = {}): string {
  const { suffixes: extra = [], defaultDtype = 'float32', ...overrides } = options;
  const opts: TorchPrintOptions = { ...TORCH_PRINT_DEFAULTS, ...overrides };
  checkPrintOptions(opts);
  const prefix = 'tensor(';
  const indent = prefix.length;
  const count = numel(t.shape);
  const suffixes: string[] = [];
  let body: string;
  if (count === 0) {
    // Empty tensors spell out what their (absent) values cannot show: shape and dtype.
    if (t.shape.length !== 1) suffixes.push(`size=${pythonTuple(t.shape)}`);
    if (t.dtype !== defaultDtype) suffixes.push(`dtype=${torchDTypeName(t.dtype)}`);
    body = '[]';
  } else {
    // int64 and bool are never named; the default float dtype is not either.
    if ((t.dtype === 'float64' || t.dtype === 'float32' || t.dtype === 'int32') && t.dtype !== defaultDtype) suffixes.push(`dtype=${torchDTypeName(t.dtype)}`);
    const summarize = count > opts.threshold;
    const shown = shownIndices(t.shape, summarize, opts.edgeitems);
    const strides = stridesOf(t.shape);
    const formatter = elementFormatter(t, shownOffsets(shown, strides), opts);
    body = t.shape.length === 0
      ? formatter.format(0)
      : blockText({ shape: t.shape, strides, shown, formatter, linewidth: opts.linewidth }, 0, 0, indent);
  }
  return withSuffixes(prefix + body, [...suffixes, ...extra], indent, opts.linewidth);
}
