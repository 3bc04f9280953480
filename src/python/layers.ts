// What a notebook cell does with conv layers and d2l's helpers, evaluated statically:
// `nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)` makes a layer whose weight and bias stand
// in as placeholders (random in PyTorch) until `tconv.weight.data = K` gives real values; calling
// the layer runs the core op. `d2l.corr2d(X, K)` and `torch.matmul` are here too, and `==` / `!=`
// on tensors (the seed's `Y == torch.matmul(W, X.reshape(-1)).reshape(2, 2)`).
import { convGeometry } from '../core/geometry';
import { runOp } from '../core/engine';
import { CONV_OP_NAMES, CONV_TRANSPOSE_OP_NAMES, PADDING_MODES, type OpArgs, type OpName, type OpRequest, type PaddingMode } from '../core/vocabulary';
import { allocate, numel, torchScalarTypeName, type DType, type Tensor } from '../core/tensor';
import { opMacs } from '../core/plan';
import { broadcastShapes, expand } from './arithmetic';
import { defaultFloatDType } from './defaultDtype';
import type { CallSite } from './callSite';
import type { Span } from './parse';
import { checkElementLimit, materialize, stridedOf, type StridedTensor } from './strided';
import { EvaluationFailure, pythonTypeName, rethrowAt, type LayerValue, type PyValue, type TensorValue } from './values';

type LibraryFunction = (site: CallSite) => PyValue;

/** `torch.nn.Conv2d.__init__`'s and `torch.nn.ConvTranspose2d.__init__`'s parameters in order (PyTorch 1.13). */
export const CONV_LAYER_SIGNATURES = {
  conv: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode', 'device', 'dtype'],
  convTranspose: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'output_padding', 'groups', 'bias', 'dilation', 'padding_mode', 'device', 'dtype'],
} as const;

/** A placeholder tensor of `shape` (zeros standing in for PyTorch's random initialisation). */
function placeholderTensor(shape: readonly number[], dtype: DType, at: Span, maxElements: number): TensorValue {
  checkElementLimit(shape, maxElements);
  return { kind: 'tensor', tensor: stridedOf({ shape: [...shape], dtype, data: allocate(dtype, numel(shape)) }), library: 'torch', placeholder: true, at };
}

/** An int or a tuple of ints, repeated to `n` for an int, as `_pair` / `_triple` do. */
function intTuple(site: CallSite, name: string, v: PyValue, n: number): number[] {
  if (v.kind === 'int') return Array.from({ length: n }, () => Number(v.value));
  if ((v.kind === 'tuple' || v.kind === 'list') && v.items.every((item) => item.kind === 'int')) {
    return v.items.map((item) => Number((item as { value: bigint }).value));
  }
  throw new EvaluationFailure(`${site.name}(): argument '${name}' must be an int or a tuple of ints, not ${pythonTypeName(v)}`, 'invalid-argument', v.at, 'TypeError');
}

function layerConstructor(kind: 'conv' | 'convTranspose', spatialDims: 1 | 2 | 3): LibraryFunction {
  return (site) => {
    const signature = CONV_LAYER_SIGNATURES[kind];
    site.expect(signature.length, signature);
    const given = new Map<string, PyValue>();
    site.positional.forEach((v, i) => given.set(signature[i] as string, v));
    for (const [k, v] of site.keywords) {
      if (given.has(k)) throw new EvaluationFailure(`__init__() got multiple values for argument '${k}'`, 'invalid-argument', v.at, 'TypeError');
      given.set(k, v);
    }
    const int = (name: string): number => {
      const v = given.get(name);
      if (v === undefined) throw new EvaluationFailure(`__init__() missing required positional argument: '${name}'`, 'invalid-argument', site.at, 'TypeError');
      if (v.kind !== 'int') throw new EvaluationFailure(`${site.name}(): argument '${name}' must be int, not ${pythonTypeName(v)}`, 'invalid-argument', v.at, 'TypeError');
      return Number(v.value);
    };
    const inChannels = int('in_channels');
    const outChannels = int('out_channels');
    const kernelValue = given.get('kernel_size');
    if (!kernelValue) throw new EvaluationFailure(`__init__() missing required positional argument: 'kernel_size'`, 'invalid-argument', site.at, 'TypeError');
    const kernelSize = intTuple(site, 'kernel_size', kernelValue, spatialDims);
    const args: { -readonly [K in keyof OpArgs]: OpArgs[K] } = {};
    const groups = given.has('groups') ? int('groups') : 1;
    if (groups !== 1) args.groups = groups;
    for (const [name, key] of [['stride', 'stride'], ['dilation', 'dilation'], ['output_padding', 'outputPadding']] as const) {
      const v = given.get(name);
      // An int stays an int, so the panel and log show the call as written (`stride=2`).
      if (v) args[key] = v.kind === 'int' ? Number(v.value) : intTuple(site, name, v, spatialDims);
    }
    const padding = given.get('padding');
    if (padding) {
      args.padding = padding.kind === 'str' && (padding.value === 'same' || padding.value === 'valid') ? padding.value
        : padding.kind === 'int' ? Number(padding.value) : intTuple(site, 'padding', padding, spatialDims);
    }
    const mode = given.get('padding_mode');
    if (mode && !(mode.kind === 'str' && mode.value === 'zeros')) {
      if (mode.kind !== 'str' || !(PADDING_MODES as readonly string[]).includes(mode.value)) {
        throw new EvaluationFailure(`padding_mode must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, but got padding_mode='${mode.kind === 'str' ? mode.value : pythonTypeName(mode)}'`, 'invalid-argument', mode.at, 'ValueError');
      }
      args.paddingMode = mode.value as PaddingMode;
    }
    const biasArg = given.get('bias');
    const hasBias = biasArg === undefined || !(biasArg.kind === 'bool' && !biasArg.value);
    const weightShape = kind === 'conv' ? [outChannels, inChannels / groups, ...kernelSize] : [inChannels, outChannels / groups, ...kernelSize];
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new EvaluationFailure(`${inChannels % groups !== 0 ? 'in_channels' : 'out_channels'} must be divisible by groups`, 'invalid-argument', site.at, 'ValueError');
    }
    const op = (kind === 'conv' ? CONV_OP_NAMES : CONV_TRANSPOSE_OP_NAMES)[spatialDims - 1] as OpName;
    return {
      kind: 'layer', name: site.name, op, args,
      // Parameters are made in the default dtype, as `torch.set_default_dtype` makes them.
      weight: placeholderTensor(weightShape, defaultFloatDType(), site.at, site.maxElements),
      bias: hasBias ? placeholderTensor([outChannels], defaultFloatDType(), site.at, site.maxElements) : undefined,
      at: site.at,
    };
  };
}

/** `layer(x)`: the layer's op on `x` with its weight and bias; a placeholder result (shape only) when anything it reads is one. */
export function callLayer(layer: LayerValue, site: CallSite): TensorValue {
  site.expect(layer.op.startsWith('conv_transpose') ? 2 : 1, layer.op.startsWith('conv_transpose') ? ['input', 'output_size'] : ['input']);
  const input = site.required(site.arg(0, 'input'), 0, 'input');
  if (input.kind !== 'tensor' || input.library !== 'torch') {
    throw new EvaluationFailure(`conv: expected a tensor as input, got ${pythonTypeName(input)}`, 'invalid-argument', input.at, 'TypeError');
  }
  const outputSize = site.arg(1, 'output_size');
  const spatialDims = layer.weight.tensor.shape.length - 2;
  const args: OpArgs = outputSize && outputSize.kind !== 'none' ? { ...layer.args, outputSize: intTuple(site, 'output_size', outputSize, spatialDims) } : layer.args;
  return runStatically(site, {
    op: layer.op, input: materialize(input.tensor), weight: materialize(layer.weight.tensor),
    ...(layer.bias ? { bias: materialize(layer.bias.tensor) } : {}), args,
  }, [input, layer.weight, ...(layer.bias ? [layer.bias] : [])], true);
}

/**
 * Multiply-accumulates an op may run on the calling thread while a file is read: ~50 ms of the
 * reference kernels. Larger ones belong in the worker pool (the run commands).
 */
const MAX_STATIC_MACS = 50_000_000;

/**
 * Runs an op on the calling thread (cells hold small tensors; the element limit and the op's
 * size are checked first). With a placeholder operand only the output's shape is real, so
 * nothing is computed.
 */
function runStatically(site: CallSite, request: OpRequest, operands: readonly TensorValue[], gradFn: boolean): TensorValue {
  const placeholder = operands.some((t) => t.placeholder);
  const geometry = rethrowAt(site, () => convGeometry(request));
  checkElementLimit(geometry.outputShape, site.maxElements);
  const result: Tensor = placeholder
    ? { shape: [...geometry.outputShape], dtype: request.input.dtype, data: allocate(request.input.dtype, numel(geometry.outputShape)) }
    : rethrowAt(site, () => {
      const macs = opMacs(request.op, request.input.shape, request.weight.shape, geometry.outputShape);
      if (macs > MAX_STATIC_MACS) {
        throw new EvaluationFailure(`${request.op} of ${macs.toLocaleString('en-US')} multiply-accumulates is too large to run while reading the file (at most ${MAX_STATIC_MACS.toLocaleString('en-US')}): select its input and kernel and use Run Convolution / Transposed Convolution on Selection`, 'too-many-elements', site.at);
      }
      return runOp(request);
    });
  const tensor = stridedOf(result);
  return { kind: 'tensor', tensor, library: 'torch', placeholder, at: site.at, producedBy: { request, output: tensor, gradFn: gradFn ? 'ConvolutionBackward0' : undefined } };
}

function tensorArgument(site: CallSite, index: number, name: string): TensorValue {
  const v = site.required(site.arg(index, name), index, name);
  if (v.kind !== 'tensor' || v.library !== 'torch') {
    throw new EvaluationFailure(`${site.name}(): argument '${name}' (position ${index + 1}) must be Tensor, not ${pythonTypeName(v)}`, 'invalid-argument', v.at, 'TypeError');
  }
  return v;
}

/** d2l's `corr2d(X, K)`: the two-dimensional cross-correlation of two matrices. */
const corr2d: LibraryFunction = (site) => {
  site.expect(2, ['X', 'K']);
  const x = tensorArgument(site, 0, 'X');
  const k = tensorArgument(site, 1, 'K');
  return runStatically(site, { op: 'corr2d', input: materialize(x.tensor), weight: materialize(k.tensor) }, [x, k], false);
};

/** `torch.matmul(a, b)` for vectors and matrices (1-D and 2-D operands), with PyTorch's size errors. */
const matmul: LibraryFunction = (site) => {
  site.expect(2, ['input', 'other', 'out']);
  const a = tensorArgument(site, 0, 'input');
  const b = tensorArgument(site, 1, 'other');
  const [ra, rb] = [a.tensor.shape.length, b.tensor.shape.length];
  if (ra < 1 || ra > 2 || rb < 1 || rb > 2) {
    throw new EvaluationFailure(`cannot evaluate matmul of ${ra}-D and ${rb}-D tensors statically (vectors and matrices only)`, 'not-static', site.at);
  }
  const dtype = a.tensor.dtype;
  if (dtype !== b.tensor.dtype) {
    throw new EvaluationFailure(`expected scalar type ${torchScalarTypeName(dtype)} but found ${torchScalarTypeName(b.tensor.dtype)}`, 'invalid-dtype', site.at, 'RuntimeError');
  }
  if (dtype !== 'float32' && dtype !== 'float64') throw new EvaluationFailure(`cannot evaluate matmul of ${torchScalarTypeName(dtype)} tensors statically`, 'not-static', site.at);
  // As matrices: a vector on the left is a row, on the right a column.
  const [m, k] = ra === 2 ? [a.tensor.shape[0] ?? 0, a.tensor.shape[1] ?? 0] : [1, a.tensor.shape[0] ?? 0];
  const [k2, n] = rb === 2 ? [b.tensor.shape[0] ?? 0, b.tensor.shape[1] ?? 0] : [b.tensor.shape[0] ?? 0, 1];
  if (k !== k2) {
    const message = ra === 1 && rb === 1
      ? `inconsistent tensor size, expected tensor [${k}] and src [${k2}] to have the same number of elements, but got ${k} and ${k2} elements respectively`
      : ra === 2 && rb === 1 ? `size mismatch, got ${m}, ${m}x${k},${k2}`
        : `mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`;
    throw new EvaluationFailure(message, 'shape-mismatch', site.at, 'RuntimeError');
  }
  const shape = [...(ra === 2 ? [m] : []), ...(rb === 2 ? [n] : [])];
  checkElementLimit(shape, site.maxElements);
  const x = materialize(a.tensor, dtype).data as ArrayLike<number>;
  const y = materialize(b.tensor, dtype).data as ArrayLike<number>;
  const out = allocate(dtype, m * n);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      // Summed in double, rounded once: PyTorch's float32 kernels may round partial sums, which
      // differs only past float32's precision for the small integer-valued matrices of a cell.
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (x[i * k + p] as number) * (y[p * n + j] as number);
      out[i * n + j] = round(sum) as never;
    }
  }
  return { kind: 'tensor', tensor: stridedOf({ shape, dtype, data: out }), library: 'torch', placeholder: a.placeholder || b.placeholder, at: site.at };
};

/** `a == b` / `a != b` with a torch tensor on either side: an elementwise bool tensor, broadcast. */
export function tensorComparison(op: '==' | '!=', left: PyValue, right: PyValue, at: Span, maxElements: number): TensorValue | undefined {
  const operand = (v: PyValue): StridedTensor | undefined => {
    if (v.kind === 'tensor' && v.library === 'torch') return v.tensor;
    if (v.kind === 'int' || v.kind === 'float' || v.kind === 'bool') {
      const data = allocate('float64', 1);
      data[0] = Number(v.value);
      return stridedOf({ shape: [], dtype: 'float64', data });
    }
    return undefined;
  };
  const [a, b] = [operand(left), operand(right)];
  if (!a || !b || !(left.kind === 'tensor' || right.kind === 'tensor')) return undefined;
  const shape = broadcastShapes(a.shape, b.shape, at);
  checkElementLimit(shape, maxElements);
  const x = materialize(expand(a, shape), 'float64').data as Float64Array;
  const y = materialize(expand(b, shape), 'float64').data as Float64Array;
  const out = allocate('bool', numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = (((x[i] as number) === (y[i] as number)) === (op === '==') ? 1 : 0) as never;
  const placeholder = (left.kind === 'tensor' && left.placeholder) || (right.kind === 'tensor' && right.placeholder);
  return { kind: 'tensor', tensor: stridedOf({ shape, dtype: 'bool', data: out }), library: 'torch', placeholder, at };
}

export const LAYER_FUNCTIONS: ReadonlyArray<readonly [string, LibraryFunction]> = [
  ...([1, 2, 3] as const).flatMap((d) => [
    [`torch.nn.Conv${d}d`, layerConstructor('conv', d)] as const,
    [`torch.nn.ConvTranspose${d}d`, layerConstructor('convTranspose', d)] as const,
  ]),
  ['d2l.torch.corr2d', corr2d],
  ['torch.matmul', matmul],
];
