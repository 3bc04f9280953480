// The Conv Lab panel: one webview panel, revealed if already open, showing the op the user ran
// last. It restores after a window reload through a WebviewPanelSerializer and the state the
// webview keeps with setState. The host acts only on messages that pass the protocol's checks.
import * as vscode from 'vscode';
import { isTorchError } from '../../core/errors';
import { formatTensor, type FormatTensorOptions } from '../../core/format';
import { formatNumpy } from '../../core/formatNumpy';
import { withTensors, type OpPlan } from '../../core/plan';
import { numel, type Tensor } from '../../core/tensor';
import type { OpArgs, OpRequest, TensorSpec } from '../../core/vocabulary';
import {
  PANEL_VIEW_TYPE,
  parseFromPanelMessage,
  parseStoredView,
  pngBytesOf,
  type CopyFormat,
  type FromPanelMessage,
  type PanelView,
  type SummaryExport,
  type TensorRole,
  type ToPanelMessage,
  type ViewName,
} from '../../protocol/panel';
import type { WireInputSizes, WireSummary } from '../../protocol/analysis';
import type { Log } from '../log';
import { panelHtml, panelResourceRoots } from './html';
import { kernelSizeOf, panelViewOf, parametersRun, tensorsOfStoredView, valuesAt } from './view';

/** Larger tensors are copied in PyTorch's summarised form: a full literal would be megabytes. */
const FULL_COPY_MAX_ELEMENTS = 10_000;

/** One draw the webview reported: how many elements it received and how long it took to draw them. */
export interface PanelRender {
  readonly elements: number;
  readonly ms: number;
  /** The view drawn, and the error it showed instead of its picture, if any. */
  readonly tab?: ViewName;
  readonly alert?: string;
}

/** The outcome of a Parameters view run: the new call, PyTorch's message, or that a newer run cancelled it. */
export interface ParametersOutcome {
  readonly ok: boolean;
  readonly text: string;
}

/** What the integration tests may ask of the panel; it changes nothing but the view shown. */
export interface PanelApi {
  readonly isOpen: boolean;
  /** Resolves with the next draw the webview reports. */
  nextRender(): Promise<PanelRender>;
  /** Switches the panel to a view. */
  selectView(tab: ViewName): void;
  /** What the panel shows now (after the Parameters view's runs too). */
  readonly view: PanelView | undefined;
  /** Resolves with the next outcome of a Parameters view run. */
  nextParametersRun(): Promise<ParametersOutcome>;
  /** The model summary the Summary view shows. */
  readonly summary: WireSummary | undefined;
  /** The model's input sizes the Input sizes view shows. */
  readonly sizes: WireInputSizes | undefined;
}

/** What the host does for the Summary view's row clicks and buttons (extension/summary.ts, which knows the summary's document). */
export interface SummaryActions {
  reveal(row: number): Promise<void>;
  export(action: SummaryExport): Promise<void>;
}

/** The text of a Parameters run's outcome when a newer run (or another op) cancelled it. */
export const PARAMETERS_RUN_CANCELLED = 'cancelled: a newer run replaced it';

interface Shown {
  readonly view: PanelView;
  readonly tensors: ReadonlyMap<TensorRole, Tensor>;
  /** The run the user started, which the Parameters view varies. */
  readonly original: OpRequest;
}

/** Plans an op (the size limit, PyTorch's checks) and computes it off the extension host's thread (the worker pool). */
export interface PanelCompute {
  plan<Operand extends TensorSpec>(request: OpRequest<Operand>): OpPlan<Operand>;
  run(plan: OpPlan, signal: AbortSignal): Promise<Tensor>;
}

export class PanelHost implements vscode.Disposable, PanelApi {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private shown: Shown | undefined;
  private summaryShown: { readonly summary: WireSummary; readonly actions: SummaryActions; sizes?: WireInputSizes } | undefined;
  private sizesShown: WireInputSizes | undefined;
  private renderWaiters: ((render: PanelRender) => void)[] = [];
  private parameterWaiters: ((outcome: ParametersOutcome) => void)[] = [];
  private pngTarget: vscode.Uri | undefined;
  /** A view asked for before the panel had loaded. */
  private requestedView: ViewName | undefined;
  /** Bumped by every Parameters run, so that a slower earlier run does not replace a later one. */
  private parametersSerial = 0;
  /** Cancels the Parameters run still computing when a newer run (or another op) comes. */
  private parametersAbort: AbortController | undefined;
  /** Bumped by every view built, so that one still being built does not replace a later one. */
  private displaySerial = 0;
  private readonly serializer: vscode.Disposable;

  /** `printSettings` is read at each copy: `convLab.displayPrecision` as it is then. */
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly compute: PanelCompute,
    private readonly printSettings: () => FormatTensorOptions,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => this.revive(panel, state),
    });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get view(): PanelView | undefined {
    return this.shown?.view;
  }

  get summary(): WireSummary | undefined {
    return this.summaryShown?.summary;
  }

  get sizes(): WireInputSizes | undefined {
    return this.sizesShown;
  }

  /** Opens the panel on the Input sizes view of `sizes`. */
  showSizes(sizes: WireInputSizes): void {
    this.sizesShown = sizes;
    this.open();
    // As for the summary: the webview selects the view on this message, a loading panel gets it when ready.
    this.post({ type: 'sizes', sizes });
  }

  /** Opens the panel on the Summary view of `summary`; its row clicks and buttons go to `actions`. */
  showSummary(summary: WireSummary, actions: SummaryActions): void {
    this.summaryShown = { summary, actions };
    this.open();
    // The webview selects the Summary view on this message (a panel still loading gets it again when ready).
    this.post({ type: 'summary', summary });
  }

  /** Adds the input sizes of the shown summary's model to the Summary view (the Input sizes view gets them too, unselected). */
  summarySizes(sizes: WireInputSizes): void {
    if (!this.summaryShown) return;
    this.summaryShown.sizes = sizes;
    this.sizesShown = sizes;
    this.post({ type: 'summarySizes', sizes });
  }

  /** Reveals the panel, creating it if needed. */
  open(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Conv Lab', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: panelResourceRoots(this.extensionUri),
    });
    this.attach(panel);
  }

  /**
   * Makes `result` of the planned op the one the panel shows (cancelling a Parameters run still
   * computing), posted as soon as its view is built if the panel is open.
   */
  async show(plan: OpPlan, result: Tensor): Promise<void> {
    this.cancelParametersRun();
    await this.display(plan, result, plan.request);
  }

  /**
   * Builds the view (large tensors are scanned between turns of the event loop) and shows it;
   * false when a later op replaced it meanwhile.
   */
  private async display(plan: OpPlan, result: Tensor, original: OpRequest): Promise<boolean> {
    const serial = ++this.displaySerial;
    const request = plan.request;
    const built = panelViewOf(plan, result, original);
    const view = built instanceof Promise ? await built : built;
    if (serial !== this.displaySerial) return false;
    const tensors = new Map<TensorRole, Tensor>([['input', request.input], ['weight', request.weight], ['output', result]]);
    if (request.bias) tensors.set('bias', request.bias);
    this.shown = { view, tensors, original };
    this.post({ type: 'show', view });
    return true;
  }

  private cancelParametersRun(): void {
    this.parametersSerial++;
    this.parametersAbort?.abort();
    this.parametersAbort = undefined;
  }

  /** Switches the panel to `tab`: now, and again when its webview reports it has loaded (a message posted while it loads may be lost). */
  selectView(tab: ViewName): void {
    this.requestedView = tab;
    this.post({ type: 'selectView', tab });
  }

  nextRender(): Promise<PanelRender> {
    return new Promise((resolve) => this.renderWaiters.push(resolve));
  }

  nextParametersRun(): Promise<ParametersOutcome> {
    return new Promise((resolve) => this.parameterWaiters.push(resolve));
  }

  /** Test mode only (ctx.ts): the next PNG the panel saves goes to `uri` instead of asking with a save dialog. */
  savePngTo(uri: vscode.Uri): void {
    this.pngTarget = uri;
  }

  /** A message from the webview (or, in test mode, one posted as the webview would): checked, then acted on. */
  async receive(raw: unknown): Promise<void> {
    const message = parseFromPanelMessage(raw);
    if (message === undefined) {
      this.log.warn(`panel: ignored a message the protocol does not declare: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    await this.handle(message);
  }

  private revive(panel: vscode.WebviewPanel, state: unknown): void {
    // The state was written by the webview: only a view that passes the protocol's checks is used.
    const stored = typeof state === 'object' && state !== null ? parseStoredView((state as Record<string, unknown>)['view']) : undefined;
    if (stored && this.shown === undefined) {
      const view: PanelView = { ...stored, tensors: stored.tensors.map((t) => ({ ...t, values: Float64Array.from(t.values) })) };
      const tensors = tensorsOfStoredView(stored);
      const input = tensors.get('input');
      const weight = tensors.get('weight');
      const bias = tensors.get('bias');
      if (input && weight) {
        const original: OpRequest = { op: stored.op, input, weight, ...(bias ? { bias } : {}), args: stored.originalArgs };
        this.shown = { view, tensors, original };
      }
    }
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: panelResourceRoots(this.extensionUri) };
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => this.detach()),
    ];
    panel.webview.html = panelHtml(panel.webview, this.extensionUri);
  }

  private detach(): void {
    this.panel = undefined;
    for (const d of this.panelDisposables.splice(0)) d.dispose();
  }

  private async handle(message: FromPanelMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.shown) this.post({ type: 'show', view: this.shown.view });
        if (this.summaryShown) this.post({ type: 'summary', summary: this.summaryShown.summary });
        if (this.summaryShown?.sizes) this.post({ type: 'summarySizes', sizes: this.summaryShown.sizes });
        else if (this.sizesShown) this.post({ type: 'sizes', sizes: this.sizesShown });
        if (this.requestedView) this.post({ type: 'selectView', tab: this.requestedView });
        this.requestedView = undefined;
        return;
      case 'copy':
        await this.copy(message.role, message.format);
        return;
      case 'values':
        this.sendValues(message.id, message.role, message.starts, message.length);
        return;
      case 'rerun':
        await this.rerun(message.args, message.kernelSize);
        return;
      case 'resetParameters':
        await this.rerun(this.shown?.original.args ?? {}, this.shown && kernelSizeOf(this.shown.original));
        return;
      case 'savePng':
        await this.savePng(message.view, message.dataUrl);
        return;
      case 'revealSummaryRow':
        await this.summaryShown?.actions.reveal(message.row);
        return;
      case 'summaryExport':
        if (this.summaryShown) await this.summaryShown.actions.export(message.action);
        else this.post({ type: 'notice', text: 'There is no summary to export: run Summary on a model first.' });
        return;
      case 'rendered':
        this.log.info(`panel: drew ${message.elements} elements in ${message.ms.toFixed(1)} ms`);
        for (const resolve of this.renderWaiters.splice(0)) resolve(message);
        return;
    }
  }

  private sendValues(id: number, role: TensorRole, starts: readonly number[], length: number): void {
    const tensor = this.shown?.tensors.get(role);
    if (tensor === undefined) {
      // After a reload only small views come back (from the webview's state).
      this.post({ type: 'valuesFailed', id, message: `The ${role} tensor is no longer available: run the operation again.` });
      return;
    }
    try {
      this.post({ type: 'values', id, data: valuesAt(tensor, starts, length) });
    } catch (e) {
      this.post({ type: 'valuesFailed', id, message: `${role}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  /**
   * The Parameters view: the user's run again with other arguments / kernel size, in the worker
   * pool. It is planned on shapes first (a 64×64 kernel on many channels is refused before the
   * weight is resized); a newer run cancels this one.
   */
  private async rerun(args: OpArgs, kernelSize: readonly number[] | undefined): Promise<void> {
    const shown = this.shown;
    if (shown === undefined) {
      this.post({ type: 'notice', text: 'There is no operation to run again: run one first.' });
      return;
    }
    this.cancelParametersRun();
    const serial = this.parametersSerial;
    const abort = new AbortController();
    this.parametersAbort = abort;
    let outcome: ParametersOutcome;
    try {
      const run = parametersRun(shown.original, args, kernelSize);
      const planned = this.compute.plan(run.request);
      const plan = withTensors(planned, await run.tensors());
      const result = await this.compute.run(plan, abort.signal);
      const displayed = serial === this.parametersSerial && await this.display(plan, result, shown.original);
      outcome = displayed && serial === this.parametersSerial ? { ok: true, text: this.shown?.view.call ?? '' } : { ok: false, text: PARAMETERS_RUN_CANCELLED };
    } catch (e) {
      if (serial !== this.parametersSerial) {
        outcome = { ok: false, text: PARAMETERS_RUN_CANCELLED };
      } else {
        // PyTorch's own line for its errors; the size and pool errors say what they are.
        const message = isTorchError(e) ? e.toPythonString() : e instanceof Error ? e.message : String(e);
        this.post({ type: 'rerunFailed', args, message });
        outcome = { ok: false, text: message };
      }
    } finally {
      if (this.parametersAbort === abort) this.parametersAbort = undefined;
    }
    for (const resolve of this.parameterWaiters.splice(0)) resolve(outcome);
  }

  private async savePng(view: ViewName, dataUrl: string): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = pngBytesOf(dataUrl);
    } catch (e) {
      this.post({ type: 'notice', text: e instanceof Error ? e.message : String(e) });
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `conv-lab-${view}.png`;
    const target = this.pngTarget ?? await vscode.window.showSaveDialog({
      title: 'Save the Conv Lab view as PNG',
      filters: { 'PNG image': ['png'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
    });
    this.pngTarget = undefined;
    if (target === undefined) return;
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
      this.post({ type: 'notice', text: `Saved the view as ${vscode.workspace.asRelativePath(target)} (${bytes.length} bytes).` });
    } catch (e) {
      this.post({ type: 'notice', text: `Could not save ${target.fsPath}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async copy(role: TensorRole, format: CopyFormat): Promise<void> {
    const tensor = this.shown?.tensors.get(role);
    if (tensor === undefined) {
      this.post({ type: 'notice', text: `There is no ${role} tensor to copy: run an operation first.` });
      return;
    }
    const full = numel(tensor.shape) <= FULL_COPY_MAX_ELEMENTS;
    const options = full ? { threshold: Infinity } : {};
    const text = format === 'pytorch' ? formatTensor(tensor, { ...options, ...this.printSettings() }) : formatNumpy(tensor, options);
    await vscode.env.clipboard.writeText(text);
    const what = `${role} [${tensor.shape.join(', ')}] as a ${format === 'pytorch' ? 'PyTorch' : 'NumPy'} literal`;
    this.post({ type: 'notice', text: full ? `Copied the ${what}.` : `Copied the ${what}, summarised with "..." (more than ${FULL_COPY_MAX_ELEMENTS} elements).` });
  }

  /** A one-line outcome in the panel (read out by screen readers). */
  notice(text: string): void {
    this.post({ type: 'notice', text });
  }

  private post(message: ToPanelMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.detach();
    this.serializer.dispose();
  }
}
