// A heatmap of one flat array drawn as a grid, with cells marked on top (the views' linked
// highlights) and a cursor that follows the mouse or the arrow keys. N-D data is drawn as rows of
// its last dim, the leading dims stacked (row-major), so a flat index is a cell index. Webview only.
import type { ColorScale } from './colormap';
import { drawHeatmap, type HeatmapStyle } from './heatmap';
import { element } from './dom';

const MAX_CELL_PX = 44;

/** How a flat array of `sizes` is drawn: rows of the last dim. */
export function gridShape(sizes: readonly number[]): { rows: number; cols: number } {
  const cols = sizes[sizes.length - 1] ?? 1;
  return { rows: cols > 0 ? sizes.reduce((n, s) => n * s, 1) / cols : 0, cols };
}

export interface Marks {
  /** Outlined in the theme's focus colour. */
  readonly primary?: Iterable<number>;
  /** Outlined in the theme's chart orange (a second kind of link). */
  readonly secondary?: Iterable<number>;
}

export interface GridOptions {
  readonly name: string;
  readonly label: string;
  readonly caption: string;
  readonly sizes: readonly number[];
  readonly scale: ColorScale;
  readonly style: HeatmapStyle;
  /** Widest the grid grows, in CSS pixels. */
  readonly maxPx: number;
}

export class GridFigure {
  readonly figure: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly rows: number;
  readonly cols: number;
  private readonly cellPx: number;
  private values: Float64Array;
  private marks: Marks = {};
  private cursor: number | undefined;

  constructor(private readonly options: GridOptions, values: Float64Array) {
    const { rows, cols } = gridShape(options.sizes);
    this.rows = rows;
    this.cols = cols;
    this.values = values;
    this.cellPx = Math.max(1, Math.min(MAX_CELL_PX, Math.floor(options.maxPx / Math.max(rows, cols, 1))));
    this.canvas = element('canvas', { role: 'img', 'aria-label': options.label, 'data-name': options.name });
    this.figure = element('figure', {}, this.canvas, element('figcaption', {}, options.caption));
    this.draw();
  }

  /** Redraws with new values and/or marks. */
  update(values: Float64Array | undefined, marks: Marks): void {
    if (values) this.values = values;
    this.marks = marks;
    this.draw();
  }

  /**
   * Calls `onCursor` with the cell under the mouse, or moved to with the arrow keys (Escape or
   * leaving clears it): hovering and the keyboard drive the same highlights.
   */
  track(onCursor: (cell: number | undefined) => void): void {
    this.canvas.setAttribute('tabindex', '0');
    const set = (cell: number | undefined) => {
      if (cell === this.cursor) return;
      this.cursor = cell;
      onCursor(cell);
    };
    this.canvas.addEventListener('mousemove', (event) => {
      const box = this.canvas.getBoundingClientRect();
      const c = Math.floor((event.clientX - box.left) / this.cellPx);
      const r = Math.floor((event.clientY - box.top) / this.cellPx);
      set(r >= 0 && r < this.rows && c >= 0 && c < this.cols ? r * this.cols + c : undefined);
    });
    this.canvas.addEventListener('mouseleave', () => set(undefined));
    this.canvas.addEventListener('keydown', (event) => {
      const at = this.cursor ?? -1;
      const r = at < 0 ? 0 : Math.floor(at / this.cols);
      const c = at < 0 ? 0 : at % this.cols;
      const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const move = moves[event.key];
      if (event.key === 'Escape') {
        set(undefined);
      } else if (move) {
        event.preventDefault();
        const nr = at < 0 ? 0 : Math.min(Math.max(r + move[0], 0), this.rows - 1);
        const nc = at < 0 ? 0 : Math.min(Math.max(c + move[1], 0), this.cols - 1);
        set(nr * this.cols + nc);
      }
    });
  }

  private draw(): void {
    const grid = { rows: this.rows, cols: this.cols, block: 1, values: this.values };
    drawHeatmap(this.canvas, grid, this.options.scale, this.cellPx, { ...this.options.style, blankNaN: true });
    const context = this.canvas.getContext('2d');
    if (!context) return;
    const css = getComputedStyle(document.body);
    const colour = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const outline = (cells: Iterable<number> | undefined, strokeStyle: string, inset: number) => {
      if (!cells) return;
      context.strokeStyle = strokeStyle;
      context.lineWidth = this.cellPx >= 24 ? 3 : this.cellPx >= 8 ? 2 : 1;
      for (const cell of cells) {
        const r = Math.floor(cell / this.cols);
        const c = cell % this.cols;
        context.strokeRect(c * this.cellPx + inset, r * this.cellPx + inset, this.cellPx - 2 * inset, this.cellPx - 2 * inset);
      }
    };
    const inset = this.cellPx >= 8 ? 1 : 0;
    outline(this.marks.secondary, colour('--vscode-charts-orange', '#d18616'), inset + (this.cellPx >= 12 ? 2 : 0));
    outline(this.marks.primary, colour('--vscode-focusBorder', '#007fd4'), inset);
    if (this.cursor !== undefined) outline([this.cursor], colour('--vscode-foreground', '#888'), 0);
  }
}
