// The tensors a file names: every `name = ...` (and each name of `a, b = ...`) whose value the
// static evaluator can work out, with its shape and where it is bound. Offered as kernels when
// only the input is selected.
import type { SyntaxNode } from '@lezer/common';
import type { Tensor } from '../core/tensor';
import type { DefaultFloatDType } from './defaultDtype';
import { evaluateTensorExpression } from './evaluate';
import { assignmentParts, type LineColumn, type PythonDocument } from './parse';

export interface TensorBinding {
  readonly name: string;
  readonly tensor: Tensor;
  /** Random or uninitialised values stand in (`torch.rand`): only shape and dtype are real. */
  readonly placeholder: boolean;
  /** The target name in the assignment. */
  readonly from: number;
  readonly to: number;
  readonly start: LineColumn;
}

export interface TensorBindingOptions {
  /** Only bindings that start before this offset. */
  readonly before?: number;
  readonly maxElements?: number;
  readonly defaultDtype?: DefaultFloatDType;
  /** At most this many, the latest kept (a long file's picker stays short and quick). */
  readonly limit?: number;
}

export function tensorBindings(doc: PythonDocument, options: TensorBindingOptions = {}): TensorBinding[] {
  const before = options.before ?? doc.text.length;
  const targets: SyntaxNode[] = [];
  doc.tree.iterate({
    enter: (ref) => {
      if (ref.from > before) return false;
      if (ref.name !== 'AssignStatement') return undefined;
      for (const group of assignmentParts(ref.node).targets) targets.push(...group.flatMap(targetNames));
      return false;
    },
  });
  const bindings: TensorBinding[] = [];
  const evaluateOptions = {
    ...(options.maxElements === undefined ? {} : { maxElements: options.maxElements }),
    ...(options.defaultDtype === undefined ? {} : { defaultDtype: options.defaultDtype }),
  };
  for (const target of targets.slice(-(options.limit ?? Infinity))) {
    const evaluation = evaluateTensorExpression(doc, target, evaluateOptions);
    // A number (`n = 5`) reads as a 0-d tensor, never a kernel.
    if (!evaluation.ok || evaluation.tensor.shape.length === 0) continue;
    bindings.push({
      name: doc.textOf(target),
      tensor: evaluation.tensor,
      placeholder: evaluation.placeholder,
      from: target.from,
      to: target.to,
      start: doc.lineColumnAt(target.from),
    });
  }
  return bindings;
}

/** The plain names a target binds: `X`, or each name of `X, K` / `(X, K)`. */
function targetNames(target: SyntaxNode): SyntaxNode[] {
  if (target.name === 'VariableName') return [target];
  if (target.name === 'TupleExpression' || target.name === 'ArrayExpression') return target.getChildren('VariableName');
  return [];
}
