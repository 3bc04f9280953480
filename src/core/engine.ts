// The compute core's engine: runs a planned op (plan.ts) on the kernels its plan chose.
// CONTRACT (shared by the worker pool, the CLI and the editor):
//   runPlan(plan)             computes the whole output
//   runPlanRegion(plan, r)    computes one block of the output (batch × out-channel × first output
//                             spatial dim), shape [b1-b0, c1-c0, r1-r0, ...rest] for batched NC...
//                             layouts; the pool splits work with it and the result must not depend
//                             on the split (it does not: every element is summed the same way).
//                             Unbatched input (no N dim): batch must be [0, 1] and the block has
//                             shape [c1-c0, r1-r0, ...rest], as runPlan's [C, ...] output has no N.
//                             corr2d / trans_conv (plain 2-D): batch and channels must be [0, 1];
//                             the block is rows r0..r1 of the 2-D output, shape [r1-r0, W].
//                             The valid ranges are the plan's `extent`.
//   runOp(req)                plans and runs, for callers with nothing else to do with the plan.
// float32 convolutions the plan gives the 'fma' or 'simd' engine run on that build of the
// WebAssembly SIMD kernels (kernels/fast.ts, summed in float32); everything else runs on the reference kernels
// (kernels/conv.ts, reference.ts), as does an op whose arena WebAssembly's memory refuses. Either
// engine gives the same bits for any split into regions.
// Which PyTorch call a request stands for (functional or module) is described in geometry.ts.
import { TorchError } from './errors';
import type { FloatArray } from './kernels/conv';
import { convolveRegion } from './kernels/conv';
import { fastConvolveRegion } from './kernels/fast';
import { corr2d, transConv } from './kernels/reference';
import { planOp, type OpPlan, type PlanOptions } from './plan';
import type { DType, Tensor, TensorData } from './tensor';
import { allocate, numel } from './tensor';
import type { OpRequest, OutputRegion } from './vocabulary';

export interface RunOptions {
  /**
   * Where float outputs go: the bytes needed, at `byteOffset` of the SharedArrayBuffer this
   * returns (a worker's reused block buffer, or the block's place in the op's shared output),
   * instead of a new ArrayBuffer.
   */
  readonly sharedOutput?: (bytes: number) => { readonly buffer: SharedArrayBuffer; readonly byteOffset: number };
}

export function runOp(req: OpRequest, options: PlanOptions & RunOptions = {}): Tensor {
  return runPlan(planOp(req, options), options);
}

export function runPlan(plan: OpPlan, options: RunOptions = {}): Tensor {
  const { batch, channels, rows } = plan.extent;
  return runPlanRegion(plan, { batch: [0, batch], channels: [0, channels], rows: [0, rows] }, options);
}

export function runPlanRegion(plan: OpPlan, region: OutputRegion, options: RunOptions = {}): Tensor {
  for (const [name, range, size] of [['batch', region.batch, plan.extent.batch], ['channels', region.channels, plan.extent.channels], ['rows', region.rows, plan.extent.rows]] as const) {
    const [from, to] = range;
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= size)) {
      throw new TorchError('IndexError', `region ${name} [${from}, ${to}) is outside the output's [0, ${size})`, 'invalid-region');
    }
  }
  const req = plan.request;
  // The plan holds shapes; the buffers must hold them too.
  for (const [name, t] of [['input', req.input], ['weight', req.weight], ['bias', req.bias]] as const) {
    if (t && t.data.length !== numel(t.shape)) {
      throw new TorchError('RuntimeError', `${name} holds ${t.data.length} values but its shape [${t.shape.join(', ')}] needs ${numel(t.shape)}`, 'invalid-tensor');
    }
  }
  return compute(plan, region, options);
}

function compute(plan: OpPlan, region: OutputRegion, options: RunOptions): Tensor {
  const { request: req, geometry: g } = plan;
  const rows = region.rows[1] - region.rows[0];
  const rest = g.outputSize.slice(1);
  const shape = !g.hasChannels
    ? [rows, ...rest]
    : g.unbatched
      ? [region.channels[1] - region.channels[0], rows, ...rest]
      : [region.batch[1] - region.batch[0], region.channels[1] - region.channels[0], rows, ...rest];
  const n = numel(shape);
  // Float outputs are written directly (rounded once); integer ones are summed in float64 first.
  const out = g.dtype === 'float32' || g.dtype === 'float64'
    ? (options.sharedOutput ? sharedFloats(g.dtype, n, options.sharedOutput) : allocate(g.dtype, n))
    : new Float64Array(n);
  const x = numbersOf(req.input);
  const w = numbersOf(req.weight);
  if (!g.hasChannels) {
    const X = { rows: g.inputSize[0] ?? 0, cols: g.inputSize[1] ?? 0, data: x };
    const K = { rows: g.kernelSize[0] ?? 0, cols: g.kernelSize[1] ?? 0, data: w };
    (g.transposed ? transConv : corr2d)(X, K, region.rows, out);
  } else if (n === 0) {
    // Nothing to compute (a batch or channel count of 0), however long the other dims.
  } else if (!(plan.engine !== 'reference' && out instanceof Float32Array && x instanceof Float32Array && w instanceof Float32Array
    && fastConvolveRegion(plan.engine, g, x, w, float32Bias(req.bias), region, out))) {
    // The reference kernels: other dtypes, the reference engine, or an op too large for the
    // fast kernels' WebAssembly memory.
    convolveRegion(g, x, w, req.bias && numbersOf(req.bias), region, out);
  }
  return { shape, dtype: g.dtype, data: castTo(out, g.dtype) };
}

/** Zeros in a shared buffer (d2l's trans_conv adds into its output). */
function sharedFloats(dtype: 'float32' | 'float64', length: number, buffer: NonNullable<RunOptions['sharedOutput']>): FloatArray {
  const at = buffer((dtype === 'float32' ? 4 : 8) * length);
  const out = dtype === 'float32' ? new Float32Array(at.buffer, at.byteOffset, length) : new Float64Array(at.buffer, at.byteOffset, length);
  return out.fill(0);
}

function float32Bias(bias: Tensor | undefined): Float32Array | undefined {
  if (bias === undefined) return undefined;
  const values = numbersOf(bias);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** A tensor's values as a float array (a copy only for integer and bool tensors). */
function numbersOf(t: Tensor): FloatArray {
  const data = t.data;
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  return data instanceof BigInt64Array ? Float64Array.from(data, Number) : Float64Array.from(data);
}

/** Exact float64 sums to an integer dtype, wrapping like PyTorch's two's-complement arithmetic. */
function castTo(values: FloatArray, dtype: DType): TensorData {
  switch (dtype) {
    case 'float32':
    case 'float64': return values;
    case 'int64': return BigInt64Array.from(values, (v) => BigInt.asIntN(64, BigInt(v)));
    case 'int32': return Int32Array.from(values);
    case 'bool': return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  }
}
