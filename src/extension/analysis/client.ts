// The analysis worker as the host sees it: started on first use (its settings sent first),
// restarted after a crash, and stopped when a request passes its deadline, so no file can keep
// the host waiting: its programs are then synced again from scratch, since the worker lost them.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisSettings, FromAnalysisMessage, HostAnalysisEndpoint, ToAnalysisMessage } from '../../protocol/analysis';
import { RpcEndpoint } from '../../protocol/rpc';

/** How long the host waits for one answer before it restarts the worker. */
export const REQUEST_DEADLINE_MS = 10_000;

export class AnalysisClient {
  private worker: Worker | undefined;
  private endpoint: HostAnalysisEndpoint | undefined;
  /** Bumped each time a worker starts: programs synced to an older one must be synced again. */
  generation = 0;

  constructor(
    private readonly extensionPath: string,
    private settings: AnalysisSettings,
    private readonly onStop: (reason: string) => void,
    private readonly deadlineMs = REQUEST_DEADLINE_MS,
  ) {}

  /** Sends a request; rejects when the worker stops or the deadline passes (the worker is then restarted on the next request). */
  request(message: ToAnalysisMessage): Promise<FromAnalysisMessage> {
    const endpoint = this.start();
    const worker = this.worker;
    return new Promise<FromAnalysisMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the analysis worker did not answer ${message.type} within ${this.deadlineMs / 1000} s`));
        this.stop(worker, `no answer to ${message.type} within ${this.deadlineMs / 1000} s`);
      }, this.deadlineMs);
      endpoint.request(message).then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** New settings: sent now to a running worker, and first to every worker started later. */
  configure(settings: AnalysisSettings): Promise<unknown> {
    this.settings = settings;
    return this.endpoint ? this.request({ type: 'configure', settings }) : Promise.resolve();
  }

  private start(): HostAnalysisEndpoint {
    if (this.endpoint) return this.endpoint;
    const worker = new Worker(path.join(this.extensionPath, 'dist', 'analysis.js'), { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    const endpoint: HostAnalysisEndpoint = new RpcEndpoint<ToAnalysisMessage, FromAnalysisMessage>((envelope) => worker.postMessage(envelope));
    worker.on('message', (envelope) => endpoint.handleMessage(envelope));
    worker.on('error', (e) => this.stop(worker, e.message));
    worker.on('exit', (code) => this.stop(worker, `exit code ${code}`));
    worker.unref();
    this.worker = worker;
    this.endpoint = endpoint;
    this.generation++;
    // Messages are handled in order: the settings arrive before any request.
    void endpoint.request({ type: 'configure', settings: this.settings }).catch(() => undefined);
    return endpoint;
  }

  /** Stops `worker` if it is still the current one, failing what waits on it. */
  private stop(worker: Worker | undefined, reason: string): void {
    if (!worker || this.worker !== worker) return;
    const endpoint = this.endpoint;
    this.worker = undefined;
    this.endpoint = undefined;
    endpoint?.rejectAll(new Error(`the analysis worker stopped: ${reason}`));
    void worker.terminate();
    this.onStop(reason);
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.endpoint?.rejectAll(new Error('the analysis worker was stopped'));
    this.endpoint = undefined;
    void worker?.terminate();
  }
}
