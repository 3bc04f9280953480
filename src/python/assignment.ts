// Item assignment, `X[:, 2:6] = 0` (d2l's edge-detection input): a copy of the tensor with the
// indexed items replaced by a broadcast scalar or tensor, with PyTorch's and NumPy's errors.
import { torchScalarTypeName } from '../core/tensor';
import { indexTensor, type IndexValue } from './indexing';
import { tensorFromData } from './literals';
import type { Span } from './parse';
import { checkElementLimit, elementOffsets, materialize, stridedOf, type StridedTensor } from './strided';
import { EvaluationFailure, pythonTypeName, type Library, type PyValue } from './values';

export function setItem(t: StridedTensor, items: readonly IndexValue[], value: PyValue, library: Library, at: Span, maxElements: number): StridedTensor {
  checkElementLimit(t.shape, maxElements);
  const dense = materialize(t);
  const copy = stridedOf({ ...dense, data: dense.data.slice() });
  const target = indexTensor(copy, items, library);
  const source = broadcastTo(sourceOf(value, target, library, maxElements), target.shape, library, at);
  const values = materialize(source, target.dtype).data;
  const offsets = elementOffsets(target);
  for (let i = 0; i < offsets.length; i++) copy.data[offsets[i] ?? 0] = values[i] as never;
  return copy;
}

/** The assigned value as a tensor: a Python number, a tensor, or (NumPy only) a nested list. */
function sourceOf(value: PyValue, target: StridedTensor, library: Library, maxElements: number): StridedTensor {
  if (value.kind === 'tensor') return value.tensor;
  if (value.kind === 'int' || value.kind === 'float' || value.kind === 'bool') {
    const scalar = tensorFromData(value, undefined, library, maxElements);
    return stridedOf(scalar);
  }
  if (library === 'numpy' && (value.kind === 'list' || value.kind === 'tuple')) return stridedOf(tensorFromData(value, undefined, 'numpy', maxElements));
  if (library === 'numpy') throw new EvaluationFailure(`cannot evaluate assigning a ${pythonTypeName(value)} to an array statically`, 'not-static', value.at);
  throw new EvaluationFailure(`can't assign a ${pythonTypeName(value)} to a torch.${torchScalarTypeName(target.dtype)}Tensor`, 'invalid-assignment', value.at, 'TypeError');
}

/** `source` viewed with `shape` by broadcasting (size-1 and missing leading dimensions repeat). */
function broadcastTo(source: StridedTensor, shape: readonly number[], library: Library, at: Span): StridedTensor {
  // PyTorch first drops the value's leading size-1 dimensions.
  let s = source;
  if (library === 'torch') {
    let lead = 0;
    while (lead < s.shape.length && s.shape[lead] === 1) lead++;
    s = { ...s, shape: s.shape.slice(lead), strides: s.strides.slice(lead) };
  }
  const rank = shape.length;
  const mismatch = s.shape.length > rank || s.shape.some((size, i) => size !== 1 && size !== shape[rank - s.shape.length + i]);
  if (mismatch) throw broadcastError(source, s, shape, library, at);
  const strides = shape.map((_, d) => {
    const k = d - (rank - s.shape.length);
    return k < 0 || s.shape[k] === 1 ? 0 : (s.strides[k] ?? 0);
  });
  return { ...s, shape: [...shape], strides };
}

function broadcastError(original: StridedTensor, stripped: StridedTensor, shape: readonly number[], library: Library, at: Span): EvaluationFailure {
  if (library === 'numpy') {
    const show = (xs: readonly number[]): string => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);
    return new EvaluationFailure(`could not broadcast input array from shape ${show(original.shape)} into shape ${show(shape)}`, 'shape-mismatch', at, 'ValueError');
  }
  const rank = shape.length;
  if (stripped.shape.length > rank) {
    return new EvaluationFailure(
      `expand(torch.${torchScalarTypeName(original.dtype)}Tensor{[${stripped.shape.join(', ')}]}, size=[${shape.join(', ')}]): the number of sizes provided (${rank}) must be greater or equal to the number of dimensions in the tensor (${stripped.shape.length})`,
      'shape-mismatch', at, 'RuntimeError');
  }
  const offset = rank - stripped.shape.length;
  const d = stripped.shape.findIndex((size, i) => size !== 1 && size !== shape[offset + i]);
  return new EvaluationFailure(
    `The expanded size of the tensor (${shape[offset + d]}) must match the existing size (${stripped.shape[d]}) at non-singleton dimension ${offset + d}.  Target sizes: [${shape.join(', ')}].  Tensor sizes: [${stripped.shape.join(', ')}]`,
    'shape-mismatch', at, 'RuntimeError');
}
