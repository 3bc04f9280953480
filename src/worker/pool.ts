// The compute pool of the extension host, the CLI and the benchmarks: worker_threads started on
// first use, ops split into output blocks across them, cancellation by terminating the threads
// working on the op, crashes contained to the op that hit them.
//
// Inputs are copied once into SharedArrayBuffers that every worker of the op reads (transferring
// could reach only one worker and would detach the caller's tensors). An op is one message per
// worker: its blocks are a queue in shared memory that the workers empty together (a worker
// descheduled by another process holds up at most its current block), each writing its blocks
// into a shared output, which is copied into an ordinary ArrayBuffer output that callers may
// transfer or post as they like.
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { runPlan } from '../core/engine';
import { checkPlanSizes, planOp, type OpPlan } from '../core/plan';
import { DEFAULT_MAX_ELEMENTS, numel, zeros, type Tensor } from '../core/tensor';
import type { OpRequest, TensorSpec } from '../core/vocabulary';
import { RpcEndpoint, type Envelope } from '../protocol/rpc';
import type { FromWorkerMessage, HostWorkerEndpoint, ToWorkerMessage, WorkerFault } from '../protocol/worker';
import { copyInto, elementBytes, planRegions, sharedTensor, toShared } from './blocks';

export interface WorkerPoolOptions {
  /** Absolute path of dist/worker.js. */
  workerScript: string;
  /** Number of worker threads; the machine's parallelism (at most 8) when omitted or 0. */
  size?: number;
  /** Largest element count of any input or of the output; larger ops are refused. */
  maxElements?: number;
  /** JS heap limit of each worker, so a runaway worker dies instead of the host. */
  workerHeapMb?: number;
  /** Fewest estimated milliseconds of work (the plan's cost) worth a block of their own; smaller ops run as one block. */
  minBlockMs?: number;
  /** Fewest output channels in a block when blocks are cut by channel. */
  minBlockChannels?: number;
  /**
   * Ops on the fast kernels estimated to take at most this many milliseconds (and little
   * memory) run on the calling thread: they take less time there than the round trip to a
   * worker. 0 sends every op to the workers.
   */
  inlineMaxMs?: number;
}

export type WorkerPoolErrorCode = 'worker-crashed' | 'worker-out-of-memory' | 'disposed';

/** The pool's own failures (as opposed to PyTorch's TorchErrors about the op). */
export class WorkerPoolError extends Error {
  override readonly name = 'WorkerPoolError';
  constructor(readonly code: WorkerPoolErrorCode, message: string) {
    super(message);
  }
}

const DEFAULT_WORKER_HEAP_MB = 512;
/** Below about 2 ms of kernel time a block costs less than the round trip that carries it. */
const DEFAULT_MIN_BLOCK_MS = 2;
/**
 * Up to about 2 ms on the fast kernels, less than the same op costs through a worker (the hop,
 * and copying input and output to and from shared memory): `npm run bench:core` measures both
 * ways for C1 and C2 (~50 µs inline, ~200 µs through a worker) and C6 (estimated 1.9 ms; ~1.2 ms
 * inline, ~2.4 ms through the pool). The estimate is the plan's, which counts output size,
 * padding and kernel calls besides multiply-adds, so an op that merely looks small (a transposed
 * conv with a huge stride) never runs here.
 */
export const DEFAULT_INLINE_MAX_MS = 2;
/** An op run on the calling thread may take this much memory besides its tensors (the fast kernels' arena). */
const INLINE_MAX_SCRATCH_BYTES = 16 << 20;
/**
 * The fast kernels compute 4 output channels at a time and set up every block afresh (C5, 21
 * channels in 6 blocks, ran slower on 2 workers than inline): a block cut by channels keeps at
 * least this many.
 */
const DEFAULT_MIN_BLOCK_CHANNELS = 8;
/** More blocks than workers so a worker that finishes early picks up another block. */
const BLOCKS_PER_WORKER = 3;
/** Blocks of at most 4 MB of float32: the worker's block buffer and its copy stay small. */
const MAX_BLOCK_ELEMENTS = 1 << 20;
/**
 * However few channels or little work an op has, no block is larger than 8 MB of float32: a
 * transposed conv with a large stride has little work and a large output.
 */
const MAX_COPY_ELEMENTS = 2 << 20;
/** Shared buffers kept for reuse: an op's input, weight, bias and output, and the previous op's. */
const SPARE_BUFFERS = 8;

interface Job {
  readonly label: string;
  settled: boolean;
  fail(error: unknown): void;
}

interface JobPart {
  readonly message: ToWorkerMessage;
  /** Returns true when the job is complete with this reply (its parts not yet started are dropped). */
  onReply(reply: FromWorkerMessage): boolean | void;
}

interface Task extends JobPart {
  readonly job: Job;
}

interface Slot {
  readonly worker: Worker;
  readonly endpoint: HostWorkerEndpoint;
  task: Task | undefined;
  retired: boolean;
}

function disposedError(): WorkerPoolError {
  return new WorkerPoolError('disposed', 'the compute pool was disposed');
}


export class WorkerPool {
  readonly size: number;
  private readonly workerScript: string;
  private readonly maxElements: number;
  private readonly workerHeapMb: number;
  private readonly minBlockMs: number;
  private readonly inlineMaxMs: number;
  private readonly minBlockChannels: number;
  private readonly slots = new Set<Slot>();
  /** Input buffers of finished ops, reused by later ones (most recent last). */
  private spareBuffers: SharedArrayBuffer[] = [];
  private queue: Task[] = [];
  private readonly jobs = new Set<Job>();
  private disposed = false;
  private started = 0;
  private pumpScheduled = false;

  constructor(options: WorkerPoolOptions) {
    // new Worker() throws synchronously for relative paths; refuse them here, not mid-op.
    if (!path.isAbsolute(options.workerScript)) {
      throw new TypeError(`workerScript must be an absolute path, got '${options.workerScript}'`);
    }
    this.workerScript = options.workerScript;
    this.size = options.size !== undefined && options.size > 0
      ? Math.floor(options.size)
      : Math.min(8, os.availableParallelism());
    this.maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
    this.workerHeapMb = options.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
    this.minBlockMs = options.minBlockMs ?? DEFAULT_MIN_BLOCK_MS;
    this.inlineMaxMs = options.inlineMaxMs ?? DEFAULT_INLINE_MAX_MS;
    this.minBlockChannels = options.minBlockChannels ?? DEFAULT_MIN_BLOCK_CHANNELS;
  }

  /** Threads currently alive (they start on first use). */
  get liveWorkers(): number {
    return this.slots.size;
  }

  /** Threads started since the pool was made, replacements included. */
  get threadsStarted(): number {
    return this.started;
  }

  /**
   * The plan of `request` under this pool's size limit: throws OpTooLargeError or PyTorch's
   * TorchError before anything is allocated.
   */
  plan<Operand extends TensorSpec>(request: OpRequest<Operand>): OpPlan<Operand> {
    return planOp(request, { maxElements: this.maxElements });
  }

  /** Whether `run` computes the plan on the calling thread (estimated small, on the fast kernels). */
  runsInline(plan: OpPlan<TensorSpec>): boolean {
    return plan.engine !== 'reference' && plan.cost.ms <= this.inlineMaxMs && plan.cost.scratchBytes <= INLINE_MAX_SCRATCH_BYTES;
  }

  /**
   * Computes a planned op like runPlan. Rejects with OpTooLargeError for a plan over this pool's
   * size limit, with a WorkerPoolError when its worker dies, and with `signal.reason` when
   * aborted (at once; the threads working on it are terminated and replaced).
   */
  async run(plan: OpPlan, options: { signal?: AbortSignal | undefined } = {}): Promise<Tensor> {
    const { signal } = options;
    this.assertUsable(signal);
    checkPlanSizes(plan, this.maxElements);
    const req = plan.request;
    const label = `${req.op} on input [${req.input.shape.join(', ')}]`;
    if (this.runsInline(plan)) return runPlan(plan);

    // Small ops are one block on one worker.
    const outputShape = plan.geometry.outputShape;
    const wantedBlocks = Math.max(this.size * BLOCKS_PER_WORKER, Math.ceil(plan.outputElements / MAX_BLOCK_ELEMENTS));
    const rowsFirst = numel(req.weight.shape) < numel(req.input.shape);
    const extent = plan.extent;
    const channelCuts = rowsFirst ? Infinity : extent.batch * Math.max(1, Math.floor(extent.channels / this.minBlockChannels));
    const worthCutting = Math.max(1, Math.min(wantedBlocks, channelCuts, Math.floor(plan.cost.ms / this.minBlockMs)));
    const blockCount = Math.max(worthCutting, Math.ceil(plan.outputElements / MAX_COPY_ELEMENTS));
    const lease = (t: Tensor): SharedArrayBuffer | undefined => (t.data.buffer instanceof SharedArrayBuffer ? undefined : this.spareBuffer(t.data.byteLength));
    const shared: OpRequest = {
      ...req,
      input: await toShared(req.input, lease(req.input)),
      weight: await toShared(req.weight, lease(req.weight)),
      ...(req.bias === undefined ? {} : { bias: await toShared(req.bias, lease(req.bias)) }),
    };
    signal?.throwIfAborted();
    const sharedPlan: OpPlan = { ...plan, request: shared };
    const regions = planRegions(extent, blockCount, rowsFirst);
    const dtype = plan.geometry.dtype;
    const outputBytes = plan.outputElements * elementBytes(dtype);
    const sharedOutput = sharedTensor(outputShape, dtype, this.spareBuffer(outputBytes) ?? new SharedArrayBuffer(outputBytes));
    const next = new Int32Array(new SharedArrayBuffer(4));
    let blocksDone = 0;
    const parts = Array.from({ length: Math.min(this.size, regions.length) }, (): JobPart => ({
      message: { type: 'runBlocks', plan: sharedPlan, regions, next, output: sharedOutput },
      onReply: (reply) => (blocksDone += reply.count) === regions.length,
    }));
    const output = zeros(outputShape, dtype);
    try {
      await this.runJob(label, parts, signal);
      if (blocksDone !== regions.length) throw new Error(`${label}: the workers computed ${blocksDone} of ${regions.length} blocks`);
      await copyInto(output, sharedOutput);
    } finally {
      // The op's workers have answered or been terminated (a worker that still holds a part of
      // it finds the queue empty and writes nothing): its buffers may serve the next op.
      for (const [given, copy] of [[req.input, shared.input], [req.weight, shared.weight], [req.bias, shared.bias], [undefined, sharedOutput]] as const) {
        // Only the pool's copies: a caller's own shared tensor is left alone.
        if (copy !== undefined && copy.data.buffer !== given?.data.buffer && copy.data.buffer instanceof SharedArrayBuffer) {
          this.returnBuffer(copy.data.buffer);
        }
      }
    }
    return output;
  }

  /**
   * Diagnostic: makes one worker die as an uncaught exception ('throw') or a runaway allocation
   * ('exhaust-heap') would. Rejects as an op on that worker would; the pool replaces the worker.
   */
  async crashWorker(fault: WorkerFault, options: { signal?: AbortSignal | undefined } = {}): Promise<never> {
    this.assertUsable(options.signal);
    await this.runJob(`crash diagnostic (${fault})`, [{ message: { type: 'crash', fault }, onReply: () => undefined }], options.signal);
    throw new Error(`the worker survived the '${fault}' crash diagnostic`);
  }

  /**
   * A kept SharedArrayBuffer of at least `bytes` (and not more than twice that), taken off the
   * spare list; undefined when none fits. Copying into pages already touched is several times
   * faster than into fresh ones (C5's 7 MB weight: 0.45 ms against 4-4.6 ms, measured here).
   */
  private spareBuffer(bytes: number): SharedArrayBuffer | undefined {
    if (bytes === 0) return undefined;
    const at = this.spareBuffers.findIndex((b) => b.byteLength >= bytes && b.byteLength <= 2 * bytes);
    return at < 0 ? undefined : this.spareBuffers.splice(at, 1)[0];
  }

  private returnBuffer(buffer: SharedArrayBuffer): void {
    if (this.spareBuffers.includes(buffer)) return;
    this.spareBuffers.push(buffer);
    if (this.spareBuffers.length > SPARE_BUFFERS) this.spareBuffers.shift();
  }

  /** Terminates every worker; running and later ops reject. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const slots = [...this.slots];
    for (const job of [...this.jobs]) job.fail(disposedError());
    for (const slot of slots) this.retire(slot);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private assertUsable(signal: AbortSignal | undefined): void {
    if (this.disposed) throw disposedError();
    signal?.throwIfAborted();
  }

  /** Runs the messages as one job: all replies in, or the first failure rejects and stops the rest. */
  private runJob(label: string, parts: readonly JobPart[], signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.disposed) {
        reject(disposedError());
        return;
      }
      let remaining = parts.length;
      const onAbort = (): void => job.fail(signal?.reason);
      const finish = (): void => {
        job.settled = true;
        this.jobs.delete(job);
        this.queue = this.queue.filter((t) => t.job !== job);
        signal?.removeEventListener('abort', onAbort);
      };
      const job: Job = {
        label,
        settled: false,
        fail: (error) => {
          if (job.settled) return;
          finish();
          const busy = [...this.slots].filter((slot) => slot.task?.job === job);
          for (const slot of busy) this.retire(slot);
          // Replacements start now, so the next op does not wait for threads to start.
          const replacements = this.disposed ? 0 : Math.min(busy.length, this.size - this.slots.size);
          for (let i = 0; i < replacements; i++) this.spawn();
          reject(error);
          this.schedulePump();
        },
      };
      this.jobs.add(job);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(...parts.map((part): Task => ({
        job,
        message: part.message,
        onReply: (reply) => {
          const complete = part.onReply(reply) === true;
          if (--remaining === 0 || complete) {
            finish();
            resolve();
          }
        },
      })));
      this.pump();
    });
  }

  /**
   * Pumps once the current turn is over: ops cancelled together (a burst of aborts) first drop
   * their queued tasks, so no task of theirs reaches a worker only to have it terminated and
   * replaced (80 ops cancelled at once started 160 threads, blocking the caller for most of a
   * second).
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Hands queued tasks to idle workers, starting workers up to `size`. */
  private pump(): void {
    while (this.queue.length > 0 && !this.disposed) {
      const slot = this.idleSlot() ?? (this.slots.size < this.size ? this.spawn() : undefined);
      if (slot === undefined) return;
      const task = this.queue.shift();
      if (task !== undefined) this.assign(slot, task);
    }
  }

  private idleSlot(): Slot | undefined {
    for (const slot of this.slots) if (slot.task === undefined) return slot;
    return undefined;
  }

  private assign(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    slot.endpoint.request(task.message).then(
      (reply) => this.complete(slot, task, () => task.onReply(reply)),
      (error: unknown) => this.complete(slot, task, () => task.job.fail(error)),
    );
  }

  private complete(slot: Slot, task: Task, settle: () => void): void {
    if (slot.task !== task) return; // the worker was retired meanwhile
    slot.task = undefined;
    slot.worker.unref();
    if (!task.job.settled) {
      try {
        settle();
      } catch (e) {
        task.job.fail(e);
      }
    }
    this.pump();
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerScript, { resourceLimits: { maxOldGenerationSizeMb: this.workerHeapMb } });
    worker.unref(); // idle workers never keep a CLI or test process alive
    const endpoint: HostWorkerEndpoint = new RpcEndpoint<ToWorkerMessage, FromWorkerMessage>(
      (envelope, transfer) => worker.postMessage(envelope, transfer),
    );
    const slot: Slot = { worker, endpoint, task: undefined, retired: false };
    worker.on('message', (envelope: Envelope<FromWorkerMessage>) => endpoint.handleMessage(envelope));
    worker.on('error', (error) => this.retire(slot, this.crashError(slot, error)));
    worker.on('exit', (code) => this.retire(slot, this.crashError(slot, new Error(`the thread exited with code ${code}`))));
    this.slots.add(slot);
    this.started++;
    return slot;
  }

  private crashError(slot: Slot, error: Error): WorkerPoolError {
    const what = slot.task?.job.label ?? 'no op';
    if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new WorkerPoolError(
        'worker-out-of-memory',
        `the compute worker ran out of memory (JS heap limit ${this.workerHeapMb} MB) while running ${what}`,
      );
    }
    return new WorkerPoolError('worker-crashed', `the compute worker crashed while running ${what}: ${error.message}`);
  }

  /** Removes a worker from the pool (terminating it) and fails its op when it died on its own. */
  private retire(slot: Slot, crash?: WorkerPoolError): void {
    if (slot.retired) return;
    slot.retired = true;
    this.slots.delete(slot);
    const task = slot.task;
    slot.task = undefined;
    slot.endpoint.rejectAll(crash ?? new WorkerPoolError('worker-crashed', 'the compute worker was terminated'));
    if (crash !== undefined) task?.job.fail(crash);
    this.schedulePump();
    void slot.worker.terminate();
  }
}
