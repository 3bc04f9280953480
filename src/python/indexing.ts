// Basic indexing, `X[0]`, `X[:, 1:3]`, `X[..., None]`: views that move the offset and change
// strides, with PyTorch's and NumPy's errors (PyTorch refuses negative steps, NumPy does not).
import type { Span } from './parse';
import type { StridedTensor } from './strided';
import { EvaluationFailure, type Library } from './values';

/** An evaluated subscript item. */
export type IndexValue =
  | { readonly kind: 'int'; readonly value: number; readonly at: Span }
  | { readonly kind: 'slice'; readonly start?: number; readonly stop?: number; readonly step?: number; readonly at: Span }
  | { readonly kind: 'none'; readonly at: Span }
  | { readonly kind: 'ellipsis'; readonly at: Span };

/** Python's `slice.indices` for a sequence of `size` items: the first index, the step and how many. */
export function sliceRange(size: number, slice: Extract<IndexValue, { kind: 'slice' }>): { start: number; step: number; length: number } {
  const step = slice.step ?? 1;
  if (step === 0) throw new EvaluationFailure('slice step cannot be zero', 'invalid-index', slice.at, 'ValueError');
  const clamp = (v: number | undefined, fallback: number, low: number, high: number): number => {
    if (v === undefined) return fallback;
    const i = v < 0 ? v + size : v;
    return Math.min(Math.max(i, low), high);
  };
  const start = step > 0 ? clamp(slice.start, 0, 0, size) : clamp(slice.start, size - 1, -1, size - 1);
  const stop = step > 0 ? clamp(slice.stop, size, 0, size) : clamp(slice.stop, -1, -1, size - 1);
  const length = Math.max(0, Math.ceil((stop - start) / step));
  return { start, step, length };
}

export function indexTensor(t: StridedTensor, items: readonly IndexValue[], library: Library): StridedTensor {
  const rank = t.shape.length;
  const ellipses = items.filter((i) => i.kind === 'ellipsis');
  // PyTorch 1.13 lets later ellipses stand for nothing; NumPy refuses them.
  if (library === 'numpy' && ellipses.length > 1) {
    throw new EvaluationFailure("an index can only have a single ellipsis ('...')", 'invalid-index', ellipses[1]?.at ?? { from: 0, to: 0 }, 'IndexError');
  }
  const consumed = items.filter((i) => i.kind === 'int' || i.kind === 'slice').length;
  const firstInt = items.find((i) => i.kind === 'int');
  if (library === 'torch' && rank === 0 && firstInt) {
    throw new EvaluationFailure('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number', 'invalid-index', firstInt.at, 'IndexError');
  }
  if (consumed > rank) {
    const message = library === 'torch'
      ? `too many indices for tensor of dimension ${rank}`
      : `too many indices for array: array is ${rank}-dimensional, but ${consumed} were indexed`;
    throw new EvaluationFailure(message, 'invalid-index', items[items.length - 1]?.at ?? { from: 0, to: 0 }, 'IndexError');
  }
  // The ellipsis (or the end) stands for as many full slices as dimensions are left.
  const full = (at: Span): IndexValue => ({ kind: 'slice', at });
  const ellipsisAt = items.findIndex((i) => i.kind === 'ellipsis');
  const filler = Array.from({ length: rank - consumed }, () => full(ellipses[0]?.at ?? { from: 0, to: 0 }));
  const expanded = ellipsisAt >= 0 ? [...items.slice(0, ellipsisAt), ...filler, ...items.slice(ellipsisAt + 1)] : [...items, ...filler];

  const shape: number[] = [];
  const strides: number[] = [];
  let offset = t.offset;
  let d = 0;
  for (const item of expanded) {
    const size = t.shape[d] ?? 1;
    const stride = t.strides[d] ?? 1;
    switch (item.kind) {
      case 'int': {
        if (item.value < -size || item.value >= size) {
          const where = library === 'torch' ? `dimension ${d}` : `axis ${d}`;
          throw new EvaluationFailure(`index ${item.value} is out of bounds for ${where} with size ${size}`, 'index-out-of-range', item.at, 'IndexError');
        }
        offset += (item.value < 0 ? item.value + size : item.value) * stride;
        d++;
        break;
      }
      case 'slice': {
        if (library === 'torch' && (item.step ?? 1) < 0) {
          throw new EvaluationFailure('step must be greater than zero', 'invalid-index', item.at, 'ValueError');
        }
        const { start, step, length } = sliceRange(size, item);
        if (length > 0) offset += start * stride;
        shape.push(length);
        strides.push(stride * step);
        d++;
        break;
      }
      case 'none':
        // A new axis gets the stride `unsqueeze` would give it.
        shape.push(1);
        strides.push(d < rank ? size * stride : 1);
        break;
      case 'ellipsis':
        // A second ellipsis (PyTorch only): the first one already stood for the dimensions left.
        break;
    }
  }
  return { ...t, shape, strides, offset };
}
