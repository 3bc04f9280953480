// Request/response over any postMessage-style pipe (worker_threads, browser Worker, webview):
// numbered messages, a promise per request, errors carried across as data, buffers transferred.
// Each side owns one RpcEndpoint; the pipe's two directions may carry different message unions.
import { deserializeError, serializeError, type SerializedError } from './errors';

/** What actually crosses the pipe. */
export type Envelope<T> =
  | { readonly id: number; readonly body: T }
  | { readonly id: number; readonly replyTo: number; readonly body: T }
  | { readonly id: number; readonly replyTo: number; readonly error: SerializedError };

/** Posts one envelope; `transfer` lists buffers to move rather than copy (ignored by pipes that cannot). */
export type PostMessage<T> = (envelope: Envelope<T>, transfer: ArrayBuffer[]) => void;

/** Answers one request; a thrown error rejects the requester's promise. */
export type RequestHandler<TIn, TOut> = (body: TIn) => TOut | Promise<TOut>;

interface Pending<T> {
  resolve(body: T): void;
  reject(error: Error): void;
}

export class RpcEndpoint<TOut, TIn> {
  private nextId = 0;
  private readonly pending = new Map<number, Pending<TIn>>();

  constructor(
    private readonly post: PostMessage<TOut>,
    /** Answers requests from the other side; omit on a side that only asks. */
    private readonly handler?: RequestHandler<TIn, TOut>,
    /** Buffers in a reply to transfer instead of copy. */
    private readonly transferablesOf: (reply: TOut) => ArrayBuffer[] = () => [],
  ) {}

  /** Number of requests still waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a request; the promise settles with the other side's reply or error. */
  request(body: TOut, transfer: ArrayBuffer[] = []): Promise<TIn> {
    const id = this.nextId++;
    return new Promise<TIn>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ id, body }, transfer);
    });
  }

  /** Feeds one envelope received from the other side. */
  handleMessage(envelope: Envelope<TIn>): void {
    if (!('replyTo' in envelope)) {
      void this.answer(envelope.id, envelope.body);
      return;
    }
    const pending = this.pending.get(envelope.replyTo);
    if (pending === undefined) return; // the request was already abandoned
    this.pending.delete(envelope.replyTo);
    if ('error' in envelope) pending.reject(deserializeError(envelope.error));
    else pending.resolve(envelope.body);
  }

  /** Rejects every outstanding request, e.g. when the other side died. */
  rejectAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }

  private async answer(replyTo: number, body: TIn): Promise<void> {
    if (this.handler === undefined) return;
    try {
      const reply = await this.handler(body);
      this.post({ id: this.nextId++, replyTo, body: reply }, this.transferablesOf(reply));
    } catch (e) {
      this.post({ id: this.nextId++, replyTo, error: serializeError(e) }, []);
    }
  }
}
