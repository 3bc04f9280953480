// Nested Python lists and tuples of numbers made into tensors the way `torch.tensor` and
// `np.array` do it: dtype inference over every element, sizes from the first element of each
// level, then a store that checks every level's length. Error messages and their order follow
// PyTorch 1.13's tensor_new.cpp and NumPy's array constructor.
import { defaultFloatDType } from './defaultDtype';
import { allocate, numel, type DType, type Tensor } from '../core/tensor';
import { checkElementLimit, materialize, promoteTypes } from './strided';
import { indexTensor } from './indexing';
import { EvaluationFailure, pythonTypeName, type Library, type PyValue, type TensorValue } from './values';

/** PyTorch's maximum number of dimensions. */
const MAX_DIMS = 64;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `torch.tensor(data, dtype=dtype)` / `np.array(data, dtype=dtype)`: the tensor the data
 * describes, converted to `dtype` or to the library's inferred dtype.
 */
export function tensorFromData(data: PyValue, dtype: DType | undefined, library: Library, maxElements: number): Tensor {
  if (data.kind === 'tensor') return materialize(data.tensor, dtype ?? data.tensor.dtype);
  return library === 'torch' ? torchTensorFromData(data, dtype, maxElements) : numpyArrayFromData(data, dtype, maxElements);
}

function torchTensorFromData(data: PyValue, dtype: DType | undefined, maxElements: number): Tensor {
  const scalarType = dtype ?? inferTorchDType(data);
  const sizes = torchSizes(data);
  checkElementLimit(sizes, maxElements);
  const out = allocate(scalarType, numel(sizes));
  let at = 0;
  const store = (v: PyValue, dim: number): void => {
    if (dim === sizes.length) {
      out[at++] = scalarFor(v, scalarType) as never;
      return;
    }
    const items = v.kind === 'list' || v.kind === 'tuple' ? v.items : v.kind === 'tensor' ? rowsOf(v) : undefined;
    if (!items) throw new EvaluationFailure('not a sequence', 'ragged-nesting', v.at, 'TypeError');
    const expected = sizes[dim] ?? 0;
    if (items.length !== expected) {
      throw new EvaluationFailure(`expected sequence of length ${expected} at dim ${dim} (got ${items.length})`, 'ragged-nesting', v.at, 'ValueError');
    }
    for (const item of items) store(item, dim + 1);
  };
  // PyTorch stores nothing (and so checks nothing further) when the sizes hold no element.
  if (out.length > 0) store(data, 0);
  return { shape: sizes, dtype: scalarType, data: out };
}

/** PyTorch's infer_scalar_type: every element's type, promoted; empty lists give the default dtype. */
function inferTorchDType(v: PyValue): DType {
  switch (v.kind) {
    case 'float': return defaultFloatDType();
    case 'int': return 'int64';
    case 'bool': return 'bool';
    case 'tensor': return v.tensor.dtype;
    case 'str': throw new EvaluationFailure(`new(): invalid data type 'str'`, 'non-numeric-element', v.at, 'TypeError');
    case 'list':
    case 'tuple': {
      let dtype: DType | undefined;
      for (const item of v.items) {
        const t = inferTorchDType(item);
        dtype = dtype ? promoteTypes(dtype, t) : t;
      }
      return dtype ?? defaultFloatDType();
    }
    default:
      throw new EvaluationFailure(`Could not infer dtype of ${pythonTypeName(v)}`, 'non-numeric-element', v.at, 'RuntimeError');
  }
}

/** A tensor iterated as a Python sequence: its sub-tensors along the first dimension. */
function rowsOf(v: TensorValue): PyValue[] | undefined {
  const rows = v.tensor.shape[0];
  if (rows === undefined) return undefined;
  return Array.from({ length: rows }, (_, i) => ({ ...v, tensor: indexTensor(v.tensor, [{ kind: 'int', value: i, at: v.at }], 'torch') }));
}

/** PyTorch's compute_sizes: the lengths along the first element of every level (a tensor there counts as a scalar). */
function torchSizes(data: PyValue): number[] {
  const sizes: number[] = [];
  for (let v: PyValue | undefined = data; v; ) {
    if (v.kind === 'str') {
      // A string is a sequence of strings: PyTorch descends until it runs out of dimensions.
      throw new EvaluationFailure(`too many dimensions 'str'`, 'non-numeric-element', v.at, 'ValueError');
    }
    if (v.kind !== 'list' && v.kind !== 'tuple') break;
    sizes.push(v.items.length);
    if (sizes.length > MAX_DIMS) throw new EvaluationFailure(`too many dimensions '${v.kind}'`, 'too-many-dimensions', v.at, 'ValueError');
    v = v.items[0];
  }
  return sizes;
}

/** One Python scalar stored as `dtype`, with PyTorch's unpacking errors. */
function scalarFor(v: PyValue, dtype: DType): number | bigint {
  const integral = dtype === 'int64' || dtype === 'int32' || dtype === 'bool';
  if (v.kind === 'tensor') return tensorScalar(v, dtype);
  if (v.kind !== 'int' && v.kind !== 'float' && v.kind !== 'bool') {
    if (integral) throw new EvaluationFailure(`'${pythonTypeName(v)}' object cannot be interpreted as an integer`, 'non-numeric-element', v.at, 'TypeError');
    throw new EvaluationFailure(`must be real number, not ${pythonTypeName(v)}`, 'non-numeric-element', v.at, 'TypeError');
  }
  const asNumber = v.kind === 'int' ? Number(v.value) : v.kind === 'bool' ? Number(v.value) : v.value;
  switch (dtype) {
    case 'float32':
    case 'float64':
      return asNumber;
    case 'bool':
      return asNumber !== 0 ? 1 : 0;
    case 'int64':
    case 'int32': {
      let n: bigint;
      if (v.kind === 'int') {
        if (v.value < INT64_MIN || v.value > INT64_MAX) throw new EvaluationFailure('Overflow when unpacking long', 'overflow', v.at, 'RuntimeError');
        n = v.value;
      } else {
        n = BigInt(Math.trunc(asNumber));
      }
      return dtype === 'int64' ? n : Number(BigInt.asIntN(32, n));
    }
  }
}

/** A one-element tensor in a list, read as the Python number `item()` would give. */
function tensorScalar(v: TensorValue, dtype: DType): number | bigint {
  const t = v.tensor;
  if (numel(t.shape) !== 1) throw new EvaluationFailure('only one element tensors can be converted to Python scalars', 'non-numeric-element', v.at, 'ValueError');
  const integralTarget = dtype === 'int64' || dtype === 'int32';
  if (integralTarget && (t.dtype === 'float32' || t.dtype === 'float64')) {
    throw new EvaluationFailure('only integer tensors of a single element can be converted to an index', 'non-numeric-element', v.at, 'TypeError');
  }
  const [x] = materialize(t, dtype).data;
  return x ?? 0;
}

/** `np.array`: NumPy's defaults (float64, int64) and its "inhomogeneous shape" error. */
function numpyArrayFromData(data: PyValue, dtype: DType | undefined, maxElements: number): Tensor {
  const sizes = numpySizes(data);
  const scalarType = dtype ?? inferNumpyDType(data);
  checkElementLimit(sizes, maxElements);
  const out = allocate(scalarType, numel(sizes));
  let at = 0;
  const store = (v: PyValue): void => {
    if (v.kind === 'list' || v.kind === 'tuple') for (const item of v.items) store(item);
    else out[at++] = scalarFor(v, scalarType) as never;
  };
  store(data);
  return { shape: sizes, dtype: scalarType, data: out };
}

/** Level by level, every sequence at a level must have the same length and nothing else may sit there. */
function numpySizes(data: PyValue): number[] {
  const sizes: number[] = [];
  let level: PyValue[] = [data];
  for (;;) {
    const sequences = level.filter((v) => v.kind === 'list' || v.kind === 'tuple');
    if (sequences.length === 0) return sizes;
    const first = sequences[0];
    const length = first && (first.kind === 'list' || first.kind === 'tuple') ? first.items.length : 0;
    const odd = level.find((v) => !(v.kind === 'list' || v.kind === 'tuple') || v.items.length !== length);
    if (odd) {
      const shape = sizes.length === 1 ? `(${sizes[0]},)` : `(${sizes.join(', ')})`;
      throw new EvaluationFailure(
        `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${sizes.length} dimensions. The detected shape was ${shape} + inhomogeneous part.`,
        'ragged-nesting', odd.at, 'ValueError');
    }
    sizes.push(length);
    level = sequences.flatMap((v) => (v.kind === 'list' || v.kind === 'tuple' ? v.items : []));
  }
}

function inferNumpyDType(v: PyValue): DType {
  switch (v.kind) {
    case 'float': return 'float64';
    case 'int': return 'int64';
    case 'bool': return 'bool';
    case 'list':
    case 'tuple': {
      let dtype: DType | undefined;
      for (const item of v.items) {
        const t = inferNumpyDType(item);
        dtype = dtype ? promoteTypes(dtype, t) : t;
      }
      return dtype ?? 'float64';
    }
    default:
      // NumPy would make a string or object array, which no convolution takes.
      throw new EvaluationFailure(`element of type '${pythonTypeName(v)}' is not a number`, 'non-numeric-element', v.at);
  }
}
