// The shape-analysis worker as the host sees it: started on first use, restarted after a crash
// (its programs are then synced again from scratch, since the worker lost them).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromAnalysisMessage, HostAnalysisEndpoint, ToAnalysisMessage } from '../../protocol/analysis';
import { RpcEndpoint } from '../../protocol/rpc';

export class AnalysisClient {
  private worker: Worker | undefined;
  private endpoint: HostAnalysisEndpoint | undefined;
  /** Bumped each time a worker starts: programs synced to an older one must be synced again. */
  generation = 0;

  constructor(private readonly extensionPath: string, private readonly onCrash: (message: string) => void) {}

  request(message: ToAnalysisMessage): Promise<FromAnalysisMessage> {
    return this.start().request(message);
  }

  private start(): HostAnalysisEndpoint {
    if (this.endpoint) return this.endpoint;
    const worker = new Worker(path.join(this.extensionPath, 'dist', 'analysis.js'), { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    const endpoint: HostAnalysisEndpoint = new RpcEndpoint<ToAnalysisMessage, FromAnalysisMessage>((envelope) => worker.postMessage(envelope));
    worker.on('message', (envelope) => endpoint.handleMessage(envelope));
    const fail = (reason: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.endpoint = undefined;
      endpoint.rejectAll(new Error(`the shape-analysis worker stopped: ${reason}`));
      this.onCrash(reason);
    };
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    worker.unref();
    this.worker = worker;
    this.endpoint = endpoint;
    this.generation++;
    return endpoint;
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.endpoint?.rejectAll(new Error('the shape-analysis worker was stopped'));
    this.endpoint = undefined;
    void worker?.terminate();
  }
}
