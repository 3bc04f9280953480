// Compute worker (bundled to dist/worker.js): computes blocks of planned ops with the core's
// kernels, taking them from the op's shared queue and writing each into the op's shared output
// (never detaching a buffer: see protocol/worker.ts).
// One request at a time; the pool cancels by terminating the thread, so no cancellation here.
import { parentPort } from 'node:worker_threads';
import { runPlanRegion } from '../core/engine';
import { RpcEndpoint } from '../protocol/rpc';
import type { FromWorkerMessage, RunBlocksMessage, ToWorkerMessage, WorkerFault, WorkerHostEndpoint } from '../protocol/worker';
import { copyRegionInto } from './blocks';

/**
 * Every block is computed into this one buffer (grown as needed), then copied into the op's
 * output: fresh pages for each block cost more than the kernels on large outputs.
 */
let outputBuffer = new SharedArrayBuffer(0);
function sharedOutput(bytes: number): SharedArrayBuffer {
  if (outputBuffer.byteLength < bytes) outputBuffer = new SharedArrayBuffer(bytes);
  return outputBuffer;
}

async function handle(message: ToWorkerMessage): Promise<FromWorkerMessage> {
  switch (message.type) {
    case 'runBlocks':
      return runBlocks(message);
    case 'crash':
      return crash(message.fault);
  }
}

function runBlocks({ plan, regions, next, output }: RunBlocksMessage): FromWorkerMessage {
  let count = 0;
  for (let i = Atomics.add(next, 0, 1); i < regions.length; i = Atomics.add(next, 0, 1)) {
    const region = regions[i] as (typeof regions)[number];
    copyRegionInto(output, runPlanRegion(plan, region, { sharedOutput }), region, plan.extent);
    count++;
  }
  return { type: 'blocksDone', count };
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
