// A tensor as a Python statement that rebuilds it, `Y = torch.tensor([[27., 37.], ...])`, in
// PyTorch's printed number format: repr(t) with `torch.` in front is valid Python except for
// what `torch.tensor` cannot take (summarised `...`, `size=` of empty tensors, `nan`/`inf`).
import { formatTensor, TORCH_PRINT_DEFAULTS } from './format';
import { numel, torchDTypeName, type Tensor } from './tensor';

/** Lines stay within PyTorch's line width unless the prefix alone is longer than this allows. */
const MIN_LINEWIDTH = 40;

/**
 * `<indent><name> = torch.tensor(...)`, every value spelled out; continuation lines are aligned
 * under the first bracket as PyTorch aligns them under `tensor(`.
 */
export function tensorLiteralStatement(name: string, t: Tensor, indent = '', options: { precision?: number; defaultDtype?: 'float32' | 'float64' } = {}): string {
  const prefix = `${indent}${name} = torch.`;
  if (numel(t.shape) === 0) {
    const dtype = t.dtype === (options.defaultDtype ?? 'float32') ? '' : `, dtype=${torchDTypeName(t.dtype)}`;
    return `${prefix}zeros((${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})${dtype})`;
  }
  const linewidth = Math.max(MIN_LINEWIDTH, TORCH_PRINT_DEFAULTS.linewidth - prefix.length);
  const repr = formatTensor(t, { ...options, threshold: Infinity, linewidth });
  const body = repr.replace(/\n/g, `\n${' '.repeat(prefix.length)}`);
  // `nan` and `inf` are names in Python, not numbers.
  return prefix + body.replace(/\bnan\b/g, "float('nan')").replace(/\binf\b/g, "float('inf')");
}
