// Convolution layers and F.conv*: what the constructor was given (with `_ConvNd.__init__`'s
// checks in its order), and what a call gives: the output shape from core/geometry — the one
// module that knows convolution geometry, so a hover, a diagnostic and the compute core can never
// disagree — checked with stand-ins where sizes are symbolic, and, for a known input and weight,
// the output's values from the compute core.
import { convErrors } from '../../core/convErrors';
import { TorchError } from '../../core/errors';
import { convGeometry, dimensionNames, expandInts, type ConvGeometry, type GeometryRequest } from '../../core/geometry';
import { runOp } from '../../core/engine';
import { opMacs } from '../../core/plan';
import { PADDING_MODES, type OpArgs, type OpName, type PaddingMode } from '../../core/vocabulary';
import { numel, type DType } from '../../core/tensor';
import { addDims, allKnown, dimText, floorDivDims, isKnown, mulDims, scaleDim, subDims, symbol, type Dim } from '../interpreter/dim';
import { DataRefusal, materialize } from '../interpreter/elements';
import { PLACEHOLDER, type ConvLayer, type TensorValue } from '../interpreter/values';
import { freshTensor, type RuleContext } from './context';
import { messages } from './messages';
import { UNKNOWN_DIM } from './shapes';

/** `torch.nn.Conv2d.__init__`'s and `torch.nn.ConvTranspose2d.__init__`'s parameters in order (PyTorch 1.13). */
export const CONV_LAYER_SIGNATURES = {
  conv: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode', 'device', 'dtype'],
  convTranspose: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'output_padding', 'groups', 'bias', 'dilation', 'padding_mode', 'device', 'dtype'],
} as const;

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
    if (a.padding !== 'same' && a.padding !== 'valid') throw messages.invalidPaddingString(a.padding);
    if (a.padding === 'same' && stride.some((s) => s !== 1)) throw convErrors.sameWithStride('ValueError');
  }
  const paddingMode = a.paddingMode ?? 'zeros';
  if (!(PADDING_MODES as readonly string[]).includes(paddingMode)) throw messages.paddingModeInvalid(paddingMode);
  const name = a.name.replace(/^Lazy/, '');
  if (transposed && paddingMode !== 'zeros') throw convErrors.transposedPaddingMode(name);
  const written: { -readonly [K in keyof OpArgs]: OpArgs[K] } = {};
  if (a.stride !== undefined) written.stride = a.stride;
  if (a.padding !== undefined) written.padding = a.padding as NonNullable<OpArgs['padding']>;
  if (transposed && a.outputPadding !== undefined) written.outputPadding = a.outputPadding;
  if (a.dilation !== undefined) written.dilation = a.dilation;
  if (a.groups !== undefined) written.groups = a.groups;
  if (a.paddingMode !== undefined) written.paddingMode = paddingMode as PaddingMode;
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
    written,
    bias: a.bias ?? true,
    weight: undefined,
    biasValue: undefined,
  };
}

/** The weight's shape: `(out, in/groups, *k)`, transposed `(in, out/groups, *k)`, or the tensor that replaced it. */
export function convWeightShape(layer: ConvLayer, inChannels: Dim | undefined = layer.inChannels): Dim[] {
  if (layer.weight?.shape) return [...layer.weight.shape];
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
export function applyConv(op: OpName, input: readonly Dim[], weight: readonly Dim[], args: OpArgs, dtype: DType | undefined, viaModule: boolean, bias = false, weightDtype: DType = dtype ?? 'float32'): ConvApplication {
  const transposed = op.startsWith('conv_transpose');
  const spatialDims = Number(/(\d)d$/.exec(op)?.[1] ?? 2);
  if (!weight.slice(2).every(isKnown)) return { shape: input.map(() => UNKNOWN_DIM), geometry: undefined };
  // Stand-ins for symbolic sizes that pass every check: channel counts that agree with each other
  // (a symbolic count can never be proven wrong), large distinct batch and spatial sizes.
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
  const standIns = input.map((d, i) => (isKnown(d) ? d : i === channelDim ? expectedChannels : STAND_IN_BASE + i));
  const request = (inputShape: readonly number[], weightShape: readonly number[]): GeometryRequest => ({
    op,
    // An input of unknown dtype is taken to match the weight: no dtype error is certain then.
    input: { shape: inputShape, dtype: dtype ?? weightDtype },
    weight: { shape: weightShape, dtype: weightDtype },
    // A bias changes which of PyTorch's dtype checks speaks first.
    bias: bias ? { shape: [transposed ? (weightShape[1] as number) * groups : (weightShape[0] as number)], dtype: weightDtype } : undefined,
    args: viaModule ? { ...args, paddingMode: args.paddingMode ?? 'zeros' } : withoutPaddingMode(args),
  });
  if (allKnown(input) && allKnown(weight)) {
    const g = convGeometry(request(standIns, weightStandIn));
    return { shape: [...g.outputShape], geometry: g };
  }
  const g = symbolicGeometry(input, weight, standIns, weightStandIn, request);
  const spatialStart = input.length - spatialDims;
  const outChannels = transposed ? mulDims(weight[1] as Dim, groups) : (weight[0] as Dim);
  // A check that failed only for some values of the unknown sizes is not made; nor is the output's size known.
  if (!g) return { shape: input.map((d, i) => (i === spatialStart - 1 ? outChannels : i < spatialStart - 1 ? d : UNKNOWN_DIM)), geometry: undefined };
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

/** The first stand-in for an unknown size; the second set starts at twice it. */
const STAND_IN_BASE = 1_000_003;

/**
 * The geometry of a conv whose input or weight has symbolic sizes, checked with stand-ins. An
 * error is PyTorch's for every value of the unknowns only when a second, different set of
 * stand-ins (every unknown size distinct, channel counts too) raises it as well and both messages
 * read the same once each stand-in is written as the symbol it stands for; that message is
 * raised. Any other failure depends on the unknown sizes: undefined.
 */
function symbolicGeometry(
  input: readonly Dim[], weight: readonly Dim[], standIns: readonly number[], weightStandIn: readonly number[],
  request: (input: readonly number[], weight: readonly number[]) => GeometryRequest,
): ConvGeometry | undefined {
  try {
    return convGeometry(request(standIns, weightStandIn));
  } catch (first) {
    if (!(first instanceof TorchError)) throw first;
    const inputAgain = input.map((d, i) => (isKnown(d) ? d : 2 * STAND_IN_BASE + i));
    const weightAgain = weight.map((d, i) => (isKnown(d) ? d : 3 * STAND_IN_BASE + i));
    let second: unknown;
    try {
      convGeometry(request(inputAgain, weightAgain));
    } catch (e) {
      second = e;
    }
    if (!(second instanceof TorchError) || second.code !== first.code) return undefined;
    const named = (message: string, standIn: readonly number[], standInWeight: readonly number[]): string => message.replace(/\d+/g, (digits) => {
      const i = standIn.indexOf(Number(digits));
      if (i >= 0 && !isKnown(input[i] as Dim)) return dimText(input[i] as Dim);
      const j = standInWeight.indexOf(Number(digits));
      return j >= 0 && !isKnown(weight[j] as Dim) ? dimText(weight[j] as Dim) : digits;
    });
    const message = named(second.message, inputAgain, weightAgain);
    if (named(first.message, standIns, weightStandIn) !== message) return undefined;
    throw new TorchError(second.kind, message, second.code);
  }
}

/** F.convNd takes no padding mode: the arguments without it. */
function withoutPaddingMode(args: OpArgs): OpArgs {
  return Object.fromEntries(Object.entries(args).filter(([key]) => key !== 'paddingMode'));
}

/** `Conv2d(in_channels)` etc.: what a conv layer's call gives, Lazy layers taking their channels from the first input. */
export function applyConvLayer(layer: ConvLayer, input: readonly Dim[] | undefined, dtype: DType | undefined, outputSize?: readonly number[], parameterDtype: DType = 'float32'): ConvApplication {
  const shape = input ?? symbolicInput(layer.spatialDims, layer.inChannels ?? layer.weight?.shape?.[layer.transposed ? 0 : 1]);
  if (layer.inChannels === undefined && !layer.weight) {
    const channelDim = shape.length === layer.spatialDims + 2 ? 1 : 0;
    const channels = shape[channelDim];
    if (channels !== undefined) layer.inChannels = channels;
  }
  const weight = convWeightShape(layer);
  return applyConv(layer.op, shape, weight, outputSize ? { ...layer.args, outputSize } : layer.args, dtype, true, layer.bias, layer.weight?.dtype ?? parameterDtype);
}

/** An input of unknown sizes for an N-D layer: `(N, C, H, W)` named the way the docs name them. */
export function symbolicInput(spatialDims: number, channels: Dim | undefined): Dim[] {
  return [symbol('N'), channels ?? symbol('C'), ...dimensionNames(spatialDims).map(symbol)];
}

/**
 * Multiply-accumulates an op may run while a file is read: ~50 ms of the reference kernels.
 * Larger ones belong in the worker pool (the run commands).
 */
const MAX_STATIC_MACS = 50_000_000;

/**
 * A convolution's output (F.convNd, a layer's forward, d2l's corr2d): its shape from the geometry
 * and, when input, weight and bias are known, its values from the compute core (computed when
 * read, after the size checks). `written` are the arguments as the code gave them, for the panel.
 */
export function convolve(ctx: RuleContext, op: OpName, input: TensorValue, weight: TensorValue, bias: TensorValue | undefined, shape: readonly Dim[] | undefined, written: OpArgs, gradFn: string | undefined): TensorValue {
  const dtype = op === 'corr2d' || op === 'trans_conv' ? 'float32' : input.dtype;
  const operands = [input, weight, ...(bias ? [bias] : [])];
  const [x, w, b] = [input.elements, weight.elements, bias?.elements];
  const known = x && w && (!bias || b) && shape && allKnown(shape) && dtype;
  const result = freshTensor(ctx, shape, dtype, {
    operands,
    ...(known ? {
      compute: {
        // The output's elements; the multiply-accumulates are charged once the operands are read.
        cost: numel(shape as number[]),
        run: (budget) => {
          const request = { op, input: materialize(x, budget), weight: materialize(w, budget), ...(b ? { bias: materialize(b, budget) } : {}), args: written };
          const macs = opMacs(op, request.input.shape, request.weight.shape, shape as number[]);
          if (macs > MAX_STATIC_MACS) {
            throw new DataRefusal('too-many-elements', `${op} of ${macs.toLocaleString('en-US')} multiply-accumulates is too large to run while reading the file (at most ${MAX_STATIC_MACS.toLocaleString('en-US')}): select its input and kernel and use Run Convolution / Transposed Convolution on Selection`);
          }
          budget.charge(macs, () => op);
          return runOp(request).data;
        },
      },
    } : {}),
  });
  return { ...result, op: { op, args: written, input, weight, bias, gradFn, output: result.elements?.storage } };
}

/** A conv layer's weight (or bias) as a value: the tensor assigned to it, or a placeholder for the random initial one. */
export function layerParameter(layer: ConvLayer, which: 'weight' | 'bias', defaultDtype: DType): TensorValue {
  const set = which === 'weight' ? layer.weight : layer.biasValue;
  if (set) return set;
  const shape = which === 'weight' ? convWeightShape(layer) : [layer.transposed ? mulDims(convWeightShape(layer)[1] as Dim, layer.args.groups ?? 1) : layer.outChannels];
  return { kind: 'tensor', shape, dtype: defaultDtype, why: PLACEHOLDER, requiresGrad: true };
}

/** `conv(x)` / `conv(x, output_size=...)`: the layer's op on `x` with its weight and bias. */
export function callConvLayer(ctx: RuleContext, layer: ConvLayer, input: TensorValue, outputSize: readonly number[] | undefined): TensorValue {
  // An input of unknown shape (a parameter no call gave) gets symbolic sizes: `(N, C, H, W)`.
  const applied = applyConvLayer(layer, input.shape, input.dtype, outputSize, ctx.defaultDtype);
  const weight = layerParameter(layer, 'weight', ctx.defaultDtype);
  const bias = layer.bias ? layerParameter(layer, 'bias', ctx.defaultDtype) : undefined;
  const written = outputSize ? { ...layer.written, outputSize } : layer.written;
  const result = convolve(ctx, layer.op, input, weight, bias, applied.shape, written, 'ConvolutionBackward0');
  return { ...result, origin: { layer, input: input.shape } };
}
