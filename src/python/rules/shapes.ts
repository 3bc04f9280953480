// Shape rules of PyTorch's tensor operations, on sizes that may be symbolic. Each rule raises
// PyTorch 1.13's own error (rules/messages.ts) when the sizes it needs are known and wrong, and
// never when a size involved is symbolic: an error must be certain. The same rules give the
// shapes of tensors whose values are computed, so a value and its shape can never disagree.
import { modePad } from '../../core/geometry';
import type { DType } from '../../core/tensor';
import type { PaddingMode } from '../../core/vocabulary';
import { addDims, allKnown, dimsEqual, floorDivDims, isKnown, mulDims, productOfDims, symbol, type Dim } from '../interpreter/dim';
import { messages } from './messages';

/** A size no analysis can tell: different on two paths, or read from an unknown source. */
export const UNKNOWN_DIM: Dim = symbol('?');

/** PyTorch's maybe_wrap_dim: a dimension index in `[-rank, rank - 1]` (rank 0 counts as 1). */
export function wrapDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) throw messages.dimOutOfRange(dim, rank);
  return dim < 0 ? dim + r : dim;
}

/** `view` / `reshape` (PyTorch's infer_size): one -1 is inferred from the element count. */
export function viewShape(shape: readonly Dim[], sizes: readonly Dim[]): Dim[] {
  let inferred = -1;
  sizes.forEach((s, i) => {
    if (!isKnown(s)) return;
    if (s === -1) {
      if (inferred >= 0) throw messages.onlyOneInferred();
      inferred = i;
    } else if (s < 0) throw messages.invalidShapeDimension(s);
  });
  const total = productOfDims(shape);
  const known = productOfDims(sizes.filter((_, i) => i !== inferred));
  if (inferred < 0) {
    if (isKnown(total) && isKnown(known) && total !== known) throw messages.viewSizeInvalid(sizes, total);
    return [...sizes];
  }
  if (isKnown(total) && isKnown(known)) {
    if (!(total === known || (known > 0 && total % known === 0))) throw messages.viewSizeInvalid(sizes, total);
    if (known === 0) throw messages.reshapeAmbiguous(sizes as number[]);
    return sizes.map((s, i) => (i === inferred ? total / known : s));
  }
  return sizes.map((s, i) => (i === inferred ? exactQuotient(total, known) : s));
}

/** `a / b` for sizes known to divide: simplified when `b` is a factor of `a`'s product form. */
function exactQuotient(a: Dim, b: Dim): Dim {
  if (isKnown(b)) return floorDivDims(a, b);
  return dimsEqual(a, b) ? 1 : floorDivDims(a, b);
}

export function flattenShape(shape: readonly Dim[], startDim: number, endDim: number): Dim[] {
  if (shape.length === 0) return [1];
  const start = wrapDim(startDim, shape.length);
  const end = wrapDim(endDim, shape.length);
  if (start > end) throw messages.flattenOrder();
  return [...shape.slice(0, start), productOfDims(shape.slice(start, end + 1)), ...shape.slice(end + 1)];
}

export function unflattenShape(shape: readonly Dim[], dim: number, sizes: readonly Dim[]): Dim[] {
  const d = wrapDim(dim, shape.length);
  const size = shape[d] as Dim;
  const resolved = viewShapeOrUnflattenError(size, sizes);
  return [...shape.slice(0, d), ...resolved, ...shape.slice(d + 1)];
}

function viewShapeOrUnflattenError(size: Dim, sizes: readonly Dim[]): Dim[] {
  try {
    return viewShape([size], sizes);
  } catch {
    throw messages.unflattenSizes(sizes, size);
  }
}

export function permuteShape(shape: readonly Dim[], dims: readonly number[]): Dim[] {
  return permutation(shape.length, dims).map((d) => shape[d] as Dim);
}

/** `dims` as a permutation of `rank` dimensions (negative ones wrapped), with permute's errors. */
export function permutation(rank: number, dims: readonly number[]): number[] {
  if (dims.length !== rank) throw messages.permuteRank(rank, dims.length);
  const wrapped = dims.map((d) => wrapDim(d, rank));
  if (new Set(wrapped).size !== wrapped.length) throw messages.permuteDuplicate();
  return wrapped;
}

export function transposeShape(shape: readonly Dim[], dim0: number, dim1: number): Dim[] {
  if (shape.length === 0) return [];
  const a = wrapDim(dim0, shape.length);
  const b = wrapDim(dim1, shape.length);
  const out = [...shape];
  out[a] = shape[b] as Dim;
  out[b] = shape[a] as Dim;
  return out;
}

export function squeezeShape(shape: readonly Dim[], dim?: number): Dim[] {
  if (dim === undefined) return shape.filter((s) => !(isKnown(s) && s === 1));
  const d = wrapDim(dim, shape.length);
  return shape[d] === 1 ? shape.filter((_, i) => i !== d) : [...shape];
}

export function unsqueezeShape(shape: readonly Dim[], dim: number): Dim[] {
  const d = wrapDim(dim, shape.length + 1);
  return [...shape.slice(0, d), 1, ...shape.slice(d)];
}

export function expandShape(shape: readonly Dim[], sizes: readonly Dim[], dtype?: DType): Dim[] {
  if (sizes.length < shape.length) throw messages.expandRank(dtype, shape, sizes);
  const lead = sizes.length - shape.length;
  return sizes.map((s, i) => {
    if (i < lead) return s;
    const existing = shape[i - lead] as Dim;
    if (s === -1) return existing;
    if (isKnown(existing) && existing !== 1 && isKnown(s) && s !== existing) throw messages.expandMismatch(s, existing, i, sizes, shape);
    return isKnown(existing) && existing === 1 ? s : existing;
  });
}

export function repeatShape(shape: readonly Dim[], repeats: readonly Dim[]): Dim[] {
  if (repeats.length < shape.length) throw messages.repeatRank();
  const lead = repeats.length - shape.length;
  return repeats.map((r, i) => (i < lead ? r : mulDims(shape[i - lead] as Dim, r)));
}

/** NumPy-style broadcasting of two shapes, with PyTorch's message. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = new Array<Dim>(rank);
  // ATen's infer_size walks from the last dimension: the mismatch it names is the last one.
  for (let i = rank - 1; i >= 0; i--) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out[i] = y;
    else if (y === 1) out[i] = x;
    else if (isKnown(x) && isKnown(y)) {
      if (x !== y) throw messages.broadcast(x, y, i);
      out[i] = x;
    } else out[i] = dimsEqual(x, y) ? x : isKnown(x) ? x : y;
  }
  return out;
}

/** `torch.cat`: every shape but the joined dim must agree. */
export function catShape(shapes: readonly (readonly Dim[])[], dim: number): Dim[] {
  if (shapes.length === 0) throw messages.catEmpty();
  // Legacy rule PyTorch keeps: 1-D empty tensors are skipped.
  const parts = shapes.map((s, n) => ({ s, n })).filter(({ s }) => !(s.length === 1 && s[0] === 0));
  const first = parts[0]?.s;
  if (!first) return [0];
  if (first.length === 0) throw messages.catZeroDim();
  const d = wrapDim(dim, first.length);
  let total: Dim = 0;
  for (const { s, n } of parts) {
    if (s.length !== first.length) throw messages.catRanks(first.length, s.length);
    s.forEach((size, i) => {
      const expected = first[i] as Dim;
      if (i !== d && isKnown(size) && isKnown(expected) && size !== expected) throw messages.catSizes(d, expected, size, n);
    });
    total = addDims(total, s[d] as Dim);
  }
  return first.map((s, i) => (i === d ? total : s));
}

export function stackShape(shapes: readonly (readonly Dim[])[], dim: number): Dim[] {
  const first = shapes[0];
  if (!first) throw messages.stackEmpty();
  shapes.forEach((s, n) => {
    if (s.length !== first.length || (allKnown(s) && allKnown(first) && s.some((size, i) => size !== first[i]))) throw messages.stackSizes(first, s, n);
  });
  const d = wrapDim(dim, first.length + 1);
  return [...first.slice(0, d), shapes.length, ...first.slice(d)];
}

/** `split(size)` or `split([sizes])` along `dim`: the parts' shapes. */
export function splitShapes(shape: readonly Dim[], sizes: number | readonly number[], dim: number): Dim[][] | undefined {
  const d = wrapDim(dim, shape.length);
  const length = shape[d] as Dim;
  const replace = (n: Dim): Dim[] => shape.map((s, i) => (i === d ? n : s));
  if (typeof sizes !== 'number') {
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (isKnown(length) && sum !== length) throw messages.splitSizes(length, d, sizes);
    return sizes.map(replace);
  }
  if (!isKnown(length)) return undefined;
  const parts: Dim[][] = [];
  for (let start = 0; start < length || (length === 0 && parts.length === 0); start += sizes) {
    parts.push(replace(Math.min(sizes, length - start)));
    if (sizes <= 0) break;
  }
  return parts;
}

export function chunkShapes(shape: readonly Dim[], chunks: number, dim: number): Dim[][] | undefined {
  if (chunks <= 0) throw messages.chunkCount(chunks);
  const length = shape[wrapDim(dim, shape.length)] as Dim;
  if (!isKnown(length)) return undefined;
  return splitShapes(shape, Math.ceil(length / chunks) || 1, dim);
}

/** `torch.matmul` / `@` with PyTorch's message per case. */
export function matmulShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const mismatch = (x: Dim, y: Dim): boolean => isKnown(x) && isKnown(y) && x !== y;
  if (a.length === 0 || b.length === 0) throw messages.matmulRank(a.length, b.length);
  if (a.length === 1 && b.length === 1) {
    if (mismatch(a[0] as Dim, b[0] as Dim)) throw messages.dotSizes(a[0] as Dim, b[0] as Dim);
    return [];
  }
  if (a.length === 2 && b.length === 1) {
    if (mismatch(a[1] as Dim, b[0] as Dim)) throw messages.mvSizes(a[0] as Dim, a[1] as Dim, b[0] as Dim);
    return [a[0] as Dim];
  }
  if (a.length <= 2 && b.length === 2) {
    const rows: Dim = a.length === 1 ? 1 : (a[0] as Dim);
    const inner = a[a.length - 1] as Dim;
    if (mismatch(inner, b[0] as Dim)) throw messages.mmShapes(rows, inner, b[0] as Dim, b[1] as Dim);
    return a.length === 1 ? [b[1] as Dim] : [rows, b[1] as Dim];
  }
  // Batched: the matrix dims multiply, the batch dims broadcast.
  const aMat = a.length === 1 ? [1, a[0] as Dim] : a.slice(-2);
  const bMat = b.length === 1 ? [b[0] as Dim, 1] : b.slice(-2);
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2));
  if (mismatch(aMat[1] as Dim, bMat[0] as Dim)) {
    if (b.length === 2) throw messages.mmShapes(productOfDims(a.slice(0, -1)), aMat[1] as Dim, bMat[0] as Dim, bMat[1] as Dim);
    throw messages.bmmSizes(productOfDims(batch), aMat[1] as Dim, bMat[0] as Dim);
  }
  return [...batch, ...(a.length === 1 ? [] : [aMat[0] as Dim]), ...(b.length === 1 ? [] : [bMat[1] as Dim])];
}

/** A reduction over `dims` (all when undefined), keeping them as 1 with `keepdim`. */
export function reduceShape(shape: readonly Dim[], dims: readonly number[] | undefined, keepdim: boolean): Dim[] {
  if (dims === undefined) return keepdim ? shape.map(() => 1) : [];
  const wrapped = new Set(dims.map((d) => wrapDim(d, shape.length)));
  return keepdim ? shape.map((s, i) => (wrapped.has(i) ? 1 : s)) : shape.filter((_, i) => !wrapped.has(i));
}

/** F.pad's pads, last dim first: `(left, right, top, bottom, ...)`. */
/**
 * F.pad in a mode (ReflectionPad2d, F.pad(x, pads, mode='reflect')): the padded shape, and, when
 * the sizes are known, PyTorch's own checks of that mode (core/geometry.ts's, which nn.ConvNd's
 * padding modes use): a reflection pad must be smaller than the size it pads, a circular one wrap
 * at most once.
 */
export function modePadShape(shape: readonly Dim[], pads: readonly number[], mode: PaddingMode | undefined, dtype: DType | undefined): Dim[] {
  const padded = padShape(shape, pads);
  if (mode === undefined || mode === 'zeros' || !allKnown(shape)) return padded;
  const dims = pads.length / 2;
  // F.pad lists the last dim first; the geometry takes dims first to last.
  const before = Array.from({ length: dims }, (_, i) => pads[2 * (dims - 1 - i)] as number);
  const after = Array.from({ length: dims }, (_, i) => pads[2 * (dims - 1 - i) + 1] as number);
  return modePad({ shape, dtype: dtype ?? 'float32' }, mode, before, after);
}

export function padShape(shape: readonly Dim[], pads: readonly number[]): Dim[] {
  if (pads.length % 2 !== 0) throw messages.padOdd();
  if (pads.length / 2 > shape.length) throw messages.padTooLong();
  return shape.map((s, i) => {
    const fromLast = shape.length - 1 - i;
    if (fromLast * 2 >= pads.length) return s;
    return addDims(s, (pads[fromLast * 2] ?? 0) + (pads[fromLast * 2 + 1] ?? 0));
  });
}
