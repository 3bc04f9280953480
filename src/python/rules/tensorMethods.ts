// Tensor methods and attributes (`x.view(...)`, `x.T`, `x.size(1)`) and their `torch.*` forms
// (`torch.flatten(x, 1)`), NumPy's array methods with NumPy's wording, and the in-place methods,
// which give the tensor's new value (the interpreter rebinds it and marks the old storage changed).
import { numel, type DType } from '../../core/tensor';
import { allKnown, isKnown, productOfDims, type Dim } from '../interpreter/dim';
import {
  exactInt, intOf, itemsOf, knownFlag, knownInt, PLACEHOLDER, sizeOf, tupleOf, UNKNOWN, type TensorValue, type Value,
} from '../interpreter/values';
import { filledTensor, fillNumber } from './factories';
import { Call, notStatic, shapedLike } from './context';
import { dtypeOfPath, LEGACY_TYPES, numpyDType, torchDType } from './dtypes';
import { matmul, tensorBinary } from './arithmetic';
import { messages } from './messages';
import { chunkShapes, reduceShape, repeatShape, splitShapes, viewShape, wrapDim } from './shapes';
import { cast, contiguous, copyOf, expand, flatten, narrow, permute, reshape, reverseDims, squeeze, transpose, unflatten, unsqueeze } from './views';

/** Methods whose result has the input's shape and dtype (values not computed). */
const SHAPE_PRESERVING = new Set([
  'relu', 'sigmoid', 'tanh', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'neg', 'clamp', 'clip', 'pow', 'sin', 'cos', 'log10', 'log2', 'log1p', 'expm1',
  'trunc', 'frac', 'floor', 'ceil', 'round', 'sign', 'reciprocal', 'square', 'masked_fill', 'pin_memory', 'softmax', 'log_softmax', 'cumsum',
  'cumprod', 'flip', 'roll', 'leaky_relu', 'gelu', 'silu', 'nan_to_num', 'erf', 'logit', 'tril', 'triu', 'to_dense', 'coalesce', 'atan', 'asin',
  'acos', 'sinh', 'cosh',
]);

/** In-place methods: the tensor's new value has its shape and dtype. */
const IN_PLACE = new Set([
  'relu_', 'sigmoid_', 'tanh_', 'clamp_', 'masked_fill_', 'fill_', 'zero_', 'normal_', 'uniform_', 'add_', 'sub_', 'mul_', 'div_', 'copy_',
  'exp_', 'log_', 'abs_', 'sqrt_', 'clamp_min_', 'clamp_max_', 'floor_', 'ceil_', 'round_', 'neg_', 'pow_', 'bernoulli_', 'random_',
  'exponential_', 'requires_grad_', 'share_memory_', 'detach_',
]);

/** In-place methods that leave the values as they are. */
const VALUE_PRESERVING_IN_PLACE = new Set(['requires_grad_', 'share_memory_', 'detach_']);

const CASTS: Readonly<Record<string, DType>> = { float: 'float32', double: 'float64', long: 'int64', int: 'int32', bool: 'bool' };

const ARITHMETIC_METHODS: Readonly<Record<string, string>> = {
  add: '+', sub: '-', subtract: '-', mul: '*', multiply: '*', div: '/', divide: '/', true_divide: '/', floor_divide: '//', remainder: '%',
  eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=',
};

/** Elementwise binaries whose values are not computed. */
const OTHER_BINARY = new Set(['pow', 'maximum', 'minimum', 'atan2']);

const REDUCTIONS = new Set(['sum', 'mean', 'prod', 'std', 'var', 'amax', 'amin', 'logsumexp', 'norm', 'all', 'any', 'argmax', 'argmin', 'max', 'min', 'median', 'count_nonzero', 'nansum', 'nanmean']);

export function isInPlaceMethod(name: string): boolean {
  return IN_PLACE.has(name);
}

export function changesValues(name: string): boolean {
  return IN_PLACE.has(name) && !VALUE_PRESERVING_IN_PLACE.has(name);
}

/** Whether `x.name(...)` changes only the tensor's `requires_grad` in place (its name then keeps the new flag). */
export function changesRequiresGrad(name: string): boolean {
  return name === 'requires_grad_' || name === 'detach_';
}

/** `x.name` without a call: a property, a bound method, or undefined when Conv Lab does not know it. */
export function tensorAttribute(call: Call, self: TensorValue, name: string): Value {
  switch (name) {
    case 'shape':
      return self.shape ? { kind: 'tuple', items: self.shape.map(intOf), torchSize: self.library !== 'numpy' } : UNKNOWN;
    case 'T':
      return reverseDims(call.ctx, self);
    case 'mT':
      return reverseDims(call.ctx, self, true);
    case 'data':
    case 'grad':
      // The same sizes, outside autograd.
      return { ...self, requiresGrad: false };
    case 'real':
      return self;
    case 'ndim':
      return intOf(self.shape?.length);
    case 'dtype':
      return self.dtype ? { kind: 'dtype', dtype: self.dtype, library: self.library ?? 'torch' } : UNKNOWN;
    default:
      return { kind: 'method', self, name };
  }
}

/** `x.<name>(...)` on a tensor or NumPy array. */
export function callTensorMethod(call: Call, self: TensorValue, name: string): Value {
  if (self.library === 'numpy') return callArrayMethod(call, self, name);
  const ctx = call.ctx;
  const p = call.positional;
  const cast0 = CASTS[name];
  if (cast0) {
    call.expect(0, ['memory_format']);
    return cast(ctx, self, cast0);
  }
  if (name === 'half' || name === 'bfloat16') return shapedLike(self, self.shape, undefined);
  if (SHAPE_PRESERVING.has(name)) {
    if ((name === 'softmax' || name === 'log_softmax') && self.shape) {
      const dim = knownInt(call.bind(['dim']).get('dim'));
      if (dim !== undefined) wrapDim(dim, self.shape.length);
    }
    return shapedLike(self, self.shape, self.dtype, notStatic(ctx.site));
  }
  if (IN_PLACE.has(name)) return inPlace(call, self, name);
  switch (name) {
    case 'to':
    case 'type':
      return toDType(call, self, name);
    case 'contiguous':
      call.expect(0, ['memory_format']);
      return contiguous(ctx, self);
    case 'clone':
      call.expect(0, ['memory_format']);
      return copyOf(ctx, self);
    case 'detach':
      call.expect(1, ['memory_format', 'non_blocking', 'device']);
      return { ...self, requiresGrad: false };
    case 'cpu':
    case 'cuda':
      call.expect(1, ['memory_format', 'non_blocking', 'device']);
      return self;
    case 'numpy':
      call.expect(0, ['force']);
      return { ...self, library: 'numpy', op: undefined };
    case 'size':
    case 'dim':
    case 'numel':
    case 'ndimension':
    case 'nelement':
      return shapeQuery(call, self, name);
    case 'item':
      return item(call, self);
    case 'tolist':
      return toList(call, self);
    case 'new_zeros':
    case 'new_ones':
    case 'new_empty':
      return filledTensor(ctx, call.sizes(0, 'size', 'SymInts'), self.dtype, name === 'new_zeros' ? 0 : name === 'new_ones' ? 1 : undefined);
    case 'new_full':
      return filledTensor(ctx, call.sizeList(call.required(0, 'size'), 0, 'size', 'SymInts'), self.dtype, fillNumber(call.required(1, 'fill_value')));
    case 'new_tensor': {
      // A copy of a tensor keeps its shape (its values, with self's dtype, are not followed).
      const data = call.positional[0] ?? call.keywords.get('data');
      return shapedLike(undefined, data?.kind === 'tensor' ? data.shape : undefined, call.keywords.has('dtype') ? undefined : self.dtype, notStatic(ctx.site));
    }
    case 'view_as':
    case 'reshape_as':
    case 'expand_as':
    case 'type_as': {
      const other = p[0];
      if (name === 'type_as') return cast(ctx, self, other?.kind === 'tensor' ? other.dtype : undefined);
      const sizes = other?.kind === 'tensor' ? other.shape : undefined;
      return name === 'expand_as' ? expand(ctx, self, sizes) : reshape(ctx, self, sizes, name === 'reshape_as');
    }
    case 'matmul':
    case 'mm':
    case 'bmm':
    case 'mv':
    case 'dot':
      return matmul(ctx, self, p[0] ?? UNKNOWN);
  }
  const operator = ARITHMETIC_METHODS[name];
  if (operator !== undefined) {
    const rounding = call.keywords.get('rounding_mode');
    // `rounding_mode='floor'` is floor division; 'trunc' is not computed.
    const op = rounding === undefined || rounding.kind === 'none' ? operator : rounding.kind === 'str' && rounding.value === 'floor' ? '//' : 'div_trunc';
    return tensorBinary(ctx, op, self, p[0] ?? call.keywords.get('other') ?? UNKNOWN);
  }
  if (OTHER_BINARY.has(name)) return tensorBinary(ctx, name, self, p[0] ?? call.keywords.get('other') ?? UNKNOWN);
  return tensorFunction(call, self, name);
}

/**
 * Operations with a method form and a `torch.*` form (`x.flatten(1)`, `torch.flatten(x, 1)`);
 * `call` holds the arguments after the tensor.
 */
export function tensorFunction(call: Call, self: TensorValue, name: string): Value {
  const ctx = call.ctx;
  const p = call.positional;
  const shape = self.shape;
  switch (name) {
    case 'view':
      if (p.length === 1 && p[0]?.kind === 'dtype') return shapedLike(self, undefined, undefined, notStatic(ctx.site));
      return reshape(ctx, self, call.sizes(0, 'size', 'SymInts'), false);
    case 'reshape':
      return reshape(ctx, self, call.sizes(0, 'shape', 'SymInts'), true);
    case 'flatten': {
      call.expect(2, ['start_dim', 'end_dim']);
      const start = call.int(0, 'start_dim') ?? (call.arg(0, 'start_dim') ? undefined : 0);
      const end = call.int(1, 'end_dim') ?? (call.arg(1, 'end_dim') ? undefined : -1);
      return start === undefined || end === undefined ? shapedLike(self, undefined) : flatten(ctx, self, start, end);
    }
    case 'unflatten': {
      const b = call.bind(['dim', 'sizes']);
      const dim = knownInt(b.get('dim'));
      const sizes = call.sizeList(b.get('sizes') ?? UNKNOWN, 1, 'sizes', 'ints');
      return dim === undefined || !sizes ? shapedLike(self, undefined) : unflatten(ctx, self, dim, sizes);
    }
    case 'permute':
      return permute(ctx, self, knownInts(call.sizes(0, 'dims')));
    case 'transpose':
    case 'swapaxes':
    case 'swapdims': {
      const b = call.bind(['dim0', 'dim1']);
      return transpose(ctx, self, knownInt(b.get('dim0')), knownInt(b.get('dim1')));
    }
    case 't':
      return shape && shape.length < 2 ? self : transpose(ctx, self, 0, 1);
    case 'squeeze': {
      const dim = call.bind(['dim']).get('dim');
      return squeeze(ctx, self, dim === undefined ? 'all' : knownInt(dim));
    }
    case 'unsqueeze': {
      call.expect(1, ['dim']);
      return unsqueeze(ctx, self, call.int(0, 'dim'));
    }
    case 'expand':
      return expand(ctx, self, call.sizes(0, 'size', 'SymInts'));
    case 'repeat': {
      const sizes = call.sizes(0, 'repeats', 'SymInts');
      return shape && sizes ? shapedLike(self, repeatShape(shape, sizes), self.dtype, notStatic(ctx.site)) : shapedLike(self, undefined);
    }
    case 'narrow': {
      const b = call.bind(['dim', 'start', 'length']);
      const d = knownInt(b.get('dim'));
      const length = sizeOf(b.get('length'));
      if (!shape || d === undefined || length === undefined) return shapedLike(self, undefined);
      return narrow(ctx, self, d, knownInt(b.get('start')), length);
    }
    case 'unfold': {
      // Windows of `size` every `step` along `dim`: that dim becomes their count, and `size` a new last dim.
      const b = call.bind(['dimension', 'size', 'step']);
      const d = knownInt(b.get('dimension'));
      const size = knownInt(b.get('size'));
      const step = knownInt(b.get('step'));
      if (!shape || shape.length === 0 || d === undefined || size === undefined || step === undefined) return shapedLike(self, undefined);
      const w = wrapDim(d, shape.length);
      const n = shape[w];
      // Where PyTorch refuses (a window longer than the dim, a step below 1) the result is not known; its message is not reported.
      if (typeof n !== 'number' || size < 0 || size > n || step < 1) return shapedLike(self, undefined);
      return shapedLike(self, [...shape.slice(0, w), Math.floor((n - size) / step) + 1, ...shape.slice(w + 1), size]);
    }
    case 'split':
    case 'chunk':
    case 'tensor_split':
      return pieces(call, self, name);
    case 'unbind': {
      const d = knownInt(call.bind(['dim']).get('dim') ?? intOf(0));
      if (!shape || d === undefined) return UNKNOWN;
      const w = wrapDim(d, shape.length);
      const count = shape[w] as Dim;
      return isKnown(count) && count <= 4096 ? tupleOf(Array.from({ length: count }, (_, i) => narrow(ctx, self, w, i, 1, false))) : UNKNOWN;
    }
    case 'index_select': {
      const b = call.bind(['dim', 'index']);
      const d = knownInt(b.get('dim'));
      const index = b.get('index');
      if (!shape || d === undefined || index?.kind !== 'tensor' || !index.shape) return shapedLike(self, undefined);
      const w = wrapDim(d, shape.length);
      return shapedLike(self, shape.map((s, i) => (i === w ? (index.shape?.[0] ?? 1) : s)), self.dtype, notStatic(ctx.site));
    }
    case 'softmax':
    case 'log_softmax': {
      const d = knownInt(call.bind(['dim']).get('dim'));
      if (shape && d !== undefined) wrapDim(d, shape.length);
      return shapedLike(self, shape, self.dtype, notStatic(ctx.site));
    }
    case 'topk':
    case 'kthvalue':
    case 'sort': {
      if (!shape) return UNKNOWN;
      if (name === 'sort') return tupleOf([shapedLike(self, shape, self.dtype, notStatic(ctx.site)), shapedLike(self, shape, 'int64', notStatic(ctx.site))]);
      const b = call.bind(['k', 'dim', name === 'topk' ? 'largest' : 'keepdim']);
      const k = sizeOf(b.get('k'));
      const d = b.has('dim') ? knownInt(b.get('dim')) : -1;
      if (k === undefined || d === undefined) return UNKNOWN;
      const w = wrapDim(d, shape.length);
      const out = name === 'topk' ? shape.map((s, i) => (i === w ? k : s)) : reduceShape(shape, [d], boolOr(b.get('keepdim'), false));
      return tupleOf([shapedLike(self, out, self.dtype, notStatic(ctx.site)), shapedLike(self, out, 'int64', notStatic(ctx.site))]);
    }
  }
  if (REDUCTIONS.has(name)) return reduction(call, self, name);
  return shapedLike(self, undefined, undefined, notStatic(ctx.site));
}

function knownInts(sizes: readonly Dim[] | undefined): number[] | undefined {
  return sizes && allKnown(sizes) ? [...sizes] : undefined;
}

function boolOr(v: Value | undefined, fallback: boolean): boolean {
  return v?.kind === 'bool' && v.value !== undefined ? v.value : fallback;
}

/** `x.size()`, `x.size(1)`, `x.dim()`, `x.numel()`. */
function shapeQuery(call: Call, self: TensorValue, name: string): Value {
  const shape = self.shape;
  const dimArg = call.arg(0, 'dim');
  if (!shape) return name === 'size' && !dimArg ? UNKNOWN : intOf(undefined);
  if (name === 'dim' || name === 'ndimension') return intOf(shape.length);
  if (name === 'numel' || name === 'nelement') return intOf(productOfDims(shape));
  if (dimArg === undefined) return { kind: 'tuple', items: shape.map(intOf), torchSize: true };
  const d = call.int(0, 'dim');
  return d === undefined ? intOf(undefined) : intOf(shape[wrapDim(d, shape.length)]);
}

/** `x.item()`: the one element as a Python number, when the values are known. */
function item(call: Call, self: TensorValue): Value {
  const t = self.elements && self.shape && allKnown(self.shape) && numel(self.shape) === 1 ? call.ctx.read(self) : undefined;
  if (self.shape && allKnown(self.shape) && numel(self.shape) !== 1) throw messages.onlyOneElementTensors();
  const x = t?.data[0];
  if (x === undefined) return self.dtype === 'int64' || self.dtype === 'int32' ? intOf(undefined) : self.dtype === 'bool' ? { kind: 'bool', value: undefined } : { kind: 'float', value: undefined };
  if (typeof x === 'bigint') return exactInt(x);
  if (self.dtype === 'int32') return intOf(x);
  if (self.dtype === 'bool') return { kind: 'bool', value: x !== 0 };
  return { kind: 'float', value: x };
}

/** `x.tolist()`: nested lists of Python numbers, when the values are known. */
function toList(call: Call, self: TensorValue): Value {
  const t = self.elements ? call.ctx.read(self) : undefined;
  if (!t) return UNKNOWN;
  let at = 0;
  const scalar = (): Value => {
    const x = t.data[at++] as number | bigint;
    if (typeof x === 'bigint') return exactInt(x);
    if (t.dtype === 'int32') return intOf(x);
    if (t.dtype === 'bool') return { kind: 'bool', value: x !== 0 };
    return { kind: 'float', value: x };
  };
  const build = (dim: number): Value => (dim === t.shape.length ? scalar() : { kind: 'list', items: Array.from({ length: t.shape[dim] ?? 0 }, () => build(dim + 1)) });
  return build(0);
}

/** `.to(dtype)`, `.to(other)`, `.to(device)`, `.type(torch.DoubleTensor)`. */
function toDType(call: Call, self: TensorValue, name: string): Value {
  call.expect(2, ['dtype', 'device', 'non_blocking', 'copy', 'memory_format', 'other']);
  const ctx = call.ctx;
  const dtypeValue = call.keywords.get('dtype') ?? call.positional.find((v) => v.kind === 'dtype' || (v.kind === 'path' && (dtypeOfPath(v.path) !== undefined || LEGACY_TYPES.has(v.path) || v.path === 'float' || v.path === 'int' || v.path === 'bool')));
  const other = call.positional[0]?.kind === 'tensor' ? call.positional[0] : undefined;
  if (!dtypeValue && !other) {
    // `.to('cpu')`, `.to(device)`: the same tensor, when every argument is a device or a flag.
    const keeps = call.positional.every((v) => v.kind === 'str' || v.kind === 'bool') && !call.keywords.has('dtype');
    return keeps ? self : shapedLike(self, self.shape, undefined, notStatic(ctx.site));
  }
  const legacy = dtypeValue?.kind === 'path' ? LEGACY_TYPES.get(dtypeValue.path) : undefined;
  const dtype = other ? other.dtype : legacy ?? (dtypeValue ? torchDType(dtypeValue, name, call.argSite(0, 'dtype')) : undefined);
  return cast(ctx, self, dtype);
}

/** An in-place method: the tensor's new value (its shape and dtype, its values when computed). */
function inPlace(call: Call, self: TensorValue, name: string): Value {
  const ctx = call.ctx;
  if (name === 'requires_grad_') return { ...self, requiresGrad: knownFlag(call.positional[0] ?? call.keywords.get('requires_grad'), true) };
  if (name === 'detach_') return { ...self, requiresGrad: false };
  if (VALUE_PRESERVING_IN_PLACE.has(name)) return self;
  const operator = ARITHMETIC_METHODS[name.slice(0, -1)];
  if (operator !== undefined) return tensorBinary(ctx, operator, self, call.positional[0] ?? call.keywords.get('other') ?? UNKNOWN, true);
  if (name === 'zero_' || name === 'fill_') {
    const filled = filledTensor(ctx, self.shape, self.dtype, name === 'zero_' ? 0 : fillNumber(call.positional[0]));
    return { ...filled, origin: self.origin };
  }
  if (name === 'copy_') {
    const source = call.positional[0];
    if (source?.kind !== 'tensor') return shapedLike(self, self.shape, self.dtype, notStatic(ctx.site));
    const expanded = expand(ctx, source, self.shape);
    return { ...copyOf(ctx, expanded, self.shape, self.dtype), origin: self.origin };
  }
  const random = name === 'normal_' || name === 'uniform_' || name === 'bernoulli_' || name === 'random_' || name === 'exponential_';
  return shapedLike(self, self.shape, self.dtype, random ? PLACEHOLDER : notStatic(ctx.site));
}

/** `split`, `chunk`, `tensor_split`: views along one dimension. */
function pieces(call: Call, self: TensorValue, name: string): Value {
  const shape = self.shape;
  const b = call.bind([name === 'split' ? 'split_size_or_sections' : name === 'chunk' ? 'chunks' : 'indices_or_sections', 'dim']);
  const dim = b.has('dim') ? knownInt(b.get('dim')) : 0;
  const first = b.values().next().value;
  const count = knownInt(first);
  const sections = itemsOf(first)?.map(knownInt);
  if (!shape || dim === undefined) return UNKNOWN;
  const parts = name === 'chunk'
    ? count === undefined ? undefined : chunkShapes(shape, count, dim)
    : name === 'split' ? (count !== undefined ? splitShapes(shape, count, dim) : sections?.every((s) => s !== undefined) ? splitShapes(shape, sections as number[], dim) : undefined) : undefined;
  if (!parts) return UNKNOWN;
  const d = wrapDim(dim, shape.length);
  let start = 0;
  return tupleOf(parts.map((partShape) => {
    const length = partShape[d] as Dim;
    const piece = narrow(call.ctx, self, d, start, length);
    start += isKnown(length) ? length : Number.NaN;
    return piece;
  }));
}

function reduction(call: Call, self: TensorValue, name: string): Value {
  const shape = self.shape;
  const b = call.bind(name === 'norm' ? ['p', 'dim', 'keepdim'] : ['dim', 'keepdim']);
  const dimValue = b.get('dim');
  const keepdim = boolOr(b.get('keepdim'), false);
  const indexDType: DType | undefined = name === 'argmax' || name === 'argmin' || name === 'count_nonzero' ? 'int64' : name === 'all' || name === 'any' ? 'bool' : self.dtype;
  const why = notStatic(call.ctx.site);
  if (!shape) return shapedLike(self, undefined, indexDType, why);
  if (dimValue === undefined || dimValue.kind === 'none') return shapedLike(self, reduceShape(shape, undefined, keepdim), indexDType, why);
  const dims = itemsOf(dimValue)?.map(knownInt) ?? [knownInt(dimValue)];
  if (!dims.every((d): d is number => d !== undefined)) return shapedLike(self, undefined, indexDType, why);
  const out = reduceShape(shape, dims, keepdim);
  // max/min/median along a dim return (values, indices).
  if (name === 'max' || name === 'min' || name === 'median') return tupleOf([shapedLike(self, out, self.dtype, why), shapedLike(self, out, 'int64', why)]);
  return shapedLike(self, out, indexDType, why);
}

// ---------------------------------------------------------------------------------------------
// NumPy arrays.

/** NumPy's array methods, with NumPy's messages. */
function callArrayMethod(call: Call, self: TensorValue, name: string): Value {
  const ctx = call.ctx;
  const shape = self.shape;
  switch (name) {
    case 'reshape': {
      call.expect(Infinity, ['shape', 'newshape', 'order']);
      const sizes = call.sizes(0, 'shape');
      if (!shape || !sizes) return shapedLike(self, undefined);
      if (sizes.filter((s) => s === -1).length > 1) throw messages.numpyOneUnknown(ctx.site);
      try {
        viewShape(shape, sizes);
      } catch (e) {
        if (allKnown(shape) && allKnown(sizes)) throw messages.numpyReshape(numel(shape), sizes, ctx.site);
        throw e;
      }
      return reshape(ctx, self, sizes, true);
    }
    case 'transpose': {
      call.expect(Infinity, ['axes']);
      if (!shape) return shapedLike(self, undefined);
      const axes = call.positional.length === 0 && !call.keywords.has('axes') ? shape.map((_, d) => shape.length - 1 - d) : knownInts(call.sizes(0, 'axes'));
      if (axes && axes.length !== shape.length) throw messages.numpyAxesMismatch(ctx.site);
      return permute(ctx, self, axes);
    }
    case 'flatten':
    case 'ravel':
      call.expect(1, ['order']);
      return shape ? copyOf(ctx, self, [productOfDims(shape)]) : shapedLike(self, undefined);
    case 'astype': {
      call.expect(1, ['dtype', 'order', 'casting', 'subok', 'copy']);
      const d = call.required(0, 'dtype');
      return cast(ctx, self, numpyDType(d, call.argSite(0, 'dtype')), true);
    }
    case 'squeeze': {
      call.expect(1, ['axis']);
      const axisValue = call.arg(0, 'axis');
      if (!axisValue) return squeeze(ctx, self, 'all');
      const axis = call.int(0, 'axis');
      if (!shape || axis === undefined) return shapedLike(self, undefined);
      const rank = shape.length;
      if (axis < -rank || axis >= rank) throw messages.numpyAxisOutOfBounds(axis, rank, ctx.site);
      const size = shape[axis < 0 ? axis + rank : axis] as Dim;
      if (isKnown(size) && size !== 1) throw messages.numpySqueezeNotOne(ctx.site);
      return squeeze(ctx, self, axis);
    }
    case 'copy':
      call.expect(1, ['order']);
      return copyOf(ctx, self);
    case 'dot':
      return matmul(ctx, self, call.positional[0] ?? UNKNOWN);
  }
  return shapedLike(self, undefined, undefined, notStatic(ctx.site));
}
