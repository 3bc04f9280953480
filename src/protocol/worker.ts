// Every message between the extension host (or CLI) and a compute worker. Tensors travel as
// { shape, dtype, data } on SharedArrayBuffers, so nothing is copied in transit: an op's inputs
// and its whole output are shared by every worker of the op, which write their blocks straight
// into the output; nothing is transferred because detaching a buffer makes V8 guard every later
// typed-array access in that thread (kernels ~25% slower, measured: 694 -> 880 ms on the same
// conv).
import type { OpPlan } from '../core/plan';
import type { Tensor } from '../core/tensor';
import type { OutputRegion } from '../core/vocabulary';
import type { RpcEndpoint } from './rpc';

/**
 * Computes blocks of the planned op's output (`runPlanRegion`; the whole output may be one block)
 * from a queue shared by the op's workers: each takes the next block index with Atomics.add on
 * `next[0]` until none is left, and writes each block into its place in `output`. A worker that
 * finds the queue empty answers at once. The plan carries the geometry and the engine: the worker
 * derives neither again.
 */
export interface RunBlocksMessage {
  readonly type: 'runBlocks';
  readonly plan: OpPlan;
  readonly regions: readonly OutputRegion[];
  /** On a SharedArrayBuffer: [index of the next block to take]. */
  readonly next: Int32Array;
  /** The op's whole output, on a SharedArrayBuffer. */
  readonly output: Tensor;
}

/** Ways a worker can be made to die, so hosts can verify they recover from real crashes. */
export type WorkerFault = 'throw' | 'exhaust-heap';

/** Diagnostic: the worker dies as a bug (uncaught exception) or a runaway allocation would. */
export interface CrashMessage {
  readonly type: 'crash';
  readonly fault: WorkerFault;
}

export type ToWorkerMessage = RunBlocksMessage | CrashMessage;

/** How many blocks of a RunBlocksMessage this worker computed and wrote. */
export interface BlocksDoneMessage {
  readonly type: 'blocksDone';
  readonly count: number;
}

export type FromWorkerMessage = BlocksDoneMessage;

export type HostWorkerEndpoint = RpcEndpoint<ToWorkerMessage, FromWorkerMessage>;
export type WorkerHostEndpoint = RpcEndpoint<FromWorkerMessage, ToWorkerMessage>;
