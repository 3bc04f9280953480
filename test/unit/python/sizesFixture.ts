// The input-size solver run on a fixture file as `conv-lab sizes FILE --model NAME --input-size ...
// --max N` runs it (shared by the engine's tests and the PyTorch comparison).
import * as fs from 'node:fs';
import { analyse, modelExpression } from '../../../src/cli/summary';
import { DEFAULT_BUDGET_MS, solveInputSizes, type InputSizes } from '../../../src/python/features/inputSizes';
import { modelSizeProbe } from '../../../src/python/features/modelProbe';
import { fixturePath } from '../helpers';

/** `file` under test/fixtures/python; `input` the whole shape (batch, channels, spatial sizes). */
export function solveFixture(file: string, model: string, input: readonly number[], max: number): InputSizes {
  const shown = fixturePath('python', ...file.split('/'));
  const source = fs.readFileSync(shown, 'utf8');
  const run = analyse(shown, source);
  const expression = modelExpression(source, run.calls, model, 'the test');
  const probe = modelSizeProbe({ project: run.project, trace: run.trace, file: run.file, source, expression, leading: input.slice(0, 2) });
  return solveInputSizes(probe, input.slice(2), { max, budgetMs: DEFAULT_BUDGET_MS });
}
