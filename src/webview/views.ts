// The panel's views beyond Tensors: the transposed conv as a scatter and the conv as a sliding
// window (step by step), receptive fields, the kernel as a matrix, the overlap map. Each builds
// its DOM from the view the host posted and the core's pure modules (geometry, receptive fields,
// step plans, kernel matrix), so what it shows is what the kernels compute. Webview only.
import { unevenOverlapDims, type ConvGeometry } from '../core/geometry';
import { kernelMatrix, matTVec, matVec } from '../core/kernelMatrix';
import type { OpArgs } from '../core/vocabulary';
import { coordinatesOf, linkIndex, linksFromInput, linksIntoOutput, overlapCounts, paddedSources, windowInPaddedInput, type LinkIndex } from '../core/receptiveField';
import { kernelPlaneOffset, RunningSum, scatterPlan, slidingWindowPlan, type Step, type StepPlan } from '../core/steps';
import type { Tensor } from '../core/tensor';
import type { FromPanelMessage, PanelTensor, PanelUiState, PanelView, TensorRole } from '../protocol/panel';
import { colorScaleFor, type ColorScale } from './colormap';
import { element, indexPicker, shapeText, valueTable } from './dom';
import { GridFigure } from './grid';
import type { HeatmapStyle } from './heatmap';
import { finiteRange, formatValue } from './layout';

const GRID_PX = 260;
/** Step-by-step speeds, in steps per second. */
const SPEEDS = [0.5, 1, 2, 4, 8, 30];
/** Entries of W the matrix view computes at most (kernelMatrix keeps three arrays of them). */
const MATRIX_MAX_ENTRIES = 1_000_000;
/** W is drawn when neither side has more cells than this. */
const MATRIX_MAX_SIDE = 400;
const TERMS_SHOWN = 12;

/** The whole tensors, for the views that compute with them (batch and channel included). */
export interface ViewValues {
  readonly input: Float64Array;
  readonly weight: Float64Array;
  readonly bias: Float64Array | undefined;
  readonly output: Float64Array;
}

export interface ViewContext {
  readonly view: PanelView;
  /** Undefined when the tensors are too large to bring into the webview whole. */
  readonly values: ViewValues | undefined;
  readonly geometry: ConvGeometry;
  readonly args: OpArgs;
  readonly ui: PanelUiState;
  readonly style: HeatmapStyle;
  setUi(patch: Partial<PanelUiState>): void;
  post(message: FromPanelMessage): void;
  /** Calls `stop` when the view is replaced (timers). */
  onDispose(stop: () => void): void;
}

const product = (sizes: readonly number[]) => sizes.reduce((n, s) => n * s, 1);
const coordText = (index: number, sizes: readonly number[]) => coordinatesOf(index, sizes).join(', ');

function tensorOf(v: PanelView, role: TensorRole): PanelTensor | undefined {
  return v.tensors.find((t) => t.role === role);
}

function needsValues(what: string): HTMLElement {
  return element('p', { class: 'empty' }, `${what} needs every value of the tensors in the panel, and they are too large to bring in whole. Run the operation on a smaller slice.`);
}

/** The colour scale of `values` with 0 inside it, so that steps and sums share one meaning of colour. */
function scaleOf(values: ArrayLike<number>): ColorScale {
  const [low, high] = finiteRange(values instanceof Float64Array ? values : Float64Array.from(values));
  return colorScaleFor(Math.min(low, 0), Math.max(high, 0));
}

function status(text: string): HTMLElement {
  return element('p', { class: 'status', role: 'status', 'aria-live': 'polite' }, text);
}

function figureRow(...figures: HTMLElement[]): HTMLElement {
  return element('div', { class: 'tiles' }, ...figures);
}

function planeOf(values: Float64Array, start: number, length: number): Float64Array {
  return values.subarray(start, start + length);
}

// ---------------------------------------------------------------------------------------------
// Step by step (both definitions share the player)

/** Play / pause / step / scrub / speed over `count` steps; calls `show(done)` with the steps done. */
function player(ctx: ViewContext, count: number, show: (done: number) => void): HTMLElement {
  let done = Math.min(ctx.ui.step, count);
  let speed = 2;
  let timer: ReturnType<typeof setInterval> | undefined;
  const reducedMotion = document.body.classList.contains('vscode-reduce-motion');
  const scrub = element('input', { type: 'range', min: '0', max: String(count), step: '1', value: String(done), 'aria-label': 'Steps done', id: 'step-scrub' });
  const counter = element('span', { class: 'meta', id: 'step-count' }, '');
  const play = element('button', { type: 'button', id: 'step-play', 'aria-pressed': 'false' }, 'Play');
  const button = (id: string, label: string, text: string, action: () => void) => {
    const b = element('button', { type: 'button', class: 'secondary', id, 'aria-label': label }, text);
    b.addEventListener('click', action);
    return b;
  };
  const go = (to: number) => {
    done = Math.min(Math.max(0, to), count);
    scrub.value = String(done);
    counter.textContent = `${done} / ${count}`;
    ctx.setUi({ step: done });
    show(done);
    if (done >= count) stop();
  };
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
  };
  const start = () => {
    if (done >= count) go(0);
    timer = setInterval(() => go(done + 1), 1000 / speed);
    play.textContent = 'Pause';
    play.setAttribute('aria-pressed', 'true');
  };
  play.addEventListener('click', () => (timer === undefined ? start() : stop()));
  if (reducedMotion) {
    // Reduced motion: no animation, the steps stay manual.
    play.setAttribute('disabled', '');
    play.title = 'Animation is off (reduced motion): step with the buttons or the slider';
  }
  scrub.addEventListener('input', () => {
    stop();
    go(Number(scrub.value));
  });
  const speedSelect = element('select', { 'aria-label': 'Speed (steps per second)', id: 'step-speed' },
    ...SPEEDS.map((s) => element('option', { value: String(s), ...(s === speed ? { selected: '' } : {}) }, `${s} / s`)));
  speedSelect.addEventListener('change', () => {
    speed = Number(speedSelect.value);
    if (timer !== undefined) {
      stop();
      start();
    }
  });
  ctx.onDispose(stop);
  const controls = element('div', { class: 'toolbar player', role: 'group', 'aria-label': 'Step controls' },
    button('step-first', 'First step', '|◀', () => { stop(); go(0); }),
    button('step-back', 'Step back', '◀', () => { stop(); go(done - 1); }),
    play,
    button('step-forward', 'Step forward', '▶', () => { stop(); go(done + 1); }),
    button('step-last', 'Last step', '▶|', () => { stop(); go(count); }),
    element('label', {}, 'Step ', scrub), counter,
    element('label', {}, 'Speed ', speedSelect),
  );
  queueMicrotask(() => go(done));
  return controls;
}

/** Batch and output-channel pickers for the plane the steps build. */
function planePickers(ctx: ViewContext, rerender: () => void): HTMLElement {
  const g = ctx.geometry;
  const [batch, channel] = ctx.ui.plane;
  const pickers = element('div', { class: 'pickers' });
  if (g.batch > 1) pickers.append(indexPicker('batch', g.batch, Math.min(batch, g.batch - 1), (b) => { ctx.setUi({ plane: [b, channel], step: 0 }); rerender(); }));
  if (g.outChannels > 1) pickers.append(indexPicker('output channel', g.outChannels, Math.min(channel, g.outChannels - 1), (c) => { ctx.setUi({ plane: [batch, c], step: 0 }); rerender(); }));
  return pickers;
}

function chosenPlane(ctx: ViewContext): [number, number] {
  const g = ctx.geometry;
  return [Math.min(ctx.ui.plane[0], Math.max(0, g.batch - 1)), Math.min(ctx.ui.plane[1], Math.max(0, g.outChannels - 1))];
}

function termsText(step: Step, start: number): string {
  const products = step.terms.slice(0, TERMS_SHOWN).map((t) => `${formatValue(t.inputValue, 4)}·${formatValue(t.weightValue, 4)}`);
  const more = step.terms.length > TERMS_SHOWN ? ` + … (${step.terms.length - TERMS_SHOWN} more)` : '';
  const sum = step.terms.reduce((s, t) => s + t.inputValue * t.weightValue, start);
  return `${start !== 0 ? `${formatValue(start, 4)} (bias) + ` : ''}${products.join(' + ') || '0'}${more} = ${formatValue(sum, 6)}`;
}

export function scatterView(ctx: ViewContext, rerender: () => void): HTMLElement {
  const g = ctx.geometry;
  const values = ctx.values;
  const intro = element('p', {}, 'The transposed convolution as d2l defines it: each input element X[i, j] places K·X[i, j] into its output window (stride apart, cropped by padding, grown by output_padding); the output is the running sum.');
  if (!g.transposed) return element('div', {}, intro, element('p', { class: 'empty' }, `${ctx.view.op} is a convolution: its steps are in "Conv, step by step". Run a transposed convolution (or d2l's trans_conv) to see the scatter.`));
  if (!values) return element('div', {}, intro, needsValues('Stepping through the scatter'));
  const [batch, outChannel] = chosenPlane(ctx);
  const plan = scatterPlan(g, values, batch, outChannel);
  const sum = new RunningSum(plan);
  const inSizes = g.inputSize;
  const kSize = product(g.kernelSize);
  const outSizes = g.outputSize;
  const outputScale = scaleOf(values.output);
  const inputScale = scaleOf(values.input);
  const weightScale = scaleOf(values.weight);
  const inputGrid = new GridFigure({ name: 'scatter-input', label: `input plane: ${shapeText(inSizes)}`, caption: 'input X (the element placed outlined)', sizes: inSizes, scale: inputScale, style: ctx.style, maxPx: GRID_PX }, new Float64Array(product(inSizes)));
  const kernelGrid = new GridFigure({ name: 'scatter-kernel', label: `kernel ${shapeText(g.kernelSize)}`, caption: 'kernel K', sizes: g.kernelSize, scale: weightScale, style: ctx.style, maxPx: GRID_PX * 0.7 }, new Float64Array(kSize));
  const productGrid = new GridFigure({ name: 'scatter-product', label: 'K times the input element', caption: 'K · X[i, j] (what this step adds)', sizes: g.kernelSize, scale: outputScale, style: ctx.style, maxPx: GRID_PX * 0.7 }, new Float64Array(kSize));
  const sumGrid = new GridFigure({ name: 'scatter-sum', label: `running sum of output ${shapeText(outSizes)}`, caption: 'running sum (the window of this step outlined)', sizes: outSizes, scale: outputScale, style: ctx.style, maxPx: GRID_PX }, new Float64Array(product(outSizes)));
  const line = status('');
  const table = element('div', {});
  const show = (done: number) => {
    const current = done > 0 ? plan.step(done - 1) : undefined;
    const c = current?.inChannel ?? plan.inChannels[0] ?? 0;
    const inputPlane = planeOf(values.input, (batch * g.inChannels + c) * product(inSizes), product(inSizes));
    const kernelPlane = planeOf(values.weight, kernelPlaneOffset(g, c, outChannel), kSize);
    const products = new Float64Array(kSize).fill(Number.NaN);
    for (const t of current?.terms ?? []) products[t.kernel] = t.inputValue * t.weightValue;
    const running = sum.after(done);
    inputGrid.update(inputPlane, { primary: current ? [current.element] : [] });
    kernelGrid.update(kernelPlane, { primary: current?.terms.map((t) => t.kernel) ?? [] });
    productGrid.update(products, {});
    sumGrid.update(running, { primary: current?.terms.map((t) => t.output) ?? [] });
    const channelText = plan.inChannels.length > 1 ? `${c}, ` : '';
    line.textContent = current
      ? `Step ${done} of ${plan.stepCount}: X[${channelText}${coordText(current.element, inSizes)}] = ${formatValue(current.terms[0]?.inputValue ?? Number(inputPlane[current.element]), 6)} places K·X into ${current.terms.length} output cell${current.terms.length === 1 ? '' : 's'} (${current.terms.slice(0, 6).map((t) => `(${coordText(t.output, outSizes)})`).join(' ')}${current.terms.length > 6 ? ' …' : ''}).`
      : `Step 0 of ${plan.stepCount}: the running sum starts at ${plan.start !== 0 ? `the bias ${formatValue(plan.start, 6)}` : '0'}.`;
    if (ctx.ui.table) {
      const { rows, cols } = { rows: product(outSizes.slice(0, -1)), cols: outSizes[outSizes.length - 1] ?? 1 };
      table.replaceChildren(valueTable(running, rows, cols, `running sum after ${done} step${done === 1 ? '' : 's'}`, 'running-sum'));
    }
  };
  return element('div', {},
    intro,
    planePickers(ctx, rerender),
    player(ctx, plan.stepCount, show),
    line,
    figureRow(inputGrid.figure, kernelGrid.figure, productGrid.figure, sumGrid.figure),
    table,
  );
}

export function slidingView(ctx: ViewContext, rerender: () => void): HTMLElement {
  const g = ctx.geometry;
  const values = ctx.values;
  const intro = element('p', {}, 'The convolution as a sliding window: each output element is the dot product of the kernel with the window under it, over the padded input (zeros, or the padding mode\'s values) with the kernel\'s taps dilation apart, stride apart from one output to the next.');
  if (g.transposed) return element('div', {}, intro, element('p', { class: 'empty' }, `${ctx.view.op} is a transposed convolution: its steps are in "Transposed conv, step by step".`));
  if (!values) return element('div', {}, intro, needsValues('Stepping through the windows'));
  const [batch, outChannel] = chosenPlane(ctx);
  const plan: StepPlan = slidingWindowPlan(g, values, batch, outChannel);
  const sum = new RunningSum(plan);
  const sources = paddedSources(g);
  const paddedSizes = sources.map((s) => s.length);
  const c = plan.inChannels[0] ?? 0;
  const inputPlane = planeOf(values.input, (batch * g.inChannels + c) * product(g.inputSize), product(g.inputSize));
  const padded = new Float64Array(product(paddedSizes));
  const zeroPadding: number[] = [];
  for (let q = 0; q < padded.length; q++) {
    const at = coordinatesOf(q, paddedSizes);
    const source = at.map((p, d) => sources[d]?.[p] ?? -1);
    const zero = source.some((s) => s < 0);
    if (zero) zeroPadding.push(q);
    // Zero padding is drawn empty (it reads 0); the other modes show the element they read.
    padded[q] = zero ? Number.NaN : (inputPlane[source.reduce((flat, s, d) => flat * (g.inputSize[d] ?? 1) + s, 0)] ?? Number.NaN);
  }
  const inputGrid = new GridFigure({ name: 'sliding-input', label: `padded input ${shapeText(paddedSizes)}`, caption: `padded input${plan.inChannels.length > 1 ? ` (channel ${c} of ${plan.inChannels.length} summed)` : ''}: window in blue${zeroPadding.length > 0 ? ', zero padding in orange' : ''}`, sizes: paddedSizes, scale: scaleOf(values.input), style: ctx.style, maxPx: GRID_PX }, padded);
  const kSize = product(g.kernelSize);
  const kernelGrid = new GridFigure({ name: 'sliding-kernel', label: `kernel ${shapeText(g.kernelSize)}`, caption: 'kernel K', sizes: g.kernelSize, scale: scaleOf(values.weight), style: ctx.style, maxPx: GRID_PX * 0.7 }, planeOf(values.weight, kernelPlaneOffset(g, c, outChannel), kSize));
  const outputGrid = new GridFigure({ name: 'sliding-output', label: `output ${shapeText(g.outputSize)}`, caption: 'output so far (this step outlined)', sizes: g.outputSize, scale: scaleOf(values.output), style: ctx.style, maxPx: GRID_PX }, new Float64Array(product(g.outputSize)));
  const line = status('');
  const table = element('div', {});
  const show = (done: number) => {
    const running = Float64Array.from(sum.after(done), (v, o) => (o < done ? v : Number.NaN));
    const current = done > 0 ? plan.step(done - 1) : undefined;
    inputGrid.update(undefined, { primary: current ? windowInPaddedInput(g, current.element) : [], secondary: zeroPadding });
    kernelGrid.update(undefined, { primary: current ? Array.from({ length: kSize }, (_, k) => k) : [] });
    outputGrid.update(running, { primary: current ? [current.element] : [] });
    line.textContent = current
      ? `Step ${done} of ${plan.stepCount}: Y[${coordText(current.element, g.outputSize)}] = ${termsText(current, plan.start)}`
      : `Step 0 of ${plan.stepCount}: no output element computed yet.`;
    if (ctx.ui.table) {
      table.replaceChildren(valueTable(running, product(g.outputSize.slice(0, -1)), g.outputSize[g.outputSize.length - 1] ?? 1, `output after ${done} step${done === 1 ? '' : 's'}`, 'sliding-output'));
    }
  };
  return element('div', {}, intro, planePickers(ctx, rerender), player(ctx, plan.stepCount, show), line, figureRow(inputGrid.figure, kernelGrid.figure, outputGrid.figure), table);
}

// ---------------------------------------------------------------------------------------------
// Receptive fields

export function fieldsView(ctx: ViewContext): HTMLElement {
  const g = ctx.geometry;
  const index = linkIndex(g);
  const values = ctx.values;
  // Batch 0, channel 0: the links are the same for every channel.
  const plane = (role: 'input' | 'output', sizes: readonly number[]) => {
    const t = values?.[role];
    return t ? planeOf(t, 0, product(sizes)) : new Float64Array(product(sizes)).fill(Number.NaN);
  };
  const inputGrid = new GridFigure({ name: 'fields-input', label: `input ${shapeText(g.inputSize)}: hover or use the arrow keys`, caption: 'input (channel 0)', sizes: g.inputSize, scale: values ? scaleOf(values.input) : colorScaleFor(0, 1), style: ctx.style, maxPx: GRID_PX }, plane('input', g.inputSize));
  const kernelGrid = new GridFigure({ name: 'fields-kernel', label: `kernel ${shapeText(g.kernelSize)}`, caption: 'kernel taps', sizes: g.kernelSize, scale: values ? scaleOf(values.weight) : colorScaleFor(0, 1), style: ctx.style, maxPx: GRID_PX * 0.7 }, values ? planeOf(values.weight, 0, product(g.kernelSize)) : new Float64Array(product(g.kernelSize)).fill(Number.NaN));
  const outputGrid = new GridFigure({ name: 'fields-output', label: `output ${shapeText(g.outputSize)}: hover or use the arrow keys`, caption: 'output (channel 0)', sizes: g.outputSize, scale: values ? scaleOf(values.output) : colorScaleFor(0, 1), style: ctx.style, maxPx: GRID_PX }, plane('output', g.outputSize));
  const line = status('Hover an output cell to see the input cells and kernel taps that feed it, or an input cell to see the output cells it reaches (or focus a grid and use the arrow keys).');
  const clear = () => {
    inputGrid.update(undefined, {});
    kernelGrid.update(undefined, {});
    outputGrid.update(undefined, {});
  };
  outputGrid.track((o) => {
    clear();
    if (o === undefined) return;
    const links = linksIntoOutput(index, o);
    inputGrid.update(undefined, { primary: links.map((l) => l.input) });
    kernelGrid.update(undefined, { primary: links.map((l) => l.kernel) });
    outputGrid.update(undefined, { primary: [o] });
    line.textContent = `Output (${coordText(o, g.outputSize)}) reads ${links.length} input cell${links.length === 1 ? '' : 's'}: ${links.map((l) => `(${coordText(l.input, g.inputSize)}) × tap (${coordText(l.kernel, g.kernelSize)})`).join(', ') || 'none (only padding)'}${g.inChannels / g.groups > 1 ? `, in each of the ${g.inChannels / g.groups} input channels of its group` : ''}.`;
  });
  inputGrid.track((i) => {
    clear();
    if (i === undefined) return;
    const links = linksFromInput(index, i);
    outputGrid.update(undefined, { primary: links.map((l) => l.output) });
    kernelGrid.update(undefined, { primary: links.map((l) => l.kernel) });
    inputGrid.update(undefined, { primary: [i] });
    line.textContent = `Input (${coordText(i, g.inputSize)}) reaches ${links.length} output cell${links.length === 1 ? '' : 's'}: ${links.map((l) => `(${coordText(l.output, g.outputSize)}) through tap (${coordText(l.kernel, g.kernelSize)})`).join(', ') || 'none'}.`;
  });
  return element('div', {}, element('p', {}, `Which cells feed which, for ${ctx.view.call}: stride ${g.stride.join('×')}, padding ${g.padBefore.join('×')}, dilation ${g.dilation.join('×')}${g.transposed ? `, output_padding ${g.outputPadding.join('×')}` : ''}.`), line, figureRow(inputGrid.figure, kernelGrid.figure, outputGrid.figure));
}

// ---------------------------------------------------------------------------------------------
// Overlap map

export function overlapView(ctx: ViewContext): HTMLElement {
  const g = ctx.geometry;
  const index: LinkIndex = linkIndex(g);
  // For a conv, the windows over each input element: the taps per output pixel of the transposed conv with the same kernel and stride.
  const counts = g.transposed ? overlapCounts(index) : Int32Array.from(index.byInput, (links) => links.length);
  const sizes = g.transposed ? g.outputSize : g.inputSize;
  const [low, high] = finiteRange(Float64Array.from(counts));
  const grid = new GridFigure({ name: 'overlap', label: `kernel taps per ${g.transposed ? 'output' : 'input'} pixel, from ${low} to ${high}`, caption: g.transposed ? 'taps per output pixel' : 'windows per input pixel', sizes, scale: colorScaleFor(low, high), style: ctx.style, maxPx: GRID_PX * 1.5 }, Float64Array.from(counts));
  const uneven = unevenOverlapDims(g.kernelSize, g.stride, g.dilation);
  const names = g.spatialDims === 1 ? ['L'] : g.spatialDims === 2 ? ['H', 'W'] : ['D', 'H', 'W'];
  const note = uneven.length > 0
    ? `${uneven.map((d) => (g.kernelSize[d] ?? 0) % (g.stride[d] ?? 1) !== 0 ? `kernel_size % stride != 0 along ${names[d]} (${g.kernelSize[d]} % ${g.stride[d]} = ${(g.kernelSize[d] ?? 0) % (g.stride[d] ?? 1)})` : `dilation ${g.dilation[d]} and stride ${g.stride[d]} share a factor along ${names[d]}`).join('; ')}: neighbouring output pixels get different numbers of taps, the uneven overlap behind checkerboard artifacts.`
    : `kernel_size % stride == 0 and dilation coprime with stride along every dim: away from the edges every output pixel gets the same number of taps.`;
  return element('div', {},
    element('p', {}, g.transposed
      ? `How many kernel taps land on each output pixel of ${ctx.view.call} (one input channel), for kernel ${g.kernelSize.join('×')} and stride ${g.stride.join('×')}.`
      : `How many windows of ${ctx.view.call} read each input pixel: the taps per output pixel of the transposed convolution with the same kernel ${g.kernelSize.join('×')} and stride ${g.stride.join('×')}.`),
    element('p', { class: uneven.length > 0 ? 'note warn' : 'note', id: 'overlap-note' }, note),
    figureRow(grid.figure),
    ...(ctx.ui.table ? [valueTable(counts, product(sizes.slice(0, -1)), sizes[sizes.length - 1] ?? 1, g.transposed ? 'taps per output pixel' : 'windows per input pixel', 'overlap')] : []),
  );
}

// ---------------------------------------------------------------------------------------------
// Kernel as a matrix

export function matrixView(ctx: ViewContext): HTMLElement {
  const g = ctx.geometry;
  const values = ctx.values;
  const weightTensor = tensorOf(ctx.view, 'weight');
  if (!weightTensor) return element('p', { class: 'empty' }, 'There is no weight to show.');
  // W is the conv's: for a transposed conv, the conv from its output size back to its input size.
  const convSideSize = g.transposed ? g.outputSize : g.inputSize;
  const otherSideSize = g.transposed ? g.inputSize : g.outputSize;
  const convChannels = g.transposed ? g.outChannels : g.inChannels;
  const entries = product(otherSideSize) * (g.transposed ? g.inChannels : g.outChannels) * (convChannels / g.groups) * product(g.kernelSize);
  const intro = element('p', {}, g.transposed
    ? 'A convolution is a matrix product vec(Y) = W·vec(X); the transposed convolution multiplies by Wᵀ instead. Below, W of the convolution with the same kernel, stride, padding, dilation and groups, and Wᵀ·vec(X) next to the output.'
    : 'A convolution is a matrix product: vec(Y) = W·vec(X) (+ bias), one row of W per output element, one column per input element; most entries are 0.');
  if (entries > MATRIX_MAX_ENTRIES) return element('div', {}, intro, element('p', { class: 'empty' }, `W has about ${entries.toLocaleString('en')} non-zero entries: too many to show here.`));
  if (g.paddingMode !== 'zeros' && g.transposed) return element('div', {}, intro, element('p', { class: 'empty' }, 'A transposed convolution has zeros padding only.'));
  const weight: Tensor = {
    shape: g.hasChannels ? weightTensor.shape : [1, 1, ...weightTensor.shape],
    dtype: 'float64',
    data: values?.weight ?? new Float64Array(product(weightTensor.shape)).fill(1),
  };
  const args: OpArgs = g.transposed
    ? { stride: [...g.stride], padding: [...g.padBefore], dilation: [...g.dilation], groups: g.groups }
    : ctx.args;
  const W = kernelMatrix(weight, convSideSize, args);
  if (g.transposed && W.rows !== g.inChannels * product(g.inputSize)) {
    return element('div', {}, intro, element('p', { class: 'empty' }, `With output_padding ${g.outputPadding.join('×')} (not below the stride) the convolution of the output size gives ${shapeText(W.rowShape)}, not the input's size: Wᵀ does not map onto this transposed convolution.`));
  }
  const dense = new Float64Array(W.rows * W.cols).fill(Number.NaN);
  for (let e = 0; e < W.value.length; e++) {
    const at = (W.row[e] as number) * W.cols + (W.col[e] as number);
    dense[at] = (Number.isNaN(dense[at] ?? Number.NaN) ? 0 : (dense[at] as number)) + (W.value[e] as number);
  }
  const figures: HTMLElement[] = [];
  const line = status(`W is ${W.rows} × ${W.cols} with ${W.value.length} non-zero entries (${((100 * W.value.length) / Math.max(1, W.rows * W.cols)).toFixed(1)}% of its cells)${g.transposed ? '; the transposed convolution uses Wᵀ, ' + `${W.cols} × ${W.rows}` : ''}. Hover a row of W (or focus it and use the arrow keys).`);
  const rowShape = W.rowShape;
  const colShape = W.colShape;
  let matrixGrid: GridFigure | undefined;
  if (W.rows <= MATRIX_MAX_SIDE && W.cols <= MATRIX_MAX_SIDE) {
    matrixGrid = new GridFigure({ name: 'matrix', label: `W, ${W.rows} rows by ${W.cols} columns, empty cells are 0`, caption: `W (${W.rows} × ${W.cols}), empty cells are 0`, sizes: [W.rows, W.cols], scale: scaleOf(W.value), style: ctx.style, maxPx: GRID_PX * 1.5 }, dense);
    figures.push(matrixGrid.figure);
  }
  // Batch element 0 of the tensors the rows and columns stand for (blank when the values stayed in the host).
  const sideValues = (t: Float64Array | undefined, length: number) => (t ? t.subarray(0, length) : new Float64Array(length).fill(Number.NaN));
  const rowValues = sideValues(g.transposed ? values?.input : values?.output, W.rows);
  const colValues = sideValues(g.transposed ? values?.output : values?.input, W.cols);
  const rowsGrid = new GridFigure({ name: 'matrix-rows', label: `the elements W's rows stand for, ${shapeText(rowShape)}`, caption: `rows: ${g.transposed ? 'input X' : 'output Y'} ${shapeText(rowShape)} (channels stacked)`, sizes: rowShape, scale: scaleOf(rowValues), style: ctx.style, maxPx: GRID_PX * 0.8 }, rowValues);
  const colsGrid = new GridFigure({ name: 'matrix-cols', label: `the elements W's columns stand for, ${shapeText(colShape)}`, caption: `columns: ${g.transposed ? 'output Y' : 'input X'} ${shapeText(colShape)} (channels stacked)`, sizes: colShape, scale: scaleOf(colValues), style: ctx.style, maxPx: GRID_PX * 0.8 }, colValues);
  figures.push(rowsGrid.figure, colsGrid.figure);
  const rowStart = new Int32Array(W.rows + 1);
  for (let e = 0; e < W.row.length; e++) rowStart[(W.row[e] as number) + 1] = e + 1;
  for (let r = 1; r <= W.rows; r++) rowStart[r] = Math.max(rowStart[r] ?? 0, rowStart[r - 1] ?? 0);
  const showRow = (r: number | undefined) => {
    if (r === undefined) {
      rowsGrid.update(undefined, {});
      colsGrid.update(undefined, {});
      matrixGrid?.update(undefined, {});
      return;
    }
    const cols: number[] = [];
    for (let e = rowStart[r] ?? 0; e < (rowStart[r + 1] ?? 0); e++) cols.push(W.col[e] as number);
    rowsGrid.update(undefined, { primary: [r] });
    colsGrid.update(undefined, { primary: cols });
    matrixGrid?.update(undefined, { primary: cols.map((c) => r * W.cols + c) });
    line.textContent = `Row ${r} of W: ${g.transposed ? 'input' : 'output'} element (${coordText(r, rowShape)}) = Σ of ${cols.length} ${g.transposed ? 'output' : 'input'} element${cols.length === 1 ? '' : 's'} × kernel taps (${cols.map((c) => `(${coordText(c, colShape)})`).slice(0, 9).join(' ')}${cols.length > 9 ? ' …' : ''}).`;
  };
  matrixGrid?.track((cell) => showRow(cell === undefined ? undefined : Math.floor(cell / W.cols)));
  rowsGrid.track(showRow);
  return element('div', {}, intro, line, figureRow(...figures), identityCheck(ctx, W, values));
}

/** W·vec(X) (+ bias) next to the conv's output, or Wᵀ·vec(X) next to the transposed conv's, for batch 0. */
function identityCheck(ctx: ViewContext, W: ReturnType<typeof kernelMatrix>, values: ViewValues | undefined): HTMLElement {
  if (!values) return needsValues('Checking W against the output');
  const g = ctx.geometry;
  const inLength = g.inChannels * product(g.inputSize);
  const outLength = g.outChannels * product(g.outputSize);
  const x = values.input.subarray(0, inLength);
  const product_ = g.transposed ? matTVec(W, x) : matVec(W, x);
  const perChannel = product(g.outputSize);
  const withBias = Float64Array.from(product_, (v, i) => v + (values.bias?.[Math.floor(i / perChannel)] ?? 0));
  const output = values.output.subarray(0, outLength);
  let worst = 0;
  let scale = 1;
  output.forEach((y, i) => {
    worst = Math.max(worst, Math.abs(y - (withBias[i] ?? 0)));
    scale = Math.max(scale, Math.abs(y));
  });
  // float32 outputs carry float32 rounding; the check compares to PyTorch's tolerance for them.
  const equal = worst / scale <= (tensorOf(ctx.view, 'output')?.dtype === 'float64' ? 1e-12 : 1e-5);
  const name = g.transposed ? 'Wᵀ·vec(X)' : `W·vec(X)${values.bias ? ' + bias' : ''}`;
  const vector = (v: ArrayLike<number>) => `[${Array.from({ length: Math.min(v.length, 16) }, (_, i) => formatValue(v[i] ?? Number.NaN, 4)).join(', ')}${v.length > 16 ? ', …' : ''}]`;
  return element('div', { class: 'identity', id: 'matrix-identity', 'data-equal': String(equal) },
    element('p', {}, element('code', {}, `${name} = ${vector(withBias)}`)),
    element('p', {}, element('code', {}, `${g.transposed ? 'conv_transpose' : 'conv'}(X) = ${vector(output)}`)),
    element('p', { class: equal ? 'note' : 'note warn' }, equal
      ? `Equal (largest difference ${formatValue(worst, 3)}): ${name} is the ${g.transposed ? 'transposed convolution' : 'convolution'} of batch element 0.`
      : `Not equal: the largest difference is ${formatValue(worst, 6)}.`),
  );
}
