// `conv-lab summary FILE [--model NAME] [--input-size 1,3,224,224] [--depth N] [--format ...]`:
// the model summary (python/features/summary.ts) of the models a file builds and calls, from the
// static analysis (Python never runs), with the input that reaches the call or the size given.
import * as path from 'node:path';
import { PythonDocument } from '../python';
import { CallTrace } from '../python/interpreter/callTrace';
import { Project } from '../python/project/project';
import { modelCalls, oneCallPerModel, summarize, withModelCall, type ModelCall } from '../python/features/summary';
import { formatSummaries, SUMMARY_FORMATS } from '../python/features/summaryFormat';
import { diskFiles } from '../worker/diskFiles';
import { CliError, integer, oneOf, parseFlags, stringFlag } from './args';
import { projectPath, sourceOf } from './shapes';

export const SUMMARY_USAGE = `usage: conv-lab summary FILE [--model NAME] [--input-size N,C,H,W] [--depth N] [--format table|json|csv|markdown]

A model summary without running Python: per layer (named as model.named_modules() names them,
nested by depth) its input and output shapes, kernel, groups, parameters, % of parameters,
multiply-accumulates (MACs) and FLOPs (2 × MACs), the receptive field of conv and pool layers,
trainable; functional ops (F.conv2d, F.linear, torch.matmul, @) as rows of their own; totals and
memory estimates. A number Conv Lab cannot be sure of prints as ? (null in JSON).

options:
  --model NAME       the model: a class name, or the name the file calls it by (\`net\` for net(x));
                     default: every model the file builds and calls, one summary each
  --input-size DIMS  the input's shape (comma-separated); default: the input that reaches the
                     model's call in the file. The model must be a top-level variable, or a class
                     built without arguments
  --depth N          rows nested deeper than N are left out (the totals still count them)
  --format F         table (default), json, csv or markdown

exit code: 0 a summary printed, 2 bad usage, unreadable file, or no model found`;

export async function summaryCommand(argv: readonly string[], stdout: (text: string) => void): Promise<number> {
  const parsed = parseFlags(argv, { model: { type: 'string' }, 'input-size': { type: 'string' }, depth: { type: 'string' }, format: { type: 'string' } });
  if (parsed.positionals.length !== 1) throw new CliError(`expected one FILE.py or FILE.ipynb, got ${parsed.positionals.length}\n${SUMMARY_USAGE}`);
  const shown = parsed.positionals[0] as string;
  const format = oneOf('format', stringFlag(parsed, 'format') ?? 'table', SUMMARY_FORMATS);
  const depthText = stringFlag(parsed, 'depth');
  const depth = depthText === undefined ? undefined : integer('depth', depthText);
  if (depth !== undefined && depth < 0) throw new CliError(`--depth must be 0 or more; got ${depth}`);
  const sizeText = stringFlag(parsed, 'input-size');
  const inputSize = sizeText === undefined ? undefined : inputSizeOf(sizeText);
  const wanted = stringFlag(parsed, 'model');
  const source = await sourceOf(path.resolve(shown), shown);

  let run = analyse(shown, source);
  let models = run.calls;
  if (inputSize) {
    const expression = modelExpression(source, models, wanted);
    const appended = withModelCall(source, expression, inputSize);
    const lines = appended.lines;
    run = analyse(shown, appended.source);
    models = run.calls.filter((c) => c.line !== undefined && c.line > lines);
    if (models.length === 0) throw new CliError(`${expression}(...) with an input of size ${inputSize.join(',')} could not be followed: the analysis does not reach that call`);
  } else if (wanted !== undefined) {
    models = models.filter((c) => c.className === wanted || c.callee === wanted);
    if (models.length === 0) throw new CliError(`--model ${wanted}: no call of such a model found in ${shown}; ${candidatesText(run.calls)}`);
  }
  if (models.length === 0) throw new CliError(`${shown}: no model call found (a call of an nn.Module the file builds); use --model NAME --input-size DIMS`);
  const summaries = oneCallPerModel(models).map((call) => summarize(run.trace, run.analysis, call, { depth, parameterDtype: run.analysis.options.defaultDtype ?? 'float32' }));
  stdout(formatSummaries(summaries, format));
  return 0;
}

export function inputSizeOf(text: string): number[] {
  const sizes = text.split(',').map((part) => integer('input-size', part));
  if (sizes.some((s) => s < 0)) throw new CliError(`--input-size sizes must be 0 or more; got '${text}'`);
  return sizes;
}

export interface TracedRun {
  readonly analysis: ReturnType<Project['analyze']> & object;
  readonly trace: CallTrace;
  readonly project: Project;
  /** The file's path as the project keeps it. */
  readonly file: string;
  readonly calls: ModelCall[];
}

/** The file analysed with its module calls traced; imports of the project's modules are followed, as `conv-lab shapes` does. */
export function analyse(shown: string, source: string): TracedRun {
  const file = projectPath(path.resolve(shown));
  const cwd = process.cwd();
  const trace = new CallTrace();
  const roots = [path.dirname(path.resolve(shown)), cwd, path.join(cwd, 'src')].map(projectPath);
  const project = new Project(diskFiles, { roots: [...new Set(roots)] }, { trace });
  project.setOpen(file, new PythonDocument(source));
  const analysis = project.analyze(file);
  if (!analysis) throw new CliError(`cannot analyse ${shown}`);
  return { analysis, trace, project, file, calls: modelCalls(trace, analysis) };
}

export function candidatesText(calls: readonly ModelCall[]): string {
  const names = [...new Set(calls.map((c) => (c.callee !== undefined ? `${c.callee} (${c.className}, line ${c.line})` : c.className)))];
  return names.length === 0 ? 'the file calls no model' : `the models it calls: ${names.slice(0, 10).join(', ')}`;
}

/** What to call with the given input: a top-level variable the file calls the model by, or `Class()`. `asker` names what needs it, for the error. */
export function modelExpression(source: string, calls: readonly ModelCall[], wanted: string | undefined, asker = '--input-size'): string {
  const lines = source.split('\n');
  const topLevel = calls.filter((c) => c.callee !== undefined && /^[A-Za-z_]\w*$/.test(c.callee) && c.line !== undefined && /^\S/.test(lines[c.line - 1] ?? ''));
  if (wanted !== undefined) {
    if (topLevel.some((c) => c.callee === wanted)) return wanted;
    const variable = topLevel.find((c) => c.className === wanted);
    if (variable) return variable.callee as string;
    if (new RegExp(`^class\\s+${wanted.replace(/\W/g, '')}\\b`, 'm').test(source) && /^[A-Za-z_]\w*$/.test(wanted)) return `${wanted}()`;
    throw new CliError(`--model ${wanted}: not a class defined at the top level of the file nor a top-level variable it calls; ${candidatesText(calls)}`);
  }
  const distinct = [...new Set(topLevel.map((c) => c.callee as string))];
  if (distinct.length === 1) return distinct[0] as string;
  throw new CliError(`${asker} needs --model NAME here: ${distinct.length === 0 ? 'no top-level variable is called as a model' : `several models: ${distinct.join(', ')}`}`);
}
