// How PyTorch and NumPy code names dtypes (`torch.float`, `np.float32`, `'f4'`, the builtin
// `float`, the legacy `torch.FloatTensor`), mapped to the core's dtypes, with each library's error
// for a value that is known not to be one; unknown values give an unknown dtype.
import type { DType } from '../../core/tensor';
import { DataRefusal } from '../interpreter/elements';
import type { Site, Value } from '../interpreter/values';
import { pythonTypeName } from '../interpreter/values';
import { messages } from './messages';

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

/** Legacy tensor type names `.type()` takes, beside the dtypes. */
export const LEGACY_TYPES: ReadonlyMap<string, DType> = new Map([
  ['torch.FloatTensor', 'float32'], ['torch.DoubleTensor', 'float64'], ['torch.LongTensor', 'int64'], ['torch.IntTensor', 'int32'], ['torch.BoolTensor', 'bool'],
]);

/** Dtypes of either library that Conv Lab's tensors do not have. */
const UNSUPPORTED = new Set(['float16', 'half', 'bfloat16', 'uint8', 'int8', 'int16', 'short', 'complex64', 'complex128', 'cfloat', 'cdouble', 'float128', 'longdouble', 'uint16', 'uint32', 'uint64']);

/** The dtype a library path names (`torch.float` → float32), if it names one Conv Lab has. */
export function dtypeOfPath(path: string): { dtype: DType; library: 'torch' | 'numpy' } | undefined {
  const torch = TORCH_DTYPES.get(path);
  if (torch) return { dtype: torch, library: 'torch' };
  const numpy = NUMPY_DTYPES.get(path);
  return numpy ? { dtype: numpy, library: 'numpy' } : undefined;
}

/** A dtype Conv Lab's tensors cannot hold: the value's dtype stays unknown, and this says why. */
function unsupportedDType(name: string, at: Site | undefined): DataRefusal {
  return new DataRefusal('unsupported-dtype', `dtype ${name} is not supported by Conv Lab (float32, float64, int64, int32, bool are)`, at);
}

function unsupportedPath(v: Value, prefix: string, at: Site | undefined): DataRefusal | undefined {
  if (v.kind !== 'path' || !v.path.startsWith(prefix)) return undefined;
  const last = v.path.slice(v.path.lastIndexOf('.') + 1);
  return UNSUPPORTED.has(last) ? unsupportedDType(v.path, at) : undefined;
}

/** A `dtype=` argument of a torch function (`fn` names it in PyTorch's error); undefined when not known. */
export function torchDType(v: Value, fn: string, at?: Site): DType | undefined {
  if (v.kind === 'dtype') {
    if (v.library === 'torch') return v.dtype;
  } else if (v.kind === 'path') {
    const builtin = BUILTIN_TYPES.get(v.path);
    if (builtin) return builtin;
    const unsupported = unsupportedPath(v, 'torch.', at);
    if (unsupported) throw unsupported;
    if (!v.path.startsWith('numpy.')) return undefined;
  } else if (v.kind === 'unknown') return undefined;
  throw messages.torchDtypeArgument(fn, pythonTypeName(v), at);
}

/** A `dtype=` argument of a NumPy function; undefined when not known. */
export function numpyDType(v: Value, at?: Site): DType | undefined {
  if (v.kind === 'dtype') {
    if (v.library === 'numpy') return v.dtype;
    throw messages.numpyCannotInterpret(`torch.${v.dtype}`, at);
  }
  if (v.kind === 'str') {
    if (v.value === undefined) return undefined;
    const dtype = NUMPY_DTYPE_STRINGS.get(v.value);
    if (dtype) return dtype;
    if (UNSUPPORTED.has(v.value)) throw unsupportedDType(`'${v.value}'`, at);
    throw messages.numpyDtypeNotUnderstood(v.value, at);
  }
  if (v.kind === 'path') {
    const builtin = BUILTIN_TYPES.get(v.path);
    if (builtin) return builtin;
    const unsupported = unsupportedPath(v, 'numpy.', at);
    if (unsupported) throw unsupported;
    return undefined;
  }
  if (v.kind === 'int' || v.kind === 'float') {
    const shown = v.kind === 'int' ? String(v.exact ?? v.value) : String(v.value);
    throw messages.numpyCannotInterpret(shown, at);
  }
  return undefined;
}

/** PyTorch's type promotion between tensors of the same dimension category. */
export function promoteTypes(a: DType, b: DType): DType {
  const rank: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };
  return rank[a] >= rank[b] ? a : b;
}

export function isFloatType(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}
