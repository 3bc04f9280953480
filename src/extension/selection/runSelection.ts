// "Run Convolution / Transposed Convolution on Selection", "Cross-Correlate Selection (corr2d)":
// the first selection is the input and the second the kernel (with one selection the kernel is
// picked from the tensors the file binds, or typed); the arguments are asked for, pre-filled from
// the nearest matching layer constructor above the input. The analysis worker reads the
// selections (the host never parses); the op runs in the compute pool. The result goes to the log
// in PyTorch's printed form and to the panel, and is kept for Insert / Copy Result. A selection
// that is not a tensor gets one message naming the problem and where it is; the document is never
// changed. A selection of whole notebook-style cells replays them instead (replay.ts).
import * as vscode from 'vscode';
import { formatTensor } from '../../core/format';
import { formatOpArgs, parseOpArgs } from '../../core/opArgsText';
import { CONV_OP_NAMES, CONV_TRANSPOSE_OP_NAMES, type OpArgs, type OpName, type OpRequest } from '../../core/vocabulary';
import type { Tensor } from '../../core/tensor';
import type { WireEvaluation } from '../../protocol/analysis';
import type { Span } from '../../python';
import type { Ctx } from '../ctx';
import { computeCancellable, describeRun, messageOf } from '../compute';
import { askOpArgs } from '../opArgsInput';
import { rememberResult } from './lastResult';
import { replayInEditor, type ReplayResult } from './replay';
import { SelectionSource } from './source';

export type SelectionOpKind = 'conv' | 'convTranspose' | 'corr2d';

/** Arguments for running without prompts (tests, other commands); each part left out is taken from the editor or asked for. */
export interface RunSelectionArgs {
  /** A range of the active editor's document, or an expression read after the input's line. */
  input?: vscode.Range | string;
  kernel?: vscode.Range | string;
  /** Python keyword syntax (`stride=2, padding=1`) or already parsed. */
  args?: string | OpArgs;
  /** Take the arguments pre-filled from the nearest layer without asking. */
  acceptPrefilled?: boolean;
}

export type SelectionOutcome =
  | { readonly ok: true; readonly op: OpName; readonly argsText: string; readonly result: Tensor; readonly printed: string }
  | { readonly ok: false; readonly message: string };

/** Refusals the user can act on: shown as they are. */
class SelectionError extends Error {}

const TITLES: Record<SelectionOpKind, string> = {
  conv: 'Run Convolution on Selection',
  convTranspose: 'Run Transposed Convolution on Selection',
  corr2d: 'Cross-Correlate Selection (corr2d)',
};

/** Picker rows: more bindings than this and only the nearest are listed. */
const MAX_KERNEL_CHOICES = 200;

/** `args` is absent from the palette and keybindings, and the document's URI from the editor's context menu. */
export async function runOnSelection(ctx: Ctx, kind: SelectionOpKind, args?: RunSelectionArgs | vscode.Uri): Promise<SelectionOutcome | ReplayResult | undefined> {
  const given = args instanceof vscode.Uri ? {} : args ?? {};
  try {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python') throw new SelectionError('select a tensor in a Python file or notebook cell first');
    const source = new SelectionSource(ctx.analysis, editor.document);
    // A selection of whole cells replays them: the cell's own code says what to run.
    if (given.input === undefined && editor.selections.length === 1 && !editor.selection.isEmpty) {
      const replayed = await replayInEditor(ctx, source, source.spanOf(editor.selection));
      if (replayed) return replayed;
    }
    const [firstSelection, secondSelection] = editor.selections;
    const inputTarget = given.input ?? firstSelection;
    if (inputTarget === undefined) throw new SelectionError('select a tensor first');
    const anchor = inputTarget instanceof vscode.Range ? source.spanOf(inputTarget).from : source.spanOf(editor.selection).from;
    const kernelTarget = given.kernel ?? (given.input === undefined ? secondSelection : undefined);
    const [input, kernelGiven] = await evaluateTargets(source, anchor, [['input', inputTarget], ...(kernelTarget !== undefined ? [['kernel', kernelTarget] as const] : [])]);
    const kernel = kernelGiven ?? await pickKernel(source, anchor, kind);
    if (!input || kernel === undefined) return undefined;
    const op = opFor(kind, input.shape.length, kernel.shape.length);
    const chosen = await opArguments(source, anchor, kind, op, given);
    if (chosen === undefined) return undefined;
    const request: OpRequest = { op, input, weight: kernel, args: chosen.parsed };
    const plan = ctx.pool().plan(request);
    const result = await computeCancellable(ctx, plan);
    if (result === undefined) return undefined;
    const printed = formatTensor(result, ctx.config.printSettings);
    ctx.log.info(`${describeRun(request)} → [${result.shape.join(', ')}]\n${printed}`);
    ctx.showInPanel(plan, result);
    rememberResult(ctx, { result, op });
    void offerNextSteps(op, result);
    return { ok: true, op, argsText: chosen.text, result, printed };
  } catch (e) {
    const message = messageOf(e);
    ctx.log.error(`${TITLES[kind]}: ${message}`);
    void vscode.window.showErrorMessage(`Conv Lab: ${message}`);
    return { ok: false, message };
  }
}

/** The result's shape in a notification, with what to do next (not awaited: the command's outcome does not wait for the user). */
async function offerNextSteps(op: OpName, result: Tensor): Promise<void> {
  const steps = { 'Open Panel': 'convLab.openPanel', 'Insert as Literal': 'convLab.insertResultAsLiteral', 'Show Log': 'convLab.showLog' } as const;
  const choice = await vscode.window.showInformationMessage(`Conv Lab: ${op} → [${result.shape.join(', ')}]`, ...Object.keys(steps));
  if (choice !== undefined && choice in steps) await vscode.commands.executeCommand(steps[choice as keyof typeof steps]);
}

/**
 * The op a kind means for these ranks. The kernel's rank says the spatial dims (weight is
 * (out, in, *kernel)); two plain matrices mean d2l's corr2d / trans_conv; otherwise the input's
 * rank decides and PyTorch's own error explains the kernel.
 */
export function opFor(kind: SelectionOpKind, inputRank: number, kernelRank: number): OpName {
  if (kind === 'corr2d') return 'corr2d';
  if (inputRank === 2 && kernelRank === 2) return kind === 'conv' ? 'corr2d' : 'trans_conv';
  const spatialDims = kernelRank >= 3 && kernelRank <= 5 ? kernelRank - 2 : Math.min(3, Math.max(1, inputRank - 2));
  const names = kind === 'conv' ? CONV_OP_NAMES : CONV_TRANSPOSE_OP_NAMES;
  return names[spatialDims - 1] ?? names[1];
}

type Target = readonly ['input' | 'kernel', vscode.Range | string];

/** The selected (or typed) input and kernel as tensors, or the first one's problem, named with where it is. */
async function evaluateTargets(source: SelectionSource, anchor: number, targets: readonly Target[]): Promise<(Tensor | undefined)[]> {
  const ranges = targets.filter((t): t is readonly ['input' | 'kernel', vscode.Range] => t[1] instanceof vscode.Range);
  for (const [role, range] of ranges) {
    if (range.isEmpty && ranges.length > 1) throw new SelectionError(`${role}: nothing is selected at ${source.describe(source.spanOf(range).from)}; select a tensor expression or name`);
  }
  const spans: Span[] = ranges.map(([, range]) => source.spanOf(range));
  const fromRanges = spans.length > 0 ? await source.evaluate(spans) : [];
  const tensors: (Tensor | undefined)[] = [];
  for (const [role, target] of targets) {
    const evaluation = target instanceof vscode.Range ? fromRanges[ranges.findIndex((r) => r[1] === target)] : await source.evaluateTyped(anchor, target);
    tensors.push(tensorOrThrow(source, role, target, evaluation));
  }
  return tensors;
}

function tensorOrThrow(source: SelectionSource, role: string, target: vscode.Range | string, evaluation: WireEvaluation | undefined): Tensor {
  if (!evaluation) throw new SelectionError(`${role}: nothing to evaluate`);
  if (!evaluation.ok) {
    const { pythonKind, message, from, inTyped } = evaluation.error;
    const where = inTyped ? ` (in '${String(target)}', column ${from + 1})` : ` (${source.describe(from)})`;
    throw new SelectionError(`${role}${where}: ${pythonKind ? `${pythonKind}: ` : ''}${message}`);
  }
  if (evaluation.placeholder) {
    throw new SelectionError(`${role} (${source.describe(evaluation.from)}): its values are random or uninitialised (torch.rand, torch.empty…), only its shape [${evaluation.tensor.shape.join(', ')}] is known`);
  }
  return evaluation.tensor;
}

type KernelChoice = vscode.QuickPickItem & { span?: Span };

async function pickKernel(source: SelectionSource, anchor: number, kind: SelectionOpKind): Promise<Tensor | undefined> {
  const typeOne: KernelChoice = { label: '$(edit) Type a tensor expression…', alwaysShow: true };
  const choices: KernelChoice[] = [
    ...(await source.kernelChoices(anchor, MAX_KERNEL_CHOICES)).map((c) => ({ label: c.name, description: `[${c.shape.join(', ')}] ${c.dtype}`, detail: source.describe(c.from), span: { from: c.from, to: c.to } })),
    typeOne,
  ];
  const picked = await vscode.window.showQuickPick(choices, { title: `${TITLES[kind]}: kernel`, placeHolder: 'the kernel (weight), nearest binding first', matchOnDescription: true });
  if (picked === undefined) return undefined;
  if (picked.span) {
    const [evaluation] = await source.evaluate([picked.span]);
    return tensorOrThrow(source, 'kernel', picked.label, evaluation);
  }
  const typed = await vscode.window.showInputBox({
    title: `${TITLES[kind]}: kernel`,
    prompt: 'A tensor expression, e.g. torch.tensor([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2) or a name bound above',
    validateInput: async (text) => {
      const evaluation = await source.evaluateTyped(anchor, text);
      return evaluation.ok ? undefined : `${evaluation.error.inTyped ? `column ${evaluation.error.from + 1}` : source.describe(evaluation.error.from)}: ${evaluation.error.message}`;
    },
  });
  if (typed === undefined) return undefined;
  return tensorOrThrow(source, 'kernel', typed, await source.evaluateTyped(anchor, typed));
}

async function opArguments(source: SelectionSource, anchor: number, kind: SelectionOpKind, op: OpName, given: RunSelectionArgs): Promise<{ text: string; parsed: OpArgs } | undefined> {
  // d2l's functions take no arguments.
  if (kind === 'corr2d' || op === 'corr2d' || op === 'trans_conv') return { text: '', parsed: {} };
  if (given.args !== undefined) {
    if (typeof given.args !== 'string') return { text: formatOpArgs(given.args), parsed: given.args };
    return { text: given.args, parsed: parsedOrThrow(given.args) };
  }
  // conv2d, conv_transpose3d…: the digit is the number of spatial dims.
  const layer = await source.layerArguments(anchor, kind, Number(/(\d)d$/.exec(op)?.[1]));
  const prefilled = layer?.text ?? '';
  if (given.acceptPrefilled) return { text: prefilled, parsed: layer?.args ?? {} };
  const from = layer ? ` (from ${layer.callee} at ${source.describe(layer.from)})` : '';
  const text = await askOpArgs(op, { value: prefilled, note: from });
  return text === undefined ? undefined : { text, parsed: parsedOrThrow(text) };
}

function parsedOrThrow(text: string): OpArgs {
  try {
    return parseOpArgs(text);
  } catch (e) {
    throw new SelectionError(`arguments: ${messageOf(e)}`);
  }
}
