// The Conv Lab panel's script (runs in the webview, bundled to dist/webview/webview.js). It
// draws what the host posts, keeps the view and the picker positions with setState so the panel
// restores after a reload, and asks the host for anything outside the webview (the clipboard).
import { OP_INFO } from '../core/vocabulary';
import {
  DEFAULT_UI_STATE,
  parseStoredView,
  isOneOf,
  MODEL_VIEW_NAMES,
  parseUiState,
  type CopyFormat,
  type FromPanelMessage,
  type PanelState,
  type PanelTensor,
  type PanelUiState,
  type PanelView,
  type StoredTensor,
  type StoredView,
  type ToPanelMessage,
  type OpViewName,
  type ViewName,
} from '../protocol/panel';
import { colorScaleFor, type ColorScale } from './colormap';
import { drawHeatmap, drawLegend, type HeatmapStyle } from './heatmap';
import { element, shapeText, TABLE_DIGITS, valueTable } from './dom';
import { cropPlane, dimLabels, displayGrid, finiteRange, formatValue, layoutOf, planeOffset, viewportRegion, WHOLE_PLANE, zoomViewport, type TensorLayout, type Viewport } from './layout';
import { parametersView, type ParametersError } from './parameters';
import { savePng } from './png';
import { initialSummaryState, summaryView, type SummaryViewState } from './summaryView';
import { sizesView } from './sizesView';
import type { WireInputSizes, WireSummary } from '../protocol/analysis';
import { fieldsView, matrixView, overlapView, scatterView, slidingView, type ViewContext, type ViewValues } from './views';

interface VsCodeApi {
  postMessage(message: FromPanelMessage): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Widest a tile grows, in CSS pixels, for a single tile and for several. */
const TILE_PX = { single: 320, several: 176 };
const MAX_CELL_PX = 44;
/** Planes with a side longer than this get pan and zoom controls. */
const ZOOM_MIN_CELLS = 16;
/** The views beyond Tensors bring in tensors of at most this many values whole (1×64×128×128 is 1,048,576). */
const VIEW_VALUES_MAX = 4 * 1024 * 1024;

/** The views, in the order of their tabs. */
const TABS: readonly { readonly name: ViewName; readonly title: string }[] = [
  { name: 'tensors', title: 'Tensors' },
  { name: 'scatter', title: 'Transposed conv, step by step' },
  { name: 'sliding', title: 'Conv, step by step' },
  { name: 'fields', title: 'Receptive fields' },
  { name: 'matrix', title: 'Kernel as a matrix' },
  { name: 'overlap', title: 'Overlap map' },
  { name: 'parameters', title: 'Parameters' },
  { name: 'summary', title: 'Summary' },
  { name: 'sizes', title: 'Input sizes' },
];

const vscode = acquireVsCodeApi();
const app = requireElement('app');
const notice = requireElement('notice');

let view: PanelView | undefined;
/** The model summary the Summary view shows, and its depth limit and folded rows. */
let summary: { readonly summary: WireSummary; readonly state: SummaryViewState; sizes?: WireInputSizes } | undefined;
/** The model input sizes the Input sizes view shows. */
let sizes: WireInputSizes | undefined;
let ui: PanelUiState = DEFAULT_UI_STATE;
/** The Parameters view's last failed run, until the next view arrives. */
let parametersError: ParametersError | undefined;
/** The pan and zoom of each tensor's planes (all its tiles alike), until another op is shown. */
const viewports = new Map<string, Viewport>();
/** What the shown view must stop (its animation timer) when it is replaced. */
const disposeView: (() => void)[] = [];

function requireElement(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the panel's HTML has no #${id}`);
  return element;
}

function heatmapStyle(): HeatmapStyle {
  const css = getComputedStyle(document.body);
  return {
    gridColor: css.getPropertyValue('--vscode-editor-background').trim() || '#808080',
    fontFamily: css.getPropertyValue('--vscode-editor-font-family').trim() || 'monospace',
  };
}

function isTransposed(view: PanelView): boolean {
  return OP_INFO[view.op].kind === 'transposed';
}

const numel = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Bumped by every render, so that draws still waiting for values from an older one give up. */
let renderSerial = 0;

/** Draws the whole view and reports how long it took, values asked of the host included. */
async function render(): Promise<void> {
  if (ui.tab === 'summary' && summary) {
    renderSummary(summary.summary, summary.state, summary.sizes);
    return;
  }
  if (ui.tab === 'sizes' && sizes) {
    renderSizes(sizes);
    return;
  }
  if (!view) return;
  // A model's tab restored without its model's data (not kept across reloads): the op's first view.
  if (isModelView(ui.tab)) ui = { ...ui, tab: 'tensors' };
  const started = performance.now();
  const serial = ++renderSerial;
  const current = view;
  const style = heatmapStyle();
  for (const stop of disposeView.splice(0)) stop();
  // A redraw (a Parameters run coming back, a theme change) keeps the keyboard where it was.
  const focused = document.activeElement?.id;
  const body = element('div', { id: 'view-body', role: 'tabpanel', 'aria-labelledby': `tab-${ui.tab}` });
  app.replaceChildren(header(current), tabBar(), body);
  if (ui.tab === 'tensors') {
    const sections = current.tensors.map((t) => tensorSection(current, t, style));
    body.append(element('div', { class: 'tensors' }, ...sections.map((s) => s.element)));
    await Promise.all(sections.map((s) => s.drawn));
  } else {
    body.append(await otherView(current, ui.tab as Exclude<OpViewName, 'tensors'>, style));
  }
  if (focused) document.getElementById(focused)?.focus();
  if (serial !== renderSerial) return;
  const elements = current.tensors.reduce((n, t) => n + numel(t.shape), 0);
  const alert = body.querySelector('[role="alert"]')?.textContent?.slice(0, 400);
  vscode.postMessage({ type: 'rendered', elements, ms: performance.now() - started, tab: ui.tab, ...(alert ? { alert } : {}) });
}

function renderSummary(shown: WireSummary, state: SummaryViewState, shownSizes: WireInputSizes | undefined): void {
  const started = performance.now();
  ++renderSerial;
  for (const stop of disposeView.splice(0)) stop();
  const focused = document.activeElement?.id;
  const actions = {
    post: (message: FromPanelMessage) => vscode.postMessage(message),
    rerender: () => renderSummary(shown, state, shownSizes),
    openSizes: () => {
      ui = { ...ui, tab: 'sizes' };
      saveState();
      void render();
    },
  };
  const body = element('div', { id: 'view-body', role: 'tabpanel', 'aria-labelledby': 'tab-summary' }, summaryView(shown, state, shownSizes, actions));
  app.replaceChildren(tabBar(), body);
  if (focused) document.getElementById(focused)?.focus();
  vscode.postMessage({ type: 'rendered', elements: shown.rows.length, ms: performance.now() - started, tab: 'summary' });
}

function renderSizes(shown: WireInputSizes): void {
  const started = performance.now();
  ++renderSerial;
  for (const stop of disposeView.splice(0)) stop();
  const body = element('div', { id: 'view-body', role: 'tabpanel', 'aria-labelledby': 'tab-sizes' }, sizesView(shown));
  app.replaceChildren(tabBar(), body);
  const cells = shown.axes.reduce((n, a) => n + a.status.length, 0);
  vscode.postMessage({ type: 'rendered', elements: cells, ms: performance.now() - started, tab: 'sizes' });
}

function isModelView(tab: ViewName): boolean {
  return isOneOf(MODEL_VIEW_NAMES, tab);
}

/** The tab bar: a tablist whose tabs the arrow keys move between (WAI-ARIA tabs pattern); the op's views when one is shown, the Summary when there is one. */
function tabBar(): HTMLElement {
  const bar = element('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Views' });
  const tabs = TABS.filter((tab) => (tab.name === 'summary' ? summary !== undefined : tab.name === 'sizes' ? sizes !== undefined : view !== undefined));
  const select = (name: ViewName) => {
    ui = { ...ui, tab: name };
    saveState();
    void render().then(() => document.getElementById(`tab-${name}`)?.focus());
  };
  tabs.forEach((tab, i) => {
    const selected = tab.name === ui.tab;
    const button = element('button', { type: 'button', role: 'tab', id: `tab-${tab.name}`, 'aria-selected': String(selected), tabindex: selected ? '0' : '-1', 'aria-controls': 'view-body' }, tab.title);
    button.addEventListener('click', () => select(tab.name));
    button.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      select((tabs[(i + step + tabs.length) % tabs.length] ?? tab).name);
    });
    bar.append(button);
  });
  return bar;
}

/** Every value of the input, weight, bias and output: from the view when it came whole, else asked of the host. */
async function viewValues(v: PanelView): Promise<ViewValues | undefined> {
  const whole = async (role: string): Promise<Float64Array | undefined> => {
    const t = v.tensors.find((x) => x.role === role);
    if (!t) return undefined;
    if (t.values) return t.values;
    const count = numel(t.shape);
    if (count > VIEW_VALUES_MAX) throw new RangeError('too large');
    return requestValues(t, [0], count);
  };
  try {
    const [input, weight, bias, output] = await Promise.all(['input', 'weight', 'bias', 'output'].map(whole));
    return input && weight && output ? { input, weight, bias, output } : undefined;
  } catch {
    return undefined;
  }
}

async function otherView(v: PanelView, tab: Exclude<OpViewName, 'tensors'>, style: HeatmapStyle): Promise<HTMLElement> {
  // The geometry-only views (Overlap, Parameters) need no values; the geometry is the plan's.
  const values = tab === 'overlap' || tab === 'parameters' ? undefined : await viewValues(v);
  const context: ViewContext = {
    view: v, values, geometry: v.geometry, args: v.args, ui, style,
    setUi: (patch) => {
      ui = { ...ui, ...patch };
      saveState();
    },
    post: (message) => vscode.postMessage(message),
    onDispose: (stop) => disposeView.push(stop),
  };
  const rerender = () => void render();
  switch (tab) {
    case 'scatter': return scatterView(context, rerender);
    case 'sliding': return slidingView(context, rerender);
    case 'fields': return fieldsView(context);
    case 'matrix': return matrixView(context);
    case 'overlap': return overlapView(context);
    case 'parameters': return parametersView(context, parametersError);
  }
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
  const pngButton = element('button', { type: 'button', class: 'secondary', id: 'save-png' }, 'Save view as PNG');
  pngButton.addEventListener('click', () => {
    const body = document.getElementById('view-body');
    if (body) savePng(body, ui.tab, (message) => vscode.postMessage(message), (text) => { notice.textContent = text; });
  });
  return element('header', {},
    element('h1', {}, element('code', {}, v.call)),
    element('p', { class: 'shapes', id: 'shapes' }, `${shapes} → output ${output ? shapeText(output.shape) : '?'}`),
    element('ul', { class: 'formulas', 'aria-label': 'Output size' }, ...v.formulas.map((f) => element('li', {}, element('code', {}, f)))),
    element('div', { class: 'toolbar' }, tableToggle, pngButton),
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
  const zoomable = Math.max(layout.rows, layout.cols) > ZOOM_MIN_CELLS;
  let drawSerial = 0;
  const drawTiles = async () => {
    const serial = ++drawSerial;
    // Panning with the keyboard redraws the tiles: the focus stays on the same tile.
    const focusedTile = tiles.contains(document.activeElement) ? document.activeElement?.getAttribute('data-tile') : undefined;
    try {
      const planes = await planesOf(t, layout, picks);
      if (serial === drawSerial) {
        const viewport = viewports.get(t.role) ?? WHOLE_PLANE;
        tiles.replaceChildren(...tileFigures(t, layout, picks, planes, scale, style, viewport, zoomable ? panZoom : undefined));
        if (focusedTile) tiles.querySelector<HTMLElement>(`canvas[data-tile="${focusedTile}"]`)?.focus();
      }
    } catch (e) {
      tiles.replaceChildren(element('p', { role: 'alert' }, e instanceof Error ? e.message : String(e)));
    }
    tiles.setAttribute('aria-busy', 'false');
  };
  const panZoom = (change: (viewport: Viewport) => Viewport) => {
    const before = viewports.get(t.role) ?? WHOLE_PLANE;
    const after = change(before);
    const region = viewportRegion(layout.rows, layout.cols, after);
    viewports.set(t.role, { zoom: after.zoom, row: region.row, col: region.col });
    const started = performance.now();
    void drawTiles().then(() => vscode.postMessage({ type: 'rendered', elements: numel(t.shape), ms: performance.now() - started, tab: ui.tab }));
  };
  section.append(pickerControls(t, layout, picks, drawTiles));
  if (zoomable) section.append(zoomControls(t, layout, panZoom));
  section.append(tiles, legend(scale), copyButtons(t));
  return { element: section, drawn: drawTiles() };
}

type PanZoom = (change: (viewport: Viewport) => Viewport) => void;

function zoomControls(t: PanelTensor, layout: TensorLayout, panZoom: PanZoom): HTMLElement {
  const button = (text: string, label: string, change: (viewport: Viewport) => Viewport) => {
    const b = element('button', { type: 'button', class: 'secondary', 'aria-label': `${label} (${t.role})`, 'data-zoom': label }, text);
    b.addEventListener('click', () => panZoom(change));
    return b;
  };
  return element('div', { class: 'toolbar zoom', role: 'group', 'aria-label': `Pan and zoom ${t.role}: focus a tile, then arrow keys pan, + and − zoom` },
    button('+', 'Zoom in', (v) => zoomViewport(layout.rows, layout.cols, v, 2)),
    button('−', 'Zoom out', (v) => zoomViewport(layout.rows, layout.cols, v, 0.5)),
    button('Whole plane', 'Whole plane', () => WHOLE_PLANE),
  );
}

/** Keys and dragging on a zoomable tile: arrows pan by a quarter of what is shown, + and − zoom. */
function trackPanZoom(canvas: HTMLCanvasElement, layout: TensorLayout, shown: { rows: number; cols: number }, cellsPerPx: number, panZoom: PanZoom): void {
  canvas.setAttribute('tabindex', '0');
  canvas.addEventListener('keydown', (event) => {
    const rowStep = Math.max(1, Math.round(shown.rows / 4));
    const colStep = Math.max(1, Math.round(shown.cols / 4));
    const moves: Record<string, [number, number]> = { ArrowUp: [-rowStep, 0], ArrowDown: [rowStep, 0], ArrowLeft: [0, -colStep], ArrowRight: [0, colStep] };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      panZoom((v) => ({ ...v, row: v.row + move[0], col: v.col + move[1] }));
    } else if (event.key === '+' || event.key === '=') {
      panZoom((v) => zoomViewport(layout.rows, layout.cols, v, 2));
    } else if (event.key === '-') {
      panZoom((v) => zoomViewport(layout.rows, layout.cols, v, 0.5));
    }
  });
  let from: { x: number; y: number } | undefined;
  canvas.addEventListener('mousedown', (event) => { from = { x: event.clientX, y: event.clientY }; });
  canvas.addEventListener('mouseup', (event) => {
    if (!from) return;
    const rows = Math.round((from.y - event.clientY) * cellsPerPx);
    const cols = Math.round((from.x - event.clientX) * cellsPerPx);
    from = undefined;
    if (rows !== 0 || cols !== 0) panZoom((v) => ({ ...v, row: v.row + rows, col: v.col + cols }));
  });
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
      void redraw().then(() => vscode.postMessage({ type: 'rendered', elements: numel(t.shape), ms: performance.now() - started, tab: ui.tab }));
    });
    controls.append(element('label', {}, `${p.label} (0–${p.size - 1}) `, input));
  });
  return controls;
}

function tileFigures(t: PanelTensor, layout: TensorLayout, picks: readonly number[], planes: readonly Float64Array[], scale: ColorScale, style: HeatmapStyle, viewport: Viewport, panZoom: PanZoom | undefined): HTMLElement[] {
  const tilePx = planes.length > 1 ? TILE_PX.several : TILE_PX.single;
  const where = layout.pickers.filter((p) => p.size > 1).map((p) => `${p.label} ${picks[layout.pickers.indexOf(p)] ?? 0}`);
  const region = viewportRegion(layout.rows, layout.cols, viewport);
  const zoomed = region.rows < layout.rows || region.cols < layout.cols;
  const regionText = zoomed ? `rows ${region.row}–${region.row + region.rows - 1}, cols ${region.col}–${region.col + region.cols - 1} (zoom ${viewport.zoom}×)` : '';
  return planes.map((plane, tile) => {
    const grid = displayGrid(zoomed ? cropPlane(plane, layout.cols, region) : plane, region.rows, region.cols);
    const cellPx = Math.max(1, Math.min(MAX_CELL_PX, Math.floor(tilePx / Math.max(grid.rows, grid.cols))));
    const [low, high] = finiteRange(plane);
    const slice = [...where, ...(layout.tiles && layout.tiles.size > 1 ? [`${layout.tiles.label} ${tile}`] : [])];
    const caption = [slice.length > 0 ? slice.join(', ') : `${layout.rows} × ${layout.cols}`, ...(zoomed ? [regionText] : [])].join('; ');
    const canvas = element('canvas', {
      role: 'img',
      'aria-label': `${t.role} ${shapeText(t.shape)}${slice.length > 0 ? `, ${slice.join(', ')}` : ''}: ${layout.rows} × ${layout.cols} values from ${formatValue(low, TABLE_DIGITS)} to ${formatValue(high, TABLE_DIGITS)}${zoomed ? `; showing ${regionText}` : ''}${grid.block > 1 ? `, shown as ${grid.block} × ${grid.block} block means` : ''}`,
      'data-role': t.role,
      'data-tile': String(tile),
    });
    drawHeatmap(canvas, grid, scale, cellPx, style);
    if (panZoom) trackPanZoom(canvas, layout, region, grid.block / cellPx, panZoom);
    const figure = element('figure', {}, canvas, element('figcaption', {}, caption));
    if (ui.table) figure.append(valueTable(plane, layout.rows, layout.cols, `${t.role} values${slice.length > 0 ? `, ${slice.join(', ')}` : ''}`));
    return figure;
  });
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

/** The view as JSON for the state, when it came whole (small); large ones are not kept. The geometry is computed again on restore. */
function storedView(v: PanelView): StoredView | undefined {
  const tensors: StoredTensor[] = [];
  for (const t of v.tensors) {
    if (!t.values) return undefined;
    tensors.push({ ...t, values: Array.from(t.values) });
  }
  const { op, call, args, originalArgs, spatialDims, formulas } = v;
  return { op, call, args, originalArgs, spatialDims, formulas, tensors };
}

function restoreState(): void {
  const state = vscode.getState();
  if (typeof state !== 'object' || state === null) return;
  const record = state as Record<string, unknown>;
  ui = parseUiState(record['ui']);
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
      if (!sameShapes) ui = { ...ui, picks: {}, step: 0, plane: [0, 0] };
      // A new op is shown in its own views (a view of the op shown before stays selected).
      if (isModelView(ui.tab)) ui = { ...ui, tab: 'tensors' };
      view = message.view;
      parametersError = undefined;
      if (!sameShapes) viewports.clear();
      fetched.clear();
      void render();
      saveState();
      return;
    }
    case 'summary':
      summary = { summary: message.summary, state: initialSummaryState(message.summary) };
      ui = { ...ui, tab: 'summary' };
      void render();
      saveState();
      return;
    case 'sizes':
      sizes = message.sizes;
      ui = { ...ui, tab: 'sizes' };
      void render();
      saveState();
      return;
    case 'summarySizes':
      if (!summary) return;
      summary.sizes = message.sizes;
      sizes = message.sizes;
      void render();
      return;
    case 'selectView':
      ui = { ...ui, tab: message.tab };
      void render();
      saveState();
      return;
    case 'notice':
      notice.textContent = message.text;
      return;
    case 'rerunFailed':
      parametersError = { args: message.args, message: message.message };
      if (ui.tab === 'parameters') void render();
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
