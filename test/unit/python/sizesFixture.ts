// The input-size solver run on a fixture file as `conv-lab sizes FILE --model NAME --input-size ...
// --max N` runs it (shared by the engine's tests and the PyTorch comparison).
import * as fs from 'node:fs';
import { analyse, modelExpression } from '../../../src/cli/summary';
import { DEFAULT_BUDGET_MS, solveInputSizes, type InputSizes } from '../../../src/python/features/inputSizes';
import { modelSizeProbe } from '../../../src/python/features/modelProbe';
import { fixturePath } from '../helpers';

/** A change made to a fixture's text before it is analysed (the first occurrence of `old` becomes `new`). */
export type FixtureEdit = readonly [old: string, new: string];

/** The fixture's text, edited: the golden script makes the same edit before PyTorch runs it. */
export function fixtureSource(file: string, edit?: FixtureEdit): string {
  const text = fs.readFileSync(fixturePath('python', ...file.split('/')), 'utf8');
  if (!edit) return text;
  if (!text.includes(edit[0])) throw new Error(`${file}: the edit finds no '${edit[0]}'`);
  return text.replace(edit[0], edit[1]);
}

/** `file` under test/fixtures/python; `input` the whole shape (batch, channels, spatial sizes). */
export function solveFixture(file: string, model: string, input: readonly number[], max: number, edit?: FixtureEdit): Promise<InputSizes> {
  const shown = fixturePath('python', ...file.split('/'));
  const source = fixtureSource(file, edit);
  const run = analyse(shown, source);
  const expression = modelExpression(source, run.calls, model, 'the test');
  const probe = modelSizeProbe({ project: run.project, trace: run.trace, file: run.file, source, expression, leading: input.slice(0, 2) });
  return solveInputSizes(probe, input.slice(2), { max, budgetMs: DEFAULT_BUDGET_MS });
}
