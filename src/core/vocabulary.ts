// The words every part of Conv Lab uses for tensors and ops: dtypes, the tensor record, op names,
// PyTorch's arguments, a request, the regions of an output, and what each op is (OP_INFO).
// It imports nothing, so the geometry, the kernels, the engine, the protocols, the webview and the
// Python reader all import it without a cycle.

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

export type FloatDType = 'float32' | 'float64';

export interface DataOf {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

export type TensorData = DataOf[DType];

/** A dense row-major buffer with a shape and a dtype (helpers in tensor.ts). */
export interface Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly data: DataOf[D];
}

/** What an op's geometry needs of a tensor: shape inference and planning pass sizes without data. */
export interface TensorSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export const CONV_OP_NAMES = ['conv1d', 'conv2d', 'conv3d'] as const;
export const CONV_TRANSPOSE_OP_NAMES = ['conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'] as const;
/** Every op, in the order menus and usage texts list them. */
export const OP_NAMES = [...CONV_OP_NAMES, ...CONV_TRANSPOSE_OP_NAMES, 'corr2d', 'trans_conv'] as const;
export type ConvOpName = (typeof CONV_OP_NAMES)[number];
export type ConvTransposeOpName = (typeof CONV_TRANSPOSE_OP_NAMES)[number];
export type OpName = (typeof OP_NAMES)[number];

export const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'] as const;
export type PaddingMode = (typeof PADDING_MODES)[number];

/**
 * PyTorch's arguments. With `paddingMode` or `outputSize` a request is the nn module's call
 * (`nn.Conv2d(..., padding_mode=...)(x)`, `nn.ConvTranspose2d(...)(x, output_size=...)`),
 * otherwise the functional one (`F.conv2d(x, w, b, ...)`); geometry.ts has the details.
 */
export interface OpArgs {
  stride?: number | readonly number[];
  padding?: number | readonly number[] | 'same' | 'valid';
  dilation?: number | readonly number[];
  groups?: number;
  outputPadding?: number | readonly number[];
  paddingMode?: PaddingMode;
  /** `ConvTranspose*d.forward(input, output_size=...)`. */
  outputSize?: readonly number[];
}

export type OpArgName = keyof OpArgs;

/** Python's keyword for each argument, in the order a call spells them (conv_transposeNd's signature, then the module's). */
export const ARG_KEYWORDS: Readonly<Record<OpArgName, string>> = {
  stride: 'stride',
  padding: 'padding',
  outputPadding: 'output_padding',
  groups: 'groups',
  dilation: 'dilation',
  paddingMode: 'padding_mode',
  outputSize: 'output_size',
};

/** One op on its operands: tensors to compute, or (`OpRequest<TensorSpec>`) shapes to plan and check. */
export interface OpRequest<Operand extends TensorSpec = Tensor> {
  readonly op: OpName;
  readonly input: Operand;
  readonly weight: Operand;
  readonly bias?: Operand | undefined;
  readonly args?: OpArgs | undefined;
}

/** Half-open ranges of the output a worker computes. */
export interface OutputRegion {
  readonly batch: readonly [number, number];
  readonly channels: readonly [number, number];
  readonly rows: readonly [number, number];
}

/** The whole output as a region: how many batch entries, output channels and first-dim rows. */
export interface RegionExtent {
  readonly batch: number;
  readonly channels: number;
  readonly rows: number;
}

export interface OpInfo {
  /** `F.convNd`, `F.conv_transposeNd`, or one of d2l's functions on plain matrices. */
  readonly kind: 'conv' | 'transposed' | 'reference';
  readonly transposed: boolean;
  readonly spatialDims: 1 | 2 | 3;
  /** How Python spells the function: `F.conv2d`, d2l's `corr2d`. */
  readonly callee: string;
  /** The operands' names in a call: `input, weight, bias`, or d2l's `X, K`. */
  readonly operands: readonly string[];
  /** The keyword arguments of the function, in its signature's order (d2l's take none). */
  readonly signature: readonly OpArgName[];
  /** The ones only the nn module's call takes (`padding_mode`; ConvTransposeNd.forward's `output_size`). */
  readonly moduleArgs: readonly OpArgName[];
  /** For d2l's functions: the PyTorch op that computes the same on 1×1-channel tensors. */
  readonly pytorchOp?: OpName;
}

const CONV_SIGNATURE: readonly OpArgName[] = ['stride', 'padding', 'dilation', 'groups'];
const TRANSPOSED_SIGNATURE: readonly OpArgName[] = ['stride', 'padding', 'outputPadding', 'groups', 'dilation'];
const TENSOR_OPERANDS = ['input', 'weight', 'bias'];

function conv(spatialDims: 1 | 2 | 3): OpInfo {
  return { kind: 'conv', transposed: false, spatialDims, callee: `F.conv${spatialDims}d`, operands: TENSOR_OPERANDS, signature: CONV_SIGNATURE, moduleArgs: ['paddingMode'] };
}

function transposed(spatialDims: 1 | 2 | 3): OpInfo {
  return { kind: 'transposed', transposed: true, spatialDims, callee: `F.conv_transpose${spatialDims}d`, operands: TENSOR_OPERANDS, signature: TRANSPOSED_SIGNATURE, moduleArgs: ['outputSize'] };
}

export const OP_INFO: Readonly<Record<OpName, OpInfo>> = {
  conv1d: conv(1),
  conv2d: conv(2),
  conv3d: conv(3),
  conv_transpose1d: transposed(1),
  conv_transpose2d: transposed(2),
  conv_transpose3d: transposed(3),
  corr2d: { kind: 'reference', transposed: false, spatialDims: 2, callee: 'corr2d', operands: ['X', 'K'], signature: [], moduleArgs: [], pytorchOp: 'conv2d' },
  trans_conv: { kind: 'reference', transposed: true, spatialDims: 2, callee: 'trans_conv', operands: ['X', 'K'], signature: [], moduleArgs: [], pytorchOp: 'conv_transpose2d' },
};
