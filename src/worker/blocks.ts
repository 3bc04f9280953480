// How the pool cuts an op into blocks of its output and puts the blocks back together. Pure
// functions: the pool and its tests share them.
import type { OpName, OpRequest, OutputRegion } from '../core/ops';
import { numel, type DType, type DataOf, type Tensor, type TensorData } from '../core/tensor';

/** Spatial rank of ops whose batched output is [N, C, rows, ...]; corr2d/trans_conv are unbatched 2-D. */
const spatialRankOf: Partial<Record<OpName, number>> = {
  conv1d: 1, conv2d: 2, conv3d: 3,
  conv_transpose1d: 1, conv_transpose2d: 2, conv_transpose3d: 3,
};

/** Whether runOpRegion can compute blocks of this op (batched N, C, spatial... input). */
export function isSplittable(req: OpRequest): boolean {
  const rank = spatialRankOf[req.op];
  return rank !== undefined && req.input.shape.length === rank + 2;
}

/**
 * Multiply-accumulates the op performs, the measure of its cost. A conv does
 * numel(weight) / weight.shape[0] per output element (C_in/groups × kernel); a transposed conv
 * scatters weight.shape[1..] (C_out/groups × kernel) per input element; d2l's corr2d and trans_conv
 * use the whole 2-D kernel per output (resp. input) element.
 */
export function estimateMacs(req: OpRequest, outputShape: readonly number[]): number {
  const weightNumel = numel(req.weight.shape);
  const perOutputChannel = weightNumel / Math.max(1, req.weight.shape[0] ?? 1);
  switch (req.op) {
    case 'conv1d': case 'conv2d': case 'conv3d':
      return numel(outputShape) * perOutputChannel;
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d':
      return numel(req.input.shape) * perOutputChannel;
    case 'corr2d':
      return numel(outputShape) * weightNumel;
    case 'trans_conv':
      return numel(req.input.shape) * weightNumel;
  }
}

/** Evenly spaced cut points of [0, length) into `parts` ranges. */
function cuts(length: number, parts: number): Array<readonly [number, number]> {
  const ranges: Array<readonly [number, number]> = [];
  for (let i = 0; i < parts; i++) {
    ranges.push([Math.floor((i * length) / parts), Math.floor(((i + 1) * length) / parts)]);
  }
  return ranges;
}

/**
 * Cuts an output [N, C, R, ...] into about `count` blocks, by batch first, then output channel,
 * then first spatial dimension (rows), so each block is a few contiguous runs of the output.
 */
export function planRegions(outputShape: readonly number[], count: number): OutputRegion[] {
  const [batch = 1, channels = 1, rows = 1] = outputShape;
  const nb = Math.max(1, Math.min(batch, count));
  const nc = Math.max(1, Math.min(channels, Math.ceil(count / nb)));
  const nr = Math.max(1, Math.min(rows, Math.ceil(count / (nb * nc))));
  const regions: OutputRegion[] = [];
  for (const b of cuts(batch, nb)) {
    for (const c of cuts(channels, nc)) {
      for (const r of cuts(rows, nr)) regions.push({ batch: b, channels: c, rows: r });
    }
  }
  return regions;
}

function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Copies a block computed by runOpRegion into its place in the full output [N, C, R, ...rest]. */
export function copyRegionInto(output: Tensor, block: Tensor, region: OutputRegion): void {
  const [, channels = 1, rows = 1] = output.shape;
  const rest = numel(output.shape.slice(3));
  const [b0, b1] = region.batch;
  const [c0, c1] = region.channels;
  const [r0, r1] = region.rows;
  const expected = [b1 - b0, c1 - c0, r1 - r0, ...output.shape.slice(3)];
  if (block.dtype !== output.dtype || block.shape.join() !== expected.join()) {
    throw new Error(`block ${block.dtype}[${block.shape.join(', ')}] does not fit region ${output.dtype}[${expected.join(', ')}]`);
  }
  const itemBytes = output.data.BYTES_PER_ELEMENT;
  const runBytes = (r1 - r0) * rest * itemBytes;
  const dst = bytesOf(output.data);
  const src = bytesOf(block.data);
  let srcOffset = 0;
  for (let b = b0; b < b1; b++) {
    for (let c = c0; c < c1; c++) {
      const dstOffset = ((b * channels + c) * rows + r0) * rest * itemBytes;
      dst.set(src.subarray(srcOffset, srcOffset + runBytes), dstOffset);
      srcOffset += runBytes;
    }
  }
}

function sharedLike<D extends DType>(data: DataOf[D]): DataOf[D] {
  const Ctor = data.constructor as new (buffer: SharedArrayBuffer) => DataOf[D];
  const shared = new Ctor(new SharedArrayBuffer(data.byteLength));
  bytesOf(shared).set(bytesOf(data));
  return shared;
}

/** The same tensor on a SharedArrayBuffer, so every worker of an op reads it without a copy. */
export function toShared<D extends DType>(t: Tensor<D>): Tensor<D> {
  if (t.data.buffer instanceof SharedArrayBuffer) return t;
  return { shape: t.shape, dtype: t.dtype, data: sharedLike<D>(t.data) };
}
