// Messages between the extension host and the shape-analysis worker (dist/analysis.js). The
// host owns the documents; the worker keeps one parsed program per key (a .py file or a
// notebook's code cells joined), re-parses it incrementally from the host's edits (or, for a
// text sent whole, from its difference with the last one), analyses each version once, building
// on the last analysis, and answers in program offsets, which the host maps back to editors.
import type { OpArgs, OpName } from '../core/vocabulary';
import type { Span, TextEdit } from '../python/parse';
import type { Hover, InlayHint, InlayHintsMode, QuickFix } from '../python/shapes/editor';
import type { RpcEndpoint } from './rpc';

export interface SyncMessage {
  readonly type: 'sync';
  readonly key: string;
  readonly version: number;
  readonly text: string;
  /** Edits since `baseVersion`, in order (each in the text left by the previous), applied when the worker has that version. */
  readonly baseVersion?: number;
  readonly edits?: readonly TextEdit[];
}

export interface CloseMessage {
  readonly type: 'close';
  readonly key: string;
}

/** Every query names the version it was asked about; the worker answers for that text. */
interface Query {
  readonly key: string;
  readonly version: number;
}

export interface DiagnosticsQuery extends Query {
  readonly type: 'diagnostics';
}

export interface InlayHintsQuery extends Query {
  readonly type: 'inlayHints';
  readonly mode: InlayHintsMode;
  readonly range?: Span;
}

export interface HoverQuery extends Query {
  readonly type: 'hover';
  readonly offset: number;
}

export interface CodeActionsQuery extends Query {
  readonly type: 'codeActions';
  /** The diagnostic to fix, as the worker reported it. */
  readonly diagnostic: { readonly from: number; readonly to: number; readonly code: string; readonly message: string };
}

/** The op a layer constructed at `offset` runs for the first input it was called with. */
export interface LayerOpQuery extends Query {
  readonly type: 'layerOp';
  readonly offset: number;
}

export interface BindingsQuery extends Query {
  readonly type: 'bindings';
}

export type ToAnalysisMessage = SyncMessage | CloseMessage | DiagnosticsQuery | InlayHintsQuery | HoverQuery | CodeActionsQuery | LayerOpQuery | BindingsQuery;

export interface WireDiagnostic {
  readonly from: number;
  readonly to: number;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
  readonly kind: string;
  readonly related?: Span | undefined;
}

export interface LayerOp {
  readonly op: OpName;
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
  readonly args: OpArgs;
  /** The layer's name and where it was built, for the log. */
  readonly layer: string;
  readonly line: number;
}

export type FromAnalysisMessage =
  | { readonly type: 'synced'; readonly key: string; readonly version: number; readonly incremental: boolean }
  | { readonly type: 'diagnostics'; readonly diagnostics: readonly WireDiagnostic[]; readonly analysisMs: number; readonly truncated: boolean }
  | { readonly type: 'inlayHints'; readonly hints: readonly InlayHint[] }
  | { readonly type: 'hover'; readonly hover: Hover | undefined }
  | { readonly type: 'codeActions'; readonly fixes: readonly QuickFix[] }
  | { readonly type: 'layerOp'; readonly op: LayerOp | undefined; readonly reason?: string }
  | { readonly type: 'bindings'; readonly bindings: readonly { line: number; name: string; shape: string }[] };

export type HostAnalysisEndpoint = RpcEndpoint<ToAnalysisMessage, FromAnalysisMessage>;
export type AnalysisHostEndpoint = RpcEndpoint<FromAnalysisMessage, ToAnalysisMessage>;

/** Where a hover's links go, by kind; the host turns them into command URIs. */
export const HOVER_LINK_PLACEHOLDERS = { layer: '{{layer-links}}', literal: '{{literal-links}}' } as const;
