// torch.nn layers as shape inference sees them: what the constructor was given (validated with
// the constructor's own errors) and the output shape `forward` gives for an input shape. Conv
// layers ask core/geometry, the one module that knows convolution geometry, so a hover, a
// diagnostic and the compute core can never disagree.
import { sizeList } from '../../core/convErrors';
import { convErrors } from '../../core/convErrors';
import { TorchError } from '../../core/errors';
import { convGeometry, dimensionNames, expandInts, type ConvGeometry } from '../../core/geometry';
import type { OpArgs, OpName, PaddingMode } from '../../core/vocabulary';
import { PADDING_MODES } from '../../core/vocabulary';
import type { DType } from '../../core/tensor';
import { addDims, allKnown, dimText, floorDivDims, isKnown, mulDims, productOfDims, scaleDim, subDims, symbol, type Dim } from './dim';
import { flattenShape, padShape, sizeListText, unflattenShape, UNKNOWN_DIM } from './tensorShapes';

export interface ConvLayer {
  readonly type: 'conv';
  /** `Conv2d`, `ConvTranspose1d`, `LazyConv3d`. */
  readonly name: string;
  readonly op: OpName;
  readonly transposed: boolean;
  readonly spatialDims: number;
  /** Undefined for a Lazy layer until its first call sets it; symbolic in a function analysed without a call. */
  inChannels: Dim | undefined;
  readonly outChannels: Dim;
  readonly kernelSize: readonly number[];
  readonly args: OpArgs;
  readonly bias: boolean;
  /** Set by `layer.weight = ...` / `layer.weight.data = K`: PyTorch computes with this shape. */
  weightOverride: readonly Dim[] | undefined;
}

export type Layer =
  | ConvLayer
  | { readonly type: 'linear'; inFeatures: Dim | undefined; readonly outFeatures: Dim; readonly bias: boolean; weightOverride: readonly Dim[] | undefined }
  | { readonly type: 'pool'; readonly name: string; readonly max: boolean; readonly spatialDims: number; readonly kernel: readonly number[]; readonly stride: readonly number[]; readonly padding: readonly number[]; readonly dilation: readonly number[]; readonly ceilMode: boolean }
  | { readonly type: 'adaptivePool'; readonly spatialDims: number; readonly outputSize: readonly (number | undefined)[] }
  | { readonly type: 'flatten'; readonly startDim: number; readonly endDim: number }
  | { readonly type: 'unflatten'; readonly dim: number; readonly sizes: readonly Dim[] }
  | { readonly type: 'batchNorm'; readonly spatialDims: number; readonly numFeatures: Dim }
  | { readonly type: 'layerNorm'; readonly normalizedShape: readonly number[] }
  /** Activations, dropout, identity, GroupNorm, InstanceNorm: output shape = input shape. */
  | { readonly type: 'elementwise'; readonly name: string }
  | { readonly type: 'upsample'; readonly size: readonly number[] | undefined; readonly scale: readonly number[] | undefined }
  | { readonly type: 'pixelShuffle'; readonly factor: number; readonly inverse: boolean }
  | { readonly type: 'embedding'; readonly embeddingDim: Dim }
  /** MSELoss, CrossEntropyLoss...: `functional` names the F.* form. */
  | { readonly type: 'loss'; readonly functional: string; readonly reduction: string | undefined }
  /** ZeroPad2d, ReflectionPad1d...: F.pad's pads, last dim first. */
  | { readonly type: 'pad'; readonly pads: readonly number[] }
  /** Sequential and ModuleList: children are layers, user modules or unknown. */
  | { readonly type: 'container'; readonly name: 'Sequential' | 'ModuleList' | 'ModuleDict'; readonly children: unknown[]; readonly keys: (string | undefined)[] };

const runtime = (code: string, message: string): TorchError => new TorchError('RuntimeError', message, code);
const valueError = (code: string, message: string): TorchError => new TorchError('ValueError', message, code);

export interface ConvConstructorArgs {
  readonly name: string;
  readonly inChannels: Dim | undefined;
  readonly outChannels: Dim;
  readonly kernelSize: number | readonly number[];
  readonly stride?: number | readonly number[] | undefined;
  readonly padding?: number | readonly number[] | string | undefined;
  readonly dilation?: number | readonly number[] | undefined;
  readonly outputPadding?: number | readonly number[] | undefined;
  readonly groups?: number | undefined;
  readonly bias?: boolean | undefined;
  readonly paddingMode?: string | undefined;
}

/** `nn.Conv2d(...)` / `nn.ConvTranspose2d(...)` / their Lazy forms, with `_ConvNd.__init__`'s checks in its order. */
export function convLayer(a: ConvConstructorArgs): ConvLayer {
  const match = /^(?:Lazy)?(Conv|ConvTranspose)([123])d$/.exec(a.name);
  if (!match) throw new RangeError(`not a conv layer: ${a.name}`);
  const transposed = match[1] === 'ConvTranspose';
  const spatialDims = Number(match[2]);
  const groups = a.groups ?? 1;
  if (groups <= 0) throw convErrors.moduleGroupsNotPositive();
  if (a.inChannels !== undefined && isKnown(a.inChannels) && a.inChannels % groups !== 0) throw convErrors.moduleChannelsNotDivisible('in_channels');
  if (isKnown(a.outChannels) && a.outChannels % groups !== 0) throw convErrors.moduleChannelsNotDivisible('out_channels');
  const stride = expandInts(a.stride, 1, spatialDims);
  if (typeof a.padding === 'string') {
    if (a.padding !== 'same' && a.padding !== 'valid') throw valueError('invalid-padding', `Invalid padding string '${a.padding}', should be one of {'valid', 'same'}`);
    if (a.padding === 'same' && stride.some((s) => s !== 1)) throw convErrors.sameWithStride('ValueError');
  }
  const paddingMode = a.paddingMode ?? 'zeros';
  if (!(PADDING_MODES as readonly string[]).includes(paddingMode)) {
    throw valueError('invalid-padding-mode', `padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${paddingMode}'`);
  }
  const name = a.name.replace(/^Lazy/, '');
  if (transposed && paddingMode !== 'zeros') throw convErrors.transposedPaddingMode(name);
  return {
    type: 'conv',
    name: a.name,
    op: (transposed ? `conv_transpose${spatialDims}d` : `conv${spatialDims}d`) as OpName,
    transposed,
    spatialDims,
    inChannels: a.inChannels,
    outChannels: a.outChannels,
    kernelSize: expandInts(a.kernelSize, 1, spatialDims),
    args: {
      stride,
      padding: typeof a.padding === 'string' ? (a.padding as 'same' | 'valid') : expandInts(a.padding, 0, spatialDims),
      dilation: expandInts(a.dilation, 1, spatialDims),
      groups,
      ...(transposed ? { outputPadding: expandInts(a.outputPadding, 0, spatialDims) } : {}),
      paddingMode: paddingMode as PaddingMode,
    },
    bias: a.bias ?? true,
    weightOverride: undefined,
  };
}

/** The weight's shape: `(out, in/groups, *k)`, transposed `(in, out/groups, *k)`, or what replaced it. */
export function convWeightShape(layer: ConvLayer, inChannels: Dim | undefined = layer.inChannels): Dim[] {
  if (layer.weightOverride) return [...layer.weightOverride];
  const groups = layer.args.groups ?? 1;
  const input = inChannels ?? symbol('C_in');
  return layer.transposed
    ? [input, floorDivDims(layer.outChannels, groups), ...layer.kernelSize]
    : [layer.outChannels, floorDivDims(input, groups), ...layer.kernelSize];
}

export interface ConvApplication {
  readonly shape: Dim[];
  /** Present when every size was known: the geometry the compute core would use. */
  readonly geometry: ConvGeometry | undefined;
}

/**
 * A conv applied to an input shape, as F.convNd / nn.ConvNd.forward would: PyTorch's checks and
 * output shape from core/geometry. Symbolic sizes are validated with a stand-in size large enough
 * for every kernel, then computed symbolically with the same padding, stride and dilation.
 */
export function applyConv(op: OpName, input: readonly Dim[], weight: readonly Dim[], args: OpArgs, dtype: DType | undefined, viaModule: boolean, bias = false): ConvApplication {
  const transposed = op.startsWith('conv_transpose');
  const spatialDims = Number(/(\d)d$/.exec(op)?.[1] ?? 2);
  if (!weight.slice(2).every(isKnown)) return { shape: input.map(() => UNKNOWN_DIM), geometry: undefined };
  // Stand-ins for symbolic sizes that pass every check: batch 1, channel counts that agree with
  // each other (a symbolic count can never be proven wrong), large spatial sizes.
  const groups = args.groups ?? 1;
  const channelDim = input.length - spatialDims - 1;
  const inputChannels = input[channelDim];
  const knownInput = inputChannels !== undefined && isKnown(inputChannels) ? inputChannels : undefined;
  const weightStandIn = weight.map((d, i): number => {
    if (isKnown(d)) return d;
    if (i === 0) return transposed ? (knownInput ?? groups) : groups;
    return transposed ? 1 : knownInput === undefined ? 1 : Math.max(1, Math.floor(knownInput / groups));
  });
  const expectedChannels = transposed ? (weightStandIn[0] as number) : (weightStandIn[1] as number) * groups;
  const standIns = input.map((d, i) => (isKnown(d) ? d : i === channelDim ? expectedChannels : i < channelDim ? 1 : 1_000_003 + i));
  const request = {
    op,
    input: { shape: standIns, dtype: dtype ?? 'float32' },
    weight: { shape: weightStandIn, dtype: 'float32' as DType },
    // A bias changes which of PyTorch's dtype checks speaks first.
    bias: bias ? { shape: [transposed ? (weightStandIn[1] as number) * groups : (weightStandIn[0] as number)], dtype: 'float32' as DType } : undefined,
    args: viaModule ? { ...args, paddingMode: args.paddingMode ?? 'zeros' } : withoutPaddingMode(args),
  };
  const g = convGeometry(request);
  if (allKnown(input) && allKnown(weight)) return { shape: [...g.outputShape], geometry: g };
  const spatialStart = input.length - spatialDims;
  const outChannels = transposed ? mulDims(weight[1] as Dim, groups) : (weight[0] as Dim);
  const shape = g.outputShape.map((size, i): Dim => {
    if (i === spatialStart - 1) return outChannels;
    if (i < spatialStart) return input[i] as Dim;
    const k = i - spatialStart;
    const length = input[i] as Dim;
    if (isKnown(length)) return size;
    const stride = g.stride[k] ?? 1;
    const dilation = g.dilation[k] ?? 1;
    const kernel = g.kernelSize[k] ?? 1;
    if (transposed) {
      const fixed = -(g.padBefore[k] ?? 0) * 2 + dilation * (kernel - 1) + (g.outputPadding[k] ?? 0) + 1;
      return addDims(scaleDim(subDims(length, 1), stride), fixed);
    }
    const padded = addDims(length, (g.padBefore[k] ?? 0) + (g.padAfter[k] ?? 0) - dilation * (kernel - 1) - 1);
    return addDims(floorDivDims(padded, stride), 1);
  });
  return { shape, geometry: undefined };
}

/** F.convNd takes no padding mode: the arguments without it. */
function withoutPaddingMode(args: OpArgs): OpArgs {
  return Object.fromEntries(Object.entries(args).filter(([key]) => key !== 'paddingMode'));
}

/** `Conv2d(in_channels)` etc.: what a conv layer's call gives, Lazy layers taking their channels from the first input. */
export function applyConvLayer(layer: ConvLayer, input: readonly Dim[] | undefined, dtype: DType | undefined, outputSize?: readonly number[]): ConvApplication {
  const shape = input ?? symbolicInput(layer.spatialDims, layer.inChannels ?? layer.weightOverride?.[layer.transposed ? 0 : 1]);
  if (layer.inChannels === undefined && !layer.weightOverride) {
    const channelDim = shape.length === layer.spatialDims + 2 ? 1 : 0;
    const channels = shape[channelDim];
    if (channels !== undefined) layer.inChannels = channels;
  }
  const weight = convWeightShape(layer);
  return applyConv(layer.op, shape, weight, outputSize ? { ...layer.args, outputSize } : layer.args, dtype, true, layer.bias);
}

/** An input of unknown sizes for an N-D layer: `(N, C, H, W)` named the way the docs name them. */
export function symbolicInput(spatialDims: number, channels: Dim | undefined): Dim[] {
  return [symbol('N'), channels ?? symbol('C'), ...dimensionNames(spatialDims).map(symbol)];
}

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

function applyPool(layer: Extract<Layer, { type: 'pool' }>, input: readonly Dim[]): Dim[] {
  const dims = layer.spatialDims;
  if (input.length !== dims + 1 && input.length !== dims + 2) {
    if (dims === 2) throw runtime('wrong-rank', layer.max ? 'non-empty 3D or 4D (batch mode) tensor expected for input' : `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${sizeListText(input)}`);
    return input.map(() => UNKNOWN_DIM);
  }
  layer.padding.forEach((p, i) => {
    if (p > (layer.kernel[i] ?? 1) / 2) throw runtime('pool-padding', `pad should be at most half of kernel size, but got pad=${p} and kernel_size=${layer.kernel[i] ?? 1}`);
  });
  const lead = input.length - dims;
  const spatial = input.slice(lead).map((length, i) => poolOutputLength(length, layer.kernel[i] ?? 1, layer.stride[i] ?? 1, layer.padding[i] ?? 0, layer.dilation[i] ?? 1, layer.ceilMode));
  if (dims >= 2 && allKnown(spatial) && (spatial as number[]).some((s) => s < 1)) {
    const rest = input.slice(input.length - dims - 1);
    throw runtime('output-too-small', `Given input size: (${rest.map(dimText).join('x')}). Calculated output size: (${[rest[0] as Dim, ...spatial].map(dimText).join('x')}). Output size is too small`);
  }
  return [...input.slice(0, lead), ...spatial];
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
    if (isKnown(c) && c % square !== 0) {
      throw runtime('pixel-shuffle-channels', `pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${c} is not divisible by ${square}`);
    }
    return [...lead, floorDivDims(c, square), mulDims(h, factor), mulDims(w, factor)];
  }
  for (const [size, which] of [[h, 'height'], [w, 'width']] as const) {
    if (isKnown(size) && size % factor !== 0) {
      throw runtime('pixel-unshuffle-size', `pixel_unshuffle expects ${which} to be divisible by downscale_factor, but input.size(${which === 'height' ? -2 : -1})=${size} is not divisible by ${factor}`);
    }
  }
  return [...lead, mulDims(c, factor * factor), floorDivDims(h, factor), floorDivDims(w, factor)];
}

/** `nn.Linear` / `F.linear`: the last dim must be in_features (PyTorch's addmm message). */
export function linearShape(input: readonly Dim[], weight: readonly Dim[]): Dim[] {
  const [outFeatures, inFeatures] = weight as [Dim, Dim];
  const last = input[input.length - 1];
  if (last === undefined) throw runtime('wrong-rank', 'both arguments to linear need to be at least 1D, but they are 0D and 2D');
  if (isKnown(last) && isKnown(inFeatures) && last !== inFeatures) {
    const rows = input.length === 1 ? 1 : productOfDims(input.slice(0, -1));
    throw runtime('linear-mismatch', `mat1 and mat2 shapes cannot be multiplied (${dimText(rows)}x${last} and ${inFeatures}x${dimText(outFeatures)})`);
  }
  return [...input.slice(0, -1), outFeatures];
}

/** A non-container layer's output shape for an input shape (undefined: rank unknown). */
export function applyLayer(layer: Exclude<Layer, { type: 'container' | 'loss' }>, input: readonly Dim[] | undefined, dtype: DType | undefined): Dim[] | undefined {
  switch (layer.type) {
    case 'conv':
      return applyConvLayer(layer, input, dtype).shape;
    case 'linear': {
      const inFeatures = layer.inFeatures ?? (input ? input[input.length - 1] : undefined);
      if (layer.inFeatures === undefined && inFeatures !== undefined) layer.inFeatures = inFeatures;
      const weight = layer.weightOverride ?? [layer.outFeatures, inFeatures ?? symbol('in_features')];
      return linearShape(input ?? [symbol('N'), weight[1] as Dim], weight);
    }
    case 'pool':
      return applyPool(layer, input ?? symbolicInput(layer.spatialDims, undefined));
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
      if (isKnown(channels) && isKnown(layer.numFeatures) && channels !== layer.numFeatures) {
        throw runtime('channel-mismatch', `running_mean should contain ${channels} elements not ${dimText(layer.numFeatures)}`);
      }
      return [...input];
    }
    case 'layerNorm': {
      if (!input) return undefined;
      const tail = input.slice(input.length - layer.normalizedShape.length);
      if (tail.length < layer.normalizedShape.length || (allKnown(tail) && tail.some((s, i) => s !== layer.normalizedShape[i]))) {
        throw runtime('layer-norm-shape', `Given normalized_shape=${sizeList(layer.normalizedShape)}, expected input with shape [*, ${layer.normalizedShape.join(', ')}], but got input of size${sizeListText(input)}`);
      }
      return [...input];
    }
    case 'elementwise':
      return input ? [...input] : undefined;
    case 'upsample':
      return input ? interpolateShape(input, layer.size, layer.scale) : undefined;
    case 'pixelShuffle':
      return input ? pixelShuffleShape(input, layer.factor, layer.inverse) : undefined;
    case 'embedding':
      return input ? [...input, layer.embeddingDim] : undefined;
    case 'pad':
      return input ? padShape(input, layer.pads) : undefined;
  }
}

function checkBatchNormRank(spatialDims: number, rank: number): void {
  const expected = spatialDims === 1 ? [2, 3] : [spatialDims + 2];
  if (!expected.includes(rank)) {
    throw valueError('wrong-rank', `expected ${expected.map((r) => `${r}D`).join(' or ')} input (got ${rank}D input)`);
  }
}
