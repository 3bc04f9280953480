// Draws a display grid on a canvas: one LUT colour per cell (an image one pixel per cell, scaled
// up without smoothing), separating lines when cells are large, and the values when they fit.
import { LUT_SIZE, lutIndex, textColorOn, type ColorScale } from './colormap';
import { formatValue, type DisplayGrid } from './layout';

/** Cells at least this large get separating lines; at least TEXT_MIN_CELL_PX, their values. */
const GRID_MIN_CELL_PX = 12;
const TEXT_MIN_CELL_PX = 24;
const CELL_DIGITS = 3;

export interface HeatmapStyle {
  /** Separating lines, in the theme's editor background. */
  readonly gridColor: string;
  readonly fontFamily: string;
  /** NaN cells stay blank instead of saying "nan" (the views' empty cells, e.g. W's zeros). */
  readonly blankNaN?: boolean;
}

/** One canvas kept for scaling each grid's one-pixel-per-cell image. */
let scratch: HTMLCanvasElement | undefined;

function cellImage(grid: DisplayGrid, scale: ColorScale): HTMLCanvasElement {
  scratch ??= document.createElement('canvas');
  scratch.width = grid.cols;
  scratch.height = grid.rows;
  const context = scratch.getContext('2d');
  if (!context) throw new Error('the webview has no 2-D canvas context');
  const image = context.createImageData(grid.cols, grid.rows);
  const pixels = image.data;
  const lut = scale.lut;
  for (let i = 0; i < grid.values.length; i++) {
    const k = lutIndex(scale, grid.values[i] ?? Number.NaN);
    if (k < 0) continue; // NaN stays transparent
    pixels[i * 4] = lut[k * 3] ?? 0;
    pixels[i * 4 + 1] = lut[k * 3 + 1] ?? 0;
    pixels[i * 4 + 2] = lut[k * 3 + 2] ?? 0;
    pixels[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return scratch;
}

export function drawHeatmap(canvas: HTMLCanvasElement, grid: DisplayGrid, scale: ColorScale, cellPx: number, style: HeatmapStyle): void {
  const ratio = window.devicePixelRatio || 1;
  const width = grid.cols * cellPx;
  const height = grid.rows * cellPx;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('the webview has no 2-D canvas context');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(cellImage(grid, scale), 0, 0, width, height);
  if (cellPx >= GRID_MIN_CELL_PX) drawGridLines(context, grid, cellPx, style.gridColor);
  if (cellPx >= TEXT_MIN_CELL_PX && grid.block === 1) drawValues(context, grid, scale, cellPx, style);
}

function drawGridLines(context: CanvasRenderingContext2D, grid: DisplayGrid, cellPx: number, color: string): void {
  context.strokeStyle = color;
  context.lineWidth = 1;
  context.beginPath();
  for (let r = 1; r < grid.rows; r++) {
    context.moveTo(0, r * cellPx);
    context.lineTo(grid.cols * cellPx, r * cellPx);
  }
  for (let c = 1; c < grid.cols; c++) {
    context.moveTo(c * cellPx, 0);
    context.lineTo(c * cellPx, grid.rows * cellPx);
  }
  context.stroke();
}

function drawValues(context: CanvasRenderingContext2D, grid: DisplayGrid, scale: ColorScale, cellPx: number, style: HeatmapStyle): void {
  context.font = `${Math.min(14, Math.floor(cellPx * 0.38))}px ${style.fontFamily}`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  const room = cellPx - 4;
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const v = grid.values[r * grid.cols + c] ?? Number.NaN;
      if (style.blankNaN && Number.isNaN(v)) continue;
      const text = formatValue(v, CELL_DIGITS);
      if (context.measureText(text).width > room) continue;
      const k = lutIndex(scale, v);
      context.fillStyle = k < 0 ? '#888' : textColorOn(scale.lut, k);
      context.fillText(text, (c + 0.5) * cellPx, (r + 0.5) * cellPx);
    }
  }
}

/** The scale as a horizontal bar, low on the left. */
export function drawLegend(canvas: HTMLCanvasElement, scale: ColorScale): void {
  canvas.width = LUT_SIZE;
  canvas.height = 1;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('the webview has no 2-D canvas context');
  const image = context.createImageData(LUT_SIZE, 1);
  for (let i = 0; i < LUT_SIZE; i++) {
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = scale.lut[i * 3 + c] ?? 0;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
