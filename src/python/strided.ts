// Tensors as PyTorch holds them while a chain of view operations runs: a buffer plus shape,
// strides and offset (scijs/ndarray's model). Transpose, permute, view, squeeze and friends only
// change the strides, so `.T.view(4)` fails exactly where PyTorch's does, and nothing is copied
// until a copy is asked for. Every error is PyTorch's, with its wording.
import { TorchError } from '../core/errors';
import { allocate, numel, stridesOf, type DType, type Tensor, type TensorData } from '../core/tensor';

export interface StridedTensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly data: TensorData;
}

export function stridedOf(t: Tensor): StridedTensor {
  return { shape: t.shape, strides: stridesOf(t.shape), offset: 0, dtype: t.dtype, data: t.data };
}

function isContiguous(t: StridedTensor): boolean {
  const expected = stridesOf(t.shape);
  return t.shape.every((size, d) => size <= 1 || t.strides[d] === expected[d]);
}

/** Buffer offsets of the elements in row-major order. */
export function elementOffsets(t: StridedTensor): Int32Array | Float64Array {
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

/** The elements as a dense row-major tensor of `dtype` (PyTorch's conversion rules). */
export function materialize(t: StridedTensor, dtype: DType = t.dtype): Tensor {
  const n = numel(t.shape);
  if (dtype === t.dtype && t.offset === 0 && isContiguous(t) && t.data.length === n) {
    return { shape: [...t.shape], dtype, data: t.data };
  }
  const offsets = elementOffsets(t);
  const out = allocate(dtype, n);
  const convert = converter(t.dtype, dtype);
  for (let i = 0; i < n; i++) out[i] = convert(t.data[offsets[i] ?? 0] as number & bigint) as never;
  return { shape: [...t.shape], dtype, data: out };
}

type Element = number | bigint;

/** How one element of `from` becomes one of `to`: C casts as PyTorch's `.to()` does them. */
function converter(from: DType, to: DType): (x: Element) => Element {
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

/** PyTorch's maybe_wrap_dim: a dimension index in `[-rank, rank - 1]` (rank 0 counts as 1). */
export function wrapDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) {
    throw new TorchError('IndexError', `Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`, 'dim-out-of-range');
  }
  return dim < 0 ? dim + r : dim;
}

/** PyTorch's infer_size: the one `-1` filled in, or its "invalid for input of size" error. */
export function inferSize(sizes: readonly number[], total: number): number[] {
  let inferred = -1;
  let known = 1;
  sizes.forEach((s, d) => {
    if (s === -1) {
      if (inferred >= 0) throw new TorchError('RuntimeError', 'only one dimension can be inferred', 'invalid-shape');
      inferred = d;
    } else if (s >= 0) {
      known *= s;
    } else {
      throw new TorchError('RuntimeError', `invalid shape dimension ${s}`, 'invalid-shape');
    }
  });
  const out = [...sizes];
  if (!(total === known || (inferred >= 0 && known > 0 && total % known === 0))) {
    throw new TorchError('RuntimeError', `shape '[${sizes.join(', ')}]' is invalid for input of size ${total}`, 'reshape-mismatch');
  }
  if (inferred >= 0) {
    if (known === 0) {
      throw new TorchError('RuntimeError', `cannot reshape tensor of 0 elements into shape [${sizes.join(', ')}] because the unspecified dimension size -1 can be any value and is ambiguous`, 'reshape-mismatch');
    }
    out[inferred] = total / known;
  }
  return out;
}

/** ATen's computeStride: strides that view `t` as `shape` without a copy, if there are any. */
function viewStrides(t: StridedTensor, shape: readonly number[]): number[] | undefined {
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

export function view(t: StridedTensor, sizes: readonly number[]): StridedTensor {
  const shape = inferSize(sizes, numel(t.shape));
  const strides = viewStrides(t, shape);
  if (!strides) {
    throw new TorchError('RuntimeError', "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.", 'view-not-contiguous');
  }
  return { ...t, shape, strides };
}

/** A view when the strides allow one, otherwise a copy, as `reshape` does. */
export function reshape(t: StridedTensor, sizes: readonly number[]): StridedTensor {
  const shape = inferSize(sizes, numel(t.shape));
  const strides = viewStrides(t, shape);
  if (strides) return { ...t, shape, strides };
  return { ...stridedOf(materialize(t)), shape, strides: stridesOf(shape) };
}

export function permute(t: StridedTensor, dims: readonly number[]): StridedTensor {
  const rank = t.shape.length;
  if (dims.length !== rank) {
    throw new TorchError('RuntimeError', `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${rank} is not equal to len(dims) = ${dims.length}`, 'invalid-permutation');
  }
  const wrapped = dims.map((d) => wrapDim(d, rank));
  if (new Set(wrapped).size !== wrapped.length) {
    throw new TorchError('RuntimeError', 'permute(): duplicate dims are not allowed.', 'invalid-permutation');
  }
  return { ...t, shape: wrapped.map((d) => t.shape[d] ?? 1), strides: wrapped.map((d) => t.strides[d] ?? 1) };
}

export function transpose(t: StridedTensor, dim0: number, dim1: number): StridedTensor {
  const rank = t.shape.length;
  const a = wrapDim(dim0, rank);
  const b = wrapDim(dim1, rank);
  if (rank === 0) return t;
  const order = t.shape.map((_, d) => (d === a ? b : d === b ? a : d));
  return permute(t, order);
}

/** `.T`: every dimension reversed. */
export function reverseDims(t: StridedTensor): StridedTensor {
  return { ...t, shape: [...t.shape].reverse(), strides: [...t.strides].reverse() };
}

export function unsqueeze(t: StridedTensor, dim: number): StridedTensor {
  const d = wrapDim(dim, t.shape.length + 1);
  const shape = [...t.shape];
  const strides = [...t.strides];
  const stride = d >= t.shape.length ? 1 : (t.shape[d] ?? 1) * (t.strides[d] ?? 1);
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return { ...t, shape, strides };
}

/** `squeeze()` drops every size-1 dimension, `squeeze(d)` only `d` and only if it is 1. */
export function squeeze(t: StridedTensor, dim?: number): StridedTensor {
  const drop = dim === undefined
    ? (d: number) => t.shape[d] === 1
    : ((w: number) => (d: number) => d === w && t.shape[d] === 1)(wrapDim(dim, t.shape.length));
  return {
    ...t,
    shape: t.shape.filter((_, d) => !drop(d)),
    strides: t.strides.filter((_, d) => !drop(d)),
  };
}

export function flatten(t: StridedTensor, startDim = 0, endDim = -1): StridedTensor {
  const rank = t.shape.length;
  const start = wrapDim(startDim, rank);
  const end = wrapDim(endDim, rank);
  if (start > end) {
    throw new TorchError('RuntimeError', 'flatten() has invalid args: start_dim cannot come after end_dim', 'invalid-argument');
  }
  if (rank === 0) return reshape(t, [1]);
  if (start === end) return t;
  const merged = t.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return reshape(t, [...t.shape.slice(0, start), merged, ...t.shape.slice(end + 1)]);
}

/** PyTorch's type promotion between tensors of the same dimension category. */
export function promoteTypes(a: DType, b: DType): DType {
  const rank: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };
  return rank[a] >= rank[b] ? a : b;
}

export function stack(tensors: readonly StridedTensor[], dim: number, maxElements: number): StridedTensor {
  const first = tensors[0];
  if (!first) throw new TorchError('RuntimeError', 'stack expects a non-empty TensorList', 'empty-list');
  tensors.forEach((t, i) => {
    if (t.shape.length !== first.shape.length || t.shape.some((s, d) => s !== first.shape[d])) {
      throw new TorchError('RuntimeError', `stack expects each tensor to be equal size, but got [${first.shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${i}`, 'stack-size-mismatch');
    }
  });
  const d = wrapDim(dim, first.shape.length + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d, maxElements);
}

export function cat(tensors: readonly StridedTensor[], dim: number, maxElements: number): StridedTensor {
  // Legacy rule PyTorch keeps: 1-D empty tensors are skipped.
  const parts = tensors.filter((t) => !(t.shape.length === 1 && t.shape[0] === 0));
  const first = parts[0];
  if (tensors.length === 0) throw new TorchError('RuntimeError', 'torch.cat(): expected a non-empty list of Tensors', 'empty-list');
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  if (!first) return { ...(tensors[0] as StridedTensor), dtype };
  if (first.shape.length === 0) {
    throw new TorchError('RuntimeError', 'zero-dimensional tensor (at position 0) cannot be concatenated', 'cat-zero-dim');
  }
  const d = wrapDim(dim, first.shape.length);
  parts.forEach((t, i) => {
    if (t.shape.length !== first.shape.length) {
      throw new TorchError('RuntimeError', `Tensors must have same number of dimensions: got ${first.shape.length} and ${t.shape.length}`, 'cat-size-mismatch');
    }
    t.shape.forEach((s, k) => {
      if (k !== d && s !== first.shape[k]) {
        throw new TorchError('RuntimeError', `Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${s} for tensor number ${tensors.indexOf(t) >= 0 ? tensors.indexOf(t) : i} in the list.`, 'cat-size-mismatch');
      }
    });
  });
  const shape = [...first.shape];
  shape[d] = parts.reduce((sum, t) => sum + (t.shape[d] ?? 0), 0);
  checkElementLimit(shape, maxElements);
  const dense = parts.map((t) => materialize(t, dtype));
  const out = allocate(dtype, numel(shape));
  const outer = numel(shape.slice(0, d));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of dense) {
      const block = numel(t.shape.slice(d));
      out.set(t.data.subarray(o * block, (o + 1) * block) as never, at);
      at += block;
    }
  }
  return stridedOf({ shape, dtype, data: out });
}

/** Conv Lab's own refusal (PyTorch has no such limit), so it carries no Python exception class. */
export class ElementLimitError extends Error {
  readonly code = 'too-many-elements';
}

/** Refuses a tensor over the element limit before anything is allocated. */
export function checkElementLimit(shape: readonly number[], maxElements: number): void {
  const n = numel(shape);
  if (n > maxElements) {
    throw new ElementLimitError(`a tensor of shape [${shape.join(', ')}] has ${n.toLocaleString('en-US')} elements, more than the limit of ${maxElements.toLocaleString('en-US')} (convLab.maxElements); refused before allocating it`);
  }
}
