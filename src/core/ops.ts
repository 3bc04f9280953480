// The public entry of the compute core: one request type for every op, validated against
// PyTorch's rules by the geometry module, computed by the reference kernels.
// CONTRACT (shared by the worker pool, the CLI and the editor):
//   outputShapeOf(req)      validates and returns the full output shape (throws TorchError)
//   runOp(req)              computes the whole output
//   runOpRegion(req, r)     computes one block of the output (batch × out-channel × first output
//                           spatial dim), shape [b1-b0, c1-c0, r1-r0, ...rest] for batched NC...
//                           layouts; the pool splits work with it and the result must not depend
//                           on the split (it does not: every element is summed the same way).
//                           Unbatched input (no N dim): batch must be [0, 1] and the block has
//                           shape [c1-c0, r1-r0, ...rest], as runOp's [C, ...] output has no N.
//                           corr2d / trans_conv (plain 2-D): batch and channels must be [0, 1];
//                           the block is rows r0..r1 of the 2-D output, shape [r1-r0, W].
//   regionExtentOf(req)     the full ranges a region may cover.
// float32 convolutions run on the WebAssembly SIMD kernels (kernels/fast.ts, summed in float32)
// unless the reference kernels are asked for (RunOptions.engine, or CONV_LAB_KERNELS=reference in
// the environment, which worker threads inherit); other dtypes and d2l's ops always run on the
// reference kernels (kernels/conv.ts, reference.ts), as does an op too large for WebAssembly's
// memory. Either engine gives the same bits for any split into regions.
// Which PyTorch call a request stands for (functional or module) is described in geometry.ts.
import { TorchError } from './errors';
import { convGeometry } from './geometry';
import type { ConvGeometry } from './geometry';
import type { FloatArray } from './kernels/conv';
import { convolveRegion } from './kernels/conv';
import { fastConvolveRegion, fastKernelsAvailable } from './kernels/fast';
import { corr2d, transConv } from './kernels/reference';
import type { DType, Tensor, TensorData } from './tensor';
import { allocate, numel } from './tensor';
import type { OpRequest, OutputRegion, RegionExtent } from './vocabulary';

/** 'fast': WebAssembly SIMD for float32 convolutions (where available); 'reference': plain TypeScript. */
export type KernelEngine = 'fast' | 'reference';

export interface RunOptions {
  /** Default: 'reference' when the environment has CONV_LAB_KERNELS=reference, else 'fast'. */
  engine?: KernelEngine;
  /**
   * Where float outputs go: the start of the SharedArrayBuffer this returns for the bytes needed
   * (a worker's reused reply buffer), instead of a new ArrayBuffer.
   */
  sharedOutput?: (bytes: number) => SharedArrayBuffer;
}

function defaultEngine(): KernelEngine {
  return typeof process !== 'undefined' && process.env['CONV_LAB_KERNELS'] === 'reference' ? 'reference' : 'fast';
}

/** Whether runOp(req, options) runs on the fast kernels (the request is assumed valid). */
export function usesFastKernels(req: OpRequest, options: RunOptions = {}): boolean {
  return runsFast(convGeometry(req), options);
}

function runsFast(g: ConvGeometry, options: RunOptions): boolean {
  return (options.engine ?? defaultEngine()) === 'fast' && g.dtype === 'float32' && g.hasChannels && fastKernelsAvailable();
}

export function outputShapeOf(req: OpRequest): number[] {
  return [...convGeometry(req).outputShape];
}

export function regionExtentOf(req: OpRequest): RegionExtent {
  return extentOf(convGeometry(req));
}

export function runOp(req: OpRequest, options: RunOptions = {}): Tensor {
  const g = validated(req);
  const extent = extentOf(g);
  return compute(req, g, { batch: [0, extent.batch], channels: [0, extent.channels], rows: [0, extent.rows] }, options);
}

export function runOpRegion(req: OpRequest, region: OutputRegion, options: RunOptions = {}): Tensor {
  const g = validated(req);
  const extent = extentOf(g);
  for (const [name, range, size] of [['batch', region.batch, extent.batch], ['channels', region.channels, extent.channels], ['rows', region.rows, extent.rows]] as const) {
    const [from, to] = range;
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= size)) {
      throw new TorchError('IndexError', `region ${name} [${from}, ${to}) is outside the output's [0, ${size})`, 'invalid-region');
    }
  }
  return compute(req, g, region, options);
}

function extentOf(g: ConvGeometry): RegionExtent {
  return { batch: g.batch, channels: g.outChannels, rows: g.outputSize[0] ?? 1 };
}

/** The geometry, after checking each tensor's buffer holds its shape's elements. */
function validated(req: OpRequest): ConvGeometry {
  const g = convGeometry(req);
  for (const [name, t] of [['input', req.input], ['weight', req.weight], ['bias', req.bias]] as const) {
    if (t && t.data.length !== numel(t.shape)) {
      throw new TorchError('RuntimeError', `${name} holds ${t.data.length} values but its shape [${t.shape.join(', ')}] needs ${numel(t.shape)}`, 'invalid-tensor');
    }
  }
  return g;
}

function compute(req: OpRequest, g: ConvGeometry, region: OutputRegion, options: RunOptions): Tensor {
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
  } else if (!(runsFast(g, options) && out instanceof Float32Array && x instanceof Float32Array && w instanceof Float32Array
    && fastConvolveRegion(g, x, w, float32Bias(req.bias), region, out))) {
    // The reference kernels: other dtypes, the reference engine, or an op too large for the
    // fast kernels' WebAssembly memory.
    convolveRegion(g, x, w, req.bias && numbersOf(req.bias), region, out);
  }
  return { shape, dtype: g.dtype, data: castTo(out, g.dtype) };
}

/** Zeros at the start of a shared buffer (d2l's trans_conv adds into its output). */
function sharedFloats(dtype: 'float32' | 'float64', length: number, buffer: (bytes: number) => SharedArrayBuffer): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(buffer(4 * length), 0, length) : new Float64Array(buffer(8 * length), 0, length);
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
