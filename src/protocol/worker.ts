// Every message between the extension host (or CLI) and a compute worker. Tensors travel as
// { shape, dtype, data }: inputs on SharedArrayBuffers (shared by all workers of one op, or
// cloned when small), results on ArrayBuffers transferred back to the host.
import type { OpRequest, OutputRegion } from '../core/ops';
import type { Tensor } from '../core/tensor';
import type { RpcEndpoint } from './rpc';

/** Computes the whole output (`runOp`) or one block of it (`runOpRegion`). */
export interface RunOpMessage {
  readonly type: 'runOp';
  readonly request: OpRequest;
  readonly region?: OutputRegion;
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

/** The buffer of a result tensor, moved to the host instead of copied. */
export function transferablesOfReply(reply: FromWorkerMessage): ArrayBuffer[] {
  const buffer = reply.tensor.data.buffer;
  return buffer instanceof ArrayBuffer ? [buffer] : [];
}
