// The tensors a file names above a point, offered as kernels when only the input is selected:
// every module-level name an assignment bound before that point whose elements are known, with
// its shape, latest first (each is computed, within one work budget).
import type { Tensor } from '../../core/tensor';
import type { ShapeAnalysis } from '../interpreter/analysis';
import { DataRefusal, materialize, WorkBudget } from '../interpreter/elements';
import type { LineColumn } from '../syntax/document';

/** Element operations listing the choices may take (they are small tensors, usually). */
const CHOICES_WORK = 100_000_000;

export interface KernelChoice {
  readonly name: string;
  readonly tensor: Tensor;
  /** The target name in the assignment. */
  readonly from: number;
  readonly to: number;
  readonly start: LineColumn;
}

/** At most `limit` choices bound before `before`, nearest first; numbers (0-d tensors) left out. */
export function kernelChoices(analysis: ShapeAnalysis, before: number, limit: number): KernelChoice[] {
  const doc = analysis.doc;
  const budget = new WorkBudget(CHOICES_WORK);
  const choices: KernelChoice[] = [];
  const topLevel = new Set(analysis.state.starts);
  const candidates = analysis.bindings.filter((b) => b.target.from < before && topLevel.has(b.statement.from) && b.value.kind === 'tensor' && b.value.elements && (b.shape?.length ?? 0) > 0);
  for (const binding of candidates.reverse()) {
    if (choices.length >= limit) break;
    const value = binding.value;
    if (value.kind !== 'tensor' || !value.elements) continue;
    try {
      choices.push({ name: binding.name, tensor: materialize(value.elements, budget), from: binding.target.from, to: binding.target.to, start: doc.lineColumnAt(binding.target.from) });
    } catch (e) {
      if (e instanceof DataRefusal) continue;
      throw e;
    }
  }
  return choices;
}
