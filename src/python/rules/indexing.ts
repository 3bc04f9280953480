// Subscripts: basic indexing of tensors and arrays (`X[0]`, `X[:, 1:3]`, `X[..., None]`), which
// gives a view (new strides and offset, the same storage), Python's indexing of lists and tuples,
// and item assignment (`X[:, 2:6] = 0`), with PyTorch's and NumPy's errors (PyTorch refuses
// negative steps, NumPy does not). Sizes may be symbolic; an error needs the sizes it is about.
import { numel, type DType } from '../../core/tensor';
import { addDims, isKnown, subDims, type Dim } from '../interpreter/dim';
import { contiguousLayout, elementOffsets, materialize, type Layout, type WorkBudget } from '../interpreter/elements';
import { pythonTypeName, type Site, type TensorValue, type Value } from '../interpreter/values';
import { freshTensor, notStatic, viewTensor, type RuleContext } from './context';
import { tensorFromData } from './literals';
import { messages } from './messages';
import { UNKNOWN_DIM } from './shapes';

/** One evaluated subscript item; `known: false` for a slice bound or int that is not known. */
export type IndexItem =
  | { readonly kind: 'int'; readonly value: number | undefined; readonly at?: Site | undefined }
  | { readonly kind: 'slice'; readonly start?: number | undefined; readonly stop?: number | undefined; readonly step?: number | undefined; readonly known: boolean; readonly at?: Site | undefined }
  | { readonly kind: 'none' }
  | { readonly kind: 'ellipsis'; readonly at?: Site | undefined }
  /** A tensor, a mask, or anything else advanced indexing takes: the result's shape is not modelled. */
  | { readonly kind: 'advanced' };

type SliceItem = Extract<IndexItem, { kind: 'slice' }>;

/** Python's `slice.indices` for a sequence of `size` items: the first index, the step and how many. */
export function sliceRange(size: number, slice: SliceItem): { start: number; step: number; length: number } {
  const step = slice.step ?? 1;
  if (step === 0) throw messages.sliceStepZero(slice.at);
  const clamp = (v: number | undefined, fallback: number, low: number, high: number): number => {
    if (v === undefined) return fallback;
    const i = v < 0 ? v + size : v;
    return Math.min(Math.max(i, low), high);
  };
  const start = step > 0 ? clamp(slice.start, 0, 0, size) : clamp(slice.start, size - 1, -1, size - 1);
  const stop = step > 0 ? clamp(slice.stop, size, 0, size) : clamp(slice.stop, -1, -1, size - 1);
  return { start, step, length: Math.max(0, Math.ceil((stop - start) / step)) };
}

/** The items with the ellipsis (or the end) standing for as many full slices as dimensions are left. */
function expandItems(rank: number, items: readonly IndexItem[], numpy: boolean): IndexItem[] {
  const ellipses = items.filter((i) => i.kind === 'ellipsis');
  // PyTorch 1.13 lets later ellipses stand for nothing; NumPy refuses them.
  if (numpy && ellipses.length > 1) throw messages.numpyTwoEllipses(ellipses[1]?.kind === 'ellipsis' ? ellipses[1].at : undefined);
  const consumed = items.filter((i) => i.kind === 'int' || i.kind === 'slice').length;
  const firstInt = items.find((i) => i.kind === 'int');
  if (!numpy && rank === 0 && firstInt?.kind === 'int') throw messages.zeroDimIndex(firstInt.at);
  if (consumed > rank) {
    const last = items[items.length - 1];
    const at = last && 'at' in last ? last.at : undefined;
    throw numpy ? messages.numpyTooManyIndices(rank, consumed, at) : messages.tooManyIndices(rank, at);
  }
  const filler: IndexItem[] = Array.from({ length: rank - consumed }, () => ({ kind: 'slice', known: true }));
  const ellipsisAt = items.findIndex((i) => i.kind === 'ellipsis');
  return ellipsisAt >= 0
    ? [...items.slice(0, ellipsisAt), ...filler, ...items.slice(ellipsisAt + 1).filter((i) => i.kind !== 'ellipsis')]
    : [...items, ...filler];
}

/** The shape basic indexing gives; undefined for advanced indexing. */
export function indexShape(shape: readonly Dim[], items: readonly IndexItem[], numpy = false): Dim[] | undefined {
  if (items.some((i) => i.kind === 'advanced')) return undefined;
  const out: Dim[] = [];
  let d = 0;
  for (const item of expandItems(shape.length, items, numpy)) {
    if (item.kind === 'none') {
      out.push(1);
      continue;
    }
    const size = shape[d] as Dim;
    if (item.kind === 'int') {
      if (item.value !== undefined && isKnown(size) && (item.value >= size || item.value < -size)) throw messages.indexOutOfRange(item.value, d, size, numpy, item.at);
    } else if (item.kind === 'slice') {
      if (!numpy && (item.step ?? 1) < 0) throw messages.sliceStepNegative(item.at);
      out.push(sliceLength(size, item));
    }
    d++;
  }
  return out;
}

function sliceLength(size: Dim, s: SliceItem): Dim {
  if (!s.known) return UNKNOWN_DIM;
  if (isKnown(size)) return sliceRange(size, s).length;
  const step = s.step ?? 1;
  if (s.start === undefined && s.stop === undefined && step === 1) return size;
  if (s.stop === undefined && step === 1 && (s.start ?? 0) >= 0) return subDims(size, s.start ?? 0);
  if (s.start === undefined && s.stop !== undefined && s.stop < 0 && step === 1) return addDims(size, s.stop);
  return UNKNOWN_DIM;
}

/** The layout basic indexing gives a concrete tensor (checked by indexShape first). */
function indexLayout(t: Layout, items: readonly IndexItem[], numpy: boolean): Layout {
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = t.offset;
  let d = 0;
  for (const item of expandItems(t.shape.length, items, numpy)) {
    const size = t.shape[d] ?? 1;
    const stride = t.strides[d] ?? 1;
    if (item.kind === 'int') {
      const i = item.value as number;
      offset += (i < 0 ? i + size : i) * stride;
      d++;
    } else if (item.kind === 'slice') {
      const { start, step, length } = sliceRange(size, item);
      if (length > 0) offset += start * stride;
      shape.push(length);
      strides.push(stride * step);
      d++;
    } else if (item.kind === 'none') {
      // A new axis gets the stride `unsqueeze` would give it.
      shape.push(1);
      strides.push(d < t.shape.length ? size * stride : 1);
    }
  }
  return { shape, strides, offset };
}

/** `t[items]`: the view basic indexing makes. */
export function indexTensor(ctx: RuleContext, t: TensorValue, items: readonly IndexItem[]): TensorValue {
  const numpy = t.library === 'numpy';
  if (!t.shape) return freshTensor(ctx, undefined, t.dtype, { library: t.library, operands: [t] });
  const shape = indexShape(t.shape, items, numpy);
  if (!shape || items.some((i) => (i.kind === 'int' && i.value === undefined) || (i.kind === 'slice' && !i.known))) {
    return freshTensor(ctx, shape, t.dtype, { library: t.library, why: t.elements ? notStatic(ctx.site) : t.why });
  }
  return viewTensor(ctx, t, shape, (elements) => indexLayout(elements, items, numpy));
}

/** `items[i]` and `items[a:b:c]` of a list or tuple. */
export function indexSequence(items: readonly Value[], kind: 'list' | 'tuple', index: IndexItem): Value | undefined {
  if (index.kind === 'int') {
    if (index.value === undefined) return undefined;
    const found = items[index.value < 0 ? index.value + items.length : index.value];
    if (!found) throw messages.sequenceIndexOutOfRange(kind, index.at);
    return found;
  }
  if (index.kind === 'slice' && index.known) {
    const { start, step, length } = sliceRange(items.length, index);
    return { kind, items: Array.from({ length }, (_, k) => items[start + k * step] as Value) };
  }
  return undefined;
}

/**
 * `t[items] = value`: a copy of `t` with the indexed elements replaced by `value` broadcast (a
 * Python number, a tensor, or for NumPy a nested list already made an array), with PyTorch's and
 * NumPy's errors.
 */
export function setItem(ctx: RuleContext, t: TensorValue, items: readonly IndexItem[], assigned: Value, at: Site | undefined): TensorValue {
  const numpy = t.library === 'numpy';
  const target = indexTensor(ctx, t, items);
  // NumPy makes an array of a nested list first.
  const value = numpy && (assigned.kind === 'list' || assigned.kind === 'tuple') ? tensorFromData(ctx, assigned, undefined, 'numpy') : assigned;
  const source = value.kind === 'tensor' ? value : undefined;
  if (!source && value.kind !== 'int' && value.kind !== 'float' && value.kind !== 'bool' && value.kind !== 'unknown' && !numpy && t.dtype) {
    throw messages.cannotAssign(pythonTypeName(value), t.dtype, 'at' in value ? value.at : undefined);
  }
  const targetShape = target.shape;
  const sourceShape = source ? source.shape : [];
  if (targetShape && sourceShape && targetShape.every(isKnown) && sourceShape.every(isKnown)) {
    checkBroadcast(sourceShape as number[], targetShape as number[], numpy, source?.dtype ?? t.dtype, at);
  }
  const elements = t.elements;
  const dtype = t.dtype;
  const targetElements = target.elements;
  const known = elements && targetElements && dtype && (source ? source.elements : scalarOf(value) !== undefined);
  if (!known) return freshTensor(ctx, t.shape, dtype, { library: t.library, origin: t.origin, operands: [t, ...(source ? [source] : [])], why: t.elements ? (source?.why ?? notStatic(ctx.site)) : t.why });
  return freshTensor(ctx, t.shape, dtype, {
    library: t.library, origin: t.origin,
    compute: {
      cost: 2 * numel(elements.shape),
      run: (budget) => {
        const copy = materialize(elements, budget).data.slice();
        const offsets = elementOffsets(indexLayout(contiguousLayout(elements.shape), items, numpy));
        const values = sourceValues(value, targetElements.shape, dtype, numpy, budget);
        for (let i = 0; i < offsets.length; i++) copy[offsets[i] ?? 0] = values[i] as never;
        return copy;
      },
    },
  });
}

function scalarOf(v: Value): number | bigint | undefined {
  if (v.kind === 'float') return v.value;
  if (v.kind === 'bool') return v.value === undefined ? undefined : Number(v.value);
  if (v.kind === 'int') return v.exact ?? v.value as number | undefined;
  return undefined;
}

/** The assigned values, broadcast to `shape`, as elements of `dtype`. */
function sourceValues(value: Value, shape: readonly number[], dtype: DType, numpy: boolean, budget: WorkBudget): ArrayLike<unknown> {
  const n = numel(shape);
  if (value.kind !== 'tensor') {
    const x = scalarOf(value) ?? 0;
    const element = dtype === 'int64' ? BigInt.asIntN(64, typeof x === 'bigint' ? x : BigInt(Math.trunc(x))) : dtype === 'bool' ? (Number(x) !== 0 ? 1 : 0) : Number(x);
    return Array.from({ length: n }, () => element);
  }
  const source = value.elements;
  if (!source) return [];
  let lead = 0;
  if (!numpy) while (lead < source.shape.length && source.shape[lead] === 1) lead++;
  const stripped = { ...source, shape: source.shape.slice(lead), strides: source.strides.slice(lead) };
  const offset = shape.length - stripped.shape.length;
  const strides = shape.map((_, d) => (d < offset || stripped.shape[d - offset] === 1 ? 0 : (stripped.strides[d - offset] ?? 0)));
  return materialize({ ...stripped, shape: [...shape], strides }, budget, dtype).data;
}

/** PyTorch drops the value's leading size-1 dimensions, then broadcasts; NumPy broadcasts. */
function checkBroadcast(source: readonly number[], shape: readonly number[], numpy: boolean, dtype: DType | undefined, at: Site | undefined): void {
  let stripped = source;
  if (!numpy) {
    let lead = 0;
    while (lead < stripped.length && stripped[lead] === 1) lead++;
    stripped = stripped.slice(lead);
  }
  const rank = shape.length;
  const mismatch = stripped.length > rank || stripped.some((size, i) => size !== 1 && size !== shape[rank - stripped.length + i]);
  if (!mismatch) return;
  if (numpy) throw messages.numpyCannotBroadcast(source, shape, at);
  if (stripped.length > rank) throw messages.expandRank(dtype, stripped, shape, at);
  const offset = rank - stripped.length;
  const d = stripped.findIndex((size, i) => size !== 1 && size !== shape[offset + i]);
  throw messages.expandMismatch(shape[offset + d] as number, stripped[d] as number, offset + d, shape, stripped, at);
}
