// `torch.*` and `torch.nn.functional.*` functions other than the factories: joins (`cat`,
// `stack`), products, the functional convolutions and d2l's `corr2d`, pooling, interpolation,
// losses, and the `torch.*` forms of tensor methods. Each binds its arguments by PyTorch's
// signature and returns the result's value; a PythonError thrown here is raised at the call.
import { allocate, numel, type DType } from '../../core/tensor';
import type { OpArgs, OpName, PaddingMode } from '../../core/vocabulary';
import { allKnown, type Dim } from '../interpreter/dim';
import { materialize } from '../interpreter/elements';
import { intOf, itemsOf, knownInt, NONE, pythonTypeName, tupleOf, UNKNOWN, type TensorValue, type Value } from '../interpreter/values';
import { matmul } from './arithmetic';
import { Call, freshTensor, notStatic, shapedLike } from './context';
import { promoteTypes } from './dtypes';
import { TORCH_FACTORIES } from './factories';
import { messages } from './messages';
import { applyConv, convolve } from './conv';
import { constructLayer, interpolateShape, linearShape, numbersOf, pixelShuffleShape, poolLayer } from './nn';
import { broadcastShapes, catShape, modePadShape, stackShape, wrapDim } from './shapes';
import { callTensorMethod } from './tensorMethods';
import { unsqueeze } from './views';

/** torch.* elementwise functions of one tensor (values not computed). */
const TORCH_UNARY = new Set(['relu', 'sigmoid', 'tanh', 'abs', 'exp', 'log', 'log10', 'log2', 'log1p', 'expm1', 'atan', 'asin', 'acos', 'sinh', 'cosh', 'trunc', 'frac', 'sqrt', 'rsqrt', 'neg', 'clamp', 'clip', 'sin', 'cos', 'floor', 'ceil', 'round', 'sign', 'square', 'erf', 'flip', 'roll', 'cumsum', 'tril', 'triu', 'nan_to_num']);

/** torch.* functions with a method form, read as the method on their first argument. */
const METHOD_FORMS = new Set(['clone', 'detach', 'unbind', 'squeeze', 'unsqueeze', 'flatten', 'reshape', 'transpose', 'swapaxes', 'permute', 'split', 'chunk', 'narrow',
  'index_select', 't', 'unflatten', 'topk', 'sort', 'softmax', 'log_softmax', 'sum', 'mean', 'prod', 'std', 'var', 'amax', 'amin', 'logsumexp', 'norm', 'all',
  'any', 'argmax', 'argmin', 'max', 'min', 'median', 'count_nonzero', 'nansum', 'nanmean', 'add', 'sub', 'mul', 'div', 'true_divide', 'floor_divide',
  'remainder', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'atan2', 'subtract', 'multiply', 'divide', 'numel']);

/** `torch.<name>(...)`, or undefined when it is not a function Conv Lab knows. */
export function callTorch(call: Call, name: string): Value | undefined {
  const factory = TORCH_FACTORIES.get(name);
  if (factory) {
    // A new tensor needs a gradient only when asked for one.
    const made = factory(call);
    const asked = call.keywords.get('requires_grad');
    const requiresGrad = asked === undefined ? false : asked.kind === 'bool' ? asked.value : undefined;
    return made.kind === 'tensor' ? { ...made, requiresGrad } : made;
  }
  const p = call.positional;
  switch (name) {
    case 'cat':
    case 'concat':
    case 'concatenate':
    case 'stack':
      return join(call, name === 'stack' ? 'stack' : 'cat');
    case 'matmul':
    case 'mm':
    case 'bmm':
      return matmul(call.ctx, p[0] ?? UNKNOWN, p[1] ?? UNKNOWN);
    case 'meshgrid':
      return meshgrid(call);
    case 'where':
      if (p.length !== 3) return undefined;
      return whereOf(call);
    case 'Size':
      return { kind: 'tuple', items: (itemsOf(p[0]) ?? []).map((v) => (v.kind === 'int' ? v : intOf(undefined))), torchSize: true };
    case 'manual_seed':
    case 'set_grad_enabled':
    case 'set_printoptions':
      return NONE;
    case 'device':
      // A device: like a device string, `.to(device)` moves nothing here.
      return { kind: 'str', value: undefined };
    case 'no_grad':
    case 'Generator':
    case 'enable_grad':
    case 'inference_mode':
      return UNKNOWN;
    case 'einsum':
      return shapedLike(undefined, undefined, undefined, notStatic(call.ctx.site));
  }
  if (/^conv(_transpose)?[123]d$/.test(name)) return callFunctional(call, name);
  const self = p[0];
  if (self?.kind !== 'tensor') return undefined;
  if (TORCH_UNARY.has(name)) return shapedLike(self, self.shape, self.dtype, notStatic(call.ctx.site));
  if (METHOD_FORMS.has(name)) return callTensorMethod(call.as(name, call.dropping(1)), self, name);
  return shapedLike(undefined, undefined, undefined, notStatic(call.ctx.site));
}

/** `torch.cat` / `torch.stack`: a list or tuple of tensors and a `dim`. */
function join(call: Call, kind: 'cat' | 'stack'): Value {
  call.expect(2, ['tensors', 'dim', 'out', 'axis']);
  const ctx = call.ctx;
  const list = call.required(0, 'tensors');
  if (list.kind === 'unknown') return shapedLike(undefined, undefined);
  const items = itemsOf(list);
  if (!items) throw messages.joinNotTensors(call.name, pythonTypeName(list), call.argSite(0, 'tensors'));
  items.forEach((item, i) => {
    if (item.kind !== 'tensor' && item.kind !== 'unknown') throw messages.joinElementNotTensor(i, pythonTypeName(item), 'at' in item ? item.at : undefined);
  });
  const tensors = items.filter((v): v is TensorValue => v.kind === 'tensor');
  const dimValue = call.arg(1, 'dim') ?? call.keywords.get('axis');
  const dim = dimValue === undefined ? 0 : knownInt(dimValue);
  const dtypes = tensors.map((t) => t.dtype);
  const dtype = tensors.length === items.length && dtypes.every((d): d is DType => d !== undefined) && dtypes.length > 0 ? dtypes.reduce(promoteTypes) : undefined;
  const shapes = tensors.map((t) => t.shape);
  if (dim === undefined || tensors.length !== items.length || !shapes.every((s): s is readonly Dim[] => s !== undefined)) return shapedLike(undefined, undefined, dtype);
  if (kind === 'stack') {
    const shape = stackShape(shapes, dim);
    const d = wrapDim(dim, (shapes[0] as readonly Dim[]).length + 1);
    return concatenate(call, tensors.map((t) => unsqueeze(ctx, t, d)), shape, d, dtype);
  }
  const shape = catShape(shapes, dim);
  const parts = tensors.filter((t) => !(t.shape?.length === 1 && t.shape[0] === 0));
  return concatenate(call, parts, shape, parts[0]?.shape ? wrapDim(dim, parts[0].shape.length) : 0, dtype);
}

/** The parts' elements one after the other along `d`, in the promoted dtype. */
function concatenate(call: Call, parts: readonly TensorValue[], shape: readonly Dim[], d: number, dtype: DType | undefined): TensorValue {
  const elements = parts.map((t) => t.elements);
  const known = elements.every((e) => e !== undefined) && allKnown(shape) && dtype;
  return freshTensor(call.ctx, shape, dtype, {
    operands: parts,
    ...(known ? {
      compute: {
        cost: numel(shape as number[]),
        run: (budget) => {
          const dense = elements.map((e) => materialize(e as NonNullable<typeof e>, budget, dtype));
          const out = allocate(dtype, numel(shape as number[]));
          const outer = numel((shape as number[]).slice(0, d));
          let at = 0;
          for (let o = 0; o < outer; o++) {
            for (const t of dense) {
              const block = numel(t.shape.slice(d));
              out.set(t.data.subarray(o * block, (o + 1) * block) as never, at);
              at += block;
            }
          }
          return out;
        },
      },
    } : {}),
  });
}

function meshgrid(call: Call): Value {
  const p = call.positional;
  const items = p.length === 1 && itemsOf(p[0]) ? (itemsOf(p[0]) as Value[]) : [...p];
  const lengths = items.map((t) => (t.kind === 'tensor' ? t.shape?.[0] : undefined));
  if (lengths.some((l) => l === undefined)) return UNKNOWN;
  const xy = call.keywords.get('indexing');
  const sizes = lengths as Dim[];
  // 'xy' indexing swaps the first two output dims.
  const shape = xy?.kind === 'str' && xy.value === 'xy' && sizes.length >= 2 ? [sizes[1] as Dim, sizes[0] as Dim, ...sizes.slice(2)] : sizes;
  return tupleOf(items.map((t) => shapedLike(undefined, shape, t.kind === 'tensor' ? t.dtype : undefined, notStatic(call.ctx.site))));
}

function whereOf(call: Call): Value {
  const shapes = call.positional.map((v) => (v.kind === 'tensor' ? v.shape : []));
  if (shapes.some((s) => s === undefined)) return shapedLike(undefined, undefined);
  const second = call.positional[1];
  return shapedLike(undefined, (shapes as Dim[][]).reduce((acc, s) => broadcastShapes(acc, s)), second?.kind === 'tensor' ? second.dtype : undefined, notStatic(call.ctx.site));
}

/** d2l's `corr2d(X, K)`: a 2-D cross-correlation, shapes from core/geometry, values from the core. */
export function corr2d(call: Call): Value {
  call.expect(2, ['X', 'K']);
  const [x, k] = [call.required(0, 'X'), call.required(1, 'K')];
  for (const [v, i, name] of [[x, 0, 'X'], [k, 1, 'K']] as const) {
    if (v.kind !== 'tensor' && v.kind !== 'unknown') throw call.typeError(i, name, 'Tensor', v);
  }
  if (x.kind !== 'tensor' || k.kind !== 'tensor' || !x.shape || !k.shape) return shapedLike(undefined, undefined, 'float32', notStatic(call.ctx.site));
  const shape = applyConv('corr2d', x.shape, k.shape, {}, x.dtype, false).shape;
  return convolve(call.ctx, 'corr2d', x, k, undefined, shape, {}, undefined);
}

// ---------------------------------------------------------------------------------------------
// torch.nn.functional

/** F.* functions that keep the input's shape. */
const SHAPE_PRESERVING_F = new Set([
  'relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'sigmoid', 'tanh', 'hardtanh', 'hardswish',
  'hardsigmoid', 'softplus', 'softsign', 'logsigmoid', 'tanhshrink', 'threshold', 'dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
  'batch_norm', 'instance_norm', 'group_norm', 'layer_norm', 'local_response_norm', 'normalize', 'prelu', 'rrelu', 'glu_',
]);

/** Loss functions: a 0-d tensor unless `reduction='none'`. */
/** F.pad's modes other than 'constant', by the name F.pad takes. */
const F_PAD_MODES: Readonly<Record<string, PaddingMode | undefined>> = { reflect: 'reflect', replicate: 'replicate', circular: 'circular' };
const LOSSES = new Set(['mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'cross_entropy', 'nll_loss', 'kl_div', 'cosine_embedding_loss', 'soft_margin_loss', 'poisson_nll_loss', 'gaussian_nll_loss', 'hinge_embedding_loss', 'margin_ranking_loss', 'triplet_margin_loss', 'multilabel_soft_margin_loss']);
const ELEMENTWISE_LOSSES = new Set(['mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'kl_div', 'soft_margin_loss', 'poisson_nll_loss']);

/** `F.<name>(...)`, or undefined when it is not a function Conv Lab knows. */
export function callFunctional(call: Call, name: string): Value | undefined {
  const ctx = call.ctx;
  const input = call.arg(0, 'input');
  const self = input?.kind === 'tensor' ? input : undefined;
  const shape = self?.shape;
  const conv = /^conv(_transpose)?([123])d$/.exec(name);
  if (conv) return functionalConv(call, conv[1] !== undefined, Number(conv[2]));
  if (name === 'linear') {
    const weight = call.arg(1, 'weight');
    const weightShape = weight?.kind === 'tensor' ? weight.shape : undefined;
    return shapedLike(undefined, shape && weightShape ? linearShape(shape, weightShape) : undefined, self?.dtype, notStatic(ctx.site));
  }
  if (SHAPE_PRESERVING_F.has(name)) return shapedLike(input, shape, self?.dtype, notStatic(ctx.site));
  if (name === 'softmax' || name === 'log_softmax' || name === 'softmin') {
    const dim = knownInt(call.bind(['input', 'dim']).get('dim'));
    if (shape && dim !== undefined) wrapDim(dim, shape.length);
    return shapedLike(input, shape, self?.dtype, notStatic(ctx.site));
  }
  const pool = /^(max|avg)_pool([123])d$/.exec(name);
  if (pool) {
    const names = pool[1] === 'max' ? ['input', 'kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode', 'return_indices'] : ['input', 'kernel_size', 'stride', 'padding', 'ceil_mode'];
    const layer = poolLayer(pool[1] === 'max', Number(pool[2]), call.bind(names), `${pool[1] === 'max' ? 'Max' : 'Avg'}Pool${pool[2]}d`);
    if (!layer) return shapedLike(input, undefined);
    return ctx.call({ kind: 'layer', layer }, { positional: [input ?? UNKNOWN], keywords: new Map(), spread: false });
  }
  const adaptive = /^adaptive_(max|avg)_pool([123])d$/.exec(name);
  if (adaptive) {
    const layer = constructLayer(call.as(name, call.dropping(1)), `Adaptive${adaptive[1] === 'max' ? 'Max' : 'Avg'}Pool${adaptive[2]}d`);
    return layer ? ctx.call(layer, { positional: [input ?? UNKNOWN], keywords: new Map(), spread: false }) : shapedLike(input, undefined);
  }
  if (name === 'interpolate' || name === 'upsample' || name === 'upsample_nearest' || name === 'upsample_bilinear') {
    const b = call.bind(['input', 'size', 'scale_factor']);
    if (!shape) return shapedLike(input, undefined);
    const size = itemsOf(b.get('size'))?.map(knownInt) ?? (b.has('size') ? [knownInt(b.get('size'))] : undefined);
    const sizes = size?.every((s): s is number => s !== undefined) ? size : undefined;
    return shapedLike(input, interpolateShape(shape, sizes, numbersOf(b.get('scale_factor'))), self?.dtype, notStatic(ctx.site));
  }
  if (name === 'pad') {
    const b = call.bind(['input', 'pad', 'mode', 'value']);
    const pads = itemsOf(b.get('pad'))?.map(knownInt);
    const mode = b.get('mode');
    const padMode = mode?.kind === 'str' && mode.value !== undefined && Object.hasOwn(F_PAD_MODES, mode.value) ? F_PAD_MODES[mode.value] : undefined;
    return shape && pads?.every((x): x is number => x !== undefined) ? shapedLike(input, modePadShape(shape, pads, padMode, self?.dtype), self?.dtype, notStatic(ctx.site)) : shapedLike(input, undefined);
  }
  if (name === 'pixel_shuffle' || name === 'pixel_unshuffle') {
    const factor = knownInt(call.positional[1] ?? call.keywords.get(name === 'pixel_shuffle' ? 'upscale_factor' : 'downscale_factor'));
    return shape && factor !== undefined ? shapedLike(input, pixelShuffleShape(shape, factor, name === 'pixel_unshuffle'), self?.dtype, notStatic(ctx.site)) : shapedLike(input, undefined);
  }
  if (name === 'embedding') {
    const weight = call.arg(1, 'weight');
    const weightShape = weight?.kind === 'tensor' ? weight.shape : undefined;
    return shapedLike(undefined, shape && weightShape ? [...shape, weightShape[1] as Dim] : undefined, weight?.kind === 'tensor' ? weight.dtype : undefined, notStatic(ctx.site));
  }
  if (name === 'flatten') return callTorch(call, 'flatten');
  if (name === 'one_hot') return shapedLike(undefined, undefined, 'int64', notStatic(ctx.site));
  if (LOSSES.has(name)) {
    const reduction = call.keywords.get('reduction');
    const none = reduction?.kind === 'str' && reduction.value === 'none';
    return shapedLike(input, none ? (ELEMENTWISE_LOSSES.has(name) ? shape : undefined) : [], self?.dtype, notStatic(ctx.site));
  }
  return self ? shapedLike(input, undefined, undefined, notStatic(ctx.site)) : undefined;
}

/** `F.conv2d(input, weight, bias, stride, padding, ...)` and the transposed forms. */
function functionalConv(call: Call, transposed: boolean, spatialDims: number): Value {
  const names = transposed
    ? ['input', 'weight', 'bias', 'stride', 'padding', 'output_padding', 'groups', 'dilation']
    : ['input', 'weight', 'bias', 'stride', 'padding', 'dilation', 'groups'];
  const b = call.bind(names);
  const input = b.get('input');
  const weight = b.get('weight');
  const op = (transposed ? `conv_transpose${spatialDims}d` : `conv${spatialDims}d`) as OpName;
  if (input?.kind !== 'tensor' || weight?.kind !== 'tensor' || !input.shape || !weight.shape) {
    return shapedLike(undefined, undefined, input?.kind === 'tensor' ? input.dtype : undefined, notStatic(call.ctx.site));
  }
  const padding = b.get('padding');
  const ints = (key: string): number[] | number | undefined => {
    const v = b.get(key);
    const items = itemsOf(v)?.map(knownInt);
    return items ? (items.every((i): i is number => i !== undefined) ? items : undefined) : knownInt(v);
  };
  const unreadable = ['stride', 'dilation', 'groups', 'output_padding'].some((k) => b.has(k) && ints(k) === undefined)
    || (padding !== undefined && padding.kind !== 'str' && ints('padding') === undefined);
  const written: { -readonly [K in keyof OpArgs]: OpArgs[K] } = {};
  const stride = ints('stride');
  if (stride !== undefined) written.stride = stride;
  const paddingArgs = padding?.kind === 'str' && (padding.value === 'same' || padding.value === 'valid') ? padding.value : ints('padding');
  if (paddingArgs !== undefined) written.padding = paddingArgs;
  const dilation = ints('dilation');
  if (dilation !== undefined) written.dilation = dilation;
  const groups = knownInt(b.get('groups'));
  if (groups !== undefined) written.groups = groups;
  const outputPadding = ints('output_padding');
  if (transposed && outputPadding !== undefined) written.outputPadding = outputPadding;
  const bias = b.get('bias');
  const biasTensor = bias?.kind === 'tensor' ? bias : undefined;
  const shape = unreadable ? undefined : applyConv(op, input.shape, weight.shape, written, input.dtype, false, bias !== undefined && bias.kind !== 'none', weight.dtype ?? input.dtype).shape;
  return convolve(call.ctx, op, input, weight, biasTensor, shape, written, 'ConvolutionBackward0');
}
