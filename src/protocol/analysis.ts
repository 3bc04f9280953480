// Messages between the extension host and the analysis worker (dist/analysis.js), the only owner
// of parsed Python. The host owns the documents and sends their edits (a program's first version
// whole; later ones as edits on the version the worker has, checked by the text's length); the
// worker keeps one parsed program per key (a .py file or a notebook's code cells joined), analyses
// each version once, building on the last analysis, and answers in program offsets, which the host
// maps back to editors: diagnostics, hovers, hints, fixes, and the run commands' questions (the
// tensor a selection means, the cells it covers, the kernels and arguments to offer).
import type { OpArgs, OpName, OpRequest } from '../core/vocabulary';
import type { DType, Tensor } from '../core/tensor';
import type { Span, TextEdit } from '../python/syntax/document';
import type { Hover } from '../python/features/hover';
import type { LintSettings } from '../python/features/checkerboard';
import type { InlayHint, InlayHintsMode } from '../python/features/inlayHints';
import type { QuickFix } from '../python/features/quickFixes';
import type { SummaryTotal } from '../python/features/summaryFormat';
import type { SummaryTarget } from '../python/features/summaryTargets';
import type { SizeChart, SizeVerdict } from '../python/features/inputSizes';
import type { RpcEndpoint } from './rpc';

/** What the analysis reads from the user's settings (`convLab.defaultDtype`, `convLab.maxElements`, the project's). */
export interface AnalysisSettings {
  readonly defaultDtype: 'float32' | 'float64';
  readonly maxElements: number;
  /** Where imports are searched after a script's own folder: `convLab.extraPaths`, each workspace folder, its `src/` (absolute, `/`-separated). */
  readonly roots: readonly string[];
  /** `convLab.maxIndexedFiles`: most files read from disk kept parsed. */
  readonly maxIndexedFiles: number;
}

export interface SyncMessage {
  readonly type: 'sync';
  readonly key: string;
  readonly version: number;
  /** The whole text: a program's first version, or one the edits cannot bring the worker's copy to. */
  readonly text?: string;
  /** Edits since `baseVersion`, in order (each in the text left by the previous). */
  readonly baseVersion?: number;
  readonly edits?: readonly TextEdit[];
  /** The text's length after the edits: a mismatch means the worker needs the whole text. */
  readonly length: number;
  /** The file on disk the program is (a notebook's .ipynb), `/`-separated: its imports are followed, and others' imports of it read this text. */
  readonly path?: string;
}

/** Files changed on disk (saved, or changed by another program), or created, deleted, renamed (`structure`). */
export interface FilesChangedMessage {
  readonly type: 'filesChanged';
  readonly paths: readonly string[];
  readonly structure: boolean;
}

export interface CloseMessage {
  readonly type: 'close';
  readonly key: string;
}

export interface ConfigureMessage {
  readonly type: 'configure';
  readonly settings: AnalysisSettings;
}

/**
 * Every query names the version it was asked about and the program's length then: the worker
 * answers for that text, and refuses when its copy differs (the host then sends the whole text).
 */
export interface ProgramAt {
  readonly key: string;
  readonly version: number;
  readonly length: number;
}

type Query = ProgramAt;

export interface DiagnosticsQuery extends Query {
  readonly type: 'diagnostics';
  /** The hints wanted besides the errors (`convLab.lint.*`); none when absent. */
  readonly lint?: LintSettings;
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
  readonly diagnostic: { readonly from: number; readonly to: number; readonly code: string; readonly message: string; readonly severity: WireSeverity };
}

/** The op a layer constructed at `offset` runs for the first input it was called with. */
export interface LayerOpQuery extends Query {
  readonly type: 'layerOp';
  readonly offset: number;
  /** With no known input reaching the layer, run it on a small placeholder one (the overlap map needs only its geometry). */
  readonly placeholderInput?: boolean;
}

export interface BindingsQuery extends Query {
  readonly type: 'bindings';
}

/** The tensors the expressions at `spans` (selections; an empty one means the expression under the cursor) denote. */
export interface EvaluateQuery extends Query {
  readonly type: 'evaluate';
  readonly spans: readonly Span[];
}

/** A tensor expression typed in a prompt, read on a line of its own after the line `anchor` is on. */
export interface EvaluateTypedQuery extends Query {
  readonly type: 'evaluateTyped';
  readonly anchor: number;
  readonly expression: string;
}

/** Whether `selection` covers whole cells (the `# %%` cells of a file, or `cell`, a notebook cell), and if so their replay. */
export interface ReplayQuery extends Query {
  readonly type: 'replay';
  readonly selection: Span;
  readonly cell?: Span;
  /** Print options for the replayed values. */
  readonly precision: number;
  /** A selection of one expression is not a replay (the run commands read it as a tensor). */
  readonly keepsExpression: boolean;
}

/** The tensors bound above `before`, offered as kernels. */
export interface KernelChoicesQuery extends Query {
  readonly type: 'kernelChoices';
  readonly before: number;
  readonly limit: number;
}

/** The arguments of the nearest conv layer of this kind and dimensions at or above `offset`. */
export interface LayerArgumentsQuery extends Query {
  readonly type: 'layerArguments';
  readonly offset: number;
  readonly kind: 'conv' | 'convTranspose';
  readonly spatialDims: number;
}

/** Where the Summary CodeLens goes: the module classes and model instantiations of the program's last analysis. */
export interface SummaryTargetsQuery extends Query {
  readonly type: 'summaryTargets';
}

/** The model a summary is asked of: a class (`Net`) or the name a model is bound to (`model`). */
export interface WireSummaryTarget {
  readonly kind: 'class' | 'instance';
  readonly name: string;
}

/**
 * The summary of a model of the program, from a run of it with its calls traced: for the input
 * that reaches the model's call, or for `inputSize` when given (a call on zeros of that size).
 */
export interface SummaryQuery extends Query {
  readonly type: 'summary';
  readonly target: WireSummaryTarget;
  readonly inputSize?: readonly number[];
}

/**
 * The input sizes a model of the program accepts, per spatial axis (the solver's sweep, run in the
 * worker): for the input that reaches the model's call, or for `inputSize` when given.
 */
export interface InputSizesQuery extends Query {
  readonly type: 'inputSizes';
  readonly target: WireSummaryTarget;
  readonly inputSize?: readonly number[];
}

/**
 * What the input-size solver adds to the program's size errors: for each error a model's call
 * raised on an input of known size, the sizes the model accepts and the nearest ones, and an
 * `F.pad` of the input to the nearest accepted size when the padded call is checked to run. Asked
 * after the diagnostics are shown (a sweep takes up to seconds).
 */
export interface SizeNotesQuery extends Query {
  readonly type: 'sizeNotes';
}

/** A note for the diagnostic at from..to with this code and message (as the diagnostics answer gave it), in the program or in the `elsewhere` file `path`. */
export interface WireSizeNote {
  readonly path?: string;
  readonly from: number;
  readonly to: number;
  readonly code: string;
  readonly message: string;
  /** `model fails for this 100×150 input; accepted sizes: multiples of 16 from 16; nearest: 96 or 112 (sizes 1..300 checked)`. */
  readonly note: string;
}

/** The most dimensions an input size may have (PyTorch's convs take at most 5). */
const MAX_INPUT_DIMS = 8;
/** The largest size of one dimension accepted: a larger one is a typo (the analysis needs shapes only, so nothing would be allocated). */
const MAX_INPUT_SIZE = 1_000_000;

/** Why `text` is not an input size (`1,3,224,224`), or undefined when it is one: the host's input box and the worker check it alike. */
export function inputSizeProblem(text: string): string | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_INPUT_DIMS || parts.some((p) => !/^\d+$/.test(p))) {
    return `Sizes separated by commas, e.g. 1,3,224,224 (at most ${MAX_INPUT_DIMS} of them)`;
  }
  if (parts.some((p) => Number(p) < 1 || Number(p) > MAX_INPUT_SIZE)) return `Each size must be from 1 to ${MAX_INPUT_SIZE.toLocaleString('en-US')}`;
  return undefined;
}

export type ToAnalysisMessage =
  | SyncMessage | CloseMessage | ConfigureMessage | FilesChangedMessage | DiagnosticsQuery | InlayHintsQuery | HoverQuery | CodeActionsQuery | LayerOpQuery | BindingsQuery
  | EvaluateQuery | EvaluateTypedQuery | ReplayQuery | KernelChoicesQuery | LayerArgumentsQuery | SummaryTargetsQuery | SummaryQuery | InputSizesQuery | SizeNotesQuery;

/** An error PyTorch or Python raises, or a hint of Conv Lab's own (the checkerboard lint). */
export type WireSeverity = 'error' | 'hint';

export interface WireDiagnostic {
  readonly from: number;
  readonly to: number;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
  readonly severity: WireSeverity;
  /** The Python exception of an error; a hint has none. */
  readonly kind?: string | undefined;
  readonly related?: Span | undefined;
  /** Where the range ends (1-based), for a file the host has no text of. */
  readonly endLine: number;
  readonly endColumn: number;
  /** Raised in a call from another file: the calls that led here, outermost first (1-based lines and columns). */
  readonly chain?: readonly { readonly path: string; readonly line: number; readonly column: number }[] | undefined;
}

/** Errors a program's run found in a file of the project that is not open. */
export interface ElsewhereDiagnostics {
  readonly path: string;
  readonly diagnostics: readonly WireDiagnostic[];
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

/** Why a tensor could not be read: Python's (or Conv Lab's) message and the range it is about, in program offsets. */
export interface WireSourceError {
  readonly message: string;
  readonly code: string;
  /** The exception Python would raise with this message; absent for Conv Lab's own refusals. */
  readonly pythonKind?: string;
  readonly from: number;
  readonly to: number;
  /** The range is in a typed expression, its offsets counted from the expression's start. */
  readonly inTyped?: boolean;
}

export type WireEvaluation =
  | { readonly ok: true; readonly tensor: Tensor; readonly placeholder: boolean; readonly library: 'torch' | 'numpy'; readonly from: number; readonly to: number }
  | { readonly ok: false; readonly error: WireSourceError };

export type WireReplayOutcome =
  | { readonly ok: true; readonly printed: string; readonly tensor?: Tensor; readonly op?: OpRequest }
  | { readonly ok: false; readonly error: WireSourceError };

export interface WireReplayStep {
  readonly from: number;
  readonly to: number;
  readonly outcome: WireReplayOutcome;
}

export interface WireKernelChoice {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The target name in its assignment. */
  readonly from: number;
  readonly to: number;
}

/** One row of a summary as the panel shows it: its cells under `SUMMARY_HEADERS` (as the CLI prints them), and the numbers the bars are drawn from. */
export interface WireSummaryRow {
  readonly cells: readonly string[];
  readonly depth: number;
  /** Own MACs and parameters (null: not known); a reused module's parameters count at its first call. */
  readonly macs: number | null;
  readonly parameters: number | null;
  readonly reused: boolean;
  /** Where the call is in the program (offsets), when it is in this file. */
  readonly from: number | null;
}

export interface WireSummary {
  /** The model's class and the input's shape as printed. */
  readonly model: string;
  readonly input: string;
  readonly headers: readonly string[];
  readonly rows: readonly WireSummaryRow[];
  readonly totals: readonly SummaryTotal[];
  readonly notes: readonly string[];
  /** The whole summary as Markdown and as CSV (`conv-lab summary --format ...` prints the same). */
  readonly markdown: string;
  readonly csv: string;
}

/** Why no summary: `needsInput` when no input shape reaches the model (the host then asks for one); otherwise the message says what went wrong. */
export type WireSummaryOutcome =
  | { readonly ok: true; readonly summary: WireSummary }
  | { readonly ok: false; readonly needsInput: boolean; readonly message: string };

/** What one size of an axis does (python/features/inputSizes.ts's chart): its output has the input's size, runs, fails, or the analysis is not sure. */
export type SizeStatus = SizeChart['status'][number];

/** A set of sizes as the solver states it: `H ≥ 4 and H ≡ 0 (mod 4)`, and in words `multiples of 4 from 4`. */
export interface WireSizeRule {
  readonly text: string;
  readonly words: string;
}

/** One spatial axis swept over 1..max with the others held at `fixed`. */
export interface WireSizeAxis {
  /** `H`, `W` (`L` for 1-d). */
  readonly name: string;
  readonly fixed: readonly number[];
  readonly accepted: WireSizeRule;
  readonly restored: WireSizeRule;
  /** Size v's status at index v - 1. */
  readonly status: readonly SizeStatus[];
  /** Size v's message at index v - 1: PyTorch's for a failing size, why not known for an unknown one; null for a size that runs. */
  readonly messages: readonly (string | null)[];
}

/** The chart data of the Input sizes view. */
export interface WireInputSizes {
  /** What is called: `model`, `UNet()`. */
  readonly model: string;
  /** The input swept around: batch, channels, then the spatial sizes. */
  readonly input: readonly number[];
  /** Whether `input` is the one that reaches the model in the file, or one the user gave. */
  readonly inputFromFile: boolean;
  readonly max: number;
  /** Every axis has the same sets: the view draws one strip for all. */
  readonly alike: boolean;
  /** What the analysis says of `input` itself. */
  readonly given: { readonly verdict: SizeVerdict; readonly message: string | null };
  readonly axes: readonly WireSizeAxis[];
}

/** Why no chart: `needsInput` as for the summary (the host then asks for an input size). */
export type WireInputSizesOutcome =
  | { readonly ok: true; readonly sizes: WireInputSizes }
  | { readonly ok: false; readonly needsInput: boolean; readonly message: string };

export type FromAnalysisMessage =
  /** `affected`: the other open programs whose results the change may have changed (their diagnostics are due again). */
  | { readonly type: 'synced'; readonly key: string; readonly version: number; readonly incremental: boolean; readonly affected?: readonly string[] }
  | { readonly type: 'filesChanged'; readonly affected: readonly string[] }
  /** The worker's copy could not be brought to the version: the host must send the whole text. */
  | { readonly type: 'needsText'; readonly key: string }
  | { readonly type: 'configured' }
  /** `affected`: other open programs a new analysis reached (their results include its calls: due again). */
  | { readonly type: 'diagnostics'; readonly diagnostics: readonly WireDiagnostic[]; readonly elsewhere: readonly ElsewhereDiagnostics[]; readonly affected?: readonly string[]; readonly analysisMs: number; readonly truncated: boolean }
  | { readonly type: 'inlayHints'; readonly hints: readonly InlayHint[] }
  | { readonly type: 'hover'; readonly hover: Hover | undefined }
  | { readonly type: 'codeActions'; readonly fixes: readonly QuickFix[] }
  | { readonly type: 'layerOp'; readonly op: LayerOp | undefined; readonly reason?: string }
  | { readonly type: 'bindings'; readonly bindings: readonly { line: number; name: string; shape: string }[] }
  | { readonly type: 'evaluate'; readonly results: readonly WireEvaluation[] }
  | { readonly type: 'replay'; readonly steps: readonly WireReplayStep[] | undefined }
  | { readonly type: 'kernelChoices'; readonly choices: readonly WireKernelChoice[] }
  | { readonly type: 'layerArguments'; readonly found: { readonly callee: string; readonly from: number; readonly to: number; readonly args: OpArgs; readonly text: string } | undefined }
  | { readonly type: 'summaryTargets'; readonly targets: readonly SummaryTarget[] }
  | { readonly type: 'summary'; readonly outcome: WireSummaryOutcome }
  | { readonly type: 'inputSizes'; readonly outcome: WireInputSizesOutcome }
  | { readonly type: 'sizeNotes'; readonly notes: readonly WireSizeNote[] };

export type HostAnalysisEndpoint = RpcEndpoint<ToAnalysisMessage, FromAnalysisMessage>;
export type AnalysisHostEndpoint = RpcEndpoint<FromAnalysisMessage, ToAnalysisMessage>;
