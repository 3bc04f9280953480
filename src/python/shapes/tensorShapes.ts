// Shape rules of PyTorch's tensor operations, on sizes that may be symbolic. Each rule raises
// PyTorch 1.13's own error (wording copied from real runs) when the sizes it needs are known
// and wrong, and never when a size involved is symbolic: an error must be certain.
import { TorchError } from '../../core/errors';
import { wrapDim } from '../strided';
import { addDims, allKnown, dimsEqual, dimText, floorDivDims, isKnown, mulDims, productOfDims, symbol, type Dim } from './dim';

const runtime = (code: string, message: string): TorchError => new TorchError('RuntimeError', message, code);

/** `[2, 3, 8, 8]`, how PyTorch prints sizes (symbols by their text). */
export function sizeListText(shape: readonly Dim[]): string {
  return `[${shape.map(dimText).join(', ')}]`;
}

/** A size no analysis can tell: different on two paths, or read from an unknown source. */
export const UNKNOWN_DIM: Dim = symbol('?');

/** `view` / `reshape`: one -1 is inferred from the element count. */
export function viewShape(shape: readonly Dim[], sizes: readonly Dim[]): Dim[] {
  const inferred = sizes.findIndex((s) => s === -1);
  const total = productOfDims(shape);
  const known = productOfDims(sizes.filter((_, i) => i !== inferred));
  const invalid = (): TorchError => runtime('view-size-mismatch', `shape '${sizeListText(sizes)}' is invalid for input of size ${dimText(total)}`);
  if (inferred < 0) {
    if (isKnown(total) && isKnown(known) && total !== known) throw invalid();
    return [...sizes];
  }
  if (isKnown(total) && isKnown(known)) {
    if (known === 0 || total % known !== 0) throw invalid();
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
  if (start > end) throw runtime('invalid-dims', 'flatten() has invalid args: start_dim cannot come after end_dim');
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
    throw runtime('view-size-mismatch', `unflatten: Provided sizes ${sizeListText(sizes)} don't multiply up to the size of dim ${0} (${dimText(size)}) in the input tensor`);
  }
}

export function permuteShape(shape: readonly Dim[], dims: readonly number[]): Dim[] {
  if (dims.length !== shape.length) {
    throw runtime('wrong-rank', `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${shape.length} is not equal to len(dims) = ${dims.length}`);
  }
  const wrapped = dims.map((d) => wrapDim(d, shape.length));
  if (new Set(wrapped).size !== wrapped.length) throw runtime('invalid-dims', 'permute(): duplicate dims are not allowed.');
  return wrapped.map((d) => shape[d] as Dim);
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

export function expandShape(shape: readonly Dim[], sizes: readonly Dim[]): Dim[] {
  if (sizes.length < shape.length) {
    throw runtime('wrong-rank', `expand(torch.FloatTensor{${sizeListText(shape)}}, size=${sizeListText(sizes)}): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`);
  }
  const lead = sizes.length - shape.length;
  return sizes.map((s, i) => {
    if (i < lead) return s;
    const existing = shape[i - lead] as Dim;
    if (s === -1) return existing;
    if (isKnown(existing) && existing !== 1 && isKnown(s) && s !== existing) {
      throw runtime('expand-mismatch', `The expanded size of the tensor (${s}) must match the existing size (${existing}) at non-singleton dimension ${i}.  Target sizes: ${sizeListText(sizes)}.  Tensor sizes: ${sizeListText(shape)}`);
    }
    return isKnown(existing) && existing === 1 ? s : existing;
  });
}

export function repeatShape(shape: readonly Dim[], repeats: readonly Dim[]): Dim[] {
  if (repeats.length < shape.length) throw runtime('wrong-rank', 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  const lead = repeats.length - shape.length;
  return repeats.map((r, i) => (i < lead ? r : mulDims(shape[i - lead] as Dim, r)));
}

/** NumPy-style broadcasting of two shapes, with PyTorch's message. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (isKnown(x) && isKnown(y)) {
      if (x !== y) throw runtime('broadcast-mismatch', `The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
      out.push(x);
    } else out.push(dimsEqual(x, y) ? x : isKnown(x) ? x : y);
  }
  return out;
}

export function catShape(shapes: readonly (readonly Dim[])[], dim: number): Dim[] {
  // Legacy rule: 1-D empty tensors are skipped.
  const parts = shapes.filter((s) => !(s.length === 1 && s[0] === 0));
  const first = parts[0];
  if (!first) return [0];
  const d = wrapDim(dim, first.length);
  let total: Dim = 0;
  parts.forEach((s, n) => {
    if (s.length !== first.length) throw runtime('cat-mismatch', `Tensors must have same number of dimensions: got ${first.length} and ${s.length}`);
    s.forEach((size, i) => {
      const expected = first[i] as Dim;
      if (i !== d && isKnown(size) && isKnown(expected) && size !== expected) {
        throw runtime('cat-mismatch', `Sizes of tensors must match except in dimension ${d}. Expected size ${expected} but got size ${size} for tensor number ${n} in the list.`);
      }
    });
    total = addDims(total, s[d] as Dim);
  });
  return first.map((s, i) => (i === d ? total : s));
}

export function stackShape(shapes: readonly (readonly Dim[])[], dim: number): Dim[] {
  const first = shapes[0];
  if (!first) throw runtime('empty-list', 'stack expects a non-empty TensorList');
  shapes.forEach((s, n) => {
    if (s.length !== first.length || (allKnown(s) && allKnown(first) && s.some((size, i) => size !== first[i]))) {
      throw runtime('stack-mismatch', `stack expects each tensor to be equal size, but got ${sizeListText(first)} at entry 0 and ${sizeListText(s)} at entry ${n}`);
    }
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
    if (isKnown(length) && sum !== length) {
      throw runtime('split-mismatch', `split_with_sizes expects split_sizes to sum exactly to ${length} (input tensor's size at dimension ${d}), but got split_sizes=${sizeListText(sizes)}`);
    }
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
  if (chunks <= 0) throw runtime('invalid-chunks', `chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const length = shape[wrapDim(dim, shape.length)] as Dim;
  if (!isKnown(length)) return undefined;
  return splitShapes(shape, Math.ceil(length / chunks) || 1, dim);
}

/** `torch.matmul` / `@` with PyTorch's message per case. */
export function matmulShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const mismatch = (x: Dim, y: Dim): boolean => isKnown(x) && isKnown(y) && x !== y;
  if (a.length === 0 || b.length === 0) throw runtime('wrong-rank', `both arguments to matmul need to be at least 1D, but they are ${a.length}D and ${b.length}D`);
  if (a.length === 1 && b.length === 1) {
    if (mismatch(a[0] as Dim, b[0] as Dim)) {
      throw runtime('matmul-mismatch', `inconsistent tensor size, expected tensor [${dimText(a[0] as Dim)}] and src [${dimText(b[0] as Dim)}] to have the same number of elements, but got ${dimText(a[0] as Dim)} and ${dimText(b[0] as Dim)} elements respectively`);
    }
    return [];
  }
  if (a.length === 2 && b.length === 1) {
    if (mismatch(a[1] as Dim, b[0] as Dim)) throw runtime('matmul-mismatch', `size mismatch, got ${dimText(a[0] as Dim)}, ${dimText(a[0] as Dim)}x${dimText(a[1] as Dim)},${dimText(b[0] as Dim)}`);
    return [a[0] as Dim];
  }
  if (a.length <= 2 && b.length === 2) {
    const rows: Dim = a.length === 1 ? 1 : (a[0] as Dim);
    const inner = a[a.length - 1] as Dim;
    if (mismatch(inner, b[0] as Dim)) throw mmMismatch(rows, inner, b[0] as Dim, b[1] as Dim);
    return a.length === 1 ? [b[1] as Dim] : [rows, b[1] as Dim];
  }
  // Batched: the matrix dims multiply, the batch dims broadcast.
  const aMat = a.length === 1 ? [1, a[0] as Dim] : a.slice(-2);
  const bMat = b.length === 1 ? [b[0] as Dim, 1] : b.slice(-2);
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2));
  if (mismatch(aMat[1] as Dim, bMat[0] as Dim)) {
    if (b.length === 2) {
      throw mmMismatch(productOfDims(a.slice(0, -1)), aMat[1] as Dim, bMat[0] as Dim, bMat[1] as Dim);
    }
    throw runtime('matmul-mismatch', `Expected size for first two dimensions of batch2 tensor to be: [${dimText(productOfDims(batch))}, ${dimText(aMat[1] as Dim)}] but got: [${dimText(productOfDims(batch))}, ${dimText(bMat[0] as Dim)}].`);
  }
  return [...batch, ...(a.length === 1 ? [] : [aMat[0] as Dim]), ...(b.length === 1 ? [] : [bMat[1] as Dim])];
}

function mmMismatch(rows: Dim, inner: Dim, bRows: Dim, bCols: Dim): TorchError {
  return runtime('matmul-mismatch', `mat1 and mat2 shapes cannot be multiplied (${dimText(rows)}x${dimText(inner)} and ${dimText(bRows)}x${dimText(bCols)})`);
}

/** A reduction over `dims` (all when undefined), keeping them as 1 with `keepdim`. */
export function reduceShape(shape: readonly Dim[], dims: readonly number[] | undefined, keepdim: boolean): Dim[] {
  if (dims === undefined) return keepdim ? shape.map(() => 1) : [];
  const wrapped = new Set(dims.map((d) => wrapDim(d, shape.length)));
  return keepdim ? shape.map((s, i) => (wrapped.has(i) ? 1 : s)) : shape.filter((_, i) => !wrapped.has(i));
}

export function indexOutOfRange(index: number, dim: number, size: number): TorchError {
  return new TorchError('IndexError', `index ${index} is out of bounds for dimension ${dim} with size ${size}`, 'index-out-of-range');
}

/** F.pad's pads, last dim first: `(left, right, top, bottom, ...)`. */
export function padShape(shape: readonly Dim[], pads: readonly number[]): Dim[] {
  if (pads.length % 2 !== 0) throw runtime('invalid-padding', 'Padding length must be divisible by 2');
  if (pads.length / 2 > shape.length) throw runtime('invalid-padding', 'Padding length too large');
  return shape.map((s, i) => {
    const fromLast = shape.length - 1 - i;
    if (fromLast * 2 >= pads.length) return s;
    return addDims(s, (pads[fromLast * 2] ?? 0) + (pads[fromLast * 2 + 1] ?? 0));
  });
}
