// How a tensor of any rank becomes heatmap tiles: the trailing two dims are the plane drawn
// (one row for 1-D data), the channel dim gives one tile per index, every other dim gets a
// picker. Plus the block-averaging that shrinks large planes for display. Pure: no DOM.
import { dimensionNames } from '../core/geometry';
import { stridesOf } from '../core/tensor';
import type { TensorRole } from '../protocol/panel';

/** More channels than this are shown one at a time, chosen with a picker. */
export const MAX_TILES = 16;
/** Planes wider or taller than this many cells are block-averaged for display. */
export const MAX_DISPLAY_CELLS = 256;

export interface DimPicker {
  readonly dim: number;
  readonly label: string;
  readonly size: number;
}

export interface TensorLayout {
  readonly pickers: readonly DimPicker[];
  /** The dim with one tile per index, if any. */
  readonly tiles: DimPicker | undefined;
  readonly rows: number;
  readonly cols: number;
}

/** What each dim of a tensor means, for labels: `batch`, `channel`, `H`, `W`, … */
export function dimLabels(role: TensorRole, rank: number, spatialDims: number, transposed: boolean): string[] {
  if (role === 'bias') return ['channel'];
  const spatial = Math.min(spatialDims, rank);
  const leading = rank - spatial;
  const names = role === 'weight'
    ? (transposed ? ['in channel', 'out channel / groups'] : ['out channel', 'in channel / groups'])
    : leading === 2 ? ['batch', 'channel'] : ['channel'];
  return [...names.slice(names.length - leading), ...dimensionNames(spatial)];
}

export function layoutOf(shape: readonly number[], labels: readonly string[], spatialDims: number): TensorLayout {
  const rank = shape.length;
  const size = (d: number) => shape[d] ?? 1;
  const picker = (dim: number) => ({ dim, label: labels[dim] ?? `dim ${dim}`, size: size(dim) });
  const planeDims = rank >= 2 && Math.min(spatialDims, rank) >= 2 ? 2 : Math.min(rank, 1);
  const spatial = Math.min(Math.max(spatialDims, planeDims), rank);
  const channelDim = rank - spatial - 1;
  const leading = Array.from({ length: rank - planeDims }, (_, d) => d);
  const tiles = channelDim >= 0 && size(channelDim) <= MAX_TILES ? picker(channelDim) : undefined;
  return {
    pickers: leading.filter((d) => d !== tiles?.dim).map(picker),
    tiles,
    rows: planeDims === 2 ? size(rank - 2) : 1,
    cols: planeDims >= 1 ? size(rank - 1) : 1,
  };
}

/** Where a plane starts in the row-major values: `picks` holds one index per picker. */
export function planeOffset(shape: readonly number[], layout: TensorLayout, picks: readonly number[], tile: number): number {
  const strides = stridesOf(shape);
  let offset = layout.tiles ? tile * (strides[layout.tiles.dim] ?? 0) : 0;
  layout.pickers.forEach((p, i) => {
    offset += (picks[i] ?? 0) * (strides[p.dim] ?? 0);
  });
  return offset;
}

/** A plane as drawn: the values, or block means when the plane is larger than `maxCells`. */
export interface DisplayGrid {
  readonly rows: number;
  readonly cols: number;
  /** Source cells per display cell along each axis (1 when not downsampled). */
  readonly block: number;
  readonly values: Float64Array;
}

export function displayGrid(plane: Float64Array, rows: number, cols: number, maxCells = MAX_DISPLAY_CELLS): DisplayGrid {
  const block = Math.max(1, Math.ceil(Math.max(rows, cols) / maxCells));
  if (block === 1) return { rows, cols, block, values: plane };
  const outRows = Math.ceil(rows / block);
  const outCols = Math.ceil(cols / block);
  const sums = new Float64Array(outRows * outCols);
  const counts = new Uint32Array(outRows * outCols);
  for (let r = 0; r < rows; r++) {
    const outRow = Math.floor(r / block) * outCols;
    for (let c = 0; c < cols; c++) {
      const v = plane[r * cols + c] ?? Number.NaN;
      if (Number.isNaN(v)) continue;
      const i = outRow + Math.floor(c / block);
      sums[i] = (sums[i] ?? 0) + v;
      counts[i] = (counts[i] ?? 0) + 1;
    }
  }
  for (let i = 0; i < sums.length; i++) sums[i] = (counts[i] ?? 0) > 0 ? (sums[i] ?? 0) / (counts[i] ?? 1) : Number.NaN;
  return { rows: outRows, cols: outCols, block, values: sums };
}

/** The smallest and largest finite values; [0, 0] if there are none. */
export function finiteRange(values: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}

/** A value for a cell or table: integers as they are, others to `digits` significant digits. */
export function formatValue(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return String(Number(v.toPrecision(digits)));
}

/** The part of a plane shown: magnified `zoom` times (1 = all of it), its top-left cell at (row, col). */
export interface Viewport {
  readonly zoom: number;
  readonly row: number;
  readonly col: number;
}

export const WHOLE_PLANE: Viewport = { zoom: 1, row: 0, col: 0 };
export const MAX_ZOOM = 64;

export interface PlaneRegion {
  readonly row: number;
  readonly col: number;
  readonly rows: number;
  readonly cols: number;
}

const clamp = (x: number, low: number, high: number) => Math.min(Math.max(x, low), high);

/** The region of a rows × cols plane that `viewport` shows, moved back inside the plane if it overhangs. */
export function viewportRegion(rows: number, cols: number, viewport: Viewport): PlaneRegion {
  const zoom = clamp(viewport.zoom, 1, MAX_ZOOM);
  const shownRows = Math.max(1, Math.ceil(rows / zoom));
  const shownCols = Math.max(1, Math.ceil(cols / zoom));
  return {
    row: clamp(Math.round(viewport.row), 0, Math.max(0, rows - shownRows)),
    col: clamp(Math.round(viewport.col), 0, Math.max(0, cols - shownCols)),
    rows: Math.min(shownRows, rows),
    cols: Math.min(shownCols, cols),
  };
}

/** `viewport` zoomed by `factor` about the centre of what it shows. */
export function zoomViewport(rows: number, cols: number, viewport: Viewport, factor: number): Viewport {
  const before = viewportRegion(rows, cols, viewport);
  const zoom = clamp(viewport.zoom * factor, 1, MAX_ZOOM);
  const after = viewportRegion(rows, cols, { zoom, row: 0, col: 0 });
  const centreRow = before.row + before.rows / 2;
  const centreCol = before.col + before.cols / 2;
  const region = viewportRegion(rows, cols, { zoom, row: centreRow - after.rows / 2, col: centreCol - after.cols / 2 });
  return { zoom, row: region.row, col: region.col };
}

/** The cells of `region` of a plane `cols` wide, row-major. */
export function cropPlane(plane: Float64Array, cols: number, region: PlaneRegion): Float64Array {
  if (region.col === 0 && region.cols === cols) return plane.subarray(region.row * cols, (region.row + region.rows) * cols);
  const out = new Float64Array(region.rows * region.cols);
  for (let r = 0; r < region.rows; r++) {
    const start = (region.row + r) * cols + region.col;
    out.set(plane.subarray(start, start + region.cols), r * region.cols);
  }
  return out;
}
