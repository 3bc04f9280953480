// The one place that knows a convolution's geometry (tfjs conv_util style): `convGeometry`
// validates a request the way PyTorch 1.13 does, raising PyTorch's own errors in PyTorch's order,
// and returns a record every kernel and every shape report reads. The plain-number helpers below
// it (output lengths, the output_size range, the restoring output_padding, formulas) serve shape
// inference, hovers and quick fixes that have sizes but no tensors.
//
// Which PyTorch call a request stands for:
//   - `args.paddingMode` or `args.outputSize` set: `nn.ConvNd(...)(input)` / `nn.ConvTransposeNd(
//     ...)(input, output_size)` with the module's weight (and bias) replaced by the request's, so
//     the module's own ValueErrors apply (in_channels/out_channels read off the weight), then the
//     F.pad the padding modes use, then the functional call;
//   - otherwise `F.convNd(input, weight, bias, ...)` / `F.conv_transposeNd(...)`;
//   - `corr2d` / `trans_conv`: d2l's reference functions on 2-D tensors.
// The kernel is always the weight's shape (what PyTorch computes with after `weight.data = K`).
//
// PyTorch picks a CPU kernel per call and each has its own checks and wording; this module
// models the choice PyTorch 1.13 makes with more than one thread (oneDNN for float32 convs with
// groups, a kernel over 3×3, a batch or a large input; the slow kernels otherwise).
// Where Conv Lab knowingly differs from PyTorch (each with its own TorchError code):
//   - the module path reads the kernel size off the weight where nn.ConvTransposeNd's output_size
//     range and the padding modes' 'same' split read the constructor's kernel_size;
//   - a padding-mode tuple longer than the spatial dims (PyTorch then pads channel dims) is a
//     `param-length` error, and output_padding passed to a conv or any argument passed to
//     corr2d/trans_conv is Python's plain "unexpected keyword argument" TypeError;
//   - integer convolutions are summed exactly in float64, then wrapped to int32/int64 as
//     PyTorch's integer arithmetic would; sums beyond 2^53 in magnitude would round first.
import { convErrors as E, sizeList } from './convErrors';
import { ARG_KEYWORDS, OP_INFO, type DType, type OpArgName, type OpArgs, type OpInfo, type OpName, type OpRequest, type PaddingMode, type TensorSpec } from './vocabulary';

/** A request as geometry reads it: shapes and dtypes, no data. */
export type GeometryRequest = OpRequest<TensorSpec>;

export interface ConvGeometry {
  readonly op: OpName;
  readonly transposed: boolean;
  /** 1, 2 or 3. */
  readonly spatialDims: number;
  readonly batch: number;
  /** The input had no batch dimension; neither has the output. */
  readonly unbatched: boolean;
  /** False for corr2d / trans_conv, whose tensors are plain 2-D matrices. */
  readonly hasChannels: boolean;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly inputSize: readonly number[];
  readonly kernelSize: readonly number[];
  /** dilation·(kernel − 1) + 1 per dim. */
  readonly effectiveKernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  /**
   * Convolution: padding added before/after each input dim (the padding mode says with what;
   * negative crops). Transposed: the `padding` cropped from both ends of the full output.
   */
  readonly padBefore: readonly number[];
  readonly padAfter: readonly number[];
  readonly paddingMode: PaddingMode;
  readonly outputPadding: readonly number[];
  readonly outputSize: readonly number[];
  /** What runOp returns: [N, C, ...outputSize], [C, ...outputSize] unbatched, outputSize for corr2d/trans_conv. */
  readonly outputShape: readonly number[];
  /** The output's: the input's for convolutions (integers included, as PyTorch's CPU kernels), float32 for d2l's functions. */
  readonly dtype: DType;
}

/** Validates `req` as PyTorch would and returns its geometry; throws PyTorch's TorchError. */
export function convGeometry(req: GeometryRequest): ConvGeometry {
  const info = OP_INFO[req.op];
  const args = req.args ?? {};
  checkArgumentTypes(req.op, info, args);
  for (const [name, spec] of [['input', req.input], ['weight', req.weight], ['bias', req.bias]] as const) {
    if (spec) checkShape(name, spec.shape);
  }
  if (info.kind === 'reference') return referenceGeometry(req);
  const viaModule = args.paddingMode !== undefined || args.outputSize !== undefined;
  if (!viaModule) return callGeometry(functionalCall(req, info.spatialDims));
  return info.kind === 'transposed' ? transposedModuleGeometry(req, info.spatialDims) : convModuleGeometry(req, info.spatialDims);
}

/**
 * An op's integer arguments in the order Python checks them: its signature's, then the module's
 * output_size (a conv module refuses output_size only after its type check).
 */
function intArguments(info: OpInfo): OpArgName[] {
  return info.kind === 'reference' ? [] : [...info.signature, 'outputSize'];
}

/**
 * Python's argument parsing, before any ATen check: arguments the op does not take, and
 * non-integers where ints are expected (wording of the single-overload conv_transposeNd; the
 * multi-overload convNd print every signature instead, shortened here to the one at fault).
 */
function checkArgumentTypes(op: OpName, info: OpInfo, args: OpArgs): void {
  const given = (Object.keys(args) as OpArgName[]).filter((k) => args[k] !== undefined);
  const unexpected = info.kind === 'reference' ? given[0] : info.kind === 'conv' && args.outputPadding !== undefined ? 'outputPadding' : undefined;
  if (unexpected !== undefined) throw E.unexpectedKeyword(op, ARG_KEYWORDS[unexpected]);
  for (const key of intArguments(info)) {
    const python = ARG_KEYWORDS[key];
    const value = args[key];
    if (value === undefined || typeof value === 'string') continue;
    const expected = key === 'groups' ? 'int' : 'tuple of ints';
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw E.floatArgument(op, python, expected);
      continue;
    }
    const at = value.findIndex((v) => !Number.isInteger(v));
    if (at >= 0) {
      throw E.floatInTuple(op, python, info.kind === 'conv' ? at + 1 : undefined);
    }
  }
}

/** Sizes are non-negative integers (PyTorch's wording for the negative ones). */
function checkShape(name: string, shape: readonly number[]): void {
  const negative = shape.find((s) => s < 0);
  if (negative !== undefined) {
    throw E.negativeDimension(negative, shape, 'invalid-tensor');
  }
  if (!shape.every((s) => Number.isInteger(s))) {
    throw E.nonIntegerShape(name, shape);
  }
}

// ---------------------------------------------------------------------------------------------
// F.convNd / F.conv_transposeNd

/** The arguments as they reach ATen: ints already expanded by the Python binding to the op's dims. */
interface ConvCall {
  readonly op: OpName;
  readonly spatialDims: number;
  readonly transposed: boolean;
  readonly input: TensorSpec;
  readonly weight: TensorSpec;
  readonly bias: TensorSpec | undefined;
  readonly stride: readonly number[];
  readonly padding: readonly number[] | 'same' | 'valid';
  readonly dilation: readonly number[];
  readonly outputPadding: readonly number[];
  readonly groups: number;
  /** Set by nn.ConvNd with a non-zeros padding mode: F.pad already applied these pads. */
  readonly modePadding?: { readonly mode: PaddingMode; readonly before: readonly number[]; readonly after: readonly number[]; readonly originalInput: readonly number[] };
}

/** An int-or-tuple argument as one int per spatial dim (`3` → `[3, 3]`), `fallback` when absent. */
export function expandInts(value: number | readonly number[] | undefined, fallback: number, dims: number): number[] {
  if (value === undefined) return new Array<number>(dims).fill(fallback);
  return typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
}

function functionalCall(req: GeometryRequest, spatialDims: number): ConvCall {
  const args = req.args ?? {};
  const transposed = OP_INFO[req.op].transposed;
  const padding = args.padding;
  return {
    op: req.op,
    spatialDims,
    transposed,
    input: req.input,
    weight: req.weight,
    bias: req.bias,
    stride: expandInts(args.stride, 1, spatialDims),
    padding: typeof padding === 'string' ? padding : expandInts(padding, 0, spatialDims),
    dilation: expandInts(args.dilation, 1, spatialDims),
    outputPadding: expandInts(args.outputPadding, 0, spatialDims),
    groups: args.groups ?? 1,
  };
}

/** ATen's expand_param_if_needed: one value broadcasts, otherwise the length must match. */
function expandParam(name: string, values: readonly number[], dims: number): number[] {
  if (values.length === 1) return new Array<number>(dims).fill(values[0] ?? 0);
  if (values.length !== dims) throw E.paramLength(name, dims, values);
  return [...values];
}

function callGeometry(call: ConvCall): ConvGeometry {
  const { spatialDims: dims, transposed } = call;
  if (transposed && typeof call.padding === 'string') throw E.transposedStringPadding(call.op, false);
  // at::conv2d (not conv1d/conv3d, not the padding-string overload) checks the bias dtype first.
  if (call.op === 'conv2d' && typeof call.padding !== 'string' && call.bias && call.bias.dtype !== call.input.dtype) {
    throw E.biasInputType(call.input.dtype, call.bias.dtype);
  }
  const rank = call.input.shape.length;
  if (rank !== dims + 1 && rank !== dims + 2) throw E.inputRank(call.op, dims, call.input.shape);
  const unbatched = rank === dims + 1;
  let input = unbatched ? [1, ...call.input.shape] : [...call.input.shape];

  let padding: readonly number[];
  const sameExtraAfter = new Array<number>(dims).fill(0);
  if (call.padding === 'valid') {
    padding = [0];
  } else if (call.padding === 'same') {
    const same = samePadding(call, input);
    padding = same.padding;
    input = same.input;
    same.extraAfter.forEach((e, i) => { sameExtraAfter[i] = e; });
  } else {
    padding = call.padding;
  }

  const weight = call.weight.shape;
  const weightDims = weight.length - 2;
  if (weightDims <= 0) throw E.weightAtLeast3d();
  if (call.groups <= 0) throw E.nonPositiveGroups();
  const stride = expandParam('stride', call.stride, weightDims);
  const pad = expandParam('padding', padding, weightDims);
  const dilation = expandParam('dilation', call.dilation, weightDims);
  const outputPadding = expandParam('output_padding', transposed ? call.outputPadding : new Array<number>(dims).fill(0), weightDims);

  checkShapeForward(call, input, stride, pad, dilation, outputPadding);
  const kernel = weight.slice(2);
  const outputSize = kernel.map((k, i) => transposed
    ? convTransposeOutputLength({ input: input[i + 2] ?? 0, kernel: k, stride: stride[i] ?? 1, padding: pad[i] ?? 0, dilation: dilation[i] ?? 1, outputPadding: outputPadding[i] ?? 0 })
    : convOutputLength({ input: input[i + 2] ?? 0, kernel: k, stride: stride[i] ?? 1, padding: pad[i] ?? 0, dilation: dilation[i] ?? 1 }));
  const backend = checkBackend(call, input, kernel, stride, dilation, outputPadding, outputSize);
  const dtype = call.input.dtype;

  const groups = call.groups;
  const inChannels = input[1] ?? 0;
  // PyTorch's empty-input shortcut gives a zero-channel input a zero-channel output.
  const outChannels = backend === 'empty' && inChannels === 0 ? 0 : transposed ? (weight[1] ?? 0) * groups : (weight[0] ?? 0);
  const batch = input[0] ?? 0;
  const mode = call.modePadding;
  const inputSize = mode ? mode.originalInput.slice(unbatched ? 1 : 2) : (unbatched ? call.input.shape.slice(1) : call.input.shape.slice(2));
  return {
    op: call.op,
    transposed,
    spatialDims: dims,
    batch,
    unbatched,
    hasChannels: true,
    inChannels,
    outChannels,
    groups,
    inputSize,
    kernelSize: kernel,
    effectiveKernelSize: kernel.map((k, i) => (dilation[i] ?? 1) * (k - 1) + 1),
    stride,
    dilation,
    padBefore: mode ? mode.before : pad,
    padAfter: mode ? mode.after : pad.map((p, i) => p + (sameExtraAfter[i] ?? 0)),
    paddingMode: mode ? mode.mode : 'zeros',
    outputPadding,
    outputSize,
    outputShape: unbatched ? [outChannels, ...outputSize] : [batch, outChannels, ...outputSize],
    dtype,
  };
}

/**
 * ATen's _convolution_same: the total padding dilation·(kernel − 1) split with the smaller half
 * first (C++ division); an odd total pads the input's far end by one more, which error messages
 * then show in the input's size.
 */
function samePadding(call: ConvCall, batchedInput: readonly number[]): { padding: number[]; input: number[]; extraAfter: number[] } {
  const weight = call.weight.shape;
  if (weight.length <= 2) throw E.weightAtLeast3d();
  if (weight.length !== batchedInput.length) throw E.weightInputDims(weight, batchedInput, false);
  const dims = weight.length - 2;
  if (call.stride.length !== dims && call.stride.length !== 1) throw E.cannotBroadcast('stride', dims);
  if (call.dilation.length !== dims && call.dilation.length !== 1) throw E.cannotBroadcast('dilation', dims);
  if (call.stride.some((s) => s !== 1)) throw E.sameWithStride('RuntimeError');
  const padding: number[] = [];
  const extraAfter: number[] = [];
  // What ATen's constant_pad_nd adds before/after each dim when the split is uneven anywhere.
  const cropBefore: number[] = [];
  for (let i = 0; i < dims; i++) {
    const d = call.dilation.length === 1 ? (call.dilation[0] ?? 1) : (call.dilation[i] ?? 1);
    const total = d * ((weight[i + 2] ?? 0) - 1);
    const before = Math.trunc(total / 2);
    const after = total - before;
    if (after > before) {
      padding.push(before);
      extraAfter.push(after - before);
      cropBefore.push(0);
    } else {
      // Even split, or a negative total: ATen crops and keeps the (negative) larger side.
      padding.push(after);
      extraAfter.push(0);
      cropBefore.push(after - before);
    }
  }
  if (extraAfter.every((e) => e === 0) && cropBefore.every((c) => c === 0)) return { padding, input: [...batchedInput], extraAfter };
  const input = [...batchedInput];
  for (let i = 0; i < dims; i++) {
    const size = input[i + 2] ?? 0;
    const padded = size + (cropBefore[i] ?? 0) + (extraAfter[i] ?? 0);
    if (!(padded > 0)) {
      throw E.constantPadNegative(size, cropBefore[i] ?? 0, extraAfter[i] ?? 0, i + 2);
    }
    input[i + 2] = padded;
  }
  return { padding, input, extraAfter };
}

/** ATen's check_shape_forward, in its order. `input` is batched. */
function checkShapeForward(
  call: ConvCall, input: readonly number[], stride: readonly number[], padding: readonly number[],
  dilation: readonly number[], outputPadding: readonly number[],
): void {
  const weight = call.weight.shape;
  const groups = call.groups;
  if (padding.some((p) => p < 0)) throw E.negativePadding();
  if (outputPadding.some((p) => p < 0)) throw E.negativeOutputPadding();
  if (stride.some((s) => s <= 0)) throw E.nonPositiveStride();
  if (weight.length !== input.length) throw E.weightInputDims(weight, input, true);
  const outChannelsOrIn = weight[0] ?? 0;
  if (outChannelsOrIn < groups) throw E.groupsTooLarge(groups, weight);
  if (outChannelsOrIn % groups !== 0) throw E.groupsNotDividing(groups, weight);
  const bias = call.bias?.shape;
  if (!call.transposed) {
    const expected = (weight[1] ?? 0) * groups;
    if (input[1] !== expected) throw E.channels(groups, weight, input, expected);
    if (bias && !(bias.length === 1 && bias[0] === weight[0])) throw E.biasShape(weight, weight[0] ?? 0, bias, false);
    const paddedInput = input.slice(2).map((s, i) => s + 2 * (padding[i] ?? 0));
    const kernel = weight.slice(2).map((k, i) => (dilation[i] ?? 1) * (k - 1) + 1);
    if (paddedInput.some((s, i) => s < (kernel[i] ?? 0))) throw E.kernelTooLarge(paddedInput, kernel);
  } else {
    if (input[1] !== weight[0]) throw E.transposedChannels(weight, input);
    const expected = (weight[1] ?? 0) * groups;
    if (bias && !(bias.length === 1 && bias[0] === expected)) throw E.biasShape(weight, expected, bias, true);
  }
}

/** 1-D convolutions reach ATen's kernels viewed as 2-D with a height of one. */
function as2d(values: readonly number[], heightValue: number): number[] {
  return values.length === 1 ? [heightValue, ...values] : [...values];
}

type Backend = 'empty' | 'mkldnn' | 'slow';

/**
 * ATen's backend selection and the checks of the CPU kernel it picks, in order: the empty-input
 * shortcut, oneDNN (float32 convolutions with groups, a kernel over 3×3, a batch, or a large
 * input, as on any multi-threaded machine), else slow_conv2d / slow_conv_dilated / slow_conv3d /
 * slow_conv_transpose2d/3d. 1-D convolutions reach them viewed as 2-D with a height of one.
 */
function checkBackend(
  call: ConvCall, input: readonly number[], kernel: readonly number[], stride: readonly number[],
  dilation: readonly number[], outputPadding: readonly number[], outputSize: readonly number[],
): Backend {
  const view1d = kernel.length === 1;
  const input2d = view1d ? [input[0] ?? 0, input[1] ?? 0, 1, input[2] ?? 0] : [...input];
  const kernel2d = as2d(kernel, 1);
  const dilation2d = as2d(dilation, 1);
  if (input2d.some((s) => s === 0)) {
    if (input2d[0] !== 0 && input2d[1] !== 0) throw E.emptyInput(input2d);
    if (call.weight.shape.some((s) => s === 0) && input2d[1] !== 0) {
      throw E.emptyWeightSelect();
    }
    const negative = outputSize.find((s) => s < 0);
    if (negative !== undefined) throw E.invalidShapeDimension(negative);
    return 'empty';
  }
  if (usesOneDnn(call, input2d, kernel2d)) {
    const dtype = call.input.dtype;
    if (call.weight.dtype !== dtype) throw E.oneDnnType(dtype, 'weight', call.weight.dtype);
    if (call.bias && call.bias.dtype !== dtype) throw E.oneDnnType(dtype, 'bias', call.bias.dtype);
    if (dilation2d.some((d) => d <= 0)) throw E.oneDnnDilation();
    if (kernel2d.some((k) => k <= 0)) throw E.oneDnnEmptyKernel();
    return 'mkldnn';
  }
  if (!call.transposed) {
    if (dilation2d.some((d) => d !== 1)) {
      if (kernel2d.some((k) => k <= 0)) throw E.kernelNotPositiveDilated(kernel2d);
      if (dilation2d.some((d) => d <= 0)) throw E.dilationNotPositive(dilation2d);
    } else if (kernel2d.some((k) => k <= 0)) {
      throw kernel2d.length === 3 ? E.kernelNotPositive3d(kernel2d) : E.kernelNotPositive2d(kernel2d);
    }
  } else {
    if (kernel2d.length === 3 && call.weight.shape.some((s) => s === 0)) throw E.emptyWeight3d(call.weight.shape);
    if (kernel2d.some((k) => k <= 0)) throw E.kernelNotPositive2d(kernel2d);
    if (dilation2d.some((d) => d <= 0)) throw E.transposedDilationNotPositive(dilation2d);
    const stride2d = as2d(stride, 1);
    const outputPadding2d = as2d(outputPadding, 0);
    if (outputPadding2d.some((p, i) => !(p < (stride2d[i] ?? 1) || p < (dilation2d[i] ?? 1)))) {
      throw E.outputPaddingTooLarge(outputPadding2d, stride2d, dilation2d);
    }
    const output2d = as2d(outputSize, 1);
    if (output2d.some((s) => s < 1)) throw E.outputTooSmall(input2d.slice(2), output2d);
  }
  checkSlowDtypes(call, dilation);
  return 'slow';
}

/** ConvParams::use_mkldnn of PyTorch 1.13 with more than one thread, on the 2-D-viewed shapes. */
function usesOneDnn(call: ConvCall, input: readonly number[], kernel: readonly number[]): boolean {
  if (call.transposed || call.input.dtype !== 'float32') return false;
  const [n = 0, c = 0, d2 = 0, d3 = 0] = input;
  const kW = kernel[kernel.length - 1] ?? 0;
  const kH = kernel[kernel.length - 2] ?? 0;
  return call.groups > 1 || (kW > 3 && kH > 3) || n > 1 || n * c * d2 * d3 > 20480;
}

/** The dtype checks of the slow kernels, after their shape checks. */
function checkSlowDtypes(call: ConvCall, dilation: readonly number[]): void {
  const dtype = call.input.dtype;
  const kernel = cpuKernelName(call, dilation);
  // PyTorch's CPU kernels take float and int64 everywhere, int32 only in the plain (undilated) conv.
  if (dtype === 'bool' || (dtype === 'int32' && (call.transposed || kernel === 'slow_conv_dilated<>'))) {
    throw E.notImplementedFor(kernel, dtype);
  }
  if (call.weight.dtype !== dtype) throw E.scalarType(dtype, call.weight.dtype);
  if (call.transposed && call.bias && call.bias.dtype !== dtype) throw E.scalarType(dtype, call.bias.dtype);
}

/** The CPU kernel PyTorch dispatches to, as its "not implemented for" messages name it. */
function cpuKernelName(call: ConvCall, dilation: readonly number[]): string {
  const dims = call.weight.shape.length - 2;
  if (call.transposed) return dims === 3 ? 'slow_conv_transpose3d_out_cpu' : 'slow_conv_transpose2d_out_cpu';
  if (dilation.some((d) => d !== 1)) return 'slow_conv_dilated<>';
  return dims === 3 ? 'compute_columns3d' : 'slow_conv2d_cpu';
}

// ---------------------------------------------------------------------------------------------
// nn.ConvNd and nn.ConvTransposeNd

function convModuleGeometry(req: GeometryRequest, dims: number): ConvGeometry {
  const args = req.args ?? {};
  const moduleName = `Conv${dims}d`;
  const groups = args.groups ?? 1;
  if (groups <= 0) throw E.moduleGroupsNotPositive();
  if ((req.weight.shape[0] ?? 0) % groups !== 0) throw E.moduleChannelsNotDivisible('out_channels');
  const stride = expandInts(args.stride, 1, dims);
  if (args.padding === 'same' && stride.some((s) => s !== 1)) throw E.sameWithStride('ValueError');
  // Only ConvTranspose*d.forward takes output_size.
  if (args.outputSize !== undefined) throw E.unexpectedOutputSize(moduleName);
  const call = functionalCall(req, dims);
  const mode = args.paddingMode ?? 'zeros';
  if (mode === 'zeros') return callGeometry(call);

  // The module pads with F.pad(input, _reversed_padding_repeated_twice, mode), one (before,
  // after) pair per entry of its padding tuple, then convolves with padding 0.
  const kernel = req.weight.shape.slice(2);
  const before: number[] = [];
  const after: number[] = [];
  if (args.padding === 'same') {
    for (let i = 0; i < dims; i++) {
      const total = (call.dilation[i] ?? 1) * ((kernel[i] ?? 1) - 1);
      before.push(Math.floor(total / 2));
      after.push(total - Math.floor(total / 2));
    }
  } else {
    const padding = args.padding === 'valid' ? new Array<number>(dims).fill(0) : expandInts(args.padding, 0, dims);
    before.push(...padding);
    after.push(...padding);
  }
  const padded = modePad(req.input, mode, before, after);
  const g = callGeometry({
    ...call,
    input: { shape: padded, dtype: req.input.dtype },
    padding: new Array<number>(dims).fill(0),
    modePadding: { mode, before, after, originalInput: req.input.shape },
  });
  if (before.length !== dims) {
    // PyTorch pads non-spatial dims here and may even succeed; Conv Lab does not model that.
    throw E.paramLength('padding', dims, args.padding as readonly number[]);
  }
  return g;
}

/** F.pad(input, pads, mode) for reflect / replicate / circular: PyTorch's checks, the padded shape. */
export function modePad(input: TensorSpec, mode: PaddingMode, before: readonly number[], after: readonly number[]): number[] {
  const shape = input.shape;
  const rank = shape.length;
  const dims = before.length;
  if (dims > rank) throw E.padLengthTooLarge();
  if (!(dims >= 1 && dims <= 3 && (rank === dims + 1 || rank === dims + 2))) {
    throw E.modePadRank();
  }
  const first = rank - dims;
  const sizes = shape.slice(first);
  const padded = sizes.map((s, i) => s + (before[i] ?? 0) + (after[i] ?? 0));
  const paddedShape = [...shape.slice(0, first), ...padded];
  if (mode === 'circular') {
    if (rank !== dims + 2) throw E.circularPadSize(2 * (rank - 2), 2 * dims);
    sizes.forEach((size, i) => {
      if ((before[i] ?? 0) > size || (after[i] ?? 0) > size) throw E.circularPadWraps();
      if ((padded[i] ?? 0) < 0) throw E.circularPadEmpty();
    });
    return paddedShape;
  }
  // Reflect and replicate refuse empty dims but a zero batch (reflection_pad1d/2d: any zero first dim).
  const reflect2d = mode === 'reflect' && dims < 3;
  if (shape.slice(rank === dims + 2 || reflect2d ? 1 : 0).some((s) => s === 0)) throw E.modePadEmptyInput(mode, shape, input.dtype, dims);
  if (mode === 'reflect') {
    // Checked from the last dim backwards, as F.pad lists the pads.
    for (let j = 0; j < dims; j++) {
      const i = dims - 1 - j;
      const pad: [number, number] = [before[i] ?? 0, after[i] ?? 0];
      if (!(pad[0] < (sizes[i] ?? 0) && pad[1] < (sizes[i] ?? 0))) {
        throw E.reflectPadTooLarge(4 + 2 * j, pad, first + i, dims === 2 ? String(rank) : sizeList(shape));
      }
    }
  }
  // Negative pads crop; the kernels only object when every dim ends up empty.
  if (padded.every((s) => s < 1)) throw E.modePadTooSmall(mode, sizes, padded);
  const negative = padded.find((s) => s < 0);
  if (negative !== undefined) {
    throw mode === 'reflect' && dims === 2 ? E.numelOverflow() : E.negativeDimension(negative, paddedShape, 'negative-padding');
  }
  return paddedShape;
}

function transposedModuleGeometry(req: GeometryRequest, dims: number): ConvGeometry {
  const args = req.args ?? {};
  const moduleName = `ConvTranspose${dims}d`;
  if ((args.paddingMode ?? 'zeros') !== 'zeros') throw E.transposedPaddingMode(moduleName);
  const groups = args.groups ?? 1;
  if (groups <= 0) throw E.moduleGroupsNotPositive();
  if ((req.weight.shape[0] ?? 0) % groups !== 0) throw E.moduleChannelsNotDivisible('in_channels');
  const call = functionalCall(req, dims);
  const outputPadding = args.outputSize === undefined ? call.outputPadding : outputPaddingFromSize(req, args.outputSize, dims);
  // The module turns 'same' into a tuple of characters, which F.conv_transposeNd refuses.
  if (typeof call.padding === 'string') throw E.transposedStringPadding(call.op, true);
  return callGeometry({ ...call, outputPadding });
}

/**
 * nn.ConvTransposeNd._output_padding, in Python before any ATen check: the output_padding that
 * yields `output_size`, or its ValueError. The kernel size is the weight's.
 */
function outputPaddingFromSize(req: GeometryRequest, requested: readonly number[], dims: number): number[] {
  const args = req.args ?? {};
  const input = req.input.shape;
  const rank = input.length;
  const nonSpatial = rank === dims + 2 ? 2 : 1;
  const sizes = requested.length === nonSpatial + dims ? requested.slice(nonSpatial) : [...requested];
  if (sizes.length !== dims) throw E.outputSizeLength(dims, rank, nonSpatial, sizes.length);
  // The module keeps its arguments as given: an int becomes a dims-tuple, a list stays as is.
  const tuple = (value: number | readonly number[] | undefined, fallback: number) => expandInts(value, fallback, dims);
  const item = (values: readonly number[], d: number): number => {
    const v = values[d];
    if (v === undefined) throw E.tupleIndex();
    return v;
  };
  if (typeof args.padding === 'string') {
    throw E.stringPaddingArithmetic();
  }
  const stride = tuple(args.stride, 1);
  const padding = tuple(args.padding, 0);
  const dilation = tuple(args.dilation, 1);
  const ranges = sizes.map((_, d) => {
    const at = d + nonSpatial;
    if (at >= rank) {
      throw E.dimensionOutOfRange(rank, at);
    }
    return convTransposeOutputRange({
      input: input[at] ?? 0, kernel: req.weight.shape[d + 2] ?? 1,
      stride: item(stride, d), padding: item(padding, d), dilation: item(dilation, d),
    });
  });
  if (sizes.some((s, d) => s < (ranges[d]?.min ?? 0) || s > (ranges[d]?.max ?? 0))) {
    // PyTorch prints input.size()[2:] even for an unbatched input.
    throw E.outputSizeRange(sizes, ranges.map((r) => r.min), ranges.map((r) => r.max), input.slice(2));
  }
  return sizes.map((s, d) => s - (ranges[d]?.min ?? 0));
}

// ---------------------------------------------------------------------------------------------
// d2l's corr2d(X, K) and trans_conv(X, K)

function referenceGeometry(req: GeometryRequest): ConvGeometry {
  const transposed = req.op === 'trans_conv';
  const k = req.weight.shape;
  // `h, w = K.shape`
  if (k.length !== 2) throw E.unpackKernel(k.length);
  const x = req.input.shape;
  if (x.length !== 2) {
    throw E.referenceInputRank(req.op, x);
  }
  const kernelSize = [k[0] ?? 0, k[1] ?? 0];
  const inputSize = [x[0] ?? 0, x[1] ?? 0];
  const outputSize = inputSize.map((s, i) => transposed
    ? convTransposeOutputLength({ input: s, kernel: kernelSize[i] ?? 0 })
    : convOutputLength({ input: s, kernel: kernelSize[i] ?? 0 }));
  const negative = outputSize.find((s) => s < 0);
  if (negative !== undefined) {
    // `torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))`
    throw E.negativeDimension(negative, outputSize, 'kernel-too-large');
  }
  return {
    op: req.op,
    transposed,
    spatialDims: 2,
    batch: 1,
    unbatched: true,
    hasChannels: false,
    inChannels: 1,
    outChannels: 1,
    groups: 1,
    inputSize,
    kernelSize,
    effectiveKernelSize: kernelSize,
    stride: [1, 1],
    dilation: [1, 1],
    padBefore: [0, 0],
    padAfter: [0, 0],
    paddingMode: 'zeros',
    outputPadding: [0, 0],
    outputSize,
    outputShape: outputSize,
    // d2l writes into torch.zeros(...), float32 whatever X and K are.
    dtype: 'float32',
  };
}

// ---------------------------------------------------------------------------------------------
// Plain-number helpers: one spatial dim at a time, no tensors.

export interface ConvDimParams {
  readonly input: number;
  readonly kernel: number;
  readonly stride?: number;
  /** Padding before the input (and after it unless `paddingAfter` is given). */
  readonly padding?: number;
  readonly paddingAfter?: number;
  readonly dilation?: number;
}

export interface ConvTransposeDimParams {
  readonly input: number;
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly dilation?: number;
  readonly outputPadding?: number;
}

/** ⌊(in + pad_before + pad_after − dilation·(kernel − 1) − 1) / stride⌋ + 1 */
export function convOutputLength(p: ConvDimParams): number {
  const before = p.padding ?? 0;
  const after = p.paddingAfter ?? before;
  return Math.floor((p.input + before + after - (p.dilation ?? 1) * (p.kernel - 1) - 1) / (p.stride ?? 1)) + 1;
}

/** (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 */
export function convTransposeOutputLength(p: ConvTransposeDimParams): number {
  return (p.input - 1) * (p.stride ?? 1) - 2 * (p.padding ?? 0) + (p.dilation ?? 1) * (p.kernel - 1) + (p.outputPadding ?? 0) + 1;
}

/** The output_size values nn.ConvTransposeNd.forward accepts for one dim: output_padding 0 to stride − 1. */
export function convTransposeOutputRange(p: Omit<ConvTransposeDimParams, 'outputPadding'>): { min: number; max: number } {
  const min = convTransposeOutputLength({ ...p, outputPadding: 0 });
  return { min, max: min + (p.stride ?? 1) - 1 };
}

/**
 * The output_padding with which a transposed conv over `p.input` produces `target` elements
 * (e.g. the input length of the conv it undoes), or undefined when no valid output_padding
 * (0 ≤ output_padding < max(stride, dilation)) does.
 */
export function outputPaddingToRestore(target: number, p: Omit<ConvTransposeDimParams, 'outputPadding'>): number | undefined {
  const outputPadding = target - convTransposeOutputLength({ ...p, outputPadding: 0 });
  const valid = outputPadding >= 0 && (outputPadding < (p.stride ?? 1) || outputPadding < (p.dilation ?? 1));
  return valid ? outputPadding : undefined;
}

/**
 * The spatial dims (0-based) along which a transposed conv's output pixels get different numbers
 * of kernel taps, the uneven overlap behind checkerboard artifacts (Odena et al., 2016). Away from
 * the edges, output o gets one tap for each j < k with j·dilation ≡ o (mod stride): the residues
 * are spread evenly only when the kernel size is a multiple of the stride and the dilation shares
 * no factor with it (else some outputs get no tap at all).
 */
export function unevenOverlapDims(kernelSize: readonly number[], stride: readonly number[], dilation: readonly number[] = []): number[] {
  return kernelSize.flatMap((k, d) => {
    const s = stride[d] ?? 1;
    return k % s !== 0 || dilationSkipsOutputs(s, dilation[d] ?? 1) ? [d] : [];
  });
}

/** Whether a dilation sharing a factor with the stride leaves some of a transposed conv's outputs without any tap. */
export function dilationSkipsOutputs(stride: number, dilation: number): boolean {
  let [a, b] = [stride, dilation];
  while (b !== 0) [a, b] = [b, a % b];
  return a > 1;
}

/** One dim of a transposed conv, every argument given. */
export type ConvTransposeDimArgs = Required<Omit<ConvTransposeDimParams, 'input'>>;

/**
 * The same dim with kernel_size = 2·stride (every output pixel gets two taps per input pixel
 * step), and the padding ≥ 0 and output_padding < max(stride, dilation) that keep the output
 * length for every input length; undefined when no such pair exists, or when the dilation
 * shares a factor with the stride.
 */
export function evenOverlapTransposeDim(p: ConvTransposeDimArgs): ConvTransposeDimArgs | undefined {
  // No kernel size spreads the taps evenly then.
  if (dilationSkipsOutputs(p.stride, p.dilation)) return undefined;
  // The output is (in − 1)·stride + c for every input length, and the stride stays: c, the
  // output at in = 1, is what must not change.
  const kernel = 2 * p.stride;
  const excess = convTransposeOutputLength({ ...p, input: 1, kernel, padding: 0, outputPadding: 0 }) - convTransposeOutputLength({ ...p, input: 1 });
  // 2·padding − output_padding must take away `excess`: an odd excess needs output_padding 1, a negative one only output_padding.
  const outputPadding = excess >= 0 ? excess % 2 : -excess;
  const fixed = { ...p, kernel, padding: (excess + outputPadding) / 2, outputPadding };
  return outputPadding < Math.max(p.stride, p.dilation) ? fixed : undefined;
}

/** Nearest upsampling by `scale` then a stride-1 conv of `kernel` and `padding`, for one dim. */
export interface UpsampleConvDim {
  readonly scale: number;
  readonly kernel: number;
  readonly padding: number;
}

/**
 * Nearest upsampling by the stride, then a stride-1 conv, whose output length equals the
 * transposed conv's for every input length: the conv's kernel is the transposed conv's (or one
 * more, when only that gives an integer padding ≥ 0). Undefined when neither does.
 */
export function upsampleConvDim(p: ConvTransposeDimArgs): UpsampleConvDim | undefined {
  // Upsampling gives stride·in, which a stride-1 conv changes by a constant: both outputs are
  // stride·in + constant, equal for every input once equal at in = 1.
  const target = convTransposeOutputLength({ ...p, input: 1 });
  for (const kernel of [p.kernel, p.kernel + 1]) {
    const twicePadding = target - convOutputLength({ input: p.stride, kernel });
    if (twicePadding >= 0 && twicePadding % 2 === 0) return { scale: p.stride, kernel, padding: twicePadding / 2 };
  }
  return undefined;
}

/** `L` for 1-D, `H`, `W` for 2-D, `D`, `H`, `W` for 3-D. */
export function dimensionNames(spatialDims: number): string[] {
  return spatialDims === 1 ? ['L'] : spatialDims === 2 ? ['H', 'W'] : ['D', 'H', 'W'];
}

function num(n: number): string {
  return n < 0 ? `(−${-n})` : String(n);
}

/** `H_out = ⌊(H_in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 = ⌊(5 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 3` */
export function convFormula(dim: string, p: ConvDimParams): string {
  const before = p.padding ?? 0;
  const after = p.paddingAfter ?? before;
  const stride = p.stride ?? 1;
  const dilation = p.dilation ?? 1;
  const symmetric = before === after;
  const padText = symmetric ? '2·padding' : 'padding_before + padding_after';
  const padValues = symmetric ? `2·${num(before)}` : `${num(before)} + ${num(after)}`;
  return `${dim}_out = ⌊(${dim}_in + ${padText} − dilation·(kernel − 1) − 1) / stride⌋ + 1`
    + ` = ⌊(${num(p.input)} + ${padValues} − ${num(dilation)}·(${num(p.kernel)} − 1) − 1) / ${num(stride)}⌋ + 1`
    + ` = ${convOutputLength(p)}`;
}

/** `H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 = (2 − 1)·2 − 2·0 + 1·(2 − 1) + 0 + 1 = 4` */
export function convTransposeFormula(dim: string, p: ConvTransposeDimParams): string {
  return `${dim}_out = (${dim}_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1`
    + ` = (${num(p.input)} − 1)·${num(p.stride ?? 1)} − 2·${num(p.padding ?? 0)} + ${num(p.dilation ?? 1)}·(${num(p.kernel)} − 1) + ${num(p.outputPadding ?? 0)} + 1`
    + ` = ${convTransposeOutputLength(p)}`;
}

/** One formula per spatial dim of a validated geometry, numbers substituted. */
export function geometryFormulas(g: ConvGeometry): string[] {
  return dimensionNames(g.spatialDims).map((dim, i) => {
    const shared = { input: g.inputSize[i] ?? 0, kernel: g.kernelSize[i] ?? 0, stride: g.stride[i] ?? 1, dilation: g.dilation[i] ?? 1 };
    return g.transposed
      ? convTransposeFormula(dim, { ...shared, padding: g.padBefore[i] ?? 0, outputPadding: g.outputPadding[i] ?? 0 })
      : convFormula(dim, { ...shared, padding: g.padBefore[i] ?? 0, paddingAfter: g.padAfter[i] ?? 0 });
  });
}
