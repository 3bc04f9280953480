// torch.nn layers: what the constructor was given (validated with the constructor's own errors,
// in its order) and what `forward` gives for an input: the output shape. Conv layers are conv.ts's,
// recurrent ones recurrent.ts's.
import { expandInts } from '../../core/geometry';
import type { DType } from '../../core/tensor';
import type { PaddingMode } from '../../core/vocabulary';
import { addDims, allKnown, dimsEqual, floorDivDims, isKnown, mulDims, productOfDims, scaleDim, symbol, type Dim } from '../interpreter/dim';
import {
  bigIntOf, itemsOf, knownFlag, knownInt, knownNumber, pythonTypeName, sizeOf, UNKNOWN, type Layer, type Value,
} from '../interpreter/values';
import type { Call } from './context';
import { applyConvLayer, convLayer, CONV_LAYER_SIGNATURES, convWeightShape, symbolicInput } from './conv';
import { recurrentLayer, recurrentParameterCount } from './recurrent';
import { messages, PythonError } from './messages';
import { flattenShape, modePadShape, unflattenShape, UNKNOWN_DIM } from './shapes';

function poolOutputLength(length: Dim, kernel: number, stride: number, padding: number, dilation: number, ceilMode: boolean): Dim {
  if (!isKnown(length)) {
    const numerator = addDims(length, 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0));
    return addDims(floorDivDims(numerator, stride), 1);
  }
  let out = Math.floor((length + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  // The last window must start inside the input or its left padding.
  if (ceilMode && (out - 1) * stride >= length + padding) out--;
  return out;
}

function applyPool(layer: Extract<Layer, { type: 'pool' }>, input: readonly Dim[], requiresGrad: boolean | undefined): Dim[] {
  // A 1-D max pool without indices runs ATen's max_pool1d (its own wording, an empty output
  // allowed) only when the input needs no gradient; else the pool with indices. When that is not
  // known, what both raise alike is raised, and what only one raises is not known.
  if (layer.spatialDims !== 1 || !layer.max || layer.returnIndices || requiresGrad === true) return checkedPool(layer, input, false);
  if (requiresGrad === false) return checkedPool(layer, input, true);
  const attempt = (maxPool1d: boolean): Dim[] | PythonError => {
    try {
      return checkedPool(layer, input, maxPool1d);
    } catch (e) {
      if (e instanceof PythonError) return e;
      throw e;
    }
  };
  const [viaImpl, viaIndices] = [attempt(true), attempt(false)];
  if (viaImpl instanceof PythonError && viaIndices instanceof PythonError && viaImpl.message === viaIndices.message) throw viaImpl;
  if (!(viaImpl instanceof PythonError) && !(viaIndices instanceof PythonError)) return viaIndices;
  return input.map((d, i) => (i < input.length - 1 ? d : UNKNOWN_DIM));
}

/** A pool's checks in PyTorch's order and its output shape; `maxPool1d`: as ATen's max_pool1d. */
function checkedPool(layer: Extract<Layer, { type: 'pool' }>, input: readonly Dim[], maxPool1d: boolean): Dim[] {
  const dims = layer.spatialDims;
  if (input.length !== dims + 1 && input.length !== dims + 2) {
    if (dims === 2) throw messages.poolRank(layer.max, input);
    if (dims === 3) throw messages.pool3dRank();
    if (maxPool1d) throw messages.maxPool1dRank(input);
    return input.map(() => UNKNOWN_DIM);
  }
  layer.padding.forEach((p, i) => {
    const kernel = layer.kernel[i] ?? 1;
    if (p > kernel / 2) throw maxPool1d ? messages.maxPool1dPadding(p, kernel) : messages.poolPadding(p, kernel);
  });
  const lead = input.length - dims;
  const unpadded = input.slice(lead);
  // avg_pool3d checks the input without its padding against the kernel first.
  if (dims === 3 && !layer.max && unpadded.some((s, i) => isKnown(s) && s < (layer.kernel[i] ?? 1))) throw messages.avgPool3dKernel(unpadded, layer.kernel);
  const spatial = unpadded.map((length, i) => poolOutputLength(length, layer.kernel[i] ?? 1, layer.stride[i] ?? 1, layer.padding[i] ?? 0, layer.dilation[i] ?? 1, layer.ceilMode));
  if (allKnown(spatial)) {
    const sizes = spatial as number[];
    if (maxPool1d && (sizes[0] as number) < 0) throw messages.maxPool1dOutputSize(sizes[0] as number);
    if (!maxPool1d && sizes.some((s) => s < 1)) {
      // A 1-D pool runs as a 2-D one over (C, 1, L): its message shows that height of one.
      const rest = input.slice(lead - 1);
      const shown = dims === 1 ? [rest[0] as Dim, 1, ...rest.slice(1)] : rest;
      throw messages.poolOutputTooSmall(shown, [shown[0] as Dim, ...(dims === 1 ? [1] : []), ...spatial]);
    }
  }
  return [...input.slice(0, lead), ...spatial];
}

/**
 * `unpool(x, indices, output_size)`: F.max_unpool's `_unpool_output_size`, each spatial size
 * (x − 1)·stride − 2·padding + kernel or the one asked for. Undefined (not known) where PyTorch
 * would check what is not followed here: an asked size out of its range, indices of another shape.
 */
export function unpoolShape(layer: Extract<Layer, { type: 'unpool' }>, input: readonly Dim[], indices: readonly Dim[] | undefined, outputSize: readonly (number | undefined)[] | undefined): Dim[] | undefined {
  const dims = layer.spatialDims;
  if ((input.length !== dims + 1 && input.length !== dims + 2) || !indices || indices.length !== input.length || !indices.every((d, i) => dimsEqual(d, input[i] as Dim))) return undefined;
  const lead = input.length - dims;
  const defaults = input.slice(lead).map((length, i) => addDims(scaleDim(addDims(length, -1), layer.stride[i] ?? 1), (layer.kernel[i] ?? 1) - 2 * (layer.padding[i] ?? 0)));
  if (!outputSize) return [...input.slice(0, lead), ...defaults];
  const asked = outputSize.length === dims + 2 ? outputSize.slice(2) : outputSize;
  if (asked.length !== dims) return undefined;
  const fits = asked.every((size, i) => {
    const fallback = defaults[i] as Dim;
    const stride = layer.stride[i] ?? 1;
    return size !== undefined && isKnown(fallback) && fallback - stride < size && size < fallback + stride;
  });
  return fits ? [...input.slice(0, lead), ...(asked as number[])] : undefined;
}

/** Interpolation's output sizes: `size`, or ⌊input·scale⌋ per spatial dim. */
export function interpolateShape(input: readonly Dim[], size: readonly number[] | undefined, scale: readonly number[] | undefined): Dim[] {
  const dims = input.length - 2;
  if (dims < 1) return input.map(() => UNKNOWN_DIM);
  const spatial = input.slice(2).map((length, i) => {
    if (size) return size.length === 1 ? (size[0] as number) : (size[i] ?? UNKNOWN_DIM);
    const s = scale ? (scale.length === 1 ? scale[0] : scale[i]) : undefined;
    if (s === undefined) return UNKNOWN_DIM;
    if (!isKnown(length)) return Number.isInteger(s) ? scaleDim(length, s) : UNKNOWN_DIM;
    return Math.floor(length * s);
  });
  return [input[0] as Dim, input[1] as Dim, ...spatial];
}

export function pixelShuffleShape(input: readonly Dim[], factor: number, inverse: boolean): Dim[] {
  if (input.length < 3) return input.map(() => UNKNOWN_DIM);
  const lead = input.slice(0, -3);
  const [c, h, w] = input.slice(-3) as [Dim, Dim, Dim];
  if (!inverse) {
    const square = factor * factor;
    if (isKnown(c) && c % square !== 0) throw messages.pixelShuffleChannels(c, square);
    return [...lead, floorDivDims(c, square), mulDims(h, factor), mulDims(w, factor)];
  }
  for (const [size, which] of [[h, 'height'], [w, 'width']] as const) {
    if (isKnown(size) && size % factor !== 0) throw messages.pixelUnshuffleSize(which, size, factor);
  }
  return [...lead, mulDims(c, factor * factor), floorDivDims(h, factor), floorDivDims(w, factor)];
}

/** `nn.Linear` / `F.linear`: the last dim must be in_features (PyTorch's addmm message). */
export function linearShape(input: readonly Dim[], weight: readonly Dim[]): Dim[] {
  const [outFeatures, inFeatures] = weight as [Dim, Dim];
  const last = input[input.length - 1];
  if (last === undefined) throw messages.linearRank();
  if (isKnown(last) && isKnown(inFeatures) && last !== inFeatures) throw messages.linearMismatch(input.length === 1 ? 1 : productOfDims(input.slice(0, -1)), last, inFeatures, outFeatures);
  return [...input.slice(0, -1), outFeatures];
}

/** A non-container layer's output shape for an input shape (undefined: rank unknown). */
export function applyLayer(layer: Exclude<Layer, { type: 'container' | 'loss' | 'recurrent' | 'unpool' }>, input: readonly Dim[] | undefined, dtype: DType | undefined, inputRequiresGrad?: boolean): Dim[] | undefined {
  switch (layer.type) {
    case 'conv':
      return applyConvLayer(layer, input, dtype).shape;
    case 'linear': {
      const inFeatures = layer.inFeatures ?? (input ? input[input.length - 1] : undefined);
      if (layer.inFeatures === undefined && inFeatures !== undefined) layer.inFeatures = inFeatures;
      const weight = layer.weight?.shape ?? [layer.outFeatures, inFeatures ?? symbol('in_features')];
      return linearShape(input ?? [symbol('N'), weight[1] as Dim], weight);
    }
    case 'pool':
      return applyPool(layer, input ?? symbolicInput(layer.spatialDims, undefined), inputRequiresGrad);
    case 'adaptivePool': {
      const shape = input ?? symbolicInput(layer.spatialDims, undefined);
      const lead = shape.length - layer.spatialDims;
      return [...shape.slice(0, lead), ...shape.slice(lead).map((s, i) => layer.outputSize[i] ?? s)];
    }
    case 'flatten':
      return input ? flattenShape(input, layer.startDim, layer.endDim) : undefined;
    case 'unflatten':
      return input ? unflattenShape(input, layer.dim, layer.sizes) : undefined;
    case 'batchNorm': {
      if (!input) return undefined;
      checkBatchNormRank(layer.spatialDims, input.length);
      const channels = input[1] as Dim;
      if (isKnown(channels) && isKnown(layer.numFeatures) && channels !== layer.numFeatures) throw messages.batchNormFeatures(channels, layer.numFeatures);
      return [...input];
    }
    case 'layerNorm': {
      if (!input) return undefined;
      const tail = input.slice(input.length - layer.normalizedShape.length);
      if (tail.length < layer.normalizedShape.length || (allKnown(tail) && tail.some((s, i) => s !== layer.normalizedShape[i]))) throw messages.layerNormShape(layer.normalizedShape, input);
      return [...input];
    }
    case 'elementwise':
      if (input && layer.instanceNormDims !== undefined && input.length === layer.instanceNormDims + 2) {
        const spatial = input.slice(2);
        if (allKnown(spatial) && productOfDims(spatial) === 1) throw messages.instanceNormSpatial(input);
      }
      return input ? [...input] : undefined;
    case 'upsample':
      return input ? interpolateShape(input, layer.size, layer.scale) : undefined;
    case 'pixelShuffle':
      return input ? pixelShuffleShape(input, layer.factor, layer.inverse) : undefined;
    case 'embedding':
      return input ? [...input, layer.embeddingDim] : undefined;
    case 'pad':
      return input ? modePadShape(input, layer.pads, layer.mode, dtype) : undefined;
  }
}

/** Whether a layer may hold parameters (its output then needs a gradient while autograd is on). */
export function layerHasParameters(layer: Layer): boolean {
  switch (layer.type) {
    case 'pool':
    case 'adaptivePool':
    case 'unpool':
    case 'flatten':
    case 'unflatten':
    case 'upsample':
    case 'pixelShuffle':
    case 'pad':
      return false;
    case 'elementwise':
      return /PReLU|Norm/.test(layer.name);
    default:
      return true;
  }
}

/**
 * The parameters a layer holds itself (PyTorch's `sum(p.numel() for p in layer.parameters(recurse=False))`);
 * undefined when not known (a weight set by assignment, a recurrent layer's are not counted yet).
 */
export function layerParameterCount(layer: Layer): number | undefined {
  switch (layer.type) {
    case 'conv': {
      const weight = convWeightShape(layer);
      if (layer.weight || layer.biasValue || !allKnown(weight) || !isKnown(layer.outChannels)) return undefined;
      return (productOfDims(weight) as number) + (layer.bias ? layer.outChannels : 0);
    }
    case 'linear':
      if (layer.weight || layer.inFeatures === undefined || !isKnown(layer.inFeatures) || !isKnown(layer.outFeatures)) return undefined;
      return layer.inFeatures * layer.outFeatures + (layer.bias ? layer.outFeatures : 0);
    case 'batchNorm':
    case 'layerNorm':
    case 'elementwise':
    case 'embedding':
      return layer.parameters;
    case 'recurrent':
      return recurrentParameterCount(layer);
    case 'container':
    case 'loss':
      return 0;
    default:
      return layerHasParameters(layer) ? undefined : 0;
  }
}

function checkBatchNormRank(spatialDims: number, rank: number): void {
  const expected = spatialDims === 1 ? [2, 3] : [spatialDims + 2];
  if (!expected.includes(rank)) throw messages.batchNormRank(expected, rank);
}

// ---------------------------------------------------------------------------------------------
// Constructors.

const ELEMENTWISE_LAYERS = new Set([
  'ReLU', 'ReLU6', 'LeakyReLU', 'PReLU', 'RReLU', 'ELU', 'SELU', 'CELU', 'GELU', 'SiLU', 'Mish', 'Sigmoid', 'Tanh', 'Hardtanh', 'Hardswish',
  'Hardsigmoid', 'Softplus', 'Softsign', 'Softshrink', 'Hardshrink', 'Tanhshrink', 'Threshold', 'LogSigmoid', 'Dropout', 'Dropout1d', 'Dropout2d',
  'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout', 'Identity', 'LazyInstanceNorm1d',
  'LazyInstanceNorm2d', 'LazyInstanceNorm3d', 'LocalResponseNorm', 'Softmax', 'LogSoftmax', 'Softmin', 'Softmax2d', 'LazyBatchNorm1d',
  'LazyBatchNorm2d', 'LazyBatchNorm3d', 'SyncBatchNorm', 'CrossMapLRN2d',
]);

/** Loss modules and the F.* function each calls. */
/** The F.pad mode of each pad layer family (Zero and Constant pad with a constant). */
const PAD_LAYER_MODES: Readonly<Record<string, PaddingMode | undefined>> = { Reflection: 'reflect', Replication: 'replicate', Circular: 'circular' };

export const LOSS_LAYERS: ReadonlyMap<string, string> = new Map([
  ['MSELoss', 'mse_loss'], ['L1Loss', 'l1_loss'], ['SmoothL1Loss', 'smooth_l1_loss'], ['HuberLoss', 'huber_loss'], ['BCELoss', 'binary_cross_entropy'],
  ['BCEWithLogitsLoss', 'binary_cross_entropy_with_logits'], ['CrossEntropyLoss', 'cross_entropy'], ['NLLLoss', 'nll_loss'], ['KLDivLoss', 'kl_div'],
  ['CosineEmbeddingLoss', 'cosine_embedding_loss'], ['SoftMarginLoss', 'soft_margin_loss'], ['PoissonNLLLoss', 'poisson_nll_loss'],
]);

/** An int or a tuple of ints (a kernel size, a stride), each known; undefined otherwise. */
function intsOrInt(v: Value | undefined): number | number[] | undefined {
  if (v?.kind === 'int' || v?.kind === 'bool') return knownInt(v);
  const items = itemsOf(v)?.map(knownInt);
  return items?.every((i): i is number => i !== undefined) ? items : undefined;
}

/** Numbers given as one or a sequence (`scale_factor`), each known; undefined otherwise. */
export function numbersOf(v: Value | undefined): number[] | undefined {
  const items = itemsOf(v);
  const values = (items ?? (v ? [v] : [])).map(knownNumber);
  return values.length > 0 && values.every((n): n is number => n !== undefined) ? values : undefined;
}

/** `MaxPool2d(...)` / `F.max_pool2d(...)`'s arguments as a pool layer (the stride defaults to the kernel). */
export function poolLayer(max: boolean, dims: number, b: ReadonlyMap<string, Value>, name: string): Layer | undefined {
  const kernel = intsOrInt(b.get('kernel_size'));
  const strideValue = b.get('stride');
  const stride = strideValue === undefined || strideValue.kind === 'none' || (itemsOf(strideValue)?.length === 0) ? kernel : intsOrInt(strideValue);
  const padding = b.has('padding') ? intsOrInt(b.get('padding')) : 0;
  const dilation = b.has('dilation') ? intsOrInt(b.get('dilation')) : 1;
  const ceilMode = knownFlag(b.get('ceil_mode'), false);
  const returnIndices = knownFlag(b.get('return_indices'), false);
  if (kernel === undefined || stride === undefined || padding === undefined || dilation === undefined || ceilMode === undefined || returnIndices === undefined) return undefined;
  return {
    type: 'pool', name, max, spatialDims: dims,
    kernel: expandInts(kernel, 1, dims), stride: expandInts(stride, 1, dims), padding: expandInts(padding, 0, dims), dilation: expandInts(dilation, 1, dims),
    ceilMode, returnIndices,
  };
}

/** A dict's keys as module names (PyTorch wants strings; another key is not followed). */
function moduleNames(dict: Extract<Value, { kind: 'dict' }>): string[] | undefined {
  const keys = [...dict.entries.keys()];
  return keys.every((k): k is string => typeof k === 'string') ? keys : undefined;
}

/** The arguments of BatchNorm*d, InstanceNorm*d and SyncBatchNorm, in order. */
const NORM_SIGNATURE = ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'];

/** A norm's parameters: its weight and bias of `size` each when `affine` (default `fallback`); undefined when not known. */
function affineParameters(affine: Value | undefined, fallback: boolean, size: Dim | undefined): number | undefined {
  const on = knownFlag(affine, fallback);
  if (on === false) return 0;
  return on === true && size !== undefined && isKnown(size) ? 2 * size : undefined;
}

/** The parameters of an activation-like layer: PReLU's slopes, SyncBatchNorm's affine ones; a Lazy layer's are not known until its first call. */
function elementwiseParameters(call: Call, name: string): number | undefined {
  if (name === 'PReLU') {
    const count = call.bind(['num_parameters', 'init']).get('num_parameters');
    return count === undefined ? 1 : knownInt(count);
  }
  if (name === 'SyncBatchNorm') {
    const b = call.bind(NORM_SIGNATURE);
    return affineParameters(b.get('affine'), true, sizeOf(b.get('num_features')));
  }
  return name.startsWith('Lazy') ? undefined : 0;
}

/** `nn.<name>(...)`: the layer value, unknown when the arguments are not static enough, undefined when not a layer Conv Lab knows. */
export function constructLayer(call: Call, name: string): Value | undefined {
  const layer = layerFrom(call, name);
  return layer === undefined ? undefined : layer === 'unknown' ? UNKNOWN : { kind: 'layer', layer };
}

/** A conv constructor's int argument: PyTorch's TypeError for a known value of another type. */
function intParameter(call: Call, b: ReadonlyMap<string, Value>, name: string): Dim | undefined {
  const v = b.get(name);
  if (v === undefined) {
    if (!call.spread) throw messages.initMissing(name, call.ctx.site);
    return undefined;
  }
  if (v.kind === 'float' || v.kind === 'str' || v.kind === 'none' || v.kind === 'list' || v.kind === 'tuple') throw messages.argumentType(call.name, name, undefined, 'int', pythonTypeName(v), call.ctx.site);
  return sizeOf(v);
}

function convFrom(call: Call, name: string): Layer | 'unknown' {
  const lazy = name.startsWith('Lazy');
  const signature: readonly string[] = CONV_LAYER_SIGNATURES[name.includes('Transpose') ? 'convTranspose' : 'conv'];
  const names = lazy ? signature.slice(1) : signature;
  names.forEach((n, i) => {
    if (i < call.positional.length && call.keywords.has(n)) throw messages.initMultipleValues(n, call.ctx.site);
  });
  const b = call.bind(names);
  const inChannels = lazy ? undefined : intParameter(call, b, 'in_channels');
  const outChannels = intParameter(call, b, 'out_channels');
  if (!b.has('kernel_size') && !call.spread) throw messages.initMissing('kernel_size', call.ctx.site);
  const kernelValue = b.get('kernel_size');
  if (kernelValue && (kernelValue.kind === 'float' || kernelValue.kind === 'str' || kernelValue.kind === 'none')) {
    throw messages.intTupleArgument(call.name, 'kernel_size', pythonTypeName(kernelValue), call.ctx.site);
  }
  const kernelSize = intsOrInt(kernelValue);
  const padding = b.get('padding');
  const read = (key: string): number | number[] | undefined => intsOrInt(b.get(key));
  const unreadable = ['stride', 'dilation', 'output_padding', 'groups'].some((k) => b.has(k) && read(k) === undefined)
    || (padding !== undefined && padding.kind !== 'str' && read('padding') === undefined)
    || (padding?.kind === 'str' && padding.value === undefined);
  if ((!lazy && inChannels === undefined) || outChannels === undefined || kernelSize === undefined || unreadable || call.spread) return 'unknown';
  const bias = b.get('bias');
  const mode = b.get('padding_mode');
  if (mode && mode.kind !== 'str' && mode.kind !== 'unknown') throw messages.paddingModeInvalid(pythonTypeName(mode), call.ctx.site);
  if (mode?.kind === 'str' && mode.value === undefined) return 'unknown';
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
    // `bias=False`: any other value (a truthy one, or not known) keeps the bias.
    bias: bias === undefined ? undefined : !(bias.kind === 'bool' && bias.value === false) && !(bigIntOf(bias) === 0n),
    paddingMode: mode?.kind === 'str' ? mode.value : undefined,
  });
}

function layerFrom(call: Call, name: string): Layer | 'unknown' | undefined {
  const p = call.positional;
  if (/^(Lazy)?(Conv|ConvTranspose)[123]d$/.test(name)) return convFrom(call, name);
  if (name === 'Linear' || name === 'LazyLinear') {
    const b = call.bind(name === 'Linear' ? ['in_features', 'out_features', 'bias'] : ['out_features', 'bias']);
    const outFeatures = sizeOf(b.get('out_features'));
    const inFeatures = name === 'Linear' ? sizeOf(b.get('in_features')) : undefined;
    if (outFeatures === undefined || (name === 'Linear' && inFeatures === undefined)) return 'unknown';
    return { type: 'linear', inFeatures, outFeatures, bias: knownFlag(b.get('bias'), true) ?? true, weight: undefined };
  }
  const pool = /^(Max|Avg)Pool([123])d$/.exec(name);
  if (pool) {
    const names = pool[1] === 'Max' ? ['kernel_size', 'stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'] : ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'];
    return poolLayer(pool[1] === 'Max', Number(pool[2]), call.bind(names), name) ?? 'unknown';
  }
  const unpool = /^MaxUnpool([123])d$/.exec(name);
  if (unpool) {
    const dims = Number(unpool[1]);
    const b = call.bind(['kernel_size', 'stride', 'padding']);
    const kernel = intsOrInt(b.get('kernel_size'));
    const strideGiven = b.get('stride');
    const stride = strideGiven === undefined || strideGiven.kind === 'none' ? kernel : intsOrInt(strideGiven);
    const padding = b.has('padding') ? intsOrInt(b.get('padding')) : 0;
    if (kernel === undefined || stride === undefined || padding === undefined) return 'unknown';
    return { type: 'unpool', spatialDims: dims, kernel: expandInts(kernel, 1, dims), stride: expandInts(stride, 1, dims), padding: expandInts(padding, 0, dims) };
  }
  const adaptive = /^Adaptive(Max|Avg)Pool([123])d$/.exec(name);
  if (adaptive) {
    const dims = Number(adaptive[2]);
    const b = call.bind(adaptive[1] === 'Max' ? ['output_size', 'return_indices'] : ['output_size']);
    const size = b.get('output_size');
    const items = itemsOf(size);
    const outputSize = items ? items.map((v) => (v.kind === 'none' ? undefined : knownInt(v))) : new Array<number | undefined>(dims).fill(knownInt(size));
    const returnIndices = knownFlag(b.get('return_indices'), false);
    if ((!items && knownInt(size) === undefined) || returnIndices === undefined) return 'unknown';
    return { type: 'adaptivePool', spatialDims: dims, outputSize, returnIndices };
  }
  if (name === 'Flatten') {
    const b = call.bind(['start_dim', 'end_dim']);
    const start = b.has('start_dim') ? knownInt(b.get('start_dim')) : 1;
    const end = b.has('end_dim') ? knownInt(b.get('end_dim')) : -1;
    return start === undefined || end === undefined ? 'unknown' : { type: 'flatten', startDim: start, endDim: end };
  }
  if (name === 'Unflatten') {
    const b = call.bind(['dim', 'unflattened_size']);
    const dim = knownInt(b.get('dim'));
    const sizes = itemsOf(b.get('unflattened_size'))?.map(sizeOf);
    return dim === undefined || !sizes || !sizes.every((s): s is Dim => s !== undefined) ? 'unknown' : { type: 'unflatten', dim, sizes };
  }
  const batchNorm = /^BatchNorm([123])d$/.exec(name);
  if (batchNorm) {
    const b = call.bind(NORM_SIGNATURE);
    const features = sizeOf(b.get('num_features'));
    return features === undefined ? 'unknown' : { type: 'batchNorm', spatialDims: Number(batchNorm[1]), numFeatures: features, parameters: affineParameters(b.get('affine'), true, features) };
  }
  if (name === 'LayerNorm') {
    const b = call.bind(['normalized_shape', 'eps', 'elementwise_affine']);
    const shape = intsOrInt(b.get('normalized_shape'));
    if (shape === undefined) return 'unknown';
    const normalizedShape = typeof shape === 'number' ? [shape] : shape;
    return { type: 'layerNorm', normalizedShape, parameters: affineParameters(b.get('elementwise_affine'), true, normalizedShape.reduce((n, d) => n * d, 1)) };
  }
  if (name === 'GroupNorm') {
    const b = call.bind(['num_groups', 'num_channels', 'eps', 'affine']);
    const [groups, channels] = [knownInt(b.get('num_groups')), knownInt(b.get('num_channels'))];
    if (groups !== undefined && channels !== undefined && groups > 0 && channels % groups !== 0) throw messages.groupNormChannels(call.ctx.site);
    return { type: 'elementwise', name, parameters: affineParameters(b.get('affine'), true, channels) };
  }
  if (name === 'RNN' || name === 'LSTM' || name === 'GRU') return recurrentLayer(call, name);
  const instanceNorm = /^InstanceNorm([123])d$/.exec(name);
  if (instanceNorm) {
    // Without running stats F.instance_norm always uses the input's (train or eval); with them, the mode decides.
    const tracked = call.positional.length >= 5 ? undefined : knownFlag(call.keywords.get('track_running_stats'), false);
    const b = call.bind(NORM_SIGNATURE);
    return { type: 'elementwise', name, instanceNormDims: tracked === false ? Number(instanceNorm[1]) : undefined, parameters: affineParameters(b.get('affine'), false, sizeOf(b.get('num_features'))) };
  }
  if (ELEMENTWISE_LAYERS.has(name)) return { type: 'elementwise', name, parameters: elementwiseParameters(call, name) };
  if (name === 'Upsample' || name === 'UpsamplingNearest2d' || name === 'UpsamplingBilinear2d') {
    const b = call.bind(['size', 'scale_factor']);
    const size = intsOrInt(b.get('size'));
    const scale = numbersOf(b.get('scale_factor'));
    return size !== undefined || scale ? { type: 'upsample', size: typeof size === 'number' ? [size] : size, scale } : 'unknown';
  }
  if (name === 'PixelShuffle' || name === 'PixelUnshuffle') {
    const factor = knownInt(p[0] ?? call.keywords.get(name === 'PixelShuffle' ? 'upscale_factor' : 'downscale_factor'));
    return factor === undefined ? 'unknown' : { type: 'pixelShuffle', factor, inverse: name === 'PixelUnshuffle' };
  }
  if (name === 'Embedding') {
    const b = call.bind(['num_embeddings', 'embedding_dim']);
    const dim = sizeOf(b.get('embedding_dim'));
    const count = sizeOf(b.get('num_embeddings'));
    return dim === undefined ? 'unknown' : { type: 'embedding', embeddingDim: dim, parameters: count !== undefined && isKnown(count) && isKnown(dim) ? count * dim : undefined };
  }
  if (name === 'Sequential') {
    const dict = p.length === 1 && p[0]?.kind === 'dict' ? p[0] : undefined;
    if (call.spread && !dict && p.length === 0) return 'unknown';
    const children = dict ? [...dict.entries.values()] : [...p];
    const keys = dict ? moduleNames(dict) : p.map(() => undefined);
    if (!keys) return 'unknown';
    return { type: 'container', name, children, keys };
  }
  if (name === 'ModuleList' || name === 'ModuleDict') {
    const arg = p[0];
    if (arg?.kind === 'dict') {
      const keys = moduleNames(arg);
      return keys ? { type: 'container', name: 'ModuleDict', children: [...arg.entries.values()], keys } : 'unknown';
    }
    const items = arg === undefined ? [] : itemsOf(arg);
    return items ? { type: 'container', name: name as 'ModuleList', children: [...items], keys: items.map(() => undefined) } : 'unknown';
  }
  const padLayer = /^(Zero|Constant|Reflection|Replication|Circular)Pad([123])d$/.exec(name);
  if (padLayer) {
    const dims = Number(padLayer[2]);
    const padding = intsOrInt(p[0] ?? call.keywords.get('padding'));
    if (padding === undefined) return 'unknown';
    const mode = PAD_LAYER_MODES[padLayer[1] as string];
    return { type: 'pad', pads: typeof padding === 'number' ? new Array<number>(dims * 2).fill(padding) : padding, mode };
  }
  const loss = LOSS_LAYERS.get(name);
  if (loss) {
    const reduction = call.keywords.get('reduction');
    return { type: 'loss', functional: loss, reduction: reduction?.kind === 'str' ? reduction.value : 'mean' };
  }
  return undefined;
}
