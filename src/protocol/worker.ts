// Every message between the extension host (or CLI) and a compute worker. Tensors travel as
// { shape, dtype, data } on SharedArrayBuffers, both ways, so nothing is copied in transit:
// inputs are shared by every worker of an op; results are not transferred because detaching a
// buffer makes V8 guard every later typed-array access in that thread (kernels ~25% slower,
// measured: 694 -> 880 ms on the same conv).
import type { OpPlan } from '../core/plan';
import type { Tensor } from '../core/tensor';
import type { OutputRegion } from '../core/vocabulary';
import type { RpcEndpoint } from './rpc';

/**
 * Computes one block of the planned op's output (`runPlanRegion`; the whole output is one block
 * too). The plan carries the geometry and the engine: the worker derives neither again.
 */
export interface RunOpMessage {
  readonly type: 'runOp';
  readonly plan: OpPlan;
  readonly region: OutputRegion;
}

/** Ways a worker can be made to die, so hosts can verify they recover from real crashes. */
export type WorkerFault = 'throw' | 'exhaust-heap';

/** Diagnostic: the worker dies as a bug (uncaught exception) or a runaway allocation would. */
export interface CrashMessage {
  readonly type: 'crash';
  readonly fault: WorkerFault;
}

export type ToWorkerMessage = RunOpMessage | CrashMessage;

export interface TensorMessage {
  readonly type: 'tensor';
  readonly tensor: Tensor;
}

export type FromWorkerMessage = TensorMessage;

export type HostWorkerEndpoint = RpcEndpoint<ToWorkerMessage, FromWorkerMessage>;
export type WorkerHostEndpoint = RpcEndpoint<FromWorkerMessage, ToWorkerMessage>;
