// Attributes and methods of tensors and NumPy arrays that a literal chain uses: views
// (`reshape`, `view`, `.T`, `transpose`, `permute`, `unsqueeze`, `squeeze`, `flatten`), dtype
// conversions, and the size queries (`shape`, `size()`, `dim()`, `numel()`).
import { numel, torchDTypeName, type DType } from '../core/tensor';
import type { CallSite } from './callSite';
import { numpyDType, torchDType } from './dtypes';
import type { Span } from './parse';
import { flatten, inferSize, materialize, permute, reshape, reverseDims, squeeze, stridedOf, transpose, unsqueeze, view, wrapDim, type StridedTensor } from './strided';
import { EvaluationFailure, rethrowAt, type PyValue, type TensorValue } from './values';

const TORCH_METHODS = new Set(['reshape', 'view', 'transpose', 'permute', 'unsqueeze', 'squeeze', 'flatten',
  'float', 'double', 'long', 'int', 'bool', 'to', 'type', 'contiguous', 'clone', 'detach', 'cpu', 'cuda', 'numpy',
  'size', 'dim', 'numel']);

const NUMPY_METHODS = new Set(['reshape', 'transpose', 'flatten', 'ravel', 'astype', 'squeeze', 'copy']);

const CASTS: ReadonlyMap<string, DType> = new Map([['float', 'float32'], ['double', 'float64'], ['long', 'int64'], ['int', 'int32'], ['bool', 'bool']]);

/** `t.name` without a call: a property, a bound method, or undefined when Conv Lab does not know it. */
export function tensorAttribute(self: TensorValue, name: string, at: Span): PyValue | undefined {
  switch (name) {
    case 'T': return { ...self, tensor: reverseDims(self.tensor), at };
    case 'shape': return { kind: 'tuple', items: self.tensor.shape.map((s) => ({ kind: 'int', value: BigInt(s), at })), at, torchSize: self.library === 'torch' };
    case 'ndim': return { kind: 'int', value: BigInt(self.tensor.shape.length), at };
    case 'dtype': return { kind: 'dtype', dtype: self.tensor.dtype, library: self.library, at };
    default: {
      const methods = self.library === 'torch' ? TORCH_METHODS : NUMPY_METHODS;
      return methods.has(name) ? { kind: 'method', self, name, at } : undefined;
    }
  }
}

export function callTensorMethod(self: TensorValue, name: string, site: CallSite): PyValue {
  const result = (tensor: StridedTensor): TensorValue => ({ ...self, tensor, at: site.at });
  const t = self.tensor;
  if (self.library === 'numpy') return callArrayMethod(self, name, site);
  const cast = CASTS.get(name);
  if (cast) {
    site.expect(0, ['memory_format']);
    return result(stridedOf(materialize(t, cast)));
  }
  switch (name) {
    case 'reshape':
      site.expect(Infinity, ['shape']);
      return result(rethrowAt(site, () => reshape(t, site.sizes(0, 'shape', 'SymInts'))));
    case 'view': {
      const only = site.positional[0];
      if (site.positional.length === 1 && only?.kind === 'dtype') {
        // `view(dtype)` reinterprets the bytes, which Conv Lab does not model.
        throw new EvaluationFailure(`cannot evaluate '.view(${torchDTypeName(only.dtype)})' statically`, 'not-static', site.at);
      }
      site.expect(Infinity, ['size']);
      return result(rethrowAt(site, () => view(t, site.sizes(0, 'size', 'SymInts'))));
    }
    case 'transpose': {
      site.expect(2, ['dim0', 'dim1']);
      const d0 = site.required(site.intArg(0, 'dim0'), 0, 'dim0');
      const d1 = site.required(site.intArg(1, 'dim1'), 1, 'dim1');
      return result(rethrowAt(site, () => transpose(t, d0, d1)));
    }
    case 'permute':
      site.expect(Infinity, ['dims']);
      return result(rethrowAt(site, () => permute(t, site.sizes(0, 'dims'))));
    case 'unsqueeze': {
      site.expect(1, ['dim']);
      const d = site.required(site.intArg(0, 'dim'), 0, 'dim');
      return result(rethrowAt(site, () => unsqueeze(t, d)));
    }
    case 'squeeze': {
      site.expect(1, ['dim']);
      const d = site.intArg(0, 'dim');
      return result(rethrowAt(site, () => squeeze(t, d)));
    }
    case 'flatten': {
      site.expect(2, ['start_dim', 'end_dim']);
      const start = site.intArg(0, 'start_dim') ?? 0;
      const end = site.intArg(1, 'end_dim') ?? -1;
      return result(rethrowAt(site, () => flatten(t, start, end)));
    }
    case 'to':
    case 'type': {
      site.expect(1, ['dtype', 'device', 'non_blocking', 'copy', 'memory_format']);
      const d = site.arg(0, 'dtype');
      if (!d || d.kind === 'str') {
        // `.to('cpu')`, `.to(device)` (dropped by the caller): the values do not change.
        return result(t);
      }
      return result(stridedOf(materialize(t, torchDType(d, name))));
    }
    case 'contiguous':
      site.expect(0, ['memory_format']);
      return result(stridedOf(materialize(t)));
    case 'clone': {
      // A copy: changing it in place leaves the original as it was.
      site.expect(0, ['memory_format']);
      const dense = materialize(t);
      return result(stridedOf({ ...dense, data: dense.data === t.data ? dense.data.slice() : dense.data }));
    }
    case 'detach':
    case 'cpu':
    case 'cuda':
      site.expect(1, ['memory_format', 'non_blocking']);
      return result(t);
    case 'numpy':
      site.expect(0, ['force']);
      return { ...result(t), library: 'numpy' };
    case 'size': {
      site.expect(1, ['dim']);
      const d = site.intArg(0, 'dim');
      if (d === undefined) return tensorAttribute(self, 'shape', site.at) as PyValue;
      const dim = rethrowAt(site, () => wrapDim(d, t.shape.length));
      return { kind: 'int', value: BigInt(t.shape[dim] ?? 1), at: site.at };
    }
    case 'dim':
      site.expect(0, []);
      return { kind: 'int', value: BigInt(t.shape.length), at: site.at };
    case 'numel':
      site.expect(0, []);
      return { kind: 'int', value: BigInt(numel(t.shape)), at: site.at };
    default:
      throw new EvaluationFailure(`cannot evaluate '.${name}(...)' statically`, 'not-static', site.at);
  }
}

/** NumPy's array methods, with NumPy's messages. */
function callArrayMethod(self: TensorValue, name: string, site: CallSite): PyValue {
  const result = (tensor: StridedTensor): TensorValue => ({ ...self, tensor, at: site.at });
  const t = self.tensor;
  switch (name) {
    case 'reshape': {
      site.expect(Infinity, ['shape', 'newshape', 'order']);
      return result(reshape(t, numpyShape(site.sizes(0, 'shape'), numel(t.shape), site.at)));
    }
    case 'transpose': {
      site.expect(Infinity, ['axes']);
      const axes = site.positional.length === 0 && !site.keywords.has('axes') ? t.shape.map((_, d) => t.shape.length - 1 - d) : site.sizes(0, 'axes');
      if (axes.length !== t.shape.length) throw new EvaluationFailure("axes don't match array", 'invalid-permutation', site.at, 'ValueError');
      return result(rethrowAt(site, () => permute(t, axes)));
    }
    case 'flatten':
    case 'ravel':
      site.expect(1, ['order']);
      return result(reshape(t, [numel(t.shape)]));
    case 'astype': {
      site.expect(1, ['dtype', 'order', 'casting', 'subok', 'copy']);
      const d = site.arg(0, 'dtype');
      if (!d) throw new EvaluationFailure(`astype() missing required argument 'dtype' (pos 1)`, 'invalid-argument', site.at, 'TypeError');
      return result(stridedOf(materialize(t, numpyDType(d))));
    }
    case 'squeeze': {
      site.expect(1, ['axis']);
      const axis = site.intArg(0, 'axis');
      if (axis === undefined) return result(squeeze(t));
      const rank = t.shape.length;
      if (axis < -rank || axis >= rank) throw new EvaluationFailure(`axis ${axis} is out of bounds for array of dimension ${rank}`, 'dim-out-of-range', site.at, 'IndexError');
      if (t.shape[axis < 0 ? axis + rank : axis] !== 1) {
        throw new EvaluationFailure('cannot select an axis to squeeze out which has size not equal to one', 'invalid-argument', site.at, 'ValueError');
      }
      return result(squeeze(t, axis));
    }
    case 'copy':
      site.expect(1, ['order']);
      return result(stridedOf(materialize(t)));
    default:
      throw new EvaluationFailure(`cannot evaluate '.${name}(...)' statically`, 'not-static', site.at);
  }
}

/** NumPy's size check for `reshape`, and its way of printing the requested shape. */
function numpyShape(sizes: readonly number[], total: number, at: Span): number[] {
  if (sizes.filter((s) => s === -1).length > 1) throw new EvaluationFailure('can only specify one unknown dimension', 'invalid-shape', at, 'ValueError');
  try {
    return inferSize(sizes, total);
  } catch {
    // NumPy drops leading unknown dimensions and prints later ones as "newaxis".
    let i = 0;
    while (i < sizes.length && (sizes[i] ?? 0) < 0) i++;
    const printed = sizes.slice(i).map((s, k) => (k > 0 && s < 0 ? 'newaxis' : String(s)));
    const shape = printed.length === 0 ? '()' : sizes.length === 1 ? `(${printed[0]},)` : `(${printed.join(',')})`;
    throw new EvaluationFailure(`cannot reshape array of size ${total} into shape ${shape}`, 'reshape-mismatch', at, 'ValueError');
  }
}
