// What the panel shows for one op run, built from its plan and its result. Pure (no `vscode`),
// so unit tests check it directly.
import { geometryFormulas } from '../../core/geometry';
import type { OpPlan } from '../../core/plan';
import { numel, stridesOf, zeros, type Tensor } from '../../core/tensor';
import { ARG_KEYWORDS, OP_INFO, type OpArgName, type OpArgs, type OpRequest, type TensorSpec } from '../../core/vocabulary';
import { INLINE_MAX_ELEMENTS, type PanelView, type StoredTensor, type StoredView, type TensorRole } from '../../protocol/panel';

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

/** Elements handled between turns of the extension host's event loop: a few milliseconds' worth. */
const CHUNK_ELEMENTS = 1 << 20;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Widens [min, max] to the finite values of data[from, to). */
function scanFinite(data: Tensor['data'], from: number, to: number, range: [number, number]): void {
  for (let i = from; i < to; i++) {
    const v = Number(data[i]);
    if (!Number.isFinite(v)) continue;
    if (v < range[0]) range[0] = v;
    if (v > range[1]) range[1] = v;
  }
}

/** The smallest and largest finite values of each tensor; [0, 0] where there are none. */
function finiteRanges(tensors: readonly Tensor[]): [number, number][] | Promise<[number, number][]> {
  const ranges = tensors.map((): [number, number] => [Infinity, -Infinity]);
  const finish = (): [number, number][] => ranges.map(([min, max]) => (min <= max ? [min, max] : [0, 0]));
  if (tensors.reduce((n, t) => n + t.data.length, 0) <= CHUNK_ELEMENTS) {
    tensors.forEach((t, i) => scanFinite(t.data, 0, t.data.length, ranges[i] as [number, number]));
    return finish();
  }
  return (async () => {
    for (const [i, t] of tensors.entries()) {
      for (let from = 0; from < t.data.length; from += CHUNK_ELEMENTS) {
        await nextTurn();
        scanFinite(t.data, from, Math.min(t.data.length, from + CHUNK_ELEMENTS), ranges[i] as [number, number]);
      }
    }
    return finish();
  })();
}

/**
 * The Tensors view of a planned run and its result. Small views carry their values (and are
 * built at once, so a small run shows without waiting); larger ones leave the webview to ask for
 * the planes it shows, and their value ranges are scanned a chunk per turn of the event loop.
 */
export function panelViewOf(plan: OpPlan, result: Tensor, original: OpRequest = plan.request): PanelView | Promise<PanelView> {
  const req = plan.request;
  const g = plan.geometry;
  const tensors: [TensorRole, Tensor][] = [['input', req.input], ['weight', req.weight], ...(req.bias ? [['bias', req.bias] as [TensorRole, Tensor]] : []), ['output', result]];
  const inline = tensors.reduce((n, [, t]) => n + t.data.length, 0) <= INLINE_MAX_ELEMENTS;
  const build = (ranges: readonly [number, number][]): PanelView => ({
    op: req.op,
    call: pythonCall(req),
    args: req.args ?? {},
    originalArgs: original.args ?? {},
    spatialDims: g.spatialDims,
    formulas: geometryFormulas(g),
    geometry: g,
    tensors: tensors.map(([role, t], i) => {
      const [min, max] = ranges[i] ?? [0, 0];
      return { role, shape: [...t.shape], dtype: t.dtype, min, max, ...(inline ? { values: displayValues(t) } : {}) };
    }),
  });
  const ranges = finiteRanges(tensors.map(([, t]) => t));
  return Array.isArray(ranges) ? build(ranges) : ranges.then(build);
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
  tensors(): Promise<{ input: Tensor; weight: Tensor; bias?: Tensor }>;
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
    tensors: async () => ({ input, weight: resized ? await resizeKernel(weight, kernelSize) : weight, ...(bias === undefined ? {} : { bias }) }),
  };
}

/**
 * `weight` ([a, b, ...kernel]) with spatial size `kernelSize`: the taps both sizes share keep
 * their values, new taps are 1 (so a larger kernel still shows its overlap), the rest is cropped.
 * Copied a row (last dim) at a time, a chunk of rows per turn of the event loop.
 */
export async function resizeKernel(weight: Tensor, kernelSize: readonly number[]): Promise<Tensor> {
  const lead = weight.shape.slice(0, weight.shape.length - kernelSize.length);
  const shape = [...lead, ...kernelSize];
  const out = zeros(shape, weight.dtype);
  const one = weight.dtype === 'int64' ? 1n : 1;
  const dst = out.data as { fill(value: number | bigint, start: number, end: number): unknown; set(values: ArrayLike<number | bigint>, offset: number): void };
  const rank = shape.length;
  const rowLength = shape[rank - 1] ?? 1;
  const copied = Math.min(rowLength, weight.shape[rank - 1] ?? 0);
  const from = stridesOf(weight.shape);
  const to = stridesOf(shape);
  const rows = rowLength === 0 ? 0 : numel(shape) / rowLength;
  const rowsPerTurn = Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(1, rowLength)));
  for (let row = 0; row < rows; row++) {
    if (row > 0 && row % rowsPerTurn === 0) await nextTurn();
    const at = row * rowLength;
    let source = 0;
    let inside = true;
    for (let d = 0; d < rank - 1; d++) {
      const coordinate = Math.floor(at / (to[d] ?? 1)) % (shape[d] ?? 1);
      if (coordinate >= (weight.shape[d] ?? 0)) inside = false;
      source += coordinate * (from[d] ?? 0);
    }
    const kept = inside ? copied : 0;
    if (kept > 0) dst.set(weight.data.subarray(source, source + kept) as ArrayLike<number | bigint>, at);
    dst.fill(one, at + kept, at + rowLength);
  }
  return out;
}
