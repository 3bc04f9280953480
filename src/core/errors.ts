// Errors the core raises carry the Python exception class PyTorch would raise and PyTorch's own
// message, so every surface (CLI, hover, diagnostic, panel) can show the wording users know.

export type TorchErrorKind = 'RuntimeError' | 'ValueError' | 'TypeError' | 'IndexError' | 'NotImplementedError';

export class TorchError extends Error {
  override readonly name = 'TorchError';
  constructor(
    readonly kind: TorchErrorKind,
    message: string,
    /** Stable identifier of the error kind, e.g. `channel-mismatch`, for diagnostics and quick fixes. */
    readonly code: string,
  ) {
    super(message);
  }

  /** What Python prints on its last traceback line. */
  toPythonString(): string {
    return `${this.kind}: ${this.message}`;
  }
}

export function isTorchError(e: unknown): e is TorchError {
  return e instanceof TorchError;
}
