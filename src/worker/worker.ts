// Compute worker (bundled to dist/worker.js): computes blocks of planned ops with the core's
// kernels and hands results back on SharedArrayBuffers (never detaching a buffer: see
// protocol/worker.ts).
// One request at a time; the pool cancels by terminating the thread, so no cancellation here.
import { parentPort } from 'node:worker_threads';
import { runPlanRegion } from '../core/engine';
import { RpcEndpoint } from '../protocol/rpc';
import type { FromWorkerMessage, ToWorkerMessage, WorkerFault, WorkerHostEndpoint } from '../protocol/worker';
import { toShared } from './blocks';

/**
 * Every block's output goes to this one buffer (grown as needed): the pool copies a block out
 * before it sends this worker anything else, and fresh pages for each block cost more than the
 * kernels on large outputs.
 */
let outputBuffer = new SharedArrayBuffer(0);
function sharedOutput(bytes: number): SharedArrayBuffer {
  if (outputBuffer.byteLength < bytes) outputBuffer = new SharedArrayBuffer(bytes);
  return outputBuffer;
}

async function handle(message: ToWorkerMessage): Promise<FromWorkerMessage> {
  switch (message.type) {
    case 'runOp':
      return { type: 'tensor', tensor: await toShared(runPlanRegion(message.plan, message.region, { sharedOutput })) };
    case 'crash':
      return crash(message.fault);
  }
}

/** Never answers: the thread dies first, as it would from a bug or a runaway allocation. */
function crash(fault: WorkerFault): Promise<never> {
  if (fault === 'exhaust-heap') {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array<number>(1024).fill(hoard.length));
  }
  return new Promise<never>(() => {
    // Thrown outside the request handler, so nothing catches it.
    setImmediate(() => {
      throw new Error('worker crash requested (diagnostic)');
    });
  });
}

const port = parentPort;
if (port === null) throw new Error('dist/worker.js must run in a worker thread');
const endpoint: WorkerHostEndpoint = new RpcEndpoint<FromWorkerMessage, ToWorkerMessage>(
  (envelope, transfer) => port.postMessage(envelope, transfer),
  handle,
);
port.on('message', (envelope) => endpoint.handleMessage(envelope));
