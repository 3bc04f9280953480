// Tensors seen another way: views that share the storage (view, reshape when the strides allow,
// flatten, permute, transpose, squeeze, unsqueeze, expand, narrow, split), and copies (a reshape
// that needs one, clone, contiguous, a dtype conversion). Each takes its shape from the shape
// rule in shapes.ts and, for a tensor whose elements are known, its strides the way ATen computes
// them, so a `view` PyTorch refuses is refused here too.
import { numel, type DType } from '../../core/tensor';
import { allKnown, isKnown, type Dim } from '../interpreter/dim';
import { contiguousLayout, isContiguous, materialize, permuted, squeezed, unsqueezed, expanded, viewStrides, type Layout } from '../interpreter/elements';
import type { TensorValue } from '../interpreter/values';
import { freshTensor, shapedLike, viewTensor, type RuleContext } from './context';
import { messages } from './messages';
import { expandShape, flattenShape, permutation, squeezeShape, transposeShape, unflattenShape, unsqueezeShape, UNKNOWN_DIM, viewShape, wrapDim } from './shapes';

/** `view` (never copies: PyTorch's error when the strides do not allow it) or `reshape` (copies then). */
export function reshape(ctx: RuleContext, self: TensorValue, sizes: readonly Dim[] | undefined, copyAllowed: boolean): TensorValue {
  if (!self.shape || !sizes) return shapedLike(self, undefined);
  const shape = viewShape(self.shape, sizes);
  const layout = self.elements ?? self.layout;
  if (!layout || !allKnown(shape)) return shapedLike(self, shape);
  const strides = viewStrides(layout, shape);
  if (strides) return viewTensor(ctx, self, shape, () => ({ shape, strides, offset: layout.offset }));
  if (!copyAllowed) throw messages.viewNotContiguous();
  return copyOf(ctx, self, shape);
}

/** A copy in row-major order, of `shape` (the same element count), in `dtype`. */
export function copyOf(ctx: RuleContext, self: TensorValue, shape: readonly Dim[] | undefined = self.shape, dtype: DType | undefined = self.dtype): TensorValue {
  const elements = self.elements;
  return freshTensor(ctx, shape, dtype, {
    library: self.library, origin: shape === self.shape ? self.origin : undefined, operands: [self],
    ...(elements && dtype ? { compute: { cost: numel(elements.shape), run: (budget) => materialize(elements, budget, dtype).data.slice() } } : {}),
  });
}

/** `.to(dtype)`, `.float()`, `.astype(...)`: the same tensor when the dtype is already that one. */
export function cast(ctx: RuleContext, self: TensorValue, dtype: DType | undefined, copy = false): TensorValue {
  if (dtype !== undefined && dtype === self.dtype && !copy) return self;
  return copyOf(ctx, self, self.shape, dtype);
}

/** `.contiguous()`: itself when already contiguous, else a copy. */
export function contiguous(ctx: RuleContext, self: TensorValue): TensorValue {
  return self.elements && isContiguous(self.elements) ? self : copyOf(ctx, self);
}

export function flatten(ctx: RuleContext, self: TensorValue, startDim: number, endDim: number): TensorValue {
  if (!self.shape) return shapedLike(self, undefined);
  const shape = flattenShape(self.shape, startDim, endDim);
  // Flattening one dimension (or none) returns the tensor itself.
  if (self.shape.length > 0 && wrapDim(startDim, self.shape.length) === wrapDim(endDim, self.shape.length)) return self;
  return reshape(ctx, self, shape, true);
}

export function unflatten(ctx: RuleContext, self: TensorValue, dim: number, sizes: readonly Dim[]): TensorValue {
  if (!self.shape) return shapedLike(self, undefined);
  return reshape(ctx, self, unflattenShape(self.shape, dim, sizes), true);
}

export function permute(ctx: RuleContext, self: TensorValue, dims: readonly number[] | undefined): TensorValue {
  if (!self.shape) return shapedLike(self, undefined);
  if (!dims) return shapedLike(self, self.shape.map(() => UNKNOWN_DIM));
  const order = permutation(self.shape.length, dims);
  return viewTensor(ctx, self, order.map((d) => self.shape?.[d] as Dim), (t) => permuted(t, order));
}

export function transpose(ctx: RuleContext, self: TensorValue, dim0: number | undefined, dim1: number | undefined): TensorValue {
  if (!self.shape) return shapedLike(self, undefined);
  if (dim0 === undefined || dim1 === undefined) return shapedLike(self, self.shape.map(() => UNKNOWN_DIM));
  const rank = self.shape.length;
  const shape = transposeShape(self.shape, dim0, dim1);
  if (rank === 0) return self;
  const [a, b] = [wrapDim(dim0, rank), wrapDim(dim1, rank)];
  const order = self.shape.map((_, d) => (d === a ? b : d === b ? a : d));
  return viewTensor(ctx, self, shape, (t) => permuted(t, order));
}

/** `.T` / `.mT` / `.t()`: every dimension (the last two) reversed. */
export function reverseDims(ctx: RuleContext, self: TensorValue, lastTwo = false): TensorValue {
  if (!self.shape) return shapedLike(self, undefined);
  const rank = self.shape.length;
  const order = self.shape.map((_, d) => (lastTwo ? (d === rank - 2 ? rank - 1 : d === rank - 1 ? rank - 2 : d) : rank - 1 - d));
  return viewTensor(ctx, self, order.map((d) => self.shape?.[d] as Dim), (t) => permuted(t, order));
}

export function unsqueeze(ctx: RuleContext, self: TensorValue, dim: number | undefined): TensorValue {
  if (!self.shape || dim === undefined) return shapedLike(self, undefined);
  const shape = unsqueezeShape(self.shape, dim);
  const d = wrapDim(dim, self.shape.length + 1);
  return viewTensor(ctx, self, shape, (t) => unsqueezed(t, d));
}

/** `squeeze()` drops every size-1 dimension, `squeeze(d)` only `d` and only if it is 1. */
export function squeeze(ctx: RuleContext, self: TensorValue, dim: number | 'all' | undefined): TensorValue {
  if (!self.shape || dim === undefined) return shapedLike(self, undefined);
  const shape = self.shape;
  if (dim === 'all' && !allKnown(shape)) return shapedLike(self, undefined);
  const result = dim === 'all' ? squeezeShape(shape) : squeezeShape(shape, dim);
  const drop = dim === 'all' ? (d: number) => shape[d] === 1 : ((w: number) => (d: number) => d === w && shape[d] === 1)(wrapDim(dim, shape.length));
  return viewTensor(ctx, self, result, (t) => squeezed(t, drop));
}

export function expand(ctx: RuleContext, self: TensorValue, sizes: readonly Dim[] | undefined): TensorValue {
  if (!self.shape || !sizes) return shapedLike(self, undefined);
  const shape = expandShape(self.shape, sizes, self.dtype);
  if (!allKnown(shape)) return shapedLike(self, shape);
  return viewTensor(ctx, self, shape, (t) => expanded(t, shape as number[]));
}

/** `narrow(dim, start, length)` and the pieces of `split`, `chunk`, `unbind`: views along one dimension. */
export function narrow(ctx: RuleContext, self: TensorValue, dim: number, start: number | undefined, length: Dim, keepDim = true): TensorValue {
  const shape = self.shape as readonly Dim[];
  const d = wrapDim(dim, shape.length);
  const result = keepDim ? shape.map((s, i) => (i === d ? length : s)) : shape.filter((_, i) => i !== d);
  if (start === undefined || !isKnown(length)) return shapedLike(self, result);
  return viewTensor(ctx, self, result, (t): Layout => {
    const offset = t.offset + start * (t.strides[d] ?? 0);
    const narrowed = { shape: t.shape.map((s, i) => (i === d ? length : s)), strides: t.strides, offset };
    return keepDim ? narrowed : squeezed(narrowed, (i) => i === d);
  });
}

/** The contiguous layout of a shape: what a fresh tensor has. */
export function freshLayout(shape: readonly number[]): Layout {
  return contiguousLayout(shape);
}
