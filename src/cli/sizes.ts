// `conv-lab sizes FILE [--model NAME] [--input-size N,C,H,W] [--max N] [--json]`: the input sizes
// a model accepts and the ones it gives back unchanged (python/features/inputSizes.ts), per
// spatial dimension, from the static analysis (Python never runs).
import * as path from 'node:path';
import { allKnown } from '../python/interpreter/dim';
import { DEFAULT_BUDGET_MS, DEFAULT_MAX_SIZE, failureNote, nearestAccepted, padToAccepted, SizeSweepError, sizeChart, solveInputSizes, type AxisSizes, type InputSizes, type SizeRule } from '../python/features/inputSizes';
import { modelSizeProbe } from '../python/features/modelProbe';
import { CliError, integer, parseFlags, stringFlag } from './args';
import { sourceOf } from './shapes';
import { analyse, candidatesText, inputSizeOf, modelExpression } from './summary';

export const SIZES_USAGE = `usage: conv-lab sizes FILE [--model NAME] [--input-size N,C,H,W] [--max N] [--json]

The input sizes a model accepts, per spatial dimension, without running Python: each size of
1..N is run through Conv Lab's analysis (the same conv geometry, floor division and size checks as
everywhere else), one axis at a time with the others held at the file's input size (or, when the
model rejects that, at the smallest size it accepts on every axis). Prints the accepted sizes and
the ones whose output has the input's size (the round trip), as a rule ("H ≥ 16 and H ≡ 0 (mod 16)")
when one fits every swept size, else as the set. Rules are checked on 1..N only; sizes the analysis
is not sure of are listed as not known.

options:
  --model NAME       the model: a class name, or the top-level variable the file calls it by;
                     needed when the file calls several
  --input-size DIMS  the input's shape (batch, channels, then spatial sizes); default: the input
                     that reaches the model's call in the file
  --max N            sweep sizes 1..N (default ${DEFAULT_MAX_SIZE}, at least 1, at most 4096)
  --json             print JSON (the rules, the sets, and a status per size for a chart)

exit code: 0 sizes printed, 2 bad usage, unreadable file, no model found, or the sweep ran past
its time budget`;

const MAX_SWEEP = 4096;

export async function sizesCommand(argv: readonly string[], stdout: (text: string) => void): Promise<number> {
  const parsed = parseFlags(argv, { model: { type: 'string' }, 'input-size': { type: 'string' }, max: { type: 'string' }, json: { type: 'boolean' } });
  if (parsed.positionals.length !== 1) throw new CliError(`expected one FILE.py or FILE.ipynb, got ${parsed.positionals.length}\n${SIZES_USAGE}`);
  const shown = parsed.positionals[0] as string;
  const maxText = stringFlag(parsed, 'max');
  const max = maxText === undefined ? DEFAULT_MAX_SIZE : integer('max', maxText);
  if (max < 1 || max > MAX_SWEEP) throw new CliError(`--max must be between 1 and ${MAX_SWEEP}; got ${max}`);
  const sizeText = stringFlag(parsed, 'input-size');
  const given = sizeText === undefined ? undefined : inputSizeOf(sizeText);
  const wanted = stringFlag(parsed, 'model');
  const source = await sourceOf(path.resolve(shown), shown);

  const run = analyse(shown, source);
  const expression = modelExpression(source, run.calls, wanted, 'conv-lab sizes');
  const input = given ?? fileInput(run, expression);
  if (input.length < 3) throw new CliError(`the input (${input.join(', ')}) has no spatial dimension: expected batch, channels, then at least one spatial size`);
  const leading = input.slice(0, 2);
  const spatial = input.slice(2);
  const probe = modelSizeProbe({ project: run.project, trace: run.trace, file: run.file, source, expression, leading });
  let sizes: InputSizes;
  try {
    sizes = await solveInputSizes(probe, spatial, { max, budgetMs: DEFAULT_BUDGET_MS });
  } catch (e) {
    if (e instanceof SizeSweepError) throw new CliError(`${expression}: ${e.message}`);
    throw e;
  }
  const padded = sizes.given.verdict === 'rejected' ? padToAccepted(probe, spatial, sizes) : undefined;
  if (parsed.values['json']) stdout(JSON.stringify({ ...sizesJson(expression, input, max, sizes), padded: padded ?? null }));
  else stdout(sizesText(expression, input, max, sizes, padded));
  return 0;
}

/** The shape of the input that reaches the model's call in the file, when it is known. */
function fileInput(run: ReturnType<typeof analyse>, expression: string): number[] {
  const className = expression.endsWith('()') ? expression.slice(0, -2) : undefined;
  const calls = run.calls.filter((c) => (className !== undefined ? c.className === className : c.callee === expression));
  for (const call of calls) {
    const value = call.call.positional[0] ?? call.call.keywords.get('input');
    if (value?.kind === 'tensor' && value.shape && allKnown(value.shape)) return [...value.shape];
  }
  throw new CliError(`no input of known shape reaches ${expression}'s call in the file (${candidatesText(run.calls)}); give one with --input-size N,C,H,W`);
}

function ruleLine(label: string, rule: SizeRule): string {
  return `  ${label}: ${rule.text}${rule.words !== rule.text && rule.periodic ? `  (${rule.words})` : ''}`;
}

function axisText(axis: AxisSizes, names: string): string[] {
  const nearestText = (size: number): string => {
    const { below, above } = nearestAccepted(axis.accepted, size);
    return [below, above].filter((s) => s !== undefined).join(' or ');
  };
  const fixedOthers = axis.fixed.map((s, i) => (i === axis.axis ? undefined : s)).filter((s) => s !== undefined);
  const lines = [`${names}${fixedOthers.length > 0 ? ` (the other axes fixed at ${fixedOthers.join('×')})` : ''}:`, ruleLine('accepted', axis.accepted), ruleLine('restored (output size = input size)', axis.restored)];
  const failing = axis.points.find((p) => p.verdict === 'rejected');
  if (failing) lines.push(`  e.g. ${axis.name} = ${failing.size} fails: ${failing.message ?? ''}${axis.accepted.members.length > 0 ? `; nearest accepted: ${nearestText(failing.size)}` : ''}`);
  return lines;
}

export function sizesText(expression: string, input: readonly number[], max: number, sizes: InputSizes, padded: ReturnType<typeof padToAccepted>): string {
  const header = `${expression}, input (${input.join(', ')}): sizes 1..${max} swept per spatial axis`;
  const failure = sizes.given.verdict === 'rejected' ? [`the input (${input.join(', ')}): ${sizes.given.message ?? ''}; ${failureNote(input.slice(2), sizes)}`] : [];
  if (padded) failure.push(`  padded to ${padded.spatial.join('×')} it runs: F.pad(x, (${padded.pads.join(', ')}))`);
  const body = sizes.alike && sizes.axes.length > 1
    ? axisText(sizes.axes[0] as AxisSizes, `${sizes.axes.map((a) => a.name).join(', ')} (each alike; rules in ${sizes.axes[0]?.name})`)
    : sizes.axes.flatMap((a) => axisText(a, a.name));
  return [header, ...failure, ...body, `Checked for every size of 1..${max} through Conv Lab's analysis; nothing is claimed past ${max}.`].join('\n');
}

function ruleJson(rule: SizeRule): object {
  return { rule: rule.text, words: rule.words, periodic: rule.periodic ?? null, members: rule.members, unknown: rule.unknown };
}

export function sizesJson(expression: string, input: readonly number[], max: number, sizes: InputSizes): object {
  return {
    model: expression, input, max, alike: sizes.alike,
    axes: sizes.axes.map((a) => ({ axis: a.name, fixed: a.fixed, accepted: ruleJson(a.accepted), restored: ruleJson(a.restored), chart: sizeChart(a).status })),
  };
}
