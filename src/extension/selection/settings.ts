// The settings that shape how results are read and printed: PyTorch's default dtype for Python
// floats and factories (`torch.set_default_dtype`) and the printed precision (`torch.set_printoptions`).
import * as vscode from 'vscode';
import { TORCH_PRINT_DEFAULTS } from '../../core/format';
import { DEFAULT_MAX_ELEMENTS } from '../../core/tensor';
import type { DefaultFloatDType } from '../../python/defaultDtype';

/** Digits after the decimal point in printed results, within the bounds package.json declares. */
export function displayPrecision(): number {
  const value = vscode.workspace.getConfiguration('convLab').get<number>('displayPrecision', TORCH_PRINT_DEFAULTS.precision);
  return Number.isInteger(value) && value >= 1 && value <= 16 ? value : TORCH_PRINT_DEFAULTS.precision;
}

/** `torch.get_default_dtype()` for evaluation and printing: float32 (PyTorch's) unless set to float64. */
export function defaultDtype(): DefaultFloatDType {
  return vscode.workspace.getConfiguration('convLab').get<string>('defaultDtype', 'float32') === 'float64' ? 'float64' : 'float32';
}

/** How results are printed: PyTorch's form with these print options. */
export function printSettings(): { precision: number; defaultDtype: DefaultFloatDType } {
  return { precision: displayPrecision(), defaultDtype: defaultDtype() };
}

/** How selections are evaluated. */
export function evaluationSettings(): { maxElements: number; defaultDtype: DefaultFloatDType } {
  return { maxElements: maxElements(), defaultDtype: defaultDtype() };
}

export function maxElements(): number {
  return vscode.workspace.getConfiguration('convLab').get<number>('maxElements', DEFAULT_MAX_ELEMENTS);
}
