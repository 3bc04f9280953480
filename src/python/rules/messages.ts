// The one home of the errors Python, PyTorch 1.13 and NumPy raise for what the interpreter
// evaluates (convolutions' own are core/convErrors.ts): one builder per message, one stable code
// per message. Wording, punctuation and quirks are copied from real runs
// (scripts/golden/gen_literals.py and gen_shapes.py record them; the tests compare).
import { TorchError } from '../../core/errors';
import { torchScalarTypeName, type DType } from '../../core/tensor';
import { dimText, type Dim } from '../interpreter/dim';
import type { PythonErrorKind, Site } from '../interpreter/values';

/**
 * An exception the evaluated code raises. `at` narrows where (an element of a literal), else it
 * is the expression being evaluated. `diagnostic: false` marks what the editor does not report as
 * a shape error (Python's argument checks, which Pylance reports, and checks whose signatures
 * Conv Lab models only in part): the value is then unknown, with this as the reason.
 */
export class PythonError extends Error {
  constructor(
    readonly kind: PythonErrorKind,
    message: string,
    readonly code: string,
    readonly at?: Site,
    readonly diagnostic = true,
  ) {
    super(message);
  }

  /** The same error at a narrower site. */
  located(at: Site | undefined): PythonError {
    return at ? new PythonError(this.kind, this.message, this.code, at, this.diagnostic) : this;
  }
}

/** PyTorch's errors from the core (conv geometry) or the interpreter's, as one kind. */
export function asPythonError(e: unknown): PythonError | undefined {
  if (e instanceof PythonError) return e;
  if (e instanceof TorchError) return new PythonError(e.kind, e.message, e.code);
  return undefined;
}

const error = (kind: PythonErrorKind, code: string) => (message: string, at?: Site): PythonError => new PythonError(kind, message, code, at);
const runtime = (code: string) => error('RuntimeError', code);
const typeError = (code: string) => error('TypeError', code);
const valueError = (code: string) => error('ValueError', code);
const indexError = (code: string) => error('IndexError', code);
/** A TypeError from Python's or PyTorch's argument parsing: never reported as a shape error. */
const argumentError = (message: string, at?: Site): PythonError => new PythonError('TypeError', message, 'invalid-argument', at, false);

/** `[2, 3, 8, 8]`, how PyTorch prints sizes (symbols by their text). */
export function sizeListText(shape: readonly Dim[]): string {
  return `[${shape.map(dimText).join(', ')}]`;
}

/** `(2, 3)`, `(2,)`: how NumPy prints a shape. */
function numpyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export const messages = {
  // Python itself.
  nameNotDefined: (name: string, at?: Site) => new PythonError('NameError', `name '${name}' is not defined`, 'unbound-name', at, false),
  unboundLocal: (name: string, at?: Site) => new PythonError('UnboundLocalError', `cannot access local variable '${name}' where it is not associated with a value`, 'unbound-name', at, false),
  divisionByZero: (floats: boolean, modulo: boolean, at?: Site) => new PythonError('ZeroDivisionError',
    modulo ? 'integer division or modulo by zero' : floats ? 'float division by zero' : 'division by zero', 'division-by-zero', at, false),
  unpackNonIterable: (typeName: string, at?: Site) => new PythonError('TypeError', `cannot unpack non-iterable ${typeName} object`, 'invalid-unpacking', at, false),
  unpackCount: (expected: number, got: number, at?: Site) => new PythonError('ValueError',
    got > expected ? `too many values to unpack (expected ${expected})` : `not enough values to unpack (expected ${expected}, got ${got})`, 'invalid-unpacking', at, false),
  sequenceIndexOutOfRange: (kind: string, at?: Site) => new PythonError('IndexError', `${kind} index out of range`, 'index-out-of-range', at, false),
  sliceIndicesNotInts: (at?: Site) => new PythonError('TypeError', 'slice indices must be integers or None or have an __index__ method', 'invalid-index', at, false),
  notAnInteger: (typeName: string, at?: Site) => new PythonError('TypeError', `'${typeName}' object cannot be interpreted as an integer`, 'invalid-argument', at, false),
  noLen: (typeName: string, at?: Site) => new PythonError('TypeError', `object of type '${typeName}' has no len()`, 'invalid-argument', at, false),
  rangeNoArguments: (at?: Site) => argumentError('range expected at least 1 argument, got 0', at),
  rangeZeroStep: (at?: Site) => new PythonError('ValueError', 'range() arg 3 must not be zero', 'invalid-argument', at, false),
  unexpectedKeyword: (fn: string, keyword: string, at?: Site) => argumentError(`${fn}() got an unexpected keyword argument '${keyword}'`, at),
  multipleValues: (fn: string, keyword: string, at?: Site) => argumentError(`${fn}() got multiple values for argument '${keyword}'`, at),
  tooManyPositional: (fn: string, most: number, given: number, at?: Site) => argumentError(`${fn}() takes at most ${most} positional arguments (${given} given)`, at),
  takesPositional: (fn: string, declared: number, given: number, at?: Site) => argumentError(
    `${fn}() takes ${declared} positional argument${declared === 1 ? '' : 's'} but ${given} were given`, at),
  missingPositional: (fn: string, missing: readonly string[], at?: Site) => {
    const quoted = missing.map((m) => `'${m}'`);
    const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1] ?? ''}`;
    return argumentError(`${fn}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list ?? ''}`, at);
  },
  missingArgument: (fn: string, name: string, position: number, at?: Site) => argumentError(`${fn}() missing required argument '${name}' (pos ${position})`, at),
  initMissing: (name: string, at?: Site) => argumentError(`__init__() missing required positional argument: '${name}'`, at),
  initMultipleValues: (name: string, at?: Site) => argumentError(`__init__() got multiple values for argument '${name}'`, at),
  argumentType: (fn: string, name: string, position: number | undefined, expected: string, typeName: string, at?: Site) =>
    argumentError(`${fn}(): argument '${name}'${position === undefined ? '' : ` (position ${position})`} must be ${expected}, not ${typeName}`, at),
  sizeElementType: (fn: string, name: string, listType: string, typeName: string, position: number, at?: Site) =>
    argumentError(`${fn}(): argument '${name}' must be tuple of ${listType}, but found element of type ${typeName} at pos ${position}`, at),
  legacySizeType: (typeName: string, position: number, at?: Site) =>
    argumentError(`new(): argument 'size' must be tuple of ints, but found element of type ${typeName} at pos ${position}`, at),

  // Tensors from Python data (PyTorch's tensor_new.cpp, NumPy's array constructor).
  notASequence: (at?: Site) => typeError('ragged-nesting')('not a sequence', at),
  raggedSequence: (expected: number, dim: number, got: number, at?: Site) => valueError('ragged-nesting')(`expected sequence of length ${expected} at dim ${dim} (got ${got})`, at),
  invalidDataType: (typeName: string, at?: Site) => typeError('non-numeric-element')(`new(): invalid data type '${typeName}'`, at),
  cannotInferDtype: (typeName: string, at?: Site) => runtime('non-numeric-element')(`Could not infer dtype of ${typeName}`, at),
  tooManyDimensions: (typeName: string, at?: Site) => valueError('too-many-dimensions')(`too many dimensions '${typeName}'`, at),
  notAnIntegerElement: (typeName: string, at?: Site) => typeError('non-numeric-element')(`'${typeName}' object cannot be interpreted as an integer`, at),
  notARealNumber: (typeName: string, at?: Site) => typeError('non-numeric-element')(`must be real number, not ${typeName}`, at),
  overflowUnpackingLong: (at?: Site) => runtime('overflow')('Overflow when unpacking long', at),
  onlyOneElementTensors: (at?: Site) => valueError('non-numeric-element')('only one element tensors can be converted to Python scalars', at),
  onlyIntegerTensorsToIndex: (at?: Site) => typeError('non-numeric-element')('only integer tensors of a single element can be converted to an index', at),
  numpyInhomogeneous: (sizes: readonly number[], at?: Site) => valueError('ragged-nesting')(
    `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${sizes.length} dimensions. The detected shape was ${sizes.length === 1 ? `(${sizes[0]},)` : `(${sizes.join(', ')})`} + inhomogeneous part.`, at),
  numpyTooManyDimensions: (max: number, at?: Site) => valueError('too-many-dimensions')(
    `setting an array element with a sequence. The requested array would exceed the maximum number of dimension of ${max}.`, at),
  numpyNotANumber: (typeName: string, at?: Site) => new PythonError('TypeError', `element of type '${typeName}' is not a number`, 'non-numeric-element', at, false),

  // Dtypes.
  torchDtypeArgument: (fn: string, typeName: string, at?: Site) => argumentError(`${fn}(): argument 'dtype' must be torch.dtype, not ${typeName}`, at),
  numpyDtypeNotUnderstood: (name: string, at?: Site) => argumentError(`data type '${name}' not understood`, at),
  numpyCannotInterpret: (text: string, at?: Site) => argumentError(`Cannot interpret '${text}' as a data type`, at),
  notImplementedFor: (kernel: string, dtype: DType, at?: Site) => runtime('invalid-dtype')(`"${kernel}" not implemented for '${torchScalarTypeName(dtype)}'`, at),
  expectedScalarType: (expected: DType, found: DType, at?: Site) => runtime('invalid-dtype')(`expected scalar type ${torchScalarTypeName(expected)} but found ${torchScalarTypeName(found)}`, at),

  // Factories.
  negativeDimension: (shape: readonly number[], negative: number, at?: Site) => runtime('invalid-shape')(`Trying to create tensor with negative dimension ${negative}: [${shape.join(', ')}]`, at),
  eyeNegative: (which: 'n' | 'm', value: number, at?: Site) => runtime('invalid-shape')(`${which} must be greater or equal to 0, got ${value}`, at),
  stepNonzero: (at?: Site) => runtime('invalid-step')('step must be nonzero', at),
  unsupportedRange: (start: string, end: string, at?: Site) => runtime('invalid-argument')(`unsupported range: ${start} -> ${end}`, at),
  rangeSignInconsistent: (at?: Site) => runtime('invalid-argument')('upper bound and larger bound inconsistent with step sign', at),
  linspaceMissing: (missing: readonly string[], at?: Site) => argumentError(`linspace() missing ${missing.length} required positional arguments: ${missing.map((m) => `"${m}"`).join(', ')}`, at),
  linspaceNegativeSteps: (at?: Site) => runtime('invalid-argument')('number of steps must be non-negative', at),
  numpyNegativeDimensions: (at?: Site) => valueError('invalid-shape')('negative dimensions are not allowed', at),
  numpyShapeType: (shown: string, at?: Site) => argumentError(`expected a sequence of integers or a single integer, got '${shown}'`, at),
  numpyMaximumSize: (at?: Site) => valueError('too-many-elements')('Maximum allowed size exceeded', at),
  numpyNegativeSamples: (num: number, at?: Site) => valueError('invalid-argument')(`Number of samples, ${num}, must be non-negative.`, at),

  // Dimensions, views and joins.
  dimOutOfRange: (dim: number, rank: number, at?: Site) => {
    const r = Math.max(rank, 1);
    return indexError('dim-out-of-range')(`Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`, at);
  },
  numpyAxisOutOfBounds: (axis: number, rank: number, at?: Site) => indexError('dim-out-of-range')(`axis ${axis} is out of bounds for array of dimension ${rank}`, at),
  onlyOneInferred: (at?: Site) => runtime('invalid-shape')('only one dimension can be inferred', at),
  invalidShapeDimension: (size: number, at?: Site) => runtime('invalid-shape')(`invalid shape dimension ${size}`, at),
  viewSizeInvalid: (sizes: readonly Dim[], total: Dim, at?: Site) => runtime('view-size-mismatch')(`shape '${sizeListText(sizes)}' is invalid for input of size ${dimText(total)}`, at),
  reshapeAmbiguous: (sizes: readonly number[], at?: Site) => runtime('view-size-mismatch')(
    `cannot reshape tensor of 0 elements into shape [${sizes.join(', ')}] because the unspecified dimension size -1 can be any value and is ambiguous`, at),
  viewNotContiguous: (at?: Site) => runtime('view-not-contiguous')("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.", at),
  unflattenSizes: (sizes: readonly Dim[], size: Dim, at?: Site) => runtime('view-size-mismatch')(
    `unflatten: Provided sizes ${sizeListText(sizes)} don't multiply up to the size of dim 0 (${dimText(size)}) in the input tensor`, at),
  numpyReshape: (total: number, sizes: readonly number[], at?: Site) => {
    // NumPy drops leading unknown dimensions and prints later ones as "newaxis".
    let i = 0;
    while (i < sizes.length && (sizes[i] ?? 0) < 0) i++;
    const printed = sizes.slice(i).map((s, k) => (k > 0 && s < 0 ? 'newaxis' : String(s)));
    const shape = printed.length === 0 ? '()' : sizes.length === 1 ? `(${printed[0]},)` : `(${printed.join(',')})`;
    return valueError('view-size-mismatch')(`cannot reshape array of size ${total} into shape ${shape}`, at);
  },
  numpyOneUnknown: (at?: Site) => valueError('invalid-shape')('can only specify one unknown dimension', at),
  permuteRank: (rank: number, given: number, at?: Site) => runtime('wrong-rank')(
    `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${rank} is not equal to len(dims) = ${given}`, at),
  permuteDuplicate: (at?: Site) => runtime('invalid-dims')('permute(): duplicate dims are not allowed.', at),
  numpyAxesMismatch: (at?: Site) => valueError('invalid-permutation')("axes don't match array", at),
  numpySqueezeNotOne: (at?: Site) => valueError('invalid-argument')('cannot select an axis to squeeze out which has size not equal to one', at),
  flattenOrder: (at?: Site) => runtime('invalid-dims')('flatten() has invalid args: start_dim cannot come after end_dim', at),
  expandRank: (dtype: DType | undefined, shape: readonly Dim[], sizes: readonly Dim[], at?: Site) => runtime('wrong-rank')(
    `expand(torch.${torchScalarTypeName(dtype ?? 'float32')}Tensor{${sizeListText(shape)}}, size=${sizeListText(sizes)}): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`, at),
  expandMismatch: (target: Dim, existing: Dim, dim: number, sizes: readonly Dim[], shape: readonly Dim[], at?: Site) => runtime('expand-mismatch')(
    `The expanded size of the tensor (${dimText(target)}) must match the existing size (${dimText(existing)}) at non-singleton dimension ${dim}.  Target sizes: ${sizeListText(sizes)}.  Tensor sizes: ${sizeListText(shape)}`, at),
  repeatRank: (at?: Site) => runtime('wrong-rank')('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor', at),
  broadcast: (a: Dim, b: Dim, dim: number, at?: Site) => runtime('broadcast-mismatch')(
    `The size of tensor a (${dimText(a)}) must match the size of tensor b (${dimText(b)}) at non-singleton dimension ${dim}`, at),
  catEmpty: (at?: Site) => runtime('empty-list')('torch.cat(): expected a non-empty list of Tensors', at),
  catZeroDim: (at?: Site) => runtime('cat-mismatch')('zero-dimensional tensor (at position 0) cannot be concatenated', at),
  catRanks: (a: number, b: number, at?: Site) => runtime('cat-mismatch')(`Tensors must have same number of dimensions: got ${a} and ${b}`, at),
  catSizes: (dim: number, expected: Dim, got: Dim, tensor: number, at?: Site) => runtime('cat-mismatch')(
    `Sizes of tensors must match except in dimension ${dim}. Expected size ${dimText(expected)} but got size ${dimText(got)} for tensor number ${tensor} in the list.`, at),
  stackEmpty: (at?: Site) => runtime('empty-list')('stack expects a non-empty TensorList', at),
  stackSizes: (first: readonly Dim[], other: readonly Dim[], entry: number, at?: Site) => runtime('stack-mismatch')(
    `stack expects each tensor to be equal size, but got ${sizeListText(first)} at entry 0 and ${sizeListText(other)} at entry ${entry}`, at),
  joinNotTensors: (fn: string, typeName: string, at?: Site) => argumentError(`${fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not ${typeName}`, at),
  joinElementNotTensor: (index: number, typeName: string, at?: Site) => argumentError(`expected Tensor as element ${index} in argument 0, but got ${typeName}`, at),
  splitSizes: (length: number, dim: number, sizes: readonly number[], at?: Site) => runtime('split-mismatch')(
    `split_with_sizes expects split_sizes to sum exactly to ${length} (input tensor's size at dimension ${dim}), but got split_sizes=${sizeListText(sizes)}`, at),
  chunkCount: (chunks: number, at?: Site) => runtime('invalid-chunks')(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`, at),
  padOdd: (at?: Site) => runtime('invalid-padding')('Padding length must be divisible by 2', at),
  padTooLong: (at?: Site) => runtime('invalid-padding')('Padding length too large', at),

  // Indexing.
  tooManyIndices: (rank: number, at?: Site) => indexError('too-many-indices')(`too many indices for tensor of dimension ${rank}`, at),
  numpyTooManyIndices: (rank: number, indexed: number, at?: Site) => indexError('too-many-indices')(`too many indices for array: array is ${rank}-dimensional, but ${indexed} were indexed`, at),
  indexOutOfRange: (index: number, dim: number, size: Dim, numpy: boolean, at?: Site) => indexError('index-out-of-range')(
    `index ${index} is out of bounds for ${numpy ? 'axis' : 'dimension'} ${dim} with size ${dimText(size)}`, at),
  zeroDimIndex: (at?: Site) => indexError('invalid-index')('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number', at),
  numpyTwoEllipses: (at?: Site) => indexError('invalid-index')("an index can only have a single ellipsis ('...')", at),
  sliceStepZero: (at?: Site) => valueError('invalid-index')('slice step cannot be zero', at),
  sliceStepNegative: (at?: Site) => valueError('invalid-step')('step must be greater than zero', at),
  floatIndex: (numpy: boolean, at?: Site) => indexError('invalid-index')(numpy
    ? 'only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices'
    : 'only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)', at),
  cannotAssign: (typeName: string, dtype: DType, at?: Site) => typeError('invalid-assignment')(`can't assign a ${typeName} to a torch.${torchScalarTypeName(dtype)}Tensor`, at),
  numpyCannotBroadcast: (from: readonly number[], into: readonly number[], at?: Site) => valueError('broadcast-mismatch')(
    `could not broadcast input array from shape ${numpyShape(from)} into shape ${numpyShape(into)}`, at),

  // Arithmetic.
  boolSubtraction: (at?: Site) => runtime('invalid-dtype')('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.', at),
  boolNegation: (at?: Site) => runtime('invalid-dtype')('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.', at),
  integerDivisionByZero: (at?: Site) => runtime('division-by-zero')('ZeroDivisionError', at),
  resultTypeCast: (from: DType, to: DType, at?: Site) => runtime('invalid-dtype')(`result type ${torchScalarTypeName(from)} can't be cast to the desired output type ${torchScalarTypeName(to)}`, at),
  inPlaceBroadcast: (self: readonly number[], result: readonly number[], at?: Site) => runtime('broadcast-mismatch')(
    `output with shape [${self.join(', ')}] doesn't match the broadcast shape [${result.join(', ')}]`, at),

  // Products.
  matmulRank: (a: number, b: number, at?: Site) => runtime('wrong-rank')(`both arguments to matmul need to be at least 1D, but they are ${a}D and ${b}D`, at),
  dotSizes: (a: Dim, b: Dim, at?: Site) => runtime('matmul-mismatch')(
    `inconsistent tensor size, expected tensor [${dimText(a)}] and src [${dimText(b)}] to have the same number of elements, but got ${dimText(a)} and ${dimText(b)} elements respectively`, at),
  mvSizes: (rows: Dim, cols: Dim, vector: Dim, at?: Site) => runtime('matmul-mismatch')(`size mismatch, got ${dimText(rows)}, ${dimText(rows)}x${dimText(cols)},${dimText(vector)}`, at),
  mmShapes: (rows: Dim, inner: Dim, bRows: Dim, bCols: Dim, code = 'matmul-mismatch', at?: Site) => runtime(code)(
    `mat1 and mat2 shapes cannot be multiplied (${dimText(rows)}x${dimText(inner)} and ${dimText(bRows)}x${dimText(bCols)})`, at),
  bmmSizes: (batch: Dim, inner: Dim, got: Dim, at?: Site) => runtime('matmul-mismatch')(
    `Expected size for first two dimensions of batch2 tensor to be: [${dimText(batch)}, ${dimText(inner)}] but got: [${dimText(batch)}, ${dimText(got)}].`, at),
  linearRank: (at?: Site) => runtime('wrong-rank')('both arguments to linear need to be at least 1D, but they are 0D and 2D', at),

  // Layers (torch.nn) other than convolutions.
  invalidPaddingString: (padding: string, at?: Site) => valueError('invalid-padding')(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`, at),
  paddingModeInvalid: (mode: string, at?: Site) => valueError('invalid-padding-mode')(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${mode}'`, at),
  groupNormChannels: (at?: Site) => valueError('groups-not-dividing')('num_channels must be divisible by num_groups', at),
  batchNormFeatures: (channels: Dim, features: Dim, at?: Site) => runtime('channel-mismatch')(`running_mean should contain ${dimText(channels)} elements not ${dimText(features)}`, at),
  batchNormRank: (expected: readonly number[], rank: number, at?: Site) => valueError('wrong-rank')(`expected ${expected.map((r) => `${r}D`).join(' or ')} input (got ${rank}D input)`, at),
  layerNormShape: (normalized: readonly number[], input: readonly Dim[], at?: Site) => runtime('layer-norm-shape')(
    `Given normalized_shape=[${normalized.join(', ')}], expected input with shape [*, ${normalized.join(', ')}], but got input of size${sizeListText(input)}`, at),
  poolRank: (max: boolean, input: readonly Dim[], at?: Site) => runtime('wrong-rank')(max
    ? 'non-empty 3D or 4D (batch mode) tensor expected for input'
    : `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${sizeListText(input)}`, at),
  projSizeNotLstm: (at?: Site) => valueError('recurrent-arguments')('proj_size argument is only supported for LSTM, not RNN or GRU', at),
  projSizeNegative: (at?: Site) => valueError('recurrent-arguments')('proj_size should be a positive integer or zero to disable projections', at),
  projSizeTooLarge: (at?: Site) => valueError('recurrent-arguments')('proj_size has to be smaller than hidden_size', at),
  recurrentHiddenRank: (batched: boolean, lstm: boolean, ranks: readonly number[], at?: Site) => runtime('wrong-rank')(
    `For ${batched ? 'batched 3-D' : 'unbatched 2-D'} input, ${lstm ? 'hx and cx' : 'hx'} should also be ${batched ? 3 : 2}-D but got ${lstm ? `(${ranks.map((r) => `${r}-D`).join(', ')}) tensors` : `${ranks[0]}-D tensor`}`, at),
  recurrentInputRank: (rank: number, at?: Site) => runtime('wrong-rank')(`input must have 3 dimensions, got ${rank}`, at),
  recurrentInputSize: (expected: Dim, got: Dim, at?: Site) => runtime('channel-mismatch')(`input.size(-1) must be equal to input_size. Expected ${dimText(expected)}, got ${dimText(got)}`, at),
  recurrentHiddenSize: (index: number | undefined, expected: readonly Dim[], got: readonly Dim[], at?: Site) => runtime('hidden-size-mismatch')(
    `Expected hidden${index === undefined ? '' : `[${index}]`} size (${expected.map(dimText).join(', ')}), got ${sizeListText(got)}`, at),
  instanceNormSpatial: (input: readonly Dim[], at?: Site) => valueError('instance-norm-spatial')(`Expected more than 1 spatial element when training, got input size torch.Size(${sizeListText(input)})`, at),
  pool3dRank: (at?: Site) => runtime('wrong-rank')('non-empty 4D or 5D (batch mode) tensor expected for input', at),
  maxPool1dRank: (input: readonly Dim[], at?: Site) => runtime('wrong-rank')(`max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${sizeListText(input)}`, at),
  poolPadding: (pad: number, kernel: number, at?: Site) => runtime('pool-padding')(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${kernel}`, at),
  maxPool1dPadding: (pad: number, kernel: number, at?: Site) => runtime('pool-padding')(`max_pool1d() padding should be at most half of kernel size, but got padding=${pad} and kernel_size=${kernel}`, at),
  maxPool1dOutputSize: (size: number, at?: Site) => runtime('output-too-small')(`max_pool1d() Invalid computed output size: ${size}`, at),
  avgPool3dKernel: (input: readonly Dim[], kernel: readonly number[], at?: Site) => runtime('kernel-too-large')(
    `input image (T: ${dimText(input[0] as Dim)} H: ${dimText(input[1] as Dim)} W: ${dimText(input[2] as Dim)}) smaller than kernel size (kT: ${kernel[0]} kH: ${kernel[1]} kW: ${kernel[2]})`, at),
  poolOutputTooSmall: (input: readonly Dim[], output: readonly Dim[], at?: Site) => runtime('output-too-small')(
    `Given input size: (${input.map(dimText).join('x')}). Calculated output size: (${output.map(dimText).join('x')}). Output size is too small`, at),
  pixelShuffleChannels: (channels: number, square: number, at?: Site) => runtime('pixel-shuffle-channels')(
    `pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${channels} is not divisible by ${square}`, at),
  pixelUnshuffleSize: (which: 'height' | 'width', size: number, factor: number, at?: Site) => runtime('pixel-unshuffle-size')(
    `pixel_unshuffle expects ${which} to be divisible by downscale_factor, but input.size(${which === 'height' ? -2 : -1})=${size} is not divisible by ${factor}`, at),
  linearMismatch: (rows: Dim, last: Dim, inFeatures: Dim, outFeatures: Dim, at?: Site) => messages.mmShapes(rows, last, inFeatures, outFeatures, 'linear-mismatch', at),
  convInputNotTensor: (typeName: string, at?: Site) => argumentError(`conv: expected a tensor as input, got ${typeName}`, at),
  layerParameterType: (typeName: string, parameter: string, at?: Site) => argumentError(`cannot assign '${typeName}' as parameter '${parameter}' (torch.nn.Parameter or None expected)`, at),
  intTupleArgument: (fn: string, name: string, typeName: string, at?: Site) => argumentError(`${fn}(): argument '${name}' must be an int or a tuple of ints, not ${typeName}`, at),
  fromNumpyArgument: (typeName: string, at?: Site) => argumentError(`expected np.ndarray (got ${typeName})`, at),
  lenZeroDim: (numpy: boolean, at?: Site) => new PythonError('TypeError', numpy ? 'len() of unsized object' : 'len() of a 0-d tensor', 'invalid-argument', at, false),
};
