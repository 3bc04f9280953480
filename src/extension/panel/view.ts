// What the panel shows for one op run, built from its plan and its result. Pure (no `vscode`),
// so unit tests check it directly.
import { geometryFormulas } from '../../core/geometry';
import type { OpPlan } from '../../core/plan';
import { numel, stridesOf, zeros, type Tensor } from '../../core/tensor';
import { ARG_KEYWORDS, OP_INFO, type OpArgName, type OpArgs, type OpRequest, type TensorSpec } from '../../core/vocabulary';
import { INLINE_MAX_ELEMENTS, type PanelTensor, type PanelView, type StoredTensor, type StoredView, type TensorRole } from '../../protocol/panel';

function pythonValue(value: NonNullable<OpArgs[OpArgName]>): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  return value.length === 1 ? `(${value[0]},)` : `(${value.join(', ')})`;
}

/** `F.conv_transpose2d(input, weight, bias, stride=2)`, or d2l's `trans_conv(X, K)`. */
export function pythonCall(req: OpRequest<TensorSpec>): string {
  const info = OP_INFO[req.op];
  const args = req.args ?? {};
  const keywords = (Object.keys(ARG_KEYWORDS) as OpArgName[]).flatMap((field) => {
    const value = args[field];
    return value === undefined ? [] : [`${ARG_KEYWORDS[field]}=${pythonValue(value)}`];
  });
  const operands = info.operands.filter((_, i) => i < 2 || req.bias !== undefined);
  return `${info.callee}(${[...operands, ...keywords].join(', ')})`;
}

/** A tensor's values as float64 for drawing (int64 beyond 2^53 rounds to the nearest double). */
function displayValues(t: Tensor, start = 0, end = t.data.length): Float64Array {
  const data = t.data.subarray(start, end);
  return data instanceof BigInt64Array ? Float64Array.from(data, Number) : Float64Array.from(data);
}

/** The smallest and largest finite values; [0, 0] if there are none. */
function finiteRange(t: Tensor): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const x of t.data) {
    const v = Number(x);
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}

function panelTensor(role: TensorRole, t: Tensor, inline: boolean): PanelTensor {
  const [min, max] = finiteRange(t);
  return { role, shape: [...t.shape], dtype: t.dtype, min, max, ...(inline ? { values: displayValues(t) } : {}) };
}

/**
 * The Tensors view of a planned run and its result. Small views carry their values; larger ones
 * leave the webview to ask for the planes it shows.
 */
export function panelViewOf(plan: OpPlan, result: Tensor, original: OpRequest = plan.request): PanelView {
  const req = plan.request;
  const g = plan.geometry;
  const tensors: [TensorRole, Tensor][] = [['input', req.input], ['weight', req.weight], ...(req.bias ? [['bias', req.bias] as [TensorRole, Tensor]] : []), ['output', result]];
  const inline = tensors.reduce((n, [, t]) => n + t.data.length, 0) <= INLINE_MAX_ELEMENTS;
  return {
    op: req.op,
    call: pythonCall(req),
    args: req.args ?? {},
    originalArgs: original.args ?? {},
    spatialDims: g.spatialDims,
    formulas: geometryFormulas(g),
    geometry: g,
    tensors: tensors.map(([role, t]) => panelTensor(role, t, inline)),
  };
}

/** `length` values from each of `starts`, one run after another; throws naming a range outside the tensor. */
export function valuesAt(t: Tensor, starts: readonly number[], length: number): Float64Array {
  const out = new Float64Array(starts.length * length);
  starts.forEach((start, i) => {
    if (start + length > t.data.length) {
      throw new RangeError(`values [${start}, ${start + length}) are outside the tensor's ${t.data.length}`);
    }
    out.set(displayValues(t, start, start + length), i * length);
  });
  return out;
}

/** A restored view's tensors as the host keeps them for copying (dtype restored from the values). */
export function tensorsOfStoredView(view: StoredView): Map<TensorRole, Tensor> {
  return new Map(view.tensors.map((t) => [t.role, tensorFromValues(t)]));
}

function tensorFromValues({ shape, dtype, values }: StoredTensor): Tensor {
  switch (dtype) {
    case 'float32': return { shape, dtype, data: Float32Array.from(values) };
    case 'float64': return { shape, dtype, data: Float64Array.from(values) };
    case 'int64': return { shape, dtype, data: BigInt64Array.from(values, (v) => BigInt(Math.trunc(v))) };
    case 'int32': return { shape, dtype, data: Int32Array.from(values) };
    case 'bool': return { shape, dtype, data: Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0)) };
  }
}

/** The spatial size of a request's kernel (all of d2l's 2-D K). */
export function kernelSizeOf(req: OpRequest<TensorSpec>): number[] {
  return req.weight.shape.slice(OP_INFO[req.op].kind === 'reference' ? 0 : 2);
}

/**
 * The run the Parameters view asks for: `original` with arguments `args` and, when given, a
 * kernel of spatial size `kernelSize`. d2l's corr2d / trans_conv take no arguments: with any they
 * become the PyTorch op they compute, F.conv2d / F.conv_transpose2d on 1×1-channel tensors. Its
 * request has shapes only, to be planned (and refused if too large) before `tensors()` makes a
 * resized weight.
 */
export function parametersRun(original: OpRequest, args: OpArgs, kernelSize?: readonly number[]): {
  readonly request: OpRequest<TensorSpec>;
  tensors(): { input: Tensor; weight: Tensor; bias?: Tensor };
} {
  const spatial = kernelSizeOf(original);
  const resized = kernelSize !== undefined && kernelSize.join() !== spatial.join();
  if (kernelSize !== undefined && resized && kernelSize.length !== spatial.length) {
    throw new RangeError(`the kernel size needs ${spatial.length} value${spatial.length === 1 ? '' : 's'} (one per spatial dim), got ${kernelSize.length}`);
  }
  const pytorchOp = OP_INFO[original.op].pytorchOp;
  const asPyTorch = pytorchOp !== undefined && (Object.keys(args).length > 0 || resized);
  const reshaped = (t: Tensor): Tensor => (asPyTorch ? { ...t, shape: [1, 1, ...t.shape] } : t);
  const input = reshaped(original.input);
  const weight = reshaped(original.weight);
  const bias = asPyTorch ? undefined : original.bias;
  const weightShape = resized ? [...weight.shape.slice(0, weight.shape.length - kernelSize.length), ...kernelSize] : weight.shape;
  return {
    request: {
      op: asPyTorch ? pytorchOp : original.op,
      input: { shape: input.shape, dtype: input.dtype },
      weight: { shape: weightShape, dtype: weight.dtype },
      ...(bias === undefined ? {} : { bias: { shape: bias.shape, dtype: bias.dtype } }),
      args,
    },
    tensors: () => ({ input, weight: resized ? resizeKernel(weight, kernelSize) : weight, ...(bias === undefined ? {} : { bias }) }),
  };
}

/**
 * `weight` ([a, b, ...kernel]) with spatial size `kernelSize`: the taps both sizes share keep
 * their values, new taps are 1 (so a larger kernel still shows its overlap), the rest is cropped.
 */
export function resizeKernel(weight: Tensor, kernelSize: readonly number[]): Tensor {
  const lead = weight.shape.slice(0, weight.shape.length - kernelSize.length);
  const shape = [...lead, ...kernelSize];
  const out = zeros(shape, weight.dtype);
  const one = weight.dtype === 'int64' ? 1n : 1;
  const from = stridesOf(weight.shape);
  const to = stridesOf(shape);
  for (let i = 0; i < numel(shape); i++) {
    let source = 0;
    let inside = true;
    for (let d = 0; d < shape.length; d++) {
      const coordinate = Math.floor(i / (to[d] ?? 1)) % (shape[d] ?? 1);
      if (coordinate >= (weight.shape[d] ?? 0)) inside = false;
      source += coordinate * (from[d] ?? 0);
    }
    (out.data as { [k: number]: number | bigint })[i] = inside ? (weight.data[source] as number | bigint) : one;
  }
  return out;
}
