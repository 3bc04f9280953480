// The exact errors PyTorch 1.13 (CPU) raises for convolutions, one builder per message (plus the
// few that are Conv Lab's own, marked as such).
// Wording, punctuation and even PyTorch's own quirks (the double brackets of the groups message,
// 1-D convolutions reported as 2-D by the backend kernels) are copied from real runs:
// scripts/golden/gen_ops.py records them and test/unit/core/ops.errors.test.ts compares.
import { TorchError } from './errors';
import type { PaddingMode } from './vocabulary';
import type { DType } from './tensor';
import { torchScalarTypeName } from './tensor';

/** `[1, 2, 3]`, how PyTorch prints sizes and int lists. */
export function sizeList(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}

/** The C++ type name `Input type (float) and bias type (double)` uses. */
function cppTypeName(dtype: DType): string {
  switch (dtype) {
    case 'float32': return 'float';
    case 'float64': return 'double';
    case 'int64': return 'long int';
    case 'int32': return 'int';
    case 'bool': return 'bool';
  }
}

/** The legacy tensor type names oneDNN's type check prints. */
function legacyTypeName(dtype: DType): string {
  switch (dtype) {
    case 'float32': return 'torch.FloatTensor';
    case 'float64': return 'torch.DoubleTensor';
    case 'int64': return 'torch.LongTensor';
    case 'int32': return 'torch.IntTensor';
    case 'bool': return 'CPUBoolType';
  }
}

const runtime = (code: string, message: string): TorchError => new TorchError('RuntimeError', message, code);

export const convErrors = {
  inputRank: (opName: string, spatialDims: number, inputShape: readonly number[]) => runtime('wrong-rank',
    `Expected ${spatialDims + 1}D (unbatched) or ${spatialDims + 2}D (batched) input to ${opName}, but got input of size: ${sizeList(inputShape)}`),
  biasInputType: (input: DType, bias: DType) => runtime('dtype-mismatch',
    `Input type (${cppTypeName(input)}) and bias type (${cppTypeName(bias)}) should be the same`),
  scalarType: (expected: DType, found: DType) => runtime('dtype-mismatch',
    `expected scalar type ${torchScalarTypeName(expected)} but found ${torchScalarTypeName(found)}`),
  oneDnnType: (input: DType, what: 'weight' | 'bias', other: DType) => runtime('dtype-mismatch',
    `Input type (${legacyTypeName(input)}) and ${what} type (${legacyTypeName(other)}) should be the same or input should be a MKLDNN tensor and ${what} is a dense tensor`),
  oneDnnDilation: () => runtime('invalid-dilation', 'non-positive dilation is not supported'),
  oneDnnEmptyKernel: () => runtime('empty-kernel', 'could not create a descriptor for a dilated convolution forward propagation primitive'),
  notImplementedFor: (kernelName: string, dtype: DType) => runtime('unsupported-dtype',
    `"${kernelName}" not implemented for '${torchScalarTypeName(dtype)}'`),
  transposedStringPadding: (opName: string, viaModule: boolean) => new TorchError('TypeError',
    viaModule
      ? `${opName}(): argument 'padding' (position 5) must be tuple of ints, not tuple`
      : `${opName}(): argument 'padding' must be tuple of ints, not str`,
    'invalid-padding'),
  weightAtLeast3d: () => runtime('wrong-weight-rank', 'weight should have at least three dimensions'),
  nonPositiveGroups: () => runtime('invalid-groups', 'non-positive groups is not supported'),
  paramLength: (name: string, expected: number, got: readonly number[]) => runtime('param-length',
    `expected ${name} to be a single integer value or a list of ${expected} values to match the convolution dimensions, but got ${name}=${sizeList(got)}`),
  cannotBroadcast: (name: string, dims: number) => runtime('param-length', `${name} cannot broadcast to ${dims} dimensions`),
  sameWithStride: (kind: 'RuntimeError' | 'ValueError') => new TorchError(kind,
    "padding='same' is not supported for strided convolutions", 'same-with-stride'),
  negativePadding: () => runtime('negative-padding', 'negative padding is not supported'),
  negativeOutputPadding: () => runtime('negative-output-padding', 'negative output_padding is not supported'),
  nonPositiveStride: () => runtime('invalid-stride', 'non-positive stride is not supported'),
  weightInputDims: (weight: readonly number[], inputShape: readonly number[], spaceBeforeWeight: boolean) => runtime('wrong-weight-rank',
    `Expected ${weight.length}-dimensional input for ${weight.length}-dimensional weight${spaceBeforeWeight ? ' ' : ''}${sizeList(weight)}, but got ${inputShape.length}-dimensional input of size ${sizeList(inputShape)} instead`),
  groupsTooLarge: (groups: number, weight: readonly number[]) => runtime('groups-too-large',
    `Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size ${sizeList(weight)} instead`),
  groupsNotDividing: (groups: number, weight: readonly number[]) => runtime('groups-not-dividing',
    `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${sizeList(weight)}] instead`),
  channels: (groups: number, weight: readonly number[], inputShape: readonly number[], expected: number) => runtime('channel-mismatch',
    `Given groups=${groups}, weight of size ${sizeList(weight)}, expected input${sizeList(inputShape)} to have ${expected} channels, but got ${inputShape[1] ?? 0} channels instead`),
  transposedChannels: (weight: readonly number[], inputShape: readonly number[]) => runtime('channel-mismatch',
    `Given transposed=1, weight of size ${sizeList(weight)}, expected input${sizeList(inputShape)} to have ${weight[0] ?? 0} channels, but got ${inputShape[1] ?? 0} channels instead`),
  biasShape: (weight: readonly number[], expected: number, bias: readonly number[], transposed: boolean) => runtime('bias-shape',
    `Given ${transposed ? 'transposed=1, weight of size' : 'weight of size'} ${sizeList(weight)}, expected bias to be 1-dimensional with ${expected} elements, but got bias of size ${sizeList(bias)} instead`),
  kernelTooLarge: (paddedInput: readonly number[], kernel: readonly number[]) => runtime('kernel-too-large',
    `Calculated padded input size per channel: (${paddedInput.join(' x ')}). Kernel size: (${kernel.join(' x ')}). Kernel size can't be greater than actual input size`),
  /** slow_conv2d and slow_conv_transpose2d (1-D convolutions arrive viewed as 2-D). */
  kernelNotPositive2d: (kernel: readonly number[]) => runtime('empty-kernel',
    `kernel size should be greater than zero, but got kernel_height: ${kernel[0] ?? 0} kernel_width: ${kernel[1] ?? 0}`),
  kernelNotPositive3d: (kernel: readonly number[]) => runtime('empty-kernel',
    `kernel size should be greater than zero, but got: ${kernel.join(' x ')} (TxHxW)`),
  kernelNotPositiveDilated: (kernel: readonly number[]) => runtime('empty-kernel',
    `kernel size should be greater than zero, but got ${sizeList(kernel)}`),
  emptyWeight3d: (weight: readonly number[]) => runtime('empty-kernel',
    `non-empty 5D (n_output_plane x n_input_plane x kernel_depth x kernel_height x kernel_width) tensor expected for weight, but got: ${sizeList(weight)}`),
  dilationNotPositive: (dilation: readonly number[]) => runtime('invalid-dilation',
    `dilation should be greater than zero, but got ${sizeList(dilation)}`),
  transposedDilationNotPositive: (dilation: readonly number[]) => runtime('invalid-dilation',
    `dilation should be greater than zero, but got ${labelled('dilation', dilation, ', ')}`),
  outputPaddingTooLarge: (outputPadding: readonly number[], stride: readonly number[], dilation: readonly number[]) => runtime('invalid-output-padding',
    `output padding must be smaller than either stride or dilation, but got ${labelled('output_padding', outputPadding, ' ')} ${labelled('stride', stride, ' ')} ${labelled('dilation', dilation, ' ')}`),
  emptyInput: (inputShape: readonly number[]) => runtime('empty-input',
    `Only zero batch or zero channel inputs are supported, but got input shape: ${sizeList(inputShape)}`),
  outputTooSmall: (inputSize: readonly number[], outputSize: readonly number[]) => runtime('output-too-small',
    `Given input size per channel: (${inputSize.join(' x ')}). Calculated output size per channel: (${outputSize.join(' x ')}). Output size is too small`),
  constantPadNegative: (size: number, before: number, after: number, dim: number) => runtime('negative-padding',
    `The input size ${size}, plus negative padding ${before} and ${after} resulted in a negative output size, which is invalid. Check dimension ${dim} of your input.`),
  negativeDimension: (negative: number, shape: readonly number[], code: string) => runtime(code,
    `Trying to create tensor with negative dimension ${negative}: ${sizeList(shape)}`),
  // The empty-input shortcut (zero batch or zero channels).
  emptyWeightSelect: () => new TorchError('IndexError', 'select(): index 0 out of range for tensor of size [0] at dimension 0', 'empty-kernel'),
  invalidShapeDimension: (negative: number) => runtime('output-too-small', `invalid shape dimension ${negative}`),
  // Python's argument parsing.
  unexpectedKeyword: (op: string, python: string) => new TorchError('TypeError', `${op}() got an unexpected keyword argument '${python}'`, 'invalid-argument'),
  floatArgument: (op: string, python: string, expected: string) => new TorchError('TypeError',
    `${op}(): argument '${python}' must be ${expected}, not float`, 'invalid-argument'),
  /** `position` is given by the multi-overload convNd, which say where the float is. */
  floatInTuple: (op: string, python: string, position: number | undefined) => new TorchError('TypeError', position === undefined
    ? `${op}(): argument '${python}' must be tuple of ints, not tuple`
    : `${op}(): argument '${python}' must be tuple of ints, but found element of type float at pos ${position}`, 'invalid-argument'),
  // Conv Lab's own: a shape PyTorch could not even have built.
  nonIntegerShape: (name: string, shape: readonly number[]) => new TorchError('TypeError',
    `the ${name}'s shape ${sizeList(shape)} must hold integers`, 'invalid-tensor'),
  // Raised by nn.ConvNd / nn.ConvTransposeNd (constructor or forward), not by F.convNd.
  moduleGroupsNotPositive: () => new TorchError('ValueError', 'groups must be a positive integer', 'invalid-groups'),
  moduleChannelsNotDivisible: (which: 'in_channels' | 'out_channels') => new TorchError('ValueError',
    `${which} must be divisible by groups`, 'groups-not-dividing'),
  transposedPaddingMode: (moduleName: string) => new TorchError('ValueError',
    `Only "zeros" padding mode is supported for ${moduleName}`, 'padding-mode-unsupported'),
  outputSizeLength: (spatialDims: number, inputRank: number, nonSpatial: number, got: number) => new TorchError('ValueError',
    `ConvTranspose${spatialDims}D: for ${inputRank}D input, output_size must have ${spatialDims} or ${nonSpatial + spatialDims} elements (got ${got})`,
    'output-size-length'),
  outputSizeRange: (requested: readonly number[], min: readonly number[], max: readonly number[], inputTail: readonly number[]) => new TorchError('ValueError',
    `requested an output size of ${sizeList(requested)}, but valid sizes range from ${sizeList(min)} to ${sizeList(max)} (for an input of torch.Size(${sizeList(inputTail)}))`,
    'output-size-out-of-range'),
  unexpectedOutputSize: (moduleName: string) => new TorchError('TypeError',
    `${moduleName}.forward() got an unexpected keyword argument 'output_size'`, 'invalid-argument'),
  // nn.ConvTransposeNd._output_padding's Python arithmetic on the module's tuples.
  tupleIndex: () => new TorchError('IndexError', 'tuple index out of range', 'param-length'),
  stringPaddingArithmetic: () => new TorchError('TypeError', "unsupported operand type(s) for -: 'int' and 'str'", 'invalid-padding'),
  dimensionOutOfRange: (rank: number, got: number) => new TorchError('IndexError',
    `Dimension out of range (expected to be in range of [${-rank}, ${rank - 1}], but got ${got})`, 'wrong-rank'),
  // F.pad, which nn.ConvNd calls for the reflect, replicate and circular padding modes.
  padLengthTooLarge: () => runtime('wrong-rank', 'Padding length too large'),
  modePadRank: () => new TorchError('NotImplementedError', 'Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now', 'wrong-rank'),
  numelOverflow: () => runtime('negative-padding', 'numel: integer multiplication overflow'),
  reflectPadTooLarge: (argument: number, pad: readonly [number, number], dimension: number, inputDescription: string) => runtime('padding-too-large',
    `Argument #${argument}: Padding size should be less than the corresponding input dimension, but got: padding (${pad[0]}, ${pad[1]}) at dimension ${dimension} of input ${inputDescription}`),
  circularPadEmpty: () => runtime('negative-padding', 'Negative padding value is resulting in an empty dimension'),
  modePadEmptyInput: (mode: PaddingMode, shape: readonly number[], dtype: DType, dims: number) => runtime('empty-input', mode === 'reflect' && dims < 3
    ? `${dims + 1}D or ${dims + 2}D (batch mode) tensor expected for input, but got: [ ${legacyTypeName(dtype)}{${shape.join(',')}} ]`
    : `Expected ${dims + 1}D or ${dims + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${sizeList(shape)}`),
  modePadTooSmall: (mode: PaddingMode, input: readonly number[], output: readonly number[]) => runtime('negative-padding', tooSmall(mode, input, output)),
  circularPadWraps: () => runtime('padding-too-large', 'Padding value causes wrapping around more than once.'),
  circularPadSize: (expected: number, got: number) => runtime('unbatched-circular',
    `Invalid padding size, expected ${expected} but got ${got}`),
  // d2l's corr2d / trans_conv in Python.
  unpackKernel: (rank: number) => new TorchError('ValueError', rank > 2
    ? 'too many values to unpack (expected 2)'
    : `not enough values to unpack (expected 2, got ${rank})`, 'wrong-weight-rank'),
  referenceInputRank: (op: string, shape: readonly number[]) => new TorchError('ValueError',
    `${op} expects a 2-D X, but got X of size ${sizeList(shape)}`, 'wrong-rank'),
};

/** reflection_pad / replication_pad's message when negative padding empties every dim, quirks included. */
function tooSmall(mode: PaddingMode, input: readonly number[], output: readonly number[]): string {
  const [a = 0, b = 0, c = 0] = input;
  const [x = 0, y = 0, z = 0] = output;
  if (input.length === 3) return `input (D: ${a} H: ${b}, W: ${c}) is too small. Calculated output D: ${x} H: ${y} W: ${z}`;
  if (input.length === 2) {
    return mode === 'reflect'
      ? `input (H: ${a}, W: ${b})is too small. Calculated output H: ${x} W: ${y}`
      : `input (H: ${a}, W: ${b} ) is too small. Calculated output H: ${x} W: ${y}`;
  }
  return mode === 'reflect' ? `2input (W: ${a})is too small. Calculated output W: ${x}` : `input (W: ${a}) is too small. Calculated output W: ${x}`;
}

/** `dilation_height: 0, dilation_width: 0` (2 labels) or with `_depth` first (3). */
function labelled(name: string, values: readonly number[], separator: string): string {
  const axes = values.length === 3 ? ['depth', 'height', 'width'] : ['height', 'width'];
  return values.map((v, i) => `${name}_${axes[i] ?? ''}: ${v}`).join(separator);
}
