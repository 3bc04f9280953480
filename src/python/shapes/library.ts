// What PyTorch's functions, tensor methods, torch.nn constructors and Python's builtins do to
// shapes. Each entry binds its arguments by PyTorch's signature (positional or keyword), reads
// the ints and sizes it needs, and returns the result's abstract value; a TorchError thrown here
// becomes a diagnostic at the call.
import { TorchError } from '../../core/errors';
import type { DType } from '../../core/tensor';
import { expandInts } from '../../core/geometry';
import { dtypeOfPath } from '../dtypes';
import { CONV_LAYER_SIGNATURES } from '../layers';
import { promoteTypes, wrapDim } from '../strided';
import { addDims, allKnown, floorDivDims, isKnown, mulDims, productOfDims, subDims, type Dim } from './dim';
import { applyConv, convLayer, interpolateShape, linearShape, pixelShuffleShape, type Layer } from './layers';
import {
  broadcastShapes, catShape, chunkShapes, expandShape, flattenShape, indexOutOfRange, matmulShape, padShape, permuteShape, reduceShape, repeatShape,
  splitShapes, squeezeShape, stackShape, transposeShape, unflattenShape, unsqueezeShape, UNKNOWN_DIM, viewShape,
} from './tensorShapes';
import { intOf, itemsOf, knownInt, knownNumber, NONE, sizeOf, sizesOf, tensorOf, tupleOf, UNKNOWN, type Value } from './values';

export interface CallArgs {
  readonly positional: readonly Value[];
  readonly keywords: ReadonlyMap<string, Value>;
  /** `*xs` / `**kw` were passed: positions and keywords are not all known. */
  readonly spread: boolean;
}

export interface LibraryContext {
  /** The tensor a literal call (`torch.tensor([[1, 2]])`) evaluates to, read by the value evaluator. */
  literalTensor(): Value;
  /** Calls any callable value (a layer, a user module, a function) with these arguments. */
  call(callee: Value, args: CallArgs): Value;
}

type Tensor = Extract<Value, { kind: 'tensor' }>;

/** Binds call arguments to a signature's parameter names. */
function bind(args: CallArgs, names: readonly string[]): Map<string, Value> {
  const bound = new Map<string, Value>();
  args.positional.forEach((v, i) => {
    const name = names[i];
    if (name !== undefined) bound.set(name, v);
  });
  for (const [k, v] of args.keywords) bound.set(k, v);
  return bound;
}

function shapeOf(v: Value | undefined): readonly Dim[] | undefined {
  return v?.kind === 'tensor' ? v.shape : undefined;
}

function dtypeOf(v: Value | undefined): DType | undefined {
  return v?.kind === 'tensor' ? v.dtype : undefined;
}

/** Sizes given as varargs (`view(2, 3)`), one sequence (`view((2, 3))`, `size=[2, 3]`), or a torch.Size. */
function sizeArgs(args: readonly Value[]): Dim[] | undefined {
  const first = args[0];
  const list = args.length === 1 && first && (first.kind === 'list' || first.kind === 'tuple') ? first.items : args;
  const sizes = list.map(sizeOf);
  return sizes.every((s): s is Dim => s !== undefined) ? sizes : undefined;
}

function knownInts(v: Value | undefined): number[] | undefined {
  const sizes = sizesOf(v);
  if (!sizes || !sizes.every((s): s is number => typeof s === 'number')) return undefined;
  return sizes;
}

function intOr(v: Value | undefined, fallback: number): number | undefined {
  return v === undefined || v.kind === 'none' ? fallback : knownInt(v);
}

function boolOr(v: Value | undefined, fallback: boolean): boolean {
  if (v?.kind === 'bool' && v.value !== undefined) return v.value;
  return fallback;
}

/** Legacy tensor type names `.type()` takes, beside the dtypes. */
const LEGACY_TYPES: ReadonlyMap<string, DType> = new Map([
  ['torch.FloatTensor', 'float32'], ['torch.DoubleTensor', 'float64'], ['torch.LongTensor', 'int64'], ['torch.IntTensor', 'int32'], ['torch.BoolTensor', 'bool'],
]);

function dtypeArg(v: Value | undefined): DType | undefined {
  if (v?.kind !== 'path') return undefined;
  return dtypeOfPath(v.path)?.dtype ?? LEGACY_TYPES.get(v.path);
}

/** A result with `shape`; it keeps `self`'s origin when the op kept its very shape (relu, dropout, detach...). */
function tensorWith(self: Value | undefined, shape: readonly Dim[] | undefined): Value {
  return tensorAs(self, shape, dtypeOf(self));
}

/** tensorWith with another dtype (`undefined`: unknown). */
function tensorAs(self: Value | undefined, shape: readonly Dim[] | undefined, dtype: DType | undefined): Value {
  const origin = self?.kind === 'tensor' && shape !== undefined && shape === self.shape ? self.origin : undefined;
  return { kind: 'tensor', shape, dtype, origin };
}

function factoryShape(args: CallArgs, leading: number): Dim[] | undefined {
  const sized = args.positional.slice(leading);
  const size = args.keywords.get('size');
  return size ? sizeArgs([size]) : sizeArgs(sized);
}

// ---------------------------------------------------------------------------------------------
// Tensor methods and their torch.* function forms (`x.view(...)` and `torch.flatten(x, ...)`).

const IDENTITY_METHODS = new Set([
  'contiguous', 'clone', 'detach', 'cpu', 'cuda', 'requires_grad_', 'relu', 'relu_', 'sigmoid', 'sigmoid_', 'tanh', 'tanh_', 'abs', 'exp', 'log',
  'sqrt', 'rsqrt', 'neg', 'clamp', 'clamp_', 'clip', 'pow', 'sin', 'cos', 'log10', 'log2', 'log1p', 'expm1', 'trunc', 'frac', 'floor', 'ceil', 'round', 'sign', 'reciprocal', 'square', 'masked_fill',
  'masked_fill_', 'fill_', 'zero_', 'normal_', 'uniform_', 'add_', 'sub_', 'mul_', 'div_', 'copy_', 'detach_', 'pin_memory', 'share_memory_',
  'softmax', 'log_softmax', 'cumsum', 'cumprod', 'flip', 'roll', 'numpy', 'exp_', 'log_', 'abs_', 'sqrt_', 'leaky_relu', 'gelu', 'silu',
  'nan_to_num', 'erf', 'sigmoid', 'logit', 'tril', 'triu', 'half', 'bfloat16', 'to_dense', 'coalesce',
]);

const DTYPE_METHODS: Record<string, DType> = { float: 'float32', double: 'float64', long: 'int64', int: 'int32', bool: 'bool' };

const TRUE_DIVISIONS = new Set(['div', 'divide', 'true_divide']);

const REDUCTIONS = new Set(['sum', 'mean', 'prod', 'std', 'var', 'amax', 'amin', 'logsumexp', 'norm', 'all', 'any', 'argmax', 'argmin', 'max', 'min', 'median', 'count_nonzero', 'nansum', 'nanmean']);

const ELEMENTWISE_BINARY = new Set(['add', 'sub', 'mul', 'div', 'true_divide', 'floor_divide', 'remainder', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'atan2', 'subtract', 'multiply', 'divide']);

/** `x.<name>(...)` on a tensor. */
export function callTensorMethod(self: Tensor, name: string, args: CallArgs): Value {
  const shape = self.shape;
  const p = args.positional;
  if (name in DTYPE_METHODS) return tensorAs(self, shape, DTYPE_METHODS[name]);
  if (IDENTITY_METHODS.has(name)) {
    if ((name === 'softmax' || name === 'log_softmax') && shape) {
      const dim = knownInt(bind(args, ['dim']).get('dim'));
      if (dim !== undefined) wrapDim(dim, shape.length);
    }
    return tensorWith(self, shape);
  }
  if (name === 'to' || name === 'type') {
    const dtype = dtypeArg(args.keywords.get('dtype')) ?? p.map(dtypeArg).find((d) => d !== undefined) ?? (p[0]?.kind === 'tensor' ? p[0].dtype : undefined);
    // `.to(device)` with a device we cannot read might be a dtype too: the dtype is then unknown.
    const keeps = p.every((v) => v.kind === 'str' || v.kind === 'bool') && !args.keywords.has('dtype');
    return tensorAs(self, shape, dtype ?? (keeps ? dtypeOf(self) : undefined));
  }
  if (name === 'size' || name === 'dim' || name === 'numel' || name === 'ndimension' || name === 'nelement') return shapeQuery(self, name, p[0] ?? args.keywords.get('dim'));
  if (name === 'item') return { kind: 'float', value: undefined };
  if (name === 'tolist') return UNKNOWN;
  if (name === 'new_zeros' || name === 'new_ones' || name === 'new_empty' || name === 'new_full' || name === 'new_tensor') {
    return name === 'new_tensor' ? tensorOf(undefined, dtypeOf(self)) : tensorOf(sizeArgs(name === 'new_full' ? p.slice(0, 1) : p), dtypeOf(self));
  }
  if (name === 'view_as' || name === 'reshape_as' || name === 'expand_as' || name === 'type_as') {
    const other = shapeOf(p[0]);
    if (name === 'type_as') return tensorAs(self, shape, dtypeOf(p[0]));
    if (!shape || !other) return tensorOf(other, dtypeOf(self));
    return tensorWith(self, name === 'expand_as' ? expandShape(shape, other) : viewShape(shape, other));
  }
  if (ELEMENTWISE_BINARY.has(name) || ELEMENTWISE_BINARY.has(name.replace(/_$/, ''))) {
    return binaryTensorOp(self, p[0] ?? args.keywords.get('other') ?? UNKNOWN, name.endsWith('_'), TRUE_DIVISIONS.has(name.replace(/_$/, '')) && args.keywords.get('rounding_mode') === undefined);
  }
  if (['matmul', 'mm', 'bmm', 'mv', 'dot'].includes(name)) return matmul(self, p[0] ?? UNKNOWN);
  if (!shape) return tensorOf(undefined, name === 'argmax' || name === 'argmin' ? 'int64' : dtypeOf(self));
  return tensorFunction(name, self, shape, args, true);
}

/** `x.size()`, `x.size(1)`, `x.dim()`, `x.numel()`. */
function shapeQuery(self: Tensor, name: string, dimArg: Value | undefined): Value {
  const shape = self.shape;
  if (!shape) return name === 'size' && !dimArg ? UNKNOWN : intOf(undefined);
  if (name === 'dim' || name === 'ndimension') return intOf(shape.length);
  if (name === 'numel' || name === 'nelement') return intOf(productOfDims(shape));
  if (dimArg === undefined) return tupleOf(shape.map(intOf));
  const d = knownInt(dimArg);
  return d === undefined ? intOf(undefined) : intOf(shape[wrapDim(d, shape.length)]);
}

/** Operations shared by `x.op(...)` and `torch.op(x, ...)`; `method` says which form bound `args` (torch's form has the tensor first). */
function tensorFunction(name: string, self: Tensor, shape: readonly Dim[], args: CallArgs, method: boolean): Value {
  const rest: CallArgs = method ? args : { ...args, positional: args.positional.slice(1) };
  const p = rest.positional;
  switch (name) {
    case 'view':
    case 'reshape': {
      const sizes = sizeArgs(p) ?? (rest.keywords.get('shape') ? sizeArgs([rest.keywords.get('shape') as Value]) : undefined);
      return sizes ? tensorWith(self, viewShape(shape, sizes)) : tensorWith(self, undefined);
    }
    case 'flatten': {
      const b = bind(rest, ['start_dim', 'end_dim']);
      const start = intOr(b.get('start_dim'), 0);
      const end = intOr(b.get('end_dim'), -1);
      return start === undefined || end === undefined ? tensorWith(self, undefined) : tensorWith(self, flattenShape(shape, start, end));
    }
    case 'unflatten': {
      const b = bind(rest, ['dim', 'sizes']);
      const dim = knownInt(b.get('dim'));
      const sizes = sizeArgs([b.get('sizes') ?? UNKNOWN]);
      return dim === undefined || !sizes ? tensorWith(self, undefined) : tensorWith(self, unflattenShape(shape, dim, sizes));
    }
    case 'permute': {
      const dims = knownIntList(p, rest.keywords.get('dims'));
      return dims ? tensorWith(self, permuteShape(shape, dims)) : tensorWith(self, shape.map(() => UNKNOWN_DIM));
    }
    case 'transpose':
    case 'swapaxes':
    case 'swapdims': {
      const b = bind(rest, ['dim0', 'dim1']);
      const [a, c] = [knownInt(b.get('dim0')), knownInt(b.get('dim1'))];
      return a === undefined || c === undefined ? tensorWith(self, shape.map(() => UNKNOWN_DIM)) : tensorWith(self, transposeShape(shape, a, c));
    }
    case 't':
      return tensorWith(self, shape.length < 2 ? shape : transposeShape(shape, 0, 1));
    case 'squeeze': {
      const dim = bind(rest, ['dim']).get('dim');
      if (dim === undefined) return tensorWith(self, allKnown(shape) ? squeezeShape(shape) : undefined);
      const d = knownInt(dim);
      return d === undefined ? tensorWith(self, undefined) : tensorWith(self, squeezeShape(shape, d));
    }
    case 'unsqueeze': {
      const d = knownInt(bind(rest, ['dim']).get('dim'));
      return d === undefined ? tensorWith(self, undefined) : tensorWith(self, unsqueezeShape(shape, d));
    }
    case 'expand': {
      const sizes = sizeArgs(p) ?? sizeArgs([rest.keywords.get('size') ?? UNKNOWN]);
      return sizes ? tensorWith(self, expandShape(shape, sizes)) : tensorWith(self, undefined);
    }
    case 'repeat': {
      const sizes = sizeArgs(p);
      return sizes ? tensorWith(self, repeatShape(shape, sizes)) : tensorWith(self, undefined);
    }
    case 'split':
    case 'chunk':
    case 'tensor_split': {
      const b = bind(rest, [name === 'split' ? 'split_size_or_sections' : name === 'chunk' ? 'chunks' : 'indices_or_sections', 'dim']);
      const dim = intOr(b.get('dim'), 0);
      const first = b.values().next().value;
      const count = knownInt(first);
      const sections = knownInts(first);
      if (dim === undefined) return UNKNOWN;
      const parts = name === 'chunk'
        ? count === undefined ? undefined : chunkShapes(shape, count, dim)
        : name === 'split' ? (count !== undefined ? splitShapes(shape, count, dim) : sections ? splitShapes(shape, sections, dim) : undefined) : undefined;
      return parts ? tupleOf(parts.map((s) => tensorWith(self, s))) : UNKNOWN;
    }
    case 'narrow': {
      const b = bind(rest, ['dim', 'start', 'length']);
      const d = knownInt(b.get('dim'));
      const length = sizeOf(b.get('length'));
      if (d === undefined || length === undefined) return tensorWith(self, undefined);
      const w = wrapDim(d, shape.length);
      return tensorWith(self, shape.map((s, i) => (i === w ? length : s)));
    }
    case 'index_select': {
      const b = bind(rest, ['dim', 'index']);
      const d = knownInt(b.get('dim'));
      const index = shapeOf(b.get('index'));
      if (d === undefined || !index) return tensorWith(self, undefined);
      const w = wrapDim(d, shape.length);
      return tensorWith(self, shape.map((s, i) => (i === w ? (index[0] ?? 1) : s)));
    }
    case 'softmax':
    case 'log_softmax': {
      const d = knownInt(bind(rest, ['dim']).get('dim'));
      if (d !== undefined) wrapDim(d, shape.length);
      return tensorWith(self, shape);
    }
    case 'unbind': {
      const d = intOr(bind(rest, ['dim']).get('dim'), 0);
      if (d === undefined) return UNKNOWN;
      const w = wrapDim(d, shape.length);
      const count = shape[w] as Dim;
      const part = tensorWith(self, shape.filter((_, i) => i !== w));
      return isKnown(count) && count <= 4096 ? tupleOf(Array.from({ length: count }, () => part)) : UNKNOWN;
    }
    case 'topk':
    case 'kthvalue':
    case 'sort': {
      if (name === 'sort') return tupleOf([tensorWith(self, shape), tensorAs(self, shape, 'int64')]);
      const b = bind(rest, [name === 'topk' ? 'k' : 'k', 'dim', name === 'topk' ? 'largest' : 'keepdim']);
      const k = sizeOf(b.get('k'));
      const d = intOr(b.get('dim'), -1);
      if (k === undefined || d === undefined) return UNKNOWN;
      const w = wrapDim(d, shape.length);
      const out = name === 'topk' ? shape.map((s, i) => (i === w ? k : s)) : reduceShape(shape, [d], boolOr(b.get('keepdim'), false));
      return tupleOf([tensorWith(self, out), tensorAs(self, out, 'int64')]);
    }
    case 'matmul':
    case 'mm':
    case 'bmm':
      return matmul(self, p[0] ?? UNKNOWN);
  }
  if (REDUCTIONS.has(name)) return reduction(name, self, shape, rest);
  return tensorWith(self, undefined);
}

function knownIntList(positional: readonly Value[], keyword: Value | undefined): number[] | undefined {
  if (keyword) return knownInts(keyword);
  const first = positional[0];
  if (positional.length === 1 && first && (first.kind === 'list' || first.kind === 'tuple')) return knownInts(first);
  const ints = positional.map(knownInt);
  return ints.every((i): i is number => i !== undefined) ? ints : undefined;
}

function reduction(name: string, self: Tensor, shape: readonly Dim[], args: CallArgs): Value {
  const b = bind(args, name === 'norm' ? ['p', 'dim', 'keepdim'] : ['dim', 'keepdim']);
  const dimValue = b.get('dim');
  const keepdim = boolOr(b.get('keepdim'), false);
  const indexDType = name === 'argmax' || name === 'argmin' || name === 'count_nonzero' ? 'int64' : name === 'all' || name === 'any' ? 'bool' : dtypeOf(self);
  if (dimValue === undefined || dimValue.kind === 'none') return tensorAs(self, reduceShape(shape, undefined, keepdim), indexDType);
  const dims = knownInts(dimValue);
  if (!dims) return tensorAs(self, undefined, indexDType);
  const out = reduceShape(shape, dims, keepdim);
  // max/min/median along a dim return (values, indices).
  if (name === 'max' || name === 'min' || name === 'median') return tupleOf([tensorWith(self, out), tensorAs(self, out, 'int64')]);
  return tensorAs(self, out, indexDType);
}

function matmul(a: Value, b: Value): Value {
  const [x, y] = [shapeOf(a), shapeOf(b)];
  if (!x || !y) return tensorOf(undefined, dtypeOf(a));
  return tensorOf(matmulShape(x, y), dtypeOf(a));
}

/** Arithmetic between a tensor and a tensor or number: broadcasting, with PyTorch's result type where both are known. */
export function binaryTensorOp(a: Value, b: Value, inPlace = false, trueDivision = false): Value {
  const [x, y] = [shapeOf(a), shapeOf(b)];
  const promoted = resultType(a, b);
  // `/` of integers is true division: the default float dtype.
  const dtype = trueDivision && promoted !== undefined && promoted !== 'float64' ? 'float32' : promoted;
  if (a.kind === 'tensor' && b.kind !== 'tensor') return tensorOf(x, dtype);
  if (b.kind === 'tensor' && a.kind !== 'tensor') return tensorOf(y, dtype);
  if (!x || !y) return tensorOf(undefined, dtype);
  const out = broadcastShapes(x, y);
  return tensorOf(inPlace ? x : out, inPlace ? dtypeOf(a) : dtype);
}

/** PyTorch's result type: tensors promote; a Python float makes an integer tensor float32, an int keeps the tensor's type. */
function resultType(a: Value, b: Value): DType | undefined {
  const [x, y] = [dtypeOf(a), dtypeOf(b)];
  if (a.kind === 'tensor' && b.kind === 'tensor') return x && y ? promoteTypes(x, y) : undefined;
  const t = a.kind === 'tensor' ? x : y;
  const scalar = a.kind === 'tensor' ? b : a;
  if (scalar.kind === 'float') return t === 'float64' ? t : t && 'float32';
  return scalar.kind === 'int' ? (t === 'bool' ? 'int64' : t) : scalar.kind === 'bool' ? t : undefined;
}

// ---------------------------------------------------------------------------------------------
// torch.* and torch.nn.functional.* functions.

const FACTORIES = new Set(['zeros', 'ones', 'empty', 'rand', 'randn']);
const LIKE_FACTORIES = new Set(['zeros_like', 'ones_like', 'empty_like', 'rand_like', 'randn_like', 'full_like', 'randint_like']);
const LITERALS = new Set(['tensor', 'as_tensor', 'Tensor', 'FloatTensor', 'DoubleTensor', 'LongTensor', 'IntTensor', 'BoolTensor', 'from_numpy']);

/** F.* functions that keep the input's shape. */
const SHAPE_PRESERVING_F = new Set([
  'relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'sigmoid', 'tanh', 'hardtanh', 'hardswish',
  'hardsigmoid', 'softplus', 'softsign', 'logsigmoid', 'tanhshrink', 'threshold', 'dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
  'batch_norm', 'instance_norm', 'group_norm', 'layer_norm', 'local_response_norm', 'normalize', 'prelu', 'rrelu', 'glu_',
]);

/** torch.* elementwise functions of one tensor. */
const TORCH_UNARY = new Set(['relu', 'sigmoid', 'tanh', 'abs', 'exp', 'log', 'log10', 'log2', 'log1p', 'expm1', 'atan', 'asin', 'acos', 'sinh', 'cosh', 'trunc', 'frac', 'sqrt', 'rsqrt', 'neg', 'clamp', 'clip', 'sin', 'cos', 'floor', 'ceil', 'round', 'sign', 'square', 'clone', 'detach', 'erf', 'flip', 'roll', 'cumsum', 'tril', 'triu', 'nan_to_num']);

const runtime = (code: string, message: string): TorchError => new TorchError('RuntimeError', message, code);

/** A call of a library function by its dotted path, or undefined when it is not one shape inference knows. */
export function callLibrary(path: string, args: CallArgs, ctx: LibraryContext): Value | undefined {
  if (path.startsWith('torch.nn.functional.')) return callFunctional(path.slice('torch.nn.functional.'.length), args, ctx);
  if (path.startsWith('torch.nn.')) return constructLayer(path.slice('torch.nn.'.length), args);
  if (path.startsWith('torch.')) return callTorch(path.slice('torch.'.length), args, ctx);
  if (path === 'd2l.torch.corr2d' || path === 'd2l.corr2d') return corr2d(args);
  return callBuiltin(path, args);
}

function callTorch(name: string, args: CallArgs, ctx: LibraryContext): Value | undefined {
  const p = args.positional;
  const dtype = dtypeArg(args.keywords.get('dtype'));
  if (LITERALS.has(name)) return ctx.literalTensor();
  if (FACTORIES.has(name)) return tensorOf(factoryShape(args, 0), dtype ?? 'float32');
  if (name === 'full') return tensorOf(sizeArgs([bind(args, ['size']).get('size') ?? UNKNOWN]), dtype ?? (bind(args, ['size', 'fill_value']).get('fill_value')?.kind === 'int' ? 'int64' : 'float32'));
  if (name === 'randint') {
    const size = args.keywords.get('size') ?? (p.length >= 2 ? p[p.length - 1] : undefined);
    return tensorOf(size ? sizeArgs([size]) : undefined, dtype ?? 'int64');
  }
  if (LIKE_FACTORIES.has(name)) return tensorOf(shapeOf(p[0]), dtype ?? dtypeOf(p[0]));
  if (name === 'arange') return arange(args, dtype);
  if (name === 'linspace' || name === 'logspace') {
    const steps = sizeOf(bind(args, ['start', 'end', 'steps']).get('steps'));
    return tensorOf(steps === undefined ? undefined : [steps], dtype ?? 'float32');
  }
  if (name === 'eye') {
    const b = bind(args, ['n', 'm']);
    const n = sizeOf(b.get('n'));
    const m = b.get('m') ? sizeOf(b.get('m')) : n;
    return tensorOf(n === undefined || m === undefined ? undefined : [n, m], dtype ?? 'float32');
  }
  if (name === 'cat' || name === 'concat' || name === 'concatenate' || name === 'stack') {
    const b = bind(args, ['tensors', 'dim']);
    const items = itemsOf(b.get('tensors'));
    const dim = intOr(b.get('dim'), 0);
    const shapes = items?.map(shapeOf);
    if (!items || dim === undefined || !shapes || shapes.some((s) => s === undefined)) return tensorOf(undefined, dtypeOf(items?.[0]));
    const known = shapes as (readonly Dim[])[];
    return tensorOf(name === 'stack' ? stackShape(known, dim) : catShape(known, dim), dtypeOf(items[0]));
  }
  if (name === 'matmul' || name === 'mm' || name === 'bmm') return matmul(p[0] ?? UNKNOWN, p[1] ?? UNKNOWN);
  if (name === 'meshgrid') {
    const items = p.length === 1 && itemsOf(p[0]) ? (itemsOf(p[0]) as Value[]) : [...p];
    const lengths = items.map((t) => shapeOf(t)?.[0]);
    if (lengths.some((l) => l === undefined)) return UNKNOWN;
    const xy = args.keywords.get('indexing');
    const sizes = lengths as Dim[];
    // 'xy' indexing swaps the first two output dims.
    const shape = xy?.kind === 'str' && xy.value === 'xy' && sizes.length >= 2 ? [sizes[1] as Dim, sizes[0] as Dim, ...sizes.slice(2)] : sizes;
    return tupleOf(items.map((t) => tensorOf(shape, dtypeOf(t))));
  }
  if (name === 'normal') {
    const b = bind(args, ['mean', 'std', 'size']);
    const size = b.get('size');
    if (size) return tensorOf(sizeArgs([size]), dtype ?? 'float32');
    const [mean, std] = [b.get('mean'), b.get('std')];
    const shapes = [mean, std].map((v) => (v?.kind === 'tensor' ? v.shape : []));
    return shapes.some((s) => s === undefined) ? tensorOf(undefined) : tensorOf(broadcastShapes(shapes[0] as Dim[], shapes[1] as Dim[]), 'float32');
  }
  if (name === 'where' && p.length === 3) {
    const shapes = p.map((v) => (v.kind === 'tensor' ? v.shape : []));
    if (shapes.some((s) => s === undefined)) return tensorOf(undefined);
    return tensorOf((shapes as Dim[][]).reduce((acc, s) => broadcastShapes(acc, s)), dtypeOf(p[1]));
  }
  if (name === 'numel') return intOf(shapeOf(p[0]) ? productOfDims(shapeOf(p[0]) as Dim[]) : undefined);
  if (name === 'Size') return tupleOf((sizeArgs(p) ?? []).map(intOf));
  if (name === 'manual_seed' || name === 'set_grad_enabled') return NONE;
  if (name === 'no_grad' || name === 'device' || name === 'Generator') return UNKNOWN;
  if (name === 'einsum') return tensorOf(undefined);
  const self = p[0];
  if (self?.kind !== 'tensor') return undefined;
  if (TORCH_UNARY.has(name) || name === 'sigmoid') return tensorWith(self, self.shape);
  if (ELEMENTWISE_BINARY.has(name)) return binaryTensorOp(self, p[1] ?? args.keywords.get('other') ?? UNKNOWN, false, TRUE_DIVISIONS.has(name) && args.keywords.get('rounding_mode') === undefined);
  if (name === 'softmax' || name === 'log_softmax') return self.shape ? tensorFunction(name, self, self.shape, args, false) : tensorWith(self, undefined);
  if (name === 'unbind' || name === 'squeeze' || name === 'unsqueeze' || name === 'flatten' || name === 'reshape' || name === 'transpose' || name === 'permute' || name === 'split' || name === 'chunk' || name === 'narrow' || name === 'index_select' || name === 't' || name === 'unflatten' || name === 'topk' || name === 'sort' || REDUCTIONS.has(name)) {
    return self.shape ? tensorFunction(name, self, self.shape, args, false) : tensorWith(self, undefined);
  }
  if (name === 'conv1d' || name === 'conv2d' || name === 'conv3d' || name === 'conv_transpose1d' || name === 'conv_transpose2d' || name === 'conv_transpose3d') {
    return callFunctional(name, args, ctx);
  }
  return tensorOf(undefined);
}

/** d2l's `corr2d(X, K)`: a 2-D cross-correlation, shapes from core/geometry. */
function corr2d(args: CallArgs): Value {
  const [x, k] = [shapeOf(args.positional[0]), shapeOf(args.positional[1])];
  if (!x || !k) return tensorOf(undefined, 'float32');
  return tensorOf(applyConv('corr2d', x, k, {}, dtypeOf(args.positional[0]), false).shape, 'float32');
}

function arange(args: CallArgs, dtype: DType | undefined): Value {
  const numbers = args.positional.map(knownNumber);
  const [a, b, c] = numbers;
  const isFloat = args.positional.some((v) => v.kind === 'float');
  const type = dtype ?? (isFloat ? 'float32' : 'int64');
  if (numbers.some((n) => n === undefined) || a === undefined) {
    const only = args.positional.length === 1 ? sizeOf(args.positional[0]) : undefined;
    return tensorOf(only === undefined ? undefined : [only], type);
  }
  const [start, end, step] = b === undefined ? [0, a, 1] : [a, b, c ?? 1];
  if (step === 0) throw runtime('invalid-step', 'step must be nonzero');
  return tensorOf([Math.max(0, Math.ceil((end - start) / step))], type);
}

function callFunctional(name: string, args: CallArgs, ctx: LibraryContext): Value | undefined {
  const input = args.positional[0] ?? args.keywords.get('input');
  const shape = shapeOf(input);
  const conv = /^conv(_transpose)?([123])d$/.exec(name);
  if (conv) {
    const transposed = conv[1] !== undefined;
    const names = transposed
      ? ['input', 'weight', 'bias', 'stride', 'padding', 'output_padding', 'groups', 'dilation']
      : ['input', 'weight', 'bias', 'stride', 'padding', 'dilation', 'groups'];
    const b = bind(args, names);
    const weight = shapeOf(b.get('weight'));
    if (!shape || !weight) return tensorOf(undefined, dtypeOf(input));
    const padding = b.get('padding');
    const paddingText = padding?.kind === 'str' ? padding.value : undefined;
    const ints = (key: string): number[] | number | undefined => knownInts(b.get(key));
    const opArgs = {
      stride: ints('stride'),
      padding: paddingText === 'same' || paddingText === 'valid' ? paddingText : ints('padding'),
      dilation: ints('dilation'),
      groups: knownInt(b.get('groups')),
      ...(transposed ? { outputPadding: ints('output_padding') } : {}),
    };
    const cleaned = Object.fromEntries(Object.entries(opArgs).filter(([, v]) => v !== undefined));
    const op = (transposed ? `conv_transpose${conv[2]}d` : `conv${conv[2]}d`) as 'conv2d';
    const bias = b.get('bias');
    return tensorOf(applyConv(op, shape, weight, cleaned, dtypeOf(input), false, bias !== undefined && bias.kind !== 'none').shape, dtypeOf(input));
  }
  if (name === 'linear') {
    const weight = shapeOf(args.positional[1] ?? args.keywords.get('weight'));
    return shape && weight ? tensorOf(linearShape(shape, weight), dtypeOf(input)) : tensorOf(undefined, dtypeOf(input));
  }
  if (SHAPE_PRESERVING_F.has(name)) return tensorWith(input, shape);
  if (name === 'softmax' || name === 'log_softmax' || name === 'softmin') {
    const dim = knownInt(bind(args, ['input', 'dim']).get('dim'));
    if (shape && dim !== undefined) wrapDim(dim, shape.length);
    return tensorWith(input, shape);
  }
  const pool = /^(max|avg)_pool([123])d$/.exec(name);
  if (pool) {
    const names = pool[1] === 'max' ? ['input', 'kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode', 'return_indices'] : ['input', 'kernel_size', 'stride', 'padding', 'ceil_mode'];
    const layer = poolLayer(pool[1] === 'max', Number(pool[2]), bind(args, names), `${pool[1] === 'max' ? 'Max' : 'Avg'}Pool${pool[2]}d`);
    if (!layer) return tensorWith(input, undefined);
    return ctx.call({ kind: 'layer', layer }, { positional: [input ?? UNKNOWN], keywords: new Map(), spread: false });
  }
  const adaptive = /^adaptive_(max|avg)_pool([123])d$/.exec(name);
  if (adaptive) {
    const layer = constructLayer(`Adaptive${adaptive[1] === 'max' ? 'Max' : 'Avg'}Pool${adaptive[2]}d`, { ...args, positional: args.positional.slice(1) });
    return layer ? ctx.call(layer, { positional: [input ?? UNKNOWN], keywords: new Map(), spread: false }) : tensorWith(input, undefined);
  }
  if (name === 'interpolate' || name === 'upsample' || name === 'upsample_nearest' || name === 'upsample_bilinear') {
    const b = bind(args, ['input', 'size', 'scale_factor']);
    if (!shape) return tensorWith(input, undefined);
    return tensorWith(input, interpolateShape(shape, knownInts(b.get('size')), numbersOf(b.get('scale_factor'))));
  }
  if (name === 'pad') {
    const pads = knownInts(bind(args, ['input', 'pad']).get('pad'));
    return shape && pads ? tensorWith(input, padShape(shape, pads)) : tensorWith(input, undefined);
  }
  if (name === 'pixel_shuffle' || name === 'pixel_unshuffle') {
    const factor = knownInt(args.positional[1] ?? args.keywords.get(name === 'pixel_shuffle' ? 'upscale_factor' : 'downscale_factor'));
    return shape && factor !== undefined ? tensorWith(input, pixelShuffleShape(shape, factor, name === 'pixel_unshuffle')) : tensorWith(input, undefined);
  }
  if (name === 'embedding') {
    const weight = shapeOf(args.positional[1] ?? args.keywords.get('weight'));
    return shape && weight ? tensorOf([...shape, weight[1] as Dim], dtypeOf(args.positional[1])) : tensorOf(undefined);
  }
  if (name === 'flatten') return callTorch('flatten', args, ctx);
  if (name === 'one_hot') return tensorOf(undefined, 'int64');
  if (LOSSES.has(name)) {
    const reduction = args.keywords.get('reduction');
    return tensorWith(input, reduction?.kind === 'str' && reduction.value === 'none' ? ELEMENTWISE_LOSSES.has(name) ? shape : undefined : []);
  }
  return input?.kind === 'tensor' ? tensorWith(input, undefined) : undefined;
}

function numbersOf(v: Value | undefined): number[] | undefined {
  const items = itemsOf(v);
  const values = (items ?? (v ? [v] : [])).map(knownNumber);
  return values.length > 0 && values.every((n): n is number => n !== undefined) ? values : undefined;
}

/** Loss functions: a 0-d tensor unless `reduction='none'`. */
const LOSSES = new Set(['mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'cross_entropy', 'nll_loss', 'kl_div', 'cosine_embedding_loss', 'soft_margin_loss', 'poisson_nll_loss', 'gaussian_nll_loss', 'hinge_embedding_loss', 'margin_ranking_loss', 'triplet_margin_loss', 'multilabel_soft_margin_loss']);
const ELEMENTWISE_LOSSES = new Set(['mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'kl_div', 'soft_margin_loss', 'poisson_nll_loss']);
const LOSS_LAYERS: ReadonlyMap<string, string> = new Map([
  ['MSELoss', 'mse_loss'], ['L1Loss', 'l1_loss'], ['SmoothL1Loss', 'smooth_l1_loss'], ['HuberLoss', 'huber_loss'], ['BCELoss', 'binary_cross_entropy'],
  ['BCEWithLogitsLoss', 'binary_cross_entropy_with_logits'], ['CrossEntropyLoss', 'cross_entropy'], ['NLLLoss', 'nll_loss'], ['KLDivLoss', 'kl_div'],
  ['CosineEmbeddingLoss', 'cosine_embedding_loss'], ['SoftMarginLoss', 'soft_margin_loss'], ['PoissonNLLLoss', 'poisson_nll_loss'],
]);

// ---------------------------------------------------------------------------------------------
// torch.nn constructors.

const ELEMENTWISE_LAYERS = new Set([
  'ReLU', 'ReLU6', 'LeakyReLU', 'PReLU', 'RReLU', 'ELU', 'SELU', 'CELU', 'GELU', 'SiLU', 'Mish', 'Sigmoid', 'Tanh', 'Hardtanh', 'Hardswish',
  'Hardsigmoid', 'Softplus', 'Softsign', 'Softshrink', 'Hardshrink', 'Tanhshrink', 'Threshold', 'LogSigmoid', 'Dropout', 'Dropout1d', 'Dropout2d',
  'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout', 'Identity', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'LazyInstanceNorm1d',
  'LazyInstanceNorm2d', 'LazyInstanceNorm3d', 'LocalResponseNorm', 'Softmax', 'LogSoftmax', 'Softmin', 'Softmax2d', 'LazyBatchNorm1d',
  'LazyBatchNorm2d', 'LazyBatchNorm3d', 'SyncBatchNorm', 'CrossMapLRN2d',
]);

function intsOrInt(v: Value | undefined): number | number[] | undefined {
  if (v?.kind === 'int' || v?.kind === 'bool') return knownInt(v);
  return knownInts(v);
}

function poolLayer(max: boolean, dims: number, b: Map<string, Value>, name: string): Layer | undefined {
  const kernel = intsOrInt(b.get('kernel_size'));
  const strideValue = b.get('stride');
  const stride = strideValue === undefined || strideValue.kind === 'none' || (itemsOf(strideValue)?.length === 0) ? kernel : intsOrInt(strideValue);
  const padding = b.has('padding') ? intsOrInt(b.get('padding')) : 0;
  const dilation = b.has('dilation') ? intsOrInt(b.get('dilation')) : 1;
  if (kernel === undefined || stride === undefined || padding === undefined || dilation === undefined) return undefined;
  return {
    type: 'pool', name, max, spatialDims: dims,
    kernel: expandInts(kernel, 1, dims), stride: expandInts(stride, 1, dims), padding: expandInts(padding, 0, dims), dilation: expandInts(dilation, 1, dims),
    ceilMode: boolOr(b.get('ceil_mode'), false),
  };
}

/** `nn.<name>(...)`: the layer value, or undefined when the arguments are not static enough. */
export function constructLayer(name: string, args: CallArgs): Value | undefined {
  const layer = layerFrom(name, args);
  return layer === undefined ? undefined : layer === 'unknown' ? UNKNOWN : { kind: 'layer', layer };
}

function layerFrom(name: string, args: CallArgs): Layer | 'unknown' | undefined {
  const p = args.positional;
  if (/^(Lazy)?(Conv|ConvTranspose)[123]d$/.test(name)) {
    const lazy = name.startsWith('Lazy');
    const transposed = name.includes('Transpose');
    const signature: readonly string[] = CONV_LAYER_SIGNATURES[transposed ? 'convTranspose' : 'conv'];
    const b = bind(args, lazy ? signature.slice(1) : signature);
    const inChannels = lazy ? undefined : sizeOf(b.get('in_channels'));
    const outChannels = sizeOf(b.get('out_channels'));
    const kernelSize = intsOrInt(b.get('kernel_size'));
    const padding = b.get('padding');
    const read = (key: string): number | number[] | undefined => intsOrInt(b.get(key));
    const unreadable = ['stride', 'dilation', 'output_padding', 'groups'].some((k) => b.has(k) && read(k) === undefined)
      || (padding !== undefined && padding.kind !== 'str' && read('padding') === undefined);
    if ((!lazy && inChannels === undefined) || outChannels === undefined || kernelSize === undefined || unreadable || args.spread) return 'unknown';
    const bias = b.get('bias');
    const mode = b.get('padding_mode');
    return convLayer({
      name,
      inChannels,
      outChannels,
      kernelSize,
      stride: read('stride'),
      padding: padding?.kind === 'str' ? padding.value : read('padding'),
      dilation: read('dilation'),
      outputPadding: read('output_padding'),
      groups: knownInt(b.get('groups')),
      bias: bias?.kind === 'bool' ? bias.value : undefined,
      paddingMode: mode?.kind === 'str' ? mode.value : undefined,
    });
  }
  if (name === 'Linear' || name === 'LazyLinear') {
    const b = bind(args, name === 'Linear' ? ['in_features', 'out_features', 'bias'] : ['out_features', 'bias']);
    const outFeatures = sizeOf(b.get('out_features'));
    const inFeatures = name === 'Linear' ? sizeOf(b.get('in_features')) : undefined;
    if (outFeatures === undefined || (name === 'Linear' && inFeatures === undefined)) return 'unknown';
    return { type: 'linear', inFeatures, outFeatures, bias: boolOr(b.get('bias'), true), weightOverride: undefined };
  }
  const pool = /^(Max|Avg)Pool([123])d$/.exec(name);
  if (pool) {
    const names = pool[1] === 'Max' ? ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'] : ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'];
    return poolLayer(pool[1] === 'Max', Number(pool[2]), bind(args, names), name) ?? 'unknown';
  }
  const adaptive = /^Adaptive(Max|Avg)Pool([123])d$/.exec(name);
  if (adaptive) {
    const dims = Number(adaptive[2]);
    const size = bind(args, ['output_size']).get('output_size');
    const items = itemsOf(size);
    const outputSize = items ? items.map((v) => (v.kind === 'none' ? undefined : knownInt(v))) : new Array<number | undefined>(dims).fill(knownInt(size));
    if (!items && knownInt(size) === undefined) return 'unknown';
    return { type: 'adaptivePool', spatialDims: dims, outputSize };
  }
  if (name === 'Flatten') {
    const b = bind(args, ['start_dim', 'end_dim']);
    const start = intOr(b.get('start_dim'), 1);
    const end = intOr(b.get('end_dim'), -1);
    return start === undefined || end === undefined ? 'unknown' : { type: 'flatten', startDim: start, endDim: end };
  }
  if (name === 'Unflatten') {
    const b = bind(args, ['dim', 'unflattened_size']);
    const dim = knownInt(b.get('dim'));
    const sizes = sizeArgs([b.get('unflattened_size') ?? UNKNOWN]);
    return dim === undefined || !sizes ? 'unknown' : { type: 'unflatten', dim, sizes };
  }
  const batchNorm = /^BatchNorm([123])d$/.exec(name);
  if (batchNorm) {
    const features = sizeOf(bind(args, ['num_features']).get('num_features'));
    return features === undefined ? 'unknown' : { type: 'batchNorm', spatialDims: Number(batchNorm[1]), numFeatures: features };
  }
  if (name === 'LayerNorm') {
    const shape = knownInts(bind(args, ['normalized_shape']).get('normalized_shape'));
    return shape ? { type: 'layerNorm', normalizedShape: shape } : 'unknown';
  }
  if (name === 'GroupNorm') {
    const b = bind(args, ['num_groups', 'num_channels']);
    const [groups, channels] = [knownInt(b.get('num_groups')), knownInt(b.get('num_channels'))];
    if (groups !== undefined && channels !== undefined && groups > 0 && channels % groups !== 0) {
      throw new TorchError('ValueError', 'num_channels must be divisible by num_groups', 'groups-not-dividing');
    }
    return { type: 'elementwise', name };
  }
  if (ELEMENTWISE_LAYERS.has(name)) return { type: 'elementwise', name };
  if (name === 'Upsample' || name === 'UpsamplingNearest2d' || name === 'UpsamplingBilinear2d') {
    const b = bind(args, ['size', 'scale_factor']);
    const size = knownInts(b.get('size'));
    const scale = numbersOf(b.get('scale_factor'));
    return size || scale ? { type: 'upsample', size, scale } : 'unknown';
  }
  if (name === 'PixelShuffle' || name === 'PixelUnshuffle') {
    const factor = knownInt(p[0] ?? args.keywords.get(name === 'PixelShuffle' ? 'upscale_factor' : 'downscale_factor'));
    return factor === undefined ? 'unknown' : { type: 'pixelShuffle', factor, inverse: name === 'PixelUnshuffle' };
  }
  if (name === 'Embedding') {
    const dim = sizeOf(bind(args, ['num_embeddings', 'embedding_dim']).get('embedding_dim'));
    return dim === undefined ? 'unknown' : { type: 'embedding', embeddingDim: dim };
  }
  if (name === 'Sequential') {
    const dict = p.length === 1 && p[0]?.kind === 'dict' ? p[0] : undefined;
    if (args.spread && !dict && p.length === 0) return 'unknown';
    const children = dict ? [...dict.entries.values()] : [...p];
    const keys = dict ? [...dict.entries.keys()] : p.map(() => undefined);
    return { type: 'container', name, children, keys };
  }
  if (name === 'ModuleList' || name === 'ModuleDict') {
    const arg = p[0];
    if (arg?.kind === 'dict') return { type: 'container', name: 'ModuleDict', children: [...arg.entries.values()], keys: [...arg.entries.keys()] };
    const items = arg === undefined ? [] : itemsOf(arg);
    return items ? { type: 'container', name: name as 'ModuleList', children: [...items], keys: items.map(() => undefined) } : 'unknown';
  }
  const padLayer = /^(Zero|Constant|Reflection|Replication|Circular)Pad([123])d$/.exec(name);
  if (padLayer) {
    const dims = Number(padLayer[2]);
    const padding = intsOrInt(p[0] ?? args.keywords.get('padding'));
    if (padding === undefined) return 'unknown';
    return { type: 'pad', pads: typeof padding === 'number' ? new Array<number>(dims * 2).fill(padding) : padding };
  }
  const loss = LOSS_LAYERS.get(name);
  if (loss) {
    const reduction = args.keywords.get('reduction');
    return { type: 'loss', functional: loss, reduction: reduction?.kind === 'str' ? reduction.value : 'mean' };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python builtins and the math module.

/** Library constants: `math.pi` and friends. */
export const CONSTANTS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['math.pi', { kind: 'float', value: Math.PI }], ['math.e', { kind: 'float', value: Math.E }], ['math.tau', { kind: 'float', value: 2 * Math.PI }],
  ['math.inf', { kind: 'float', value: Infinity }], ['torch.pi', { kind: 'float', value: Math.PI }], ['numpy.pi', { kind: 'float', value: Math.PI }],
]);

function callBuiltin(path: string, args: CallArgs): Value | undefined {
  const p = args.positional;
  const first = p[0];
  switch (path) {
    case 'len': {
      if (first?.kind === 'tensor') return intOf(first.shape ? first.shape[0] : undefined);
      if (first?.kind === 'list' || first?.kind === 'tuple') return intOf(first.items.length);
      if (first?.kind === 'dict') return intOf(first.entries.size);
      if (first?.kind === 'layer' && first.layer.type === 'container') return intOf(first.layer.children.length);
      return intOf(undefined);
    }
    case 'int': {
      if (first?.kind === 'int') return first;
      const n = knownNumber(first);
      return intOf(n === undefined ? undefined : Math.trunc(n));
    }
    case 'float':
      return { kind: 'float', value: knownNumber(first) };
    case 'bool':
      return { kind: 'bool', value: undefined };
    case 'str':
      return { kind: 'str', value: undefined };
    case 'list':
    case 'tuple': {
      const items = first === undefined ? [] : iterate(first);
      return items ? { kind: path, items: [...items] } : UNKNOWN;
    }
    case 'range': {
      const ints = p.map(knownInt);
      if (ints.some((n) => n === undefined) || ints.length === 0) return UNKNOWN;
      const [a, b, c] = ints as number[];
      const [start, stop, step] = b === undefined ? [0, a as number, 1] : [a as number, b, c ?? 1];
      const count = step === 0 ? 0 : Math.max(0, Math.ceil((stop - start) / step));
      if (count > 10_000) return UNKNOWN;
      return { kind: 'list', items: Array.from({ length: count }, (_, i) => intOf(start + i * step)) };
    }
    case 'enumerate': {
      const items = first ? iterate(first) : undefined;
      const start = knownInt(p[1] ?? args.keywords.get('start')) ?? 0;
      return items ? { kind: 'list', items: items.map((v, i) => tupleOf([intOf(start + i), v])) } : UNKNOWN;
    }
    case 'zip': {
      const lists = p.map(iterate);
      if (lists.some((l) => l === undefined) || lists.length === 0) return UNKNOWN;
      const known = lists as Value[][];
      const n = Math.min(...known.map((l) => l.length));
      return { kind: 'list', items: Array.from({ length: n }, (_, i) => tupleOf(known.map((l) => l[i] as Value))) };
    }
    case 'reversed': {
      const items = first ? iterate(first) : undefined;
      return items ? { kind: 'list', items: [...items].reverse() } : UNKNOWN;
    }
    case 'min':
    case 'max':
    case 'sum':
    case 'abs':
    case 'round':
    case 'math.floor':
    case 'math.ceil':
    case 'math.sqrt':
    case 'math.prod':
      return numericBuiltin(path, p);
    case 'print':
    case 'isinstance':
    case 'hasattr':
      return path === 'print' ? NONE : { kind: 'bool', value: undefined };
    case 'collections.OrderedDict':
    case 'dict': {
      if (first === undefined) return { kind: 'dict', entries: new Map() };
      const items = itemsOf(first);
      if (first.kind === 'dict') return { kind: 'dict', entries: new Map(first.entries) };
      if (!items) return UNKNOWN;
      const entries = new Map<string, Value>();
      for (const item of items) {
        const pair = itemsOf(item);
        const key = pair?.[0];
        if (!pair || pair.length !== 2 || key?.kind !== 'str' || key.value === undefined) return UNKNOWN;
        entries.set(key.value, pair[1] as Value);
      }
      return { kind: 'dict', entries };
    }
  }
  return undefined;
}

function numericBuiltin(path: string, p: readonly Value[]): Value {
  const list = p.length === 1 && itemsOf(p[0]) ? (itemsOf(p[0]) as Value[]) : [...p];
  if (path === 'sum' && list.every((v) => v.kind === 'int')) {
    const dims = list.map(sizeOf);
    return dims.every((d): d is Dim => d !== undefined) ? intOf(dims.reduce<Dim>((a, b) => addDims(a, b), 0)) : intOf(undefined);
  }
  if (path === 'math.prod' && list.every((v) => v.kind === 'int')) {
    const dims = list.map(sizeOf);
    return dims.every((d): d is Dim => d !== undefined) ? intOf(productOfDims(dims)) : intOf(undefined);
  }
  const numbers = list.map(knownNumber);
  const allInts = list.every((v) => v.kind === 'int' || v.kind === 'bool');
  if (numbers.some((n) => n === undefined) || numbers.length === 0) return allInts || path.startsWith('math.f') || path === 'math.ceil' || path === 'round' ? intOf(undefined) : UNKNOWN;
  const ns = numbers as number[];
  switch (path) {
    case 'min': return allInts ? intOf(Math.min(...ns)) : { kind: 'float', value: Math.min(...ns) };
    case 'max': return allInts ? intOf(Math.max(...ns)) : { kind: 'float', value: Math.max(...ns) };
    case 'sum': return { kind: 'float', value: ns.reduce((a, b) => a + b, 0) };
    case 'abs': return allInts ? intOf(Math.abs(ns[0] as number)) : { kind: 'float', value: Math.abs(ns[0] as number) };
    case 'round': return p.length > 1 ? { kind: 'float', value: undefined } : intOf(roundHalfEven(ns[0] as number));
    case 'math.floor': return intOf(Math.floor(ns[0] as number));
    case 'math.ceil': return intOf(Math.ceil(ns[0] as number));
    case 'math.sqrt': return { kind: 'float', value: Math.sqrt(ns[0] as number) };
    default: return { kind: 'float', value: ns.reduce((a, b) => a * b, 1) };
  }
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The items a `for` loop over `v` sees, when their count is known. */
export function iterate(v: Value): Value[] | undefined {
  if (v.kind === 'list' || v.kind === 'tuple') return v.items;
  if (v.kind === 'dict') return [...v.entries.keys()].map((k): Value => ({ kind: 'str', value: k }));
  if (v.kind === 'layer' && v.layer.type === 'container') return v.layer.children as Value[];
  if (v.kind === 'tensor' && v.shape && isKnown(v.shape[0] as Dim) && (v.shape[0] as number) <= 64) {
    return Array.from({ length: v.shape[0] as number }, () => tensorOf(v.shape?.slice(1), v.dtype));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python arithmetic on ints (sizes may be symbolic) and floats.

export function intArithmetic(op: string, a: Value, b: Value): Value {
  const [x, y] = [sizeOf(a), sizeOf(b)];
  if ((a.kind === 'float' || b.kind === 'float') || op === '/' || op === '**') {
    const [m, n] = [knownNumber(a), knownNumber(b)];
    if (m === undefined || n === undefined) return { kind: 'float', value: undefined };
    const value = op === '+' ? m + n : op === '-' ? m - n : op === '*' ? m * n : op === '/' ? m / n : op === '//' ? Math.floor(m / n) : op === '**' ? m ** n : op === '%' ? m - n * Math.floor(m / n) : undefined;
    return op === '**' && a.kind === 'int' && b.kind === 'int' && value !== undefined && n >= 0 ? intOf(value) : { kind: 'float', value };
  }
  if (x === undefined || y === undefined) return intOf(undefined);
  switch (op) {
    case '+': return intOf(addDims(x, y));
    case '-': return intOf(subDims(x, y));
    case '*': return intOf(mulDims(x, y));
    case '//': return isKnown(y) && y === 0 ? intOf(undefined) : intOf(floorDivDims(x, y));
    case '%': return isKnown(x) && isKnown(y) && y !== 0 ? intOf(x - y * Math.floor(x / y)) : intOf(undefined);
    case '<<': return isKnown(x) && isKnown(y) ? intOf(x * 2 ** y) : intOf(undefined);
    case '>>': return isKnown(x) && isKnown(y) ? intOf(Math.floor(x / 2 ** y)) : intOf(undefined);
  }
  return intOf(undefined);
}

/** Indexing a tensor with ints, slices, `None` and `...`. */
export type TensorIndex = { kind: 'int'; value: number | undefined } | { kind: 'slice'; start: number | undefined; stop: number | undefined; step: number; known: boolean } | { kind: 'none' } | { kind: 'ellipsis' } | { kind: 'tensor' };

export function indexShape(shape: readonly Dim[], items: readonly TensorIndex[]): Dim[] | undefined {
  if (items.some((i) => i.kind === 'tensor')) return undefined;
  const consuming = items.filter((i) => i.kind === 'int' || i.kind === 'slice').length;
  if (consuming > shape.length) {
    throw new TorchError('IndexError', `too many indices for tensor of dimension ${shape.length}`, 'too-many-indices');
  }
  const out: Dim[] = [];
  let d = 0;
  for (const item of items) {
    if (item.kind === 'none') out.push(1);
    else if (item.kind === 'ellipsis') {
      const skip = shape.length - consuming;
      for (let k = 0; k < skip; k++) out.push(shape[d++] as Dim);
    } else if (item.kind === 'int') {
      const size = shape[d] as Dim;
      if (item.value !== undefined && isKnown(size) && (item.value >= size || item.value < -size)) throw indexOutOfRange(item.value, d, size);
      d++;
    } else if (item.kind === 'slice') {
      const size = shape[d++] as Dim;
      out.push(item.known ? sliceLengthOf(size, item) : UNKNOWN_DIM);
    }
  }
  while (d < shape.length) out.push(shape[d++] as Dim);
  return out;
}

function sliceLengthOf(size: Dim, s: Extract<TensorIndex, { kind: 'slice' }>): Dim {
  if (!isKnown(size)) {
    if (s.start === undefined && s.stop === undefined && s.step === 1) return size;
    if (s.stop === undefined && s.step === 1 && (s.start ?? 0) >= 0) return subDims(size, s.start ?? 0);
    if (s.start === undefined && s.stop !== undefined && s.stop < 0 && s.step === 1) return addDims(size, s.stop);
    if (s.start === undefined && s.stop !== undefined && s.stop >= 0 && s.step === 1) return UNKNOWN_DIM;
    return UNKNOWN_DIM;
  }
  const norm = (i: number): number => (i < 0 ? Math.max(0, i + size) : Math.min(i, size));
  if (s.step > 0) {
    const from = s.start === undefined ? 0 : norm(s.start);
    const to = s.stop === undefined ? size : norm(s.stop);
    return Math.max(0, Math.ceil((to - from) / s.step));
  }
  throw new TorchError('ValueError', 'step must be greater than zero', 'invalid-step');
}
