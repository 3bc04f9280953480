// Every message between the extension host and the Conv Lab panel's webview, and the state the
// webview keeps across reloads. Messages are one-way notifications (nothing waits for a reply),
// so they travel as plain discriminated unions rather than through RpcEndpoint. Arguments travel
// as structured OpArgs both ways: nothing is spelled as Python for the other side to parse back.
// Anything that comes from the webview (messages, restored state) is checked here before the
// host uses it.
import { convGeometry, type ConvGeometry } from '../core/geometry';
import type { WireInputSizes, WireSummary } from './analysis';
import { ARG_KEYWORDS, OP_NAMES, PADDING_MODES, type DType, type OpArgName, type OpArgs, type OpName } from '../core/vocabulary';

export const PANEL_VIEW_TYPE = 'convLab.panel';

export const TENSOR_ROLES = ['input', 'weight', 'bias', 'output'] as const;
export type TensorRole = (typeof TENSOR_ROLES)[number];

export const COPY_FORMATS = ['pytorch', 'numpy'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'bool'];

/** Views with at most this many elements travel whole, and are kept in the webview's state. */
export const INLINE_MAX_ELEMENTS = 100_000;
/** The most values one `values` request may ask for (16 tiles of a 1024 × 1024 plane). */
export const REQUEST_MAX_ELEMENTS = 16 * 1024 * 1024;

/**
 * One tensor as the panel draws it. `values` (widened to float64: display only, copies use the
 * host's tensor) come with the view when it is small; otherwise the webview asks for the planes
 * it shows. `min`/`max` are over the finite values of the whole tensor (0, 0 if none).
 */
export interface PanelTensor<Values = Float64Array> {
  readonly role: TensorRole;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly min: number;
  readonly max: number;
  readonly values?: Values;
}

/** What the Tensors view shows: one op, its tensors, and its output-size formulas. */
export interface PanelView<Values = Float64Array> {
  readonly op: OpName;
  /** The call as Python would spell it, e.g. `F.conv_transpose2d(input, weight, stride=2)` (display only). */
  readonly call: string;
  readonly args: OpArgs;
  /** The arguments of the run the user started (the Parameters view's reset). */
  readonly originalArgs: OpArgs;
  /** 1, 2 or 3: the trailing dims of every tensor that are spatial. */
  readonly spatialDims: number;
  /** One per spatial dim, numbers substituted (geometry.ts's `geometryFormulas`). */
  readonly formulas: readonly string[];
  /** The op's geometry, from its plan: the views draw from it. */
  readonly geometry: ConvGeometry;
  readonly tensors: readonly PanelTensor<Values>[];
}

/**
 * A view as `setState` keeps it: JSON, so values are plain arrays, and only whole (small) views;
 * without its geometry, which a restore computes again from the checked shapes and arguments.
 */
export type StoredTensor = PanelTensor<number[]> & { readonly values: number[] };
export type StoredView = Omit<PanelView, 'tensors' | 'geometry'> & { readonly tensors: readonly StoredTensor[] };
export type RestoredView = StoredView & { readonly geometry: ConvGeometry };

/** The views of the op the panel shows. */
export const OP_VIEW_NAMES = ['tensors', 'scatter', 'sliding', 'fields', 'matrix', 'overlap', 'parameters'] as const;
export type OpViewName = (typeof OP_VIEW_NAMES)[number];
/** Every view: the op's, the model summary's, and the model's input sizes. */
export const VIEW_NAMES = [...OP_VIEW_NAMES, 'summary', 'sizes'] as const;
/** The views of a model rather than of an op. */
export const MODEL_VIEW_NAMES = ['summary', 'sizes'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** The most values an argument tuple from the webview may hold (PyTorch names a wrong count in its message). */
export const ARG_TUPLE_MAX_LENGTH = 8;
/** The largest kernel size per dim the Parameters view may ask for. */
export const KERNEL_SIZE_MAX = 64;
/** The longest error text a render report may carry. */
export const ALERT_TEXT_MAX_LENGTH = 400;
/** The largest PNG (as a data: URL) the webview may ask the host to save. */
export const PNG_DATA_URL_MAX_LENGTH = 32 * 1024 * 1024;
const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

/** What the Summary view's buttons ask the host: the Markdown on the clipboard, the CSV saved to a file. */
export const SUMMARY_EXPORTS = ['copyMarkdown', 'saveCsv'] as const;
export type SummaryExport = (typeof SUMMARY_EXPORTS)[number];

export type ToPanelMessage =
  | { readonly type: 'show'; readonly view: PanelView }
  /** A model summary for the Summary view (which it selects). */
  | { readonly type: 'summary'; readonly summary: WireSummary }
  /** A model's input sizes for the Input sizes view (which it selects). */
  | { readonly type: 'sizes'; readonly sizes: WireInputSizes }
  /** The input sizes of the shown summary's model: a section of the Summary view, and the Input sizes view's data (not selected). */
  | { readonly type: 'summarySizes'; readonly sizes: WireInputSizes }
  /** Switch to a view (e.g. "Show Kernel as Matrix" opens the matrix). */
  | { readonly type: 'selectView'; readonly tab: ViewName }
  /** The Parameters view's run failed: PyTorch's message (or the size limit's), and the arguments tried. */
  | { readonly type: 'rerunFailed'; readonly args: OpArgs; readonly message: string }
  /** A one-line outcome (e.g. of a copy), read out by screen readers. */
  | { readonly type: 'notice'; readonly text: string }
  /** The answer to the webview's `values` request `id`: the ranges' values one after another. */
  | { readonly type: 'values'; readonly id: number; readonly data: Float64Array }
  | { readonly type: 'valuesFailed'; readonly id: number; readonly message: string };

export type FromPanelMessage =
  /** The script has loaded and listens: the host may post the view. */
  | { readonly type: 'ready' }
  | { readonly type: 'copy'; readonly role: TensorRole; readonly format: CopyFormat }
  /** `length` values from each of `starts` (row-major offsets) of the shown tensor `role`. */
  | { readonly type: 'values'; readonly id: number; readonly role: TensorRole; readonly starts: readonly number[]; readonly length: number }
  /**
   * Run the op again with these arguments and, when given, a kernel of this spatial size (the
   * weight cropped, or grown with taps of 1). A newer rerun cancels an older one still running.
   */
  | { readonly type: 'rerun'; readonly args: OpArgs; readonly kernelSize?: readonly number[] }
  /** Back to the arguments and kernel of the run the user started. */
  | { readonly type: 'resetParameters' }
  /** Reveal in the editor the source line of the shown summary's row `row`. */
  | { readonly type: 'revealSummaryRow'; readonly row: number }
  | { readonly type: 'summaryExport'; readonly action: SummaryExport }
  /** Save view `view` drawn as a PNG (`canvas.toDataURL()`). */
  | { readonly type: 'savePng'; readonly view: ViewName; readonly dataUrl: string }
  /** How long the last view took from receipt to drawn (measurements and tests). */
  /** `alert`: the text of an error the view shows instead of its picture, if any. */
  | { readonly type: 'rendered'; readonly elements: number; readonly ms: number; readonly tab?: ViewName; readonly alert?: string };

/** The webview's persisted state; `view` is absent when the tensors were too large to keep. */
export interface PanelState {
  readonly view?: StoredView;
  /** The call of a view too large to keep, so a restored panel can say what to run again. */
  readonly droppedCall?: string;
  readonly ui: PanelUiState;
}

/** Which view and which slice of each tensor is shown, and whether as numbers. */
export interface PanelUiState {
  readonly tab: ViewName;
  readonly table: boolean;
  /** Steps done in the step-by-step views, and the (batch, output channel) plane they build. */
  readonly step: number;
  readonly plane: readonly [number, number];
  /** Picker positions per tensor role, e.g. `{ output: [0, 3] }` (batch 0, channel 3). */
  readonly picks: Partial<Record<TensorRole, readonly number[]>>;
}

type Json = Record<string, unknown>;

function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Whether `x` (from the webview, or a command link's arguments) is one of `values`. */
export function isOneOf<T extends string>(values: readonly T[], x: unknown): x is T {
  return typeof x === 'string' && (values as readonly string[]).includes(x);
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/** A message from the webview, or undefined if it is not one the protocol declares. */
export function parseFromPanelMessage(x: unknown): FromPanelMessage | undefined {
  if (!isRecord(x)) return undefined;
  switch (x['type']) {
    case 'ready':
      return { type: 'ready' };
    case 'copy':
      return isOneOf(TENSOR_ROLES, x['role']) && isOneOf(COPY_FORMATS, x['format'])
        ? { type: 'copy', role: x['role'], format: x['format'] }
        : undefined;
    case 'values': {
      const { id, role, starts, length } = x;
      return isCount(id) && isOneOf(TENSOR_ROLES, role) && isCount(length) && Array.isArray(starts) && starts.every(isCount)
        && starts.length * length <= REQUEST_MAX_ELEMENTS
        ? { type: 'values', id, role, starts, length }
        : undefined;
    }
    case 'rerun': {
      const { kernelSize } = x;
      const args = parseOpArgsValue(x['args']);
      if (args === undefined) return undefined;
      if (kernelSize === undefined) return { type: 'rerun', args };
      return Array.isArray(kernelSize) && kernelSize.length >= 1 && kernelSize.length <= 3 && kernelSize.every((k) => isCount(k) && k >= 1 && k <= KERNEL_SIZE_MAX)
        ? { type: 'rerun', args, kernelSize }
        : undefined;
    }
    case 'resetParameters':
      return { type: 'resetParameters' };
    case 'revealSummaryRow':
      return isCount(x['row']) ? { type: 'revealSummaryRow', row: x['row'] } : undefined;
    case 'summaryExport':
      return isOneOf(SUMMARY_EXPORTS, x['action']) ? { type: 'summaryExport', action: x['action'] } : undefined;
    case 'savePng': {
      const { view, dataUrl } = x;
      return isOneOf(VIEW_NAMES, view) && isPngDataUrl(dataUrl) ? { type: 'savePng', view, dataUrl } : undefined;
    }
    case 'rendered': {
      const tab = x['tab'];
      if (!isCount(x['elements']) || typeof x['ms'] !== 'number' || !Number.isFinite(x['ms']) || x['ms'] < 0) return undefined;
      if (tab !== undefined && !isOneOf(VIEW_NAMES, tab)) return undefined;
      const alert = x['alert'];
      if (alert !== undefined && (typeof alert !== 'string' || alert.length > ALERT_TEXT_MAX_LENGTH)) return undefined;
      return { type: 'rendered', elements: x['elements'], ms: x['ms'], ...(tab === undefined ? {} : { tab }), ...(alert === undefined ? {} : { alert }) };
    }
    default:
      return undefined;
  }
}

function isPngDataUrl(x: unknown): x is string {
  return typeof x === 'string' && x.length <= PNG_DATA_URL_MAX_LENGTH && x.startsWith(PNG_DATA_URL_PREFIX)
    && /^[A-Za-z0-9+/]+={0,2}$/.test(x.slice(PNG_DATA_URL_PREFIX.length));
}

/** The PNG file a `savePng` data URL holds; throws unless it starts with PNG's signature. */
export function pngBytesOf(dataUrl: string): Uint8Array {
  const bytes = Uint8Array.from(atob(dataUrl.slice(PNG_DATA_URL_PREFIX.length)), (c) => c.charCodeAt(0));
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error('the panel sent an image that is not a PNG');
  return bytes;
}

/** A number an argument may be: finite, and exact as an integer would be (PyTorch's own checks follow). */
function isArgNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER;
}

function isArgTuple(x: unknown): x is number[] {
  return Array.isArray(x) && x.length >= 1 && x.length <= ARG_TUPLE_MAX_LENGTH && x.every(isArgNumber);
}

/** What each argument may hold, as the webview sends it. */
const ARG_CHECKS: Readonly<Record<OpArgName, (x: unknown) => boolean>> = {
  stride: (x) => isArgNumber(x) || isArgTuple(x),
  padding: (x) => isArgNumber(x) || isArgTuple(x) || x === 'same' || x === 'valid',
  dilation: (x) => isArgNumber(x) || isArgTuple(x),
  groups: isArgNumber,
  outputPadding: (x) => isArgNumber(x) || isArgTuple(x),
  paddingMode: (x) => isOneOf(PADDING_MODES, x),
  outputSize: isArgTuple,
};

/**
 * Op arguments from the webview: a record of OpArgs' own fields only, each of its type (a copy,
 * so nothing else it carried reaches the host); undefined for anything else.
 */
export function parseOpArgsValue(x: unknown): OpArgs | undefined {
  if (!isRecord(x)) return undefined;
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(x)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(ARG_KEYWORDS, key) || !ARG_CHECKS[key as OpArgName](value)) return undefined;
    args[key] = Array.isArray(value) ? [...value] : value;
  }
  return args as OpArgs;
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function parseStoredTensor(x: unknown): StoredTensor | undefined {
  if (!isRecord(x)) return undefined;
  const { role, shape, dtype, min, max, values } = x;
  if (!isOneOf(TENSOR_ROLES, role) || !isOneOf(DTYPES, dtype) || !isFiniteNumber(min) || !isFiniteNumber(max)) return undefined;
  if (!Array.isArray(shape) || shape.length > 5 || !shape.every(isCount)) return undefined;
  const count = shape.reduce((n: number, s: number) => n * s, 1);
  if (!Array.isArray(values) || values.length !== count || !values.every((v) => typeof v === 'number')) return undefined;
  return { role, shape, dtype, min, max, values };
}

/**
 * A view restored from the webview's state, or undefined if it is malformed: its geometry is
 * computed again from its shapes and arguments, and must be valid and match its spatial dims.
 */
export function parseStoredView(x: unknown): RestoredView | undefined {
  if (!isRecord(x)) return undefined;
  const { op, call, spatialDims, formulas, tensors } = x;
  if (!isOneOf(OP_NAMES, op) || typeof call !== 'string' || !(spatialDims === 1 || spatialDims === 2 || spatialDims === 3)) return undefined;
  const args = parseOpArgsValue(x['args']);
  const originalArgs = parseOpArgsValue(x['originalArgs']);
  if (args === undefined || originalArgs === undefined) return undefined;
  if (!Array.isArray(formulas) || !formulas.every((f) => typeof f === 'string')) return undefined;
  if (!Array.isArray(tensors) || tensors.length > TENSOR_ROLES.length) return undefined;
  const parsed = tensors.map(parseStoredTensor);
  if (!parsed.every((t) => t !== undefined) || !parsed.some((t) => t.role === 'output')) return undefined;
  if (parsed.reduce((n, t) => n + t.values.length, 0) > INLINE_MAX_ELEMENTS) return undefined;
  const spec = (role: TensorRole) => {
    const t = parsed.find((p) => p.role === role);
    return t && { shape: t.shape, dtype: t.dtype };
  };
  const input = spec('input');
  const weight = spec('weight');
  if (input === undefined || weight === undefined) return undefined;
  let geometry: ConvGeometry;
  try {
    geometry = convGeometry({ op, input, weight, bias: spec('bias'), args });
  } catch {
    return undefined;
  }
  const output = spec('output');
  if (geometry.spatialDims !== spatialDims || output?.shape.join() !== geometry.outputShape.join()) return undefined;
  return { op, call, args, originalArgs, spatialDims, formulas, geometry, tensors: parsed };
}

export const DEFAULT_UI_STATE: PanelUiState = { tab: 'tensors', table: false, step: 0, plane: [0, 0], picks: {} };

/** The webview's UI state as restored (JSON written by an older or newer script): well-formed parts kept, the rest defaulted. */
export function parseUiState(x: unknown): PanelUiState {
  if (!isRecord(x)) return DEFAULT_UI_STATE;
  const { tab, table, step, plane, picks } = x;
  const keptPicks: Partial<Record<TensorRole, readonly number[]>> = {};
  if (isRecord(picks)) {
    for (const role of TENSOR_ROLES) {
      const value = picks[role];
      if (Array.isArray(value) && value.every(isCount)) keptPicks[role] = value;
    }
  }
  return {
    tab: isOneOf(VIEW_NAMES, tab) ? tab : DEFAULT_UI_STATE.tab,
    table: table === true,
    step: isCount(step) ? step : 0,
    plane: Array.isArray(plane) && plane.length === 2 && plane.every(isCount) ? [plane[0] as number, plane[1] as number] : DEFAULT_UI_STATE.plane,
    picks: keptPicks,
  };
}
