// Errors cross thread and webview boundaries as plain data. A TorchError keeps its Python class,
// PyTorch's message and its stable code; anything else keeps its class name, message and stack.
import { TorchError, type TorchErrorKind } from '../core/errors';

export type SerializedError =
  | { readonly type: 'torch'; readonly kind: TorchErrorKind; readonly message: string; readonly code: string }
  | { readonly type: 'error'; readonly name: string; readonly message: string; readonly stack?: string };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof TorchError) return { type: 'torch', kind: e.kind, message: e.message, code: e.code };
  if (e instanceof Error) {
    return e.stack === undefined
      ? { type: 'error', name: e.name, message: e.message }
      : { type: 'error', name: e.name, message: e.message, stack: e.stack };
  }
  return { type: 'error', name: 'Error', message: String(e) };
}

/** Failure of the other side that is not one of PyTorch's errors (a bug, not bad input). */
export class RemoteError extends Error {
  constructor(readonly remoteName: string, message: string, remoteStack?: string) {
    super(`${remoteName}: ${message}`);
    this.name = 'RemoteError';
    if (remoteStack !== undefined) this.stack = remoteStack;
  }
}

export function deserializeError(s: SerializedError): Error {
  if (s.type === 'torch') return new TorchError(s.kind, s.message, s.code);
  return new RemoteError(s.name, s.message, s.stack);
}
