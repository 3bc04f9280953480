// The Conv Lab panel's script (runs in the webview, bundled to dist/webview.js). It draws what
// the host posts, keeps the view and the picker positions with setState so the panel restores
// after a reload, and asks the host for anything outside the webview (the clipboard).
import { CONV_TRANSPOSE_OP_NAMES } from '../core/ops';
import {
  parseStoredView,
  TENSOR_ROLES,
  type CopyFormat,
  type FromPanelMessage,
  type PanelState,
  type PanelTensor,
  type PanelUiState,
  type PanelView,
  type StoredTensor,
  type StoredView,
  type TensorRole,
  type ToPanelMessage,
} from '../protocol/panel';
import { colorScaleFor, type ColorScale } from './colormap';
import { drawHeatmap, drawLegend, type HeatmapStyle } from './heatmap';
import { dimLabels, displayGrid, finiteRange, formatValue, layoutOf, planeOffset, type TensorLayout } from './layout';

interface VsCodeApi {
  postMessage(message: FromPanelMessage): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Widest a tile grows, in CSS pixels, for a single tile and for several. */
const TILE_PX = { single: 320, several: 176 };
const MAX_CELL_PX = 44;
/** Tables show at most this many rows and columns of a plane. */
const TABLE_MAX_CELLS = 32;
const TABLE_DIGITS = 6;

const vscode = acquireVsCodeApi();
const app = requireElement('app');
const notice = requireElement('notice');

let view: PanelView | undefined;
let ui: PanelUiState = { table: false, picks: {} };

function requireElement(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the panel's HTML has no #${id}`);
  return element;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) e.setAttribute(name, value);
  e.append(...children);
  return e;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function heatmapStyle(): HeatmapStyle {
  const css = getComputedStyle(document.body);
  return {
    gridColor: css.getPropertyValue('--vscode-editor-background').trim() || '#808080',
    fontFamily: css.getPropertyValue('--vscode-editor-font-family').trim() || 'monospace',
  };
}

function isTransposed(view: PanelView): boolean {
  return (CONV_TRANSPOSE_OP_NAMES as readonly string[]).includes(view.op);
}

const numel = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Bumped by every render, so that draws still waiting for values from an older one give up. */
let renderSerial = 0;

/** Draws the whole view and reports how long it took, values asked of the host included. */
async function render(): Promise<void> {
  if (!view) return;
  const started = performance.now();
  const serial = ++renderSerial;
  const current = view;
  const style = heatmapStyle();
  const sections = current.tensors.map((t) => tensorSection(current, t, style));
  app.replaceChildren(header(current), element('div', { class: 'tensors' }, ...sections.map((s) => s.element)));
  await Promise.all(sections.map((s) => s.drawn));
  if (serial !== renderSerial) return;
  const elements = current.tensors.reduce((n, t) => n + numel(t.shape), 0);
  vscode.postMessage({ type: 'rendered', elements, ms: performance.now() - started });
}

function header(v: PanelView): HTMLElement {
  const byRole = (role: string) => v.tensors.find((t) => t.role === role);
  const shapes = ['input', 'weight', 'bias']
    .map((role) => byRole(role))
    .filter((t): t is PanelTensor => t !== undefined)
    .map((t) => `${t.role} ${shapeText(t.shape)}`)
    .join(', ');
  const output = byRole('output');
  const tableToggle = element('button', { type: 'button', id: 'table-toggle', 'aria-pressed': String(ui.table) }, ui.table ? 'Hide tables' : 'Show numbers as tables');
  tableToggle.addEventListener('click', () => {
    ui = { ...ui, table: !ui.table };
    saveState();
    void render();
    document.getElementById('table-toggle')?.focus();
  });
  return element('header', {},
    element('h1', {}, element('code', {}, v.call)),
    element('p', { class: 'shapes' }, `${shapes} → output ${output ? shapeText(output.shape) : '?'}`),
    element('ul', { class: 'formulas', 'aria-label': 'Output size' }, ...v.formulas.map((f) => element('li', {}, element('code', {}, f)))),
    element('div', { class: 'toolbar' }, tableToggle),
  );
}

function tensorSection(v: PanelView, t: PanelTensor, style: HeatmapStyle): { element: HTMLElement; drawn: Promise<void> } {
  const labels = dimLabels(t.role, t.shape.length, v.spatialDims, isTransposed(v));
  const layout = layoutOf(t.shape, labels, v.spatialDims);
  const picks = layout.pickers.map((p, i) => Math.min(ui.picks[t.role]?.[i] ?? 0, p.size - 1));
  const scale = colorScaleFor(t.min, t.max);
  const headingId = `heading-${t.role}`;
  const section = element('section', { class: 'tensor', 'aria-labelledby': headingId },
    element('h2', { id: headingId }, `${t.role} `, element('span', { class: 'meta' }, `${shapeText(t.shape)} ${t.dtype}`)),
  );
  const tiles = element('div', { class: 'tiles', 'aria-busy': 'true' });
  let drawSerial = 0;
  const drawTiles = async () => {
    const serial = ++drawSerial;
    try {
      const planes = await planesOf(t, layout, picks);
      if (serial === drawSerial) tiles.replaceChildren(...tileFigures(t, layout, picks, planes, scale, style));
    } catch (e) {
      tiles.replaceChildren(element('p', { role: 'alert' }, e instanceof Error ? e.message : String(e)));
    }
    tiles.setAttribute('aria-busy', 'false');
  };
  section.append(pickerControls(t, layout, picks, drawTiles), tiles, legend(scale), copyButtons(t));
  return { element: section, drawn: drawTiles() };
}

/** Values asked of the host, by tensor and ranges; the last few kept so redraws need no round trip. */
const fetched = new Map<string, Float64Array>();
const FETCHED_KEPT = 8;
const pendingValues = new Map<number, { resolve(data: Float64Array): void; reject(error: Error): void }>();
let nextValuesId = 0;

function requestValues(t: PanelTensor, starts: readonly number[], length: number): Promise<Float64Array> {
  const key = `${t.role}:${length}:${starts.join(',')}`;
  const kept = fetched.get(key);
  if (kept) return Promise.resolve(kept);
  const id = nextValuesId++;
  return new Promise<Float64Array>((resolve, reject) => {
    pendingValues.set(id, { resolve, reject });
    vscode.postMessage({ type: 'values', id, role: t.role, starts, length });
  }).then((data) => {
    fetched.set(key, data);
    for (const old of [...fetched.keys()].slice(0, Math.max(0, fetched.size - FETCHED_KEPT))) fetched.delete(old);
    return data;
  });
}

/** One plane per tile for `picks`: from the view's values when it came whole, else asked of the host. */
async function planesOf(t: PanelTensor, layout: TensorLayout, picks: readonly number[]): Promise<Float64Array[]> {
  const size = layout.rows * layout.cols;
  const starts = Array.from({ length: layout.tiles?.size ?? 1 }, (_, tile) => planeOffset(t.shape, layout, picks, tile));
  const values = t.values ?? (await requestValues(t, starts, size));
  const at = (i: number) => (t.values ? starts[i] ?? 0 : i * size);
  return starts.map((_, i) => values.subarray(at(i), at(i) + size));
}

function pickerControls(t: PanelTensor, layout: TensorLayout, picks: number[], redraw: () => Promise<void>): HTMLElement {
  const controls = element('div', { class: 'pickers' });
  layout.pickers.forEach((p, i) => {
    if (p.size <= 1) return;
    const input = element('input', { type: 'number', min: '0', max: String(p.size - 1), step: '1', value: String(picks[i] ?? 0) });
    input.addEventListener('change', () => {
      const index = Math.min(Math.max(Math.trunc(Number(input.value)) || 0, 0), p.size - 1);
      input.value = String(index);
      picks[i] = index;
      ui = { ...ui, picks: { ...ui.picks, [t.role]: [...picks] } };
      saveState();
      const started = performance.now();
      void redraw().then(() => vscode.postMessage({ type: 'rendered', elements: numel(t.shape), ms: performance.now() - started }));
    });
    controls.append(element('label', {}, `${p.label} (0–${p.size - 1}) `, input));
  });
  return controls;
}

function tileFigures(t: PanelTensor, layout: TensorLayout, picks: readonly number[], planes: readonly Float64Array[], scale: ColorScale, style: HeatmapStyle): HTMLElement[] {
  const tilePx = planes.length > 1 ? TILE_PX.several : TILE_PX.single;
  const where = layout.pickers.filter((p) => p.size > 1).map((p) => `${p.label} ${picks[layout.pickers.indexOf(p)] ?? 0}`);
  return planes.map((plane, tile) => {
    const grid = displayGrid(plane, layout.rows, layout.cols);
    const cellPx = Math.max(1, Math.min(MAX_CELL_PX, Math.floor(tilePx / Math.max(grid.rows, grid.cols))));
    const [low, high] = finiteRange(plane);
    const slice = [...where, ...(layout.tiles && layout.tiles.size > 1 ? [`${layout.tiles.label} ${tile}`] : [])];
    const caption = slice.length > 0 ? slice.join(', ') : `${layout.rows} × ${layout.cols}`;
    const canvas = element('canvas', {
      role: 'img',
      'aria-label': `${t.role} ${shapeText(t.shape)}${slice.length > 0 ? `, ${slice.join(', ')}` : ''}: ${layout.rows} × ${layout.cols} values from ${formatValue(low, TABLE_DIGITS)} to ${formatValue(high, TABLE_DIGITS)}${grid.block > 1 ? `, shown as ${grid.block} × ${grid.block} block means` : ''}`,
      'data-role': t.role,
    });
    drawHeatmap(canvas, grid, scale, cellPx, style);
    const figure = element('figure', {}, canvas, element('figcaption', {}, caption));
    if (ui.table) figure.append(valueTable(plane, layout.rows, layout.cols, `${t.role} values${slice.length > 0 ? `, ${slice.join(', ')}` : ''}`));
    return figure;
  });
}

function valueTable(plane: Float64Array, rows: number, cols: number, caption: string): HTMLElement {
  const shownRows = Math.min(rows, TABLE_MAX_CELLS);
  const shownCols = Math.min(cols, TABLE_MAX_CELLS);
  const cut = shownRows < rows || shownCols < cols ? ` (first ${shownRows} × ${shownCols} of ${rows} × ${cols})` : '';
  const head = element('tr', {}, element('th', { scope: 'col' }, ''), ...Array.from({ length: shownCols }, (_, c) => element('th', { scope: 'col' }, String(c))));
  const body = Array.from({ length: shownRows }, (_, r) => element('tr', {},
    element('th', { scope: 'row' }, String(r)),
    ...Array.from({ length: shownCols }, (_, c) => element('td', {}, formatValue(plane[r * cols + c] ?? Number.NaN, TABLE_DIGITS))),
  ));
  return element('table', { class: 'values' }, element('caption', {}, `${caption}${cut}`), element('thead', {}, head), element('tbody', {}, ...body));
}

function legend(scale: ColorScale): HTMLElement {
  const bar = element('canvas', { class: 'legend-bar', 'aria-hidden': 'true' });
  drawLegend(bar, scale);
  const name = scale.kind === 'diverging' ? 'diverging, centred at 0' : 'viridis';
  return element('div', { class: 'legend', role: 'group', 'aria-label': `colour scale (${name}) from ${formatValue(scale.low, 4)} to ${formatValue(scale.high, 4)}` },
    bar,
    element('div', { class: 'legend-labels', 'aria-hidden': 'true' },
      element('span', {}, formatValue(scale.low, 4)),
      element('span', {}, scale.kind === 'diverging' ? '0' : name),
      element('span', {}, formatValue(scale.high, 4)),
    ),
  );
}

function copyButtons(t: PanelTensor): HTMLElement {
  const button = (format: CopyFormat, label: string) => {
    const b = element('button', { type: 'button', class: 'secondary', 'aria-label': `Copy ${t.role} as ${label}` }, `Copy as ${label}`);
    b.addEventListener('click', () => vscode.postMessage({ type: 'copy', role: t.role, format }));
    return b;
  };
  return element('div', { class: 'copy' }, button('pytorch', 'PyTorch'), button('numpy', 'NumPy'));
}

function saveState(): void {
  const stored = view && storedView(view);
  vscode.setState(stored ? { view: stored, ui } : view ? { droppedCall: view.call, ui } : { ui });
}

/** The view as JSON for the state, when it came whole (small); large ones are not kept. */
function storedView(v: PanelView): StoredView | undefined {
  const tensors: StoredTensor[] = [];
  for (const t of v.tensors) {
    if (!t.values) return undefined;
    tensors.push({ ...t, values: Array.from(t.values) });
  }
  return { ...v, tensors };
}

/** Picker positions from the state, keeping only well-formed ones (the state is JSON). */
function storedPicks(x: unknown): PanelUiState['picks'] {
  if (typeof x !== 'object' || x === null) return {};
  const picks: Partial<Record<TensorRole, number[]>> = {};
  for (const role of TENSOR_ROLES) {
    const value = (x as Record<string, unknown>)[role];
    if (Array.isArray(value) && value.every((i) => Number.isInteger(i) && i >= 0)) picks[role] = value as number[];
  }
  return picks;
}

function restoreState(): void {
  const state = vscode.getState();
  if (typeof state !== 'object' || state === null) return;
  const record = state as Record<string, unknown>;
  const storedUi = record['ui'];
  if (typeof storedUi === 'object' && storedUi !== null) {
    const { table, picks } = storedUi as Record<string, unknown>;
    ui = { table: table === true, picks: storedPicks(picks) };
  }
  const stored = parseStoredView(record['view']);
  const dropped = record['droppedCall'];
  if (stored) {
    view = { ...stored, tensors: stored.tensors.map((t) => ({ ...t, values: Float64Array.from(t.values) })) };
    void render();
  } else if (typeof dropped === 'string') {
    app.replaceChildren(element('p', { class: 'empty' }, element('code', {}, dropped), ' had too many values to keep across the reload: run it again to see it here.'));
  }
}

window.addEventListener('message', (event: MessageEvent<ToPanelMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'show': {
      const sameShapes = view !== undefined && view.tensors.length === message.view.tensors.length
        && view.tensors.every((t, i) => shapeText(t.shape) === shapeText(message.view.tensors[i]?.shape ?? []));
      if (!sameShapes) ui = { ...ui, picks: {} };
      view = message.view;
      fetched.clear();
      void render();
      saveState();
      return;
    }
    case 'notice':
      notice.textContent = message.text;
      return;
    case 'values':
    case 'valuesFailed': {
      const pending = pendingValues.get(message.id);
      pendingValues.delete(message.id);
      if (message.type === 'values') pending?.resolve(message.data);
      else pending?.reject(new Error(message.message));
      return;
    }
  }
});

// Canvas colours read the theme's variables when drawn: redraw when the theme changes (its kind
// is the body's class; its colours are variables in the root element's style).
const themeObserver = new MutationObserver(() => void render());
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

restoreState();
vscode.postMessage({ type: 'ready' });
