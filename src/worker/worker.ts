// Compute worker (bundled to dist/worker.js): computes blocks of planned ops with the core's
// kernels, taking them from the op's shared queue and writing each into the op's shared output
// (never detaching a buffer: see protocol/worker.ts).
// One request at a time; the pool cancels by terminating the thread, so no cancellation here.
import { parentPort } from 'node:worker_threads';
import { runPlanRegion } from '../core/engine';
import { RpcEndpoint } from '../protocol/rpc';
import type { FromWorkerMessage, RunBlocksMessage, ToWorkerMessage, WorkerFault, WorkerHostEndpoint } from '../protocol/worker';
import { contiguousStart, copyRegionInto } from './blocks';

/**
 * A block that is not one contiguous run of the op's output is computed into this one buffer
 * (grown as needed), then copied into place: fresh pages for each block cost more than the
 * kernels on large outputs. A contiguous block is computed in place.
 */
let blockBuffer = new SharedArrayBuffer(0);
function blockOutput(bytes: number): { buffer: SharedArrayBuffer; byteOffset: number } {
  if (blockBuffer.byteLength < bytes) blockBuffer = new SharedArrayBuffer(bytes);
  return { buffer: blockBuffer, byteOffset: 0 };
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
  const { extent } = plan;
  const rest = output.data.length === 0 ? 0 : output.data.length / (extent.batch * extent.channels * extent.rows);
  const itemBytes = output.data.BYTES_PER_ELEMENT;
  let count = 0;
  for (let i = Atomics.add(next, 0, 1); i < regions.length; i = Atomics.add(next, 0, 1)) {
    const region = regions[i] as (typeof regions)[number];
    const start = contiguousStart(region, extent, rest);
    const inPlace = start === undefined ? undefined : { buffer: output.data.buffer as SharedArrayBuffer, byteOffset: output.data.byteOffset + start * itemBytes };
    const block = runPlanRegion(plan, region, { sharedOutput: (bytes) => inPlace ?? blockOutput(bytes) });
    // Contiguous float blocks were written in place; integer outputs come back in new arrays.
    if (block.data.buffer !== output.data.buffer) copyRegionInto(output, block, region, extent);
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
