// How PyTorch and NumPy code names dtypes (`torch.float`, `np.float32`, `'f4'`, the builtin
// `float`), mapped to the core's dtypes, with each library's error for a value that is not one.
import type { DType } from '../core/tensor';
import { EvaluationFailure, pythonTypeName, type PyValue } from './values';

const TORCH_DTYPES: ReadonlyMap<string, DType> = new Map([
  ['torch.float32', 'float32'], ['torch.float', 'float32'],
  ['torch.float64', 'float64'], ['torch.double', 'float64'],
  ['torch.int64', 'int64'], ['torch.long', 'int64'],
  ['torch.int32', 'int32'], ['torch.int', 'int32'],
  ['torch.bool', 'bool'],
]);

const NUMPY_DTYPES: ReadonlyMap<string, DType> = new Map([
  ['numpy.float32', 'float32'], ['numpy.single', 'float32'],
  ['numpy.float64', 'float64'], ['numpy.double', 'float64'], ['numpy.float_', 'float64'],
  ['numpy.int64', 'int64'], ['numpy.int_', 'int64'],
  ['numpy.int32', 'int32'], ['numpy.intc', 'int32'],
  ['numpy.bool_', 'bool'],
]);

/** NumPy's dtype strings. */
const NUMPY_DTYPE_STRINGS: ReadonlyMap<string, DType> = new Map([
  ['float32', 'float32'], ['single', 'float32'], ['f4', 'float32'], ['<f4', 'float32'],
  ['float64', 'float64'], ['double', 'float64'], ['float', 'float64'], ['f8', 'float64'], ['<f8', 'float64'],
  ['int64', 'int64'], ['int', 'int64'], ['i8', 'int64'], ['<i8', 'int64'],
  ['int32', 'int32'], ['i4', 'int32'], ['<i4', 'int32'],
  ['bool', 'bool'], ['?', 'bool'], ['bool_', 'bool'],
]);

/** Python's builtin types used as dtypes: both libraries read `float` as float64. */
const BUILTIN_TYPES: ReadonlyMap<string, DType> = new Map([['float', 'float64'], ['int', 'int64'], ['bool', 'bool']]);

/** Dtypes of either library that Conv Lab's tensors do not have. */
const UNSUPPORTED = new Set(['float16', 'half', 'bfloat16', 'uint8', 'int8', 'int16', 'short', 'complex64', 'complex128', 'cfloat', 'cdouble', 'float128', 'longdouble', 'uint16', 'uint32', 'uint64']);

/** The dtype a library path names (`torch.float` → float32), if it names one Conv Lab has. */
export function dtypeOfPath(path: string): { dtype: DType; library: 'torch' | 'numpy' } | undefined {
  const torch = TORCH_DTYPES.get(path);
  if (torch) return { dtype: torch, library: 'torch' };
  const numpy = NUMPY_DTYPES.get(path);
  return numpy ? { dtype: numpy, library: 'numpy' } : undefined;
}

function unsupported(name: string, v: PyValue): EvaluationFailure {
  return new EvaluationFailure(`dtype ${name} is not supported by Conv Lab (float32, float64, int64, int32, bool are)`, 'unsupported-dtype', v.at);
}

/** A `dtype=` argument of a torch function (`fn` names it in PyTorch's error). */
export function torchDType(v: PyValue, fn: string): DType {
  if (v.kind === 'dtype' && v.library === 'torch') return v.dtype;
  if (v.kind === 'path') {
    const builtin = BUILTIN_TYPES.get(v.path);
    if (builtin) return builtin;
    const last = v.path.slice(v.path.lastIndexOf('.') + 1);
    if (v.path.startsWith('torch.') && UNSUPPORTED.has(last)) throw unsupported(v.path, v);
  }
  throw new EvaluationFailure(`${fn}(): argument 'dtype' must be torch.dtype, not ${pythonTypeName(v)}`, 'invalid-argument', v.at, 'TypeError');
}

/** A `dtype=` argument of a NumPy function. */
export function numpyDType(v: PyValue): DType {
  if (v.kind === 'dtype' && v.library === 'numpy') return v.dtype;
  if (v.kind === 'str') {
    const dtype = NUMPY_DTYPE_STRINGS.get(v.value);
    if (dtype) return dtype;
    if (UNSUPPORTED.has(v.value)) throw unsupported(`'${v.value}'`, v);
    throw new EvaluationFailure(`data type '${v.value}' not understood`, 'invalid-argument', v.at, 'TypeError');
  }
  if (v.kind === 'path') {
    const builtin = BUILTIN_TYPES.get(v.path);
    if (builtin) return builtin;
    const last = v.path.slice(v.path.lastIndexOf('.') + 1);
    if (v.path.startsWith('numpy.') && UNSUPPORTED.has(last)) throw unsupported(v.path, v);
  }
  if (v.kind === 'dtype') {
    throw new EvaluationFailure(`Cannot interpret 'torch.${v.dtype}' as a data type`, 'invalid-argument', v.at, 'TypeError');
  }
  throw new EvaluationFailure(`cannot read ${pythonTypeName(v)} as a NumPy dtype`, 'invalid-argument', v.at);
}
