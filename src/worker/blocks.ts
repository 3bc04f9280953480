// How the pool cuts an op into blocks of its output and puts the blocks back together. Pure
// functions: the pool and its tests share them.
import type { OutputRegion, RegionExtent } from '../core/vocabulary';
import { numel, type DType, type DataOf, type Tensor, type TensorData } from '../core/tensor';

/** Evenly spaced cut points of [0, length) into `parts` ranges. */
function cuts(length: number, parts: number): Array<readonly [number, number]> {
  const ranges: Array<readonly [number, number]> = [];
  for (let i = 0; i < parts; i++) {
    ranges.push([Math.floor((i * length) / parts), Math.floor(((i + 1) * length) / parts)]);
  }
  return ranges;
}

/**
 * Cuts an output into about `count` blocks (at least min(count, batch × channels × rows)), by
 * batch first, then output channel, then first spatial dimension (rows), so each block is a few
 * contiguous runs of the output. With `rowsFirst`, rows are cut before channels: each block then
 * reads fewer input rows and every output channel's weights (the better cut when the input is
 * the larger operand, as the fast kernels' im2col of the input is per block).
 */
export function planRegions(extent: RegionExtent, count: number, rowsFirst = false): OutputRegion[] {
  const { batch, channels, rows } = extent;
  const nb = Math.max(1, Math.min(batch, count));
  const [second, third] = rowsFirst ? [rows, channels] : [channels, rows];
  const n2 = Math.max(1, Math.min(second, Math.ceil(count / nb)));
  const n3 = Math.max(1, Math.min(third, Math.ceil(count / (nb * n2))));
  const [nc, nr] = rowsFirst ? [n3, n2] : [n2, n3];
  const regions: OutputRegion[] = [];
  for (const b of cuts(batch, nb)) {
    for (const c of cuts(channels, nc)) {
      for (const r of cuts(rows, nr)) regions.push({ batch: b, channels: c, rows: r });
    }
  }
  return regions;
}

/**
 * Where a region's block starts in the whole output (in elements) when the block is one
 * contiguous run of it ([batch, channels, rows, ...rest] layout, `rest` elements per row): rows
 * cut only within one channel of one batch entry, channels only within one batch entry. Otherwise
 * undefined, and the block must be copied in run by run (copyRegionInto).
 */
export function contiguousStart(region: OutputRegion, extent: RegionExtent, rest: number): number | undefined {
  const [b0, b1] = region.batch;
  const [c0, c1] = region.channels;
  const [r0, r1] = region.rows;
  const allRows = r0 === 0 && r1 === extent.rows;
  const allChannels = c0 === 0 && c1 === extent.channels;
  if (!allRows && (b1 - b0 > 1 || c1 - c0 > 1)) return undefined;
  if (!allChannels && b1 - b0 > 1) return undefined;
  return ((b0 * extent.channels + c0) * extent.rows + r0) * rest;
}

function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Copies a block computed by runPlanRegion into its place in the full output, laid out as
 * [batch, channels, rows, ...rest] (missing batch or channel dims have extent 1).
 */
export function copyRegionInto(output: Tensor, block: Tensor, region: OutputRegion, extent: RegionExtent): void {
  const rest = output.data.length === 0 ? 0 : numel(output.shape) / (extent.batch * extent.channels * extent.rows);
  const [b0, b1] = region.batch;
  const [c0, c1] = region.channels;
  const [r0, r1] = region.rows;
  const expected = (b1 - b0) * (c1 - c0) * (r1 - r0) * rest;
  if (block.dtype !== output.dtype || numel(block.shape) !== expected) {
    throw new Error(`block ${block.dtype}[${block.shape.join(', ')}] does not fit ${output.dtype} region ` +
      `batch [${b0}, ${b1}) channels [${c0}, ${c1}) rows [${r0}, ${r1}) of [${output.shape.join(', ')}]`);
  }
  const itemBytes = output.data.BYTES_PER_ELEMENT;
  const runBytes = (r1 - r0) * rest * itemBytes;
  const dst = bytesOf(output.data);
  const src = bytesOf(block.data);
  let srcOffset = 0;
  for (let b = b0; b < b1; b++) {
    for (let c = c0; c < c1; c++) {
      const dstOffset = ((b * extent.channels + c) * extent.rows + r0) * rest * itemBytes;
      dst.set(src.subarray(srcOffset, srcOffset + runBytes), dstOffset);
      srcOffset += runBytes;
    }
  }
}

/** Bytes copied between yields to the event loop: 5-10 ms into freshly allocated pages. */
const COPY_CHUNK_BYTES = 4 << 20;

/** Copies `src` to the start of `dst` in chunks between which the caller's event loop runs. */
async function copyInChunks(dst: Uint8Array, src: Uint8Array): Promise<void> {
  for (let offset = 0; offset < src.length; offset += COPY_CHUNK_BYTES) {
    if (offset > 0) await new Promise((resolve) => setImmediate(resolve));
    dst.set(src.subarray(offset, offset + COPY_CHUNK_BYTES), offset);
  }
}

/** The same elements as `to` holds, copied from `from` (same dtype and length), in chunks between which the event loop runs. */
export async function copyInto(to: Tensor, from: Tensor): Promise<void> {
  if (to.dtype !== from.dtype || to.data.length !== from.data.length) throw new Error(`cannot copy ${from.dtype}[${from.data.length}] into ${to.dtype}[${to.data.length}]`);
  await copyInChunks(bytesOf(to.data), bytesOf(from.data));
}

const SHARED_VIEWS: { readonly [D in DType]: { readonly BYTES_PER_ELEMENT: number; new (buffer: SharedArrayBuffer, byteOffset: number, length: number): DataOf[D] } } = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array, bool: Uint8Array,
} as never;

export function elementBytes(dtype: DType): number {
  return SHARED_VIEWS[dtype].BYTES_PER_ELEMENT;
}

/** A tensor of `shape` over the start of `buffer` (large enough), its elements as the buffer holds them. */
export function sharedTensor<D extends DType>(shape: readonly number[], dtype: D, buffer: SharedArrayBuffer): Tensor<D> {
  return { shape: [...shape], dtype, data: new SHARED_VIEWS[dtype](buffer, 0, numel(shape)) as DataOf[D] };
}

/**
 * The same tensor on a SharedArrayBuffer (`into`, at its start, when given and large enough;
 * else a new one), so every worker of an op reads it without a copy. Large tensors are copied in
 * chunks between which the caller's event loop runs.
 */
export async function toShared<D extends DType>(t: Tensor<D>, into?: SharedArrayBuffer): Promise<Tensor<D>> {
  if (t.data.buffer instanceof SharedArrayBuffer) return t;
  const Ctor = t.data.constructor as new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => DataOf[D];
  const buffer = into !== undefined && into.byteLength >= t.data.byteLength ? into : new SharedArrayBuffer(t.data.byteLength);
  const data = new Ctor(buffer, 0, t.data.length);
  await copyInChunks(bytesOf(data), bytesOf(t.data));
  return { shape: t.shape, dtype: t.dtype, data };
}
