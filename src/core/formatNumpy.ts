// NumPy's printed form of an array: exactly what `repr(ndarray)` prints in NumPy 1.24
// (numpy/core/arrayprint.py with its Dragon4 float printer), for "Copy Result as NumPy".
import { numel, stridesOf, type Tensor } from './tensor';
import { binaryFraction, checkPrintOptions, decimalExponent, pow10, pythonTuple, shownIndices, shownOffsets } from './format';

/** Mirrors the `np.set_printoptions` options that apply to our dtypes. */
export interface NumpyPrintOptions {
  /** Most digits after the decimal point (floatmode 'maxprec'). */
  readonly precision: number;
  readonly threshold: number;
  readonly edgeitems: number;
  readonly linewidth: number;
  /** Never switch to scientific notation for small values. */
  readonly suppress: boolean;
}

export const NUMPY_PRINT_DEFAULTS: NumpyPrintOptions = {
  precision: 8,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 75,
  suppress: false,
};

// ---------------------------------------------------------------------------------------------
// Dragon4 digit generation, as numpy/core/src/multiarray/dragon4.c does it: the shortest digits
// that identify the value among its float32 or float64 neighbours, cut off at a given digit and
// extended to a minimum number of digits, rounding the exact value.

interface Digits {
  /** Decimal digits, the first one at `exponent` (so value ≈ d.ddd × 10^exponent). */
  readonly digits: string;
  readonly exponent: number;
}

interface BinaryFloat {
  readonly mantissa: bigint;
  readonly exponent: number;
  /** The gap to the next smaller float is half the gap to the next larger one. */
  readonly unequalMargins: boolean;
}

const float32View = new DataView(new ArrayBuffer(4));

/** |x| as the float32 or float64 it is stored as: mantissa, exponent and margin shape. */
function binaryFloat(x: number, single: boolean): BinaryFloat {
  if (!single) {
    const f = binaryFraction(x);
    const normal = f.mantissa >= 1n << 52n;
    return { ...f, unequalMargins: normal && f.mantissa === 1n << 52n && f.exponent > -1074 };
  }
  float32View.setFloat32(0, Math.abs(x));
  const bits = float32View.getUint32(0);
  const biased = bits >>> 23;
  const fraction = BigInt(bits & 0x7fffff);
  if (biased === 0) return { mantissa: fraction, exponent: -149, unequalMargins: false };
  return { mantissa: fraction | (1n << 23n), exponent: biased - 150, unequalMargins: fraction === 0n && biased > 1 };
}

interface DigitLimits {
  /** Last digit position that may be printed. */
  readonly cutoffMax: number;
  /** Digits must reach at least this position before stopping at uniqueness. */
  readonly cutoffMin: number;
}

/**
 * Dragon4 in "unique" mode. Digit generation starts at the value's leading digit, or at
 * `firstPositionFloor` when that is higher (a fractional cutoff above the leading digit, which
 * then prints as 0); `limits` gives the cutoff positions for that first position.
 */
function dragon4(x: number, single: boolean, firstPositionFloor: number, limits: (first: number) => DigitLimits): Digits {
  if (x === 0) return { digits: '0', exponent: 0 };
  const f = binaryFloat(x, single);
  const isEven = (f.mantissa & 1n) === 0n;
  // Value and margins in units of 2^(exponent-2): value 4m, high margin half an ulp (2 units),
  // low margin half the gap below (1 unit when that gap is halved).
  const unitShift = f.exponent - 2;
  let value = (f.mantissa * 4n) << BigInt(Math.max(unitShift, 0));
  let marginHigh = 2n << BigInt(Math.max(unitShift, 0));
  let marginLow = (f.unequalMargins ? 1n : 2n) << BigInt(Math.max(unitShift, 0));
  let scale = 1n << BigInt(Math.max(-unitShift, 0));

  const first = Math.max(decimalExponent(binaryFraction(x)), firstPositionFloor);
  // Scale so that value/scale < 1, the first digit appearing after one multiplication by ten.
  if (first + 1 >= 0) scale *= pow10(first + 1);
  else {
    const up = pow10(-(first + 1));
    value *= up;
    marginHigh *= up;
    marginLow *= up;
  }
  const { cutoffMax, cutoffMin } = limits(first);
  let digits = '';
  let digit: number;
  let low: boolean;
  let high: boolean;
  for (let position = first; ; position--) {
    value *= 10n;
    marginHigh *= 10n;
    marginLow *= 10n;
    digit = Number(value / scale);
    value %= scale;
    low = isEven ? value <= marginLow : value < marginLow;
    high = isEven ? value + marginHigh >= scale : value + marginHigh > scale;
    if (((low || high) && position <= cutoffMin) || position === cutoffMax) break;
    digits += String(digit);
  }
  let roundDown = low;
  if (low === high) {
    const twice = 2n * value;
    roundDown = twice < scale || (twice === scale && digit % 2 === 0);
  }
  if (roundDown) return { digits: digits + String(digit), exponent: first };
  if (digit < 9) return { digits: digits + String(digit + 1), exponent: first };
  // Round up through trailing nines; past the first digit the value gains a digit.
  const kept = digits.replace(/9+$/, '');
  if (kept === '') return { digits: '1', exponent: first + 1 };
  return { digits: kept.slice(0, -1) + String(Number(kept.slice(-1)) + 1), exponent: first };
}

type Trim = 'keep' | 'zeros';

interface PositionalStyle {
  readonly precision: number;
  readonly minDigits: number;
  readonly trim: Trim;
  readonly padLeft: number;
  readonly padRight: number;
}

interface ScientificStyle {
  readonly precision: number;
  readonly minDigits: number;
  readonly trim: Trim;
  readonly padLeft: number;
  readonly expDigits: number;
}

/** Applies a trim mode to fraction digits: 'keep' pads zeros to minDigits, 'zeros' drops trailing zeros. */
function trimFraction(fraction: string, trim: Trim, minDigits: number): string {
  return trim === 'keep' ? fraction.padEnd(minDigits, '0') : fraction.replace(/0+$/, '');
}

/** `np.format_float_positional(x, precision, unique=True, fractional=True, trim, ...)`. */
export function numpyPositional(x: number, single: boolean, style: PositionalStyle): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { digits, exponent } = dragon4(x, single, -style.precision, (first) => ({
    cutoffMax: -style.precision,
    cutoffMin: style.minDigits < 0 ? first + 1 : Math.min(first + 1, -style.minDigits),
  }));
  let whole: string;
  let fraction: string;
  if (exponent >= 0) {
    whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    fraction = digits.slice(exponent + 1);
  } else {
    whole = '0';
    fraction = '0'.repeat(-exponent - 1) + digits;
  }
  fraction = trimFraction(fraction, style.trim, style.minDigits);
  const left = ' '.repeat(Math.max(0, style.padLeft - sign.length - whole.length));
  const right = ' '.repeat(Math.max(0, style.padRight - fraction.length));
  return `${left}${sign}${whole}.${fraction}${right}`;
}

/** `np.format_float_scientific(x, precision, unique=True, trim, ...)`. */
export function numpyScientific(x: number, single: boolean, style: ScientificStyle): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  // Scientific cutoffs count significant digits from the first one.
  const { digits, exponent } = dragon4(x, single, -Infinity, (first) => ({
    cutoffMax: first - style.precision,
    cutoffMin: style.minDigits < 0 ? first + 1 : first - style.minDigits,
  }));
  const fraction = trimFraction(digits.slice(1), style.trim, style.minDigits);
  const expText = String(Math.abs(exponent)).padStart(style.expDigits < 0 ? 2 : style.expDigits, '0');
  const text = `${sign}${digits[0] ?? '0'}.${fraction}e${exponent < 0 ? '-' : '+'}${expText}`;
  return ' '.repeat(Math.max(0, style.padLeft - 1 - sign.length)) + text;
}

// ---------------------------------------------------------------------------------------------
// Element formatters (arrayprint.FloatingFormat, IntegerFormat, BoolFormat).

type Format = (offset: number) => string;

/** The largest `measure` over a non-empty list (without spreading it into arguments). */
function maxOf<T>(items: readonly T[], measure: (item: T) => number): number {
  let max = -Infinity;
  for (const item of items) max = Math.max(max, measure(item));
  return max;
}

/** arrayprint.FloatingFormat with floatmode 'maxprec' and sign '-'. */
function floatingFormat(data: Float32Array | Float64Array, offsets: readonly number[], opts: NumpyPrintOptions): Format {
  const single = data instanceof Float32Array;
  const values = offsets.map((o) => data[o] as number);
  const finite = values.filter(Number.isFinite);
  const nonzero = finite.filter((v) => v !== 0).map(Math.abs);
  let expFormat = false;
  if (nonzero.length > 0) {
    const max = maxOf(nonzero, (v) => v);
    const min = -maxOf(nonzero, (v) => -v);
    // NumPy divides the float32 scalars in float32.
    const ratio = single ? Math.fround(max / min) : max / min;
    expFormat = max >= 1e8 || (!opts.suppress && (min < 1e-4 || ratio > 1000));
  }
  // First pass: the unpadded strings decide the column layout.
  let padLeft = 0;
  let padRight = 0;
  let fractionDigits = 0;
  let expDigits = -1;
  if (finite.length > 0 && expFormat) {
    const parts = finite.map((v) => numpyScientific(v, single, { precision: opts.precision, minDigits: -1, trim: 'zeros', padLeft: 0, expDigits: -1 }));
    fractionDigits = maxOf(parts, (s) => s.indexOf('e') - s.indexOf('.') - 1);
    expDigits = maxOf(parts, (s) => s.length - s.indexOf('e') - 2);
    padLeft = maxOf(parts, (s) => s.indexOf('.'));
    padRight = expDigits + 2 + fractionDigits;
  } else if (finite.length > 0) {
    const parts = finite.map((v) => numpyPositional(v, single, { precision: opts.precision, minDigits: -1, trim: 'zeros', padLeft: 0, padRight: 0 }));
    padLeft = maxOf(parts, (s) => s.indexOf('.'));
    padRight = maxOf(parts, (s) => s.length - s.indexOf('.') - 1);
  }
  if (finite.length < values.length) {
    const infLength = values.some((v) => v === -Infinity) ? 4 : 3;
    padLeft = Math.max(padLeft, 3 - padRight - 1, infLength - padRight - 1);
  }
  const format = expFormat
    ? (v: number) => numpyScientific(v, single, { precision: fractionDigits, minDigits: fractionDigits, trim: 'keep', padLeft, expDigits })
    : (v: number) => numpyPositional(v, single, { precision: opts.precision, minDigits: 0, trim: 'zeros', padLeft, padRight });
  const width = padLeft + padRight + 1;
  return (offset) => {
    const v = data[offset] as number;
    if (Number.isNaN(v)) return 'nan'.padStart(width);
    if (!Number.isFinite(v)) return (v < 0 ? '-inf' : 'inf').padStart(width);
    return format(v);
  };
}

function elementFormat(t: Tensor, offsets: readonly number[], opts: NumpyPrintOptions): Format {
  const data = t.data;
  if (data instanceof Float32Array || data instanceof Float64Array) return floatingFormat(data, offsets, opts);
  if (data instanceof Uint8Array) {
    // ' True' lines up with 'False', except in a 0-d array.
    const trueText = t.shape.length === 0 ? 'True' : ' True';
    return (offset) => (data[offset] ? trueText : 'False');
  }
  let width = 0;
  for (const o of offsets) width = Math.max(width, String(data[o]).length);
  return (offset) => String(data[offset]).padStart(width);
}

// ---------------------------------------------------------------------------------------------
// Layout (arrayprint._formatArray with legacy=False).

const SEPARATOR = ', ';

interface ArrayLayout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly shown: readonly (readonly (number | null)[])[];
  readonly format: Format;
}

/** `_extendLine`: starts a new line when the word would pass the width (unless the line is empty). */
function extendLine(state: { text: string; line: string }, word: string, width: number, hangingIndent: string): void {
  if (state.line.length + word.length > width && state.line.length > hangingIndent.length) {
    state.text += state.line.trimEnd() + '\n';
    state.line = hangingIndent;
  }
  state.line += word;
}

function formatBlock(layout: ArrayLayout, dim: number, offset: number, hangingIndent: string, width: number): string {
  if (dim === layout.shape.length) return layout.format(offset);
  const stride = layout.strides[dim] ?? 1;
  const items = layout.shown[dim] ?? [];
  const nextIndent = hangingIndent + ' ';
  const nextWidth = width - 1;
  const child = (i: number) => formatBlock(layout, dim + 1, offset + i * stride, nextIndent, nextWidth);
  let body: string;
  if (dim === layout.shape.length - 1) {
    const state = { text: '', line: hangingIndent };
    items.forEach((i, k) => {
      extendLine(state, i === null ? '...' : child(i), width - 1, hangingIndent);
      if (k < items.length - 1) state.line += SEPARATOR;
    });
    body = state.text + state.line;
  } else {
    const lineSeparator = ',' + '\n'.repeat(layout.shape.length - dim - 1);
    body = items.map((i) => hangingIndent + (i === null ? '...' : child(i))).join(lineSeparator);
  }
  return '[' + body.slice(hangingIndent.length) + ']';
}

/** Exactly what NumPy 1.24's `repr(array)` prints for an array with this tensor's dtype and values. */
export function formatNumpy(t: Tensor, options: Partial<NumpyPrintOptions> = {}): string {
  const opts: NumpyPrintOptions = { ...NUMPY_PRINT_DEFAULTS, ...options };
  checkPrintOptions(opts);
  const prefix = 'array(';
  const count = numel(t.shape);
  // float64, int64 and bool are NumPy's defaults, implied by how the values print.
  const dtypeImplied = (t.dtype === 'float64' || t.dtype === 'int64' || t.dtype === 'bool') && count > 0;
  const suffix = dtypeImplied ? ')' : ',';
  let body: string;
  if (count === 0) {
    body = t.shape.length === 1 ? '[]' : `[], shape=${pythonTuple(t.shape)}`;
  } else {
    const summarize = count > opts.threshold;
    const shown = shownIndices(t.shape, summarize, opts.edgeitems);
    const strides = stridesOf(t.shape);
    const format = elementFormat(t, shownOffsets(shown, strides), opts);
    const indent = ' '.repeat(prefix.length + 1);
    body = formatBlock({ shape: t.shape, strides, shown, format }, 0, 0, indent, opts.linewidth - suffix.length);
  }
  const text = prefix + body + suffix;
  if (dtypeImplied) return text;
  const dtypeText = `dtype=${t.dtype})`;
  const lastLineLength = text.length - (text.lastIndexOf('\n') + 1);
  const spacer = lastLineLength + dtypeText.length + 1 > opts.linewidth ? '\n' + ' '.repeat(prefix.length) : ' ';
  return text + spacer + dtypeText;
}
