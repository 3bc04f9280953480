// Every message between the extension host and the Conv Lab panel's webview, and the state the
// webview keeps across reloads. Messages are one-way notifications (nothing waits for a reply),
// so they travel as plain discriminated unions rather than through RpcEndpoint. Anything that
// comes from the webview (messages, restored state) is checked here before the host uses it.
import { OP_NAMES, type OpName } from '../core/ops';
import type { DType } from '../core/tensor';

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
  /** The call as Python would spell it, e.g. `F.conv_transpose2d(input, weight, stride=2)`. */
  readonly call: string;
  /** 1, 2 or 3: the trailing dims of every tensor that are spatial. */
  readonly spatialDims: number;
  /** One per spatial dim, numbers substituted (geometry.ts's `geometryFormulas`). */
  readonly formulas: readonly string[];
  readonly tensors: readonly PanelTensor<Values>[];
}

/** A view as `setState` keeps it: JSON, so values are plain arrays, and only whole (small) views. */
export type StoredTensor = PanelTensor<number[]> & { readonly values: number[] };
export type StoredView = Omit<PanelView, 'tensors'> & { readonly tensors: readonly StoredTensor[] };

export type ToPanelMessage =
  | { readonly type: 'show'; readonly view: PanelView }
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
  /** How long the last view took from receipt to drawn (measurements and tests). */
  | { readonly type: 'rendered'; readonly elements: number; readonly ms: number };

/** The webview's persisted state; `view` is absent when the tensors were too large to keep. */
export interface PanelState {
  readonly view?: StoredView;
  /** The call of a view too large to keep, so a restored panel can say what to run again. */
  readonly droppedCall?: string;
  readonly ui: PanelUiState;
}

/** Which slice of each tensor is shown, and whether as numbers. */
export interface PanelUiState {
  readonly table: boolean;
  /** Picker positions per tensor role, e.g. `{ output: [0, 3] }` (batch 0, channel 3). */
  readonly picks: Partial<Record<TensorRole, readonly number[]>>;
}

type Json = Record<string, unknown>;

function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isOneOf<T extends string>(values: readonly T[], x: unknown): x is T {
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
    case 'rendered':
      return isCount(x['elements']) && typeof x['ms'] === 'number' && Number.isFinite(x['ms']) && x['ms'] >= 0
        ? { type: 'rendered', elements: x['elements'], ms: x['ms'] }
        : undefined;
    default:
      return undefined;
  }
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

/** A view restored from the webview's state, or undefined if it is malformed. */
export function parseStoredView(x: unknown): StoredView | undefined {
  if (!isRecord(x)) return undefined;
  const { op, call, spatialDims, formulas, tensors } = x;
  if (!isOneOf(OP_NAMES, op) || typeof call !== 'string' || !(spatialDims === 1 || spatialDims === 2 || spatialDims === 3)) return undefined;
  if (!Array.isArray(formulas) || !formulas.every((f) => typeof f === 'string')) return undefined;
  if (!Array.isArray(tensors) || tensors.length > TENSOR_ROLES.length) return undefined;
  const parsed = tensors.map(parseStoredTensor);
  if (!parsed.every((t) => t !== undefined) || !parsed.some((t) => t.role === 'output')) return undefined;
  if (parsed.reduce((n, t) => n + t.values.length, 0) > INLINE_MAX_ELEMENTS) return undefined;
  return { op, call, spatialDims, formulas, tensors: parsed };
}
