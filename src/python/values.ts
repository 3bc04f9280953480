// The values a static reading of tensor code works with: Python scalars and sequences, dtypes,
// library names (`torch.zeros`), tensors, and bound tensor methods. Every value remembers the
// source range it came from, so an error deep inside a literal points at the right element.
import { TorchError, type TorchErrorKind } from '../core/errors';

/** The Python exceptions a static evaluation reports with Python's own message. */
export type PythonErrorKind = TorchErrorKind | 'NameError' | 'UnboundLocalError' | 'ZeroDivisionError';
import type { SyntaxNode } from '@lezer/common';
import type { OpArgs, OpName, OpRequest } from '../core/vocabulary';
import type { DType } from '../core/tensor';
import type { Span } from './parse';
import type { StridedTensor } from './strided';

/** Which library made a tensor or dtype: numpy and PyTorch differ in defaults and wording. */
export type Library = 'torch' | 'numpy';

export type PyValue =
  | { readonly kind: 'int'; readonly value: bigint; readonly at: Span }
  | { readonly kind: 'float'; readonly value: number; readonly at: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly at: Span }
  | { readonly kind: 'str'; readonly value: string; readonly at: Span }
  | { readonly kind: 'none'; readonly at: Span }
  | SequenceValue
  | { readonly kind: 'dtype'; readonly dtype: DType; readonly library: Library; readonly at: Span }
  /** A library object by its dotted path: a module (`torch`), a function (`numpy.array`), a builtin (`float`). */
  | { readonly kind: 'path'; readonly path: string; readonly at: Span }
  | TensorValue
  | LayerValue
  /** A function the file defines (`def trans_conv(X, K): ...`), called by running its body. */
  | { readonly kind: 'function'; readonly name: string; readonly def: SyntaxNode; readonly at: Span }
  | { readonly kind: 'method'; readonly self: TensorValue; readonly name: string; readonly at: Span };

export interface SequenceValue {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly PyValue[];
  readonly at: Span;
  /** A PyTorch tensor's shape: a tuple that prints as `torch.Size([2, 2])`. */
  readonly torchSize?: boolean;
}

export interface TensorValue {
  readonly kind: 'tensor';
  readonly tensor: StridedTensor;
  readonly library: Library;
  /** Values stand in for random or uninitialised ones; only the shape and dtype are real. */
  readonly placeholder: boolean;
  readonly at: Span;
  /** The op whose result `output` is: the value is that result while `tensor` is `output` itself. */
  readonly producedBy?: { readonly request: OpRequest; readonly output: StridedTensor; readonly gradFn: string | undefined };
}

/** An `nn.Conv*d` / `nn.ConvTranspose*d` module: its op, arguments, weight and bias (placeholders until set). */
export interface LayerValue {
  readonly kind: 'layer';
  /** The class name, e.g. `ConvTranspose2d`. */
  readonly name: string;
  readonly op: OpName;
  readonly args: OpArgs;
  readonly weight: TensorValue;
  readonly bias: TensorValue | undefined;
  readonly at: Span;
}

/** Python's name for a value's type, as its error messages print it. */
export function pythonTypeName(v: PyValue): string {
  switch (v.kind) {
    case 'none': return 'NoneType';
    case 'dtype': return v.library === 'torch' ? 'torch.dtype' : 'type';
    case 'path': return 'type';
    case 'tensor': return v.library === 'torch' ? 'Tensor' : 'numpy.ndarray';
    case 'method': return 'builtin_function_or_method';
    case 'layer': return v.name;
    default: return v.kind;
  }
}

/**
 * Why an expression cannot be evaluated, and where. `pythonKind` is the exception Python would
 * raise with this very message; it is absent for Conv Lab's own limits (not static, too large).
 */
export class EvaluationFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly at: Span,
    readonly pythonKind?: PythonErrorKind,
  ) {
    super(message);
  }
}

/** Runs a core tensor operation, giving its PyTorch error the call's source range. */
export function rethrowAt<T>(site: { readonly at: Span }, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof TorchError) throw new EvaluationFailure(e.message, e.code, site.at, e.kind);
    throw e;
  }
}
