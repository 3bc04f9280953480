import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OpPlan } from '../core/plan';
import type { Tensor } from '../core/tensor';
import type { OpRequest } from '../core/vocabulary';
import { WorkerPool } from '../worker/pool';
import { AnalysisService, type HostTimings } from './analysis/service';
import { Config } from './config';
import { Log } from './log';
import { PanelHost, type PanelApi } from './panel/panel';
import { SummaryFeature } from './summary';
import { InputSizesFeature } from './inputSizes';

/**
 * What `activate` returns: used by the integration tests, and by nothing else. It reads state
 * and changes nothing but the panel's view; what a test needs beyond that is in `testHooks`.
 */
export interface ConvLabApi {
  readonly activationMs: number;
  /** Worker threads running now; 0 until the first op starts the pool. */
  liveWorkers(): number;
  /** The Conv Lab panel (open or not). */
  readonly panel: PanelApi;
  /** Durations of the shape analysis's synchronous steps in the extension host (cleared by the caller as it likes). */
  analysisHostTimings(): HostTimings;
  /** Only in test mode (TEST_MODE_ENV set when the extension activated). */
  readonly testHooks?: TestHooks;
}

/** A command's implementation, made once for the context (`package.json` declares its id). */
export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

/** What the integration tests do that no other extension may: save without a dialog, post as the panel's webview. */
export interface TestHooks {
  /** The next PNG the panel saves goes to `uri` instead of asking with a save dialog. */
  savePngTo(uri: vscode.Uri): void;
  /** A message to the panel's host as its webview would post it (checked the same way); resolves when handled. */
  panelMessage(raw: unknown): Promise<void>;
  /** The next CSV the Summary view exports goes to `uri` instead of asking with a save dialog. */
  saveSummaryCsvTo(uri: vscode.Uri): void;
}

/** Set to 1 in the extension host's environment by the test runners (test/runner/suite.mjs). */
export const TEST_MODE_ENV = 'CONV_LAB_TEST_MODE';

/**
 * The extension's one context object: it owns every disposable it creates, so `dispose`
 * releases everything (worker threads included).
 */
export class Ctx implements vscode.Disposable {
  readonly log = new Log();
  readonly config = new Config();
  readonly activationMs: number;
  readonly panel: PanelHost;
  readonly analysis: AnalysisService;
  readonly summary: SummaryFeature;
  readonly inputSizes: InputSizesFeature;
  /** What `activate` returns: a narrow view of this context, never the context itself. */
  readonly api: ConvLabApi;
  private readonly disposables: vscode.Disposable[] = [this.log, this.config];
  private workerPool: WorkerPool | undefined;

  /**
   * `commands` (id → factory) is handed in by `activate`, as rust-analyzer's is: the table
   * imports every command, and every command this class, which therefore imports none of them.
   */
  constructor(readonly extension: vscode.ExtensionContext, commands: Readonly<Record<string, CommandFactory>>) {
    const started = performance.now();
    this.panel = new PanelHost(extension.extensionUri, this.log, {
      plan: (request) => this.pool().plan(request),
      run: (plan, signal) => this.pool().run(plan, { signal }),
    }, () => this.config.printSettings);
    this.disposables.push(this.panel);
    this.analysis = new AnalysisService(extension.extensionPath, this.log, this.config);
    this.disposables.push(this.analysis);
    this.summary = new SummaryFeature(this.analysis, this.panel, this.config);
    this.inputSizes = new InputSizesFeature(this.analysis, this.panel);
    this.disposables.push(this.summary);
    for (const [id, factory] of Object.entries(commands)) {
      this.disposables.push(vscode.commands.registerCommand(id, factory(this)));
    }
    this.disposables.push(this.config.onDidChange((names) => {
      // The pool reads its size and limit when created: the next op gets a new one.
      if (names.has('workers') || names.has('maxElements')) this.stopPool();
    }));
    extension.subscriptions.push(this);
    this.activationMs = performance.now() - started;
    this.api = this.makeApi(process.env[TEST_MODE_ENV] === '1');
    this.log.info(`Conv Lab ${String(extension.extension.packageJSON['version'])} activated in ${this.activationMs.toFixed(1)} ms`);
  }

  /** The compute pool, started on first use so activation costs no threads. */
  pool(): WorkerPool {
    if (this.workerPool === undefined) {
      const { workers, maxElements } = this.config.settings;
      this.workerPool = new WorkerPool({
        workerScript: path.join(this.extension.extensionPath, 'dist', 'worker.js'),
        size: workers,
        maxElements,
      });
      this.log.info(`compute pool: ${this.workerPool.size} worker threads`);
    }
    return this.workerPool;
  }

  /**
   * The panel follows the op the user ran last: its plan, or (an op a cell replay computed
   * statically) its request, planned here.
   */
  showInPanel(run: OpPlan | OpRequest, result: Tensor): void {
    let plan: OpPlan;
    try {
      plan = 'geometry' in run ? run : this.pool().plan(run);
    } catch (e) {
      this.log.warn(`panel: cannot show ${'geometry' in run ? run.request.op : run.op}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    void this.panel.show(plan, result);
  }

  private makeApi(testMode: boolean): ConvLabApi {
    const panel = this.panel;
    const panelApi: PanelApi = {
      get isOpen() { return panel.isOpen; },
      get view() { return panel.view; },
      nextRender: () => panel.nextRender(),
      selectView: (tab) => panel.selectView(tab),
      nextParametersRun: () => panel.nextParametersRun(),
      get summary() { return panel.summary; },
      get sizes() { return panel.sizes; },
    };
    const testHooks: TestHooks = {
      savePngTo: (uri) => panel.savePngTo(uri),
      panelMessage: (raw) => panel.receive(raw),
      saveSummaryCsvTo: (uri) => this.summary.saveCsvTo(uri),
    };
    return Object.freeze({
      activationMs: this.activationMs,
      liveWorkers: () => this.workerPool?.liveWorkers ?? 0,
      panel: Object.freeze(panelApi),
      analysisHostTimings: () => this.analysis.timings,
      ...(testMode ? { testHooks: Object.freeze(testHooks) } : {}),
    });
  }

  private stopPool(): void {
    const pool = this.workerPool;
    this.workerPool = undefined;
    void pool?.dispose();
  }

  dispose(): void {
    this.stopPool();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
