// A tensor's values as the interpreter knows them: PyTorch's memory model (a storage, and a view
// of it: shape, strides, offset; scijs/ndarray's model) with the storage computed lazily. Views
// (transpose, view, squeeze, basic indexing...) only make new strides, at once, so a view that
// PyTorch refuses fails where PyTorch's does; the elements are computed when someone reads them
// (a selection, a printed cell, `.item()`), each storage once, charged to a work budget that is
// checked before anything is computed or allocated.
import { allocate, numel, stridesOf, type DType, type Tensor, type TensorData as Buffer } from '../../core/tensor';
import type { Site } from './site';

/** What reading values may cost: element writes and multiply-accumulates, refused past the limit. */
export class WorkBudget {
  private spent = 0;
  constructor(readonly limit: number) {}

  /** Charges `units` before the work is done; throws DataRefusal when they do not fit. */
  charge(units: number, what: () => string): void {
    if (this.spent + units > this.limit) {
      throw new DataRefusal('too-much-work', `${what()} is too much work to evaluate statically (${Math.round(units).toLocaleString('en-US')} element operations; at most ${this.limit.toLocaleString('en-US')} per request)`);
    }
    this.spent += units;
  }
}

/** Conv Lab's own refusal to compute values (too large, too much work, a dtype it lacks): no Python exception. */
export class DataRefusal extends Error {
  constructor(readonly code: string, message: string, readonly at?: Site) {
    super(message);
  }
}

export type { Buffer };

/**
 * One block of memory: `length` elements of `dtype`, computed by `compute` on first use (which
 * reads its operands' storages through the same budget) and kept.
 */
export class Storage {
  private buffer: Buffer | undefined;

  constructor(
    readonly dtype: DType,
    readonly length: number,
    /** The work computing it takes, its operands' not counted. */
    private readonly cost: number,
    private readonly compute: (budget: WorkBudget) => Buffer,
    /** What the storage holds, for a refusal's message. */
    private readonly label: () => string,
  ) {}

  /** A storage whose elements are already there. */
  static of(buffer: Buffer, dtype: DType): Storage {
    const storage = new Storage(dtype, buffer.length, 0, () => buffer, () => 'a tensor');
    storage.buffer = buffer;
    return storage;
  }

  read(budget: WorkBudget): Buffer {
    if (!this.buffer) {
      budget.charge(this.cost, this.label);
      this.buffer = this.compute(budget);
    }
    return this.buffer;
  }
}

/** A view of a storage: PyTorch's sizes, strides (in elements) and storage offset. */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface Elements extends Layout {
  readonly storage: Storage;
  /** When the value was made, on the interpreter's clock: a change in place of its storage after it makes these values stale. */
  readonly born: number;
}

export function contiguousLayout(shape: readonly number[]): Layout {
  return { shape, strides: stridesOf(shape), offset: 0 };
}

export function isContiguous(t: Layout): boolean {
  const expected = stridesOf(t.shape);
  return t.offset === 0 && t.shape.every((size, d) => size <= 1 || t.strides[d] === expected[d]);
}

/** Storage offsets of the elements in row-major order. */
export function elementOffsets(t: Layout): Int32Array | Float64Array {
  const n = numel(t.shape);
  const offsets = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const index = new Array<number>(t.shape.length).fill(0);
  let at = t.offset;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    for (let d = t.shape.length - 1; d >= 0; d--) {
      const stride = t.strides[d] ?? 0;
      const next = (index[d] ?? 0) + 1;
      if (next < (t.shape[d] ?? 1)) {
        index[d] = next;
        at += stride;
        break;
      }
      index[d] = 0;
      at -= stride * ((t.shape[d] ?? 1) - 1);
    }
  }
  return offsets;
}

/** The elements of `t` as a dense row-major tensor of `dtype` (PyTorch's conversions). */
export function materialize(t: Elements, budget: WorkBudget, dtype: DType = t.storage.dtype): Tensor {
  const buffer = t.storage.read(budget);
  const n = numel(t.shape);
  if (dtype === t.storage.dtype && isContiguous(t) && buffer.length === n) return { shape: [...t.shape], dtype, data: buffer };
  budget.charge(n, () => `copying a tensor of ${n.toLocaleString('en-US')} elements`);
  const offsets = elementOffsets(t);
  const out = allocate(dtype, n);
  const convert = converter(t.storage.dtype, dtype);
  for (let i = 0; i < n; i++) out[i] = convert(buffer[offsets[i] ?? 0] as number & bigint) as never;
  return { shape: [...t.shape], dtype, data: out };
}

type Element = number | bigint;

/** How one element of `from` becomes one of `to`: C casts as PyTorch's `.to()` does them. */
export function converter(from: DType, to: DType): (x: Element) => Element {
  const toInt = to === 'int64' || to === 'int32';
  if (from === 'int64') {
    if (to === 'int64') return (x) => x;
    if (to === 'bool') return (x) => (x === 0n ? 0 : 1);
    if (to === 'int32') return (x) => Number(BigInt.asIntN(32, x as bigint));
    return (x) => Number(x);
  }
  if (to === 'bool') return (x) => (x === 0 ? 0 : 1);
  if (to === 'int64') return (x) => truncateToInt64(x as number);
  if (toInt && (from === 'float32' || from === 'float64')) return (x) => Number(BigInt.asIntN(32, truncateToInt64(x as number)));
  return (x) => x;
}

/** A float truncated toward zero; NaN and out-of-range values give INT64_MIN, as x86 does. */
export function truncateToInt64(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 63) return -(2n ** 63n);
  return BigInt(Math.trunc(x));
}

/** ATen's computeStride: strides that view `t` as `shape` without a copy, if there are any. */
export function viewStrides(t: Layout, shape: readonly number[]): number[] | undefined {
  const oldShape = t.shape;
  const oldStrides = t.strides;
  if (oldShape.length === 0) return shape.map(() => 1);
  if (numel(oldShape) === 0) {
    return oldShape.length === shape.length && oldShape.every((s, d) => s === shape[d]) ? [...oldStrides] : stridesOf(shape);
  }
  const newStrides = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD] ?? 1;
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= shape[viewD] ?? 1;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return undefined;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1] ?? 1;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : undefined;
}

/** The same storage seen through another layout. */
export function viewOf(t: Elements, layout: Layout, born: number): Elements {
  return { storage: t.storage, shape: layout.shape, strides: layout.strides, offset: layout.offset, born };
}

/** Dimensions in another order (permute, transpose, `.T`): the strides follow. */
export function permuted(t: Layout, order: readonly number[]): Layout {
  return { shape: order.map((d) => t.shape[d] ?? 1), strides: order.map((d) => t.strides[d] ?? 1), offset: t.offset };
}

/** A size-1 dimension inserted at `d` with the stride `unsqueeze` gives it. */
export function unsqueezed(t: Layout, d: number): Layout {
  const shape = [...t.shape];
  const strides = [...t.strides];
  const stride = d >= t.shape.length ? 1 : (t.shape[d] ?? 1) * (t.strides[d] ?? 1);
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return { shape, strides, offset: t.offset };
}

/** The dimensions for which `drop` holds removed (each of size 1). */
export function squeezed(t: Layout, drop: (d: number) => boolean): Layout {
  return { shape: t.shape.filter((_, d) => !drop(d)), strides: t.strides.filter((_, d) => !drop(d)), offset: t.offset };
}

/** `t` seen with a broadcast `shape` (size-1 and missing leading dimensions repeat with stride 0). */
export function expanded(t: Layout, shape: readonly number[]): Layout {
  const lead = shape.length - t.shape.length;
  const strides = shape.map((_, d) => (d < lead || t.shape[d - lead] === 1 ? 0 : (t.strides[d - lead] ?? 0)));
  return { shape: [...shape], strides, offset: t.offset };
}
