// Commands on shape analysis: "Check Shapes in File", and the Run / Visualize links of layer
// hovers, which run the layer's op on placeholder tensors of the shapes that reach it.
import * as vscode from 'vscode';
import { formatTensor } from '../../core/format';
import { formatOpArgs } from '../../core/opArgsText';
import { withTensors, type OpPlan } from '../../core/plan';
import { numel, type Tensor } from '../../core/tensor';
import { computeCancellable, messageOf } from '../compute';
import { isOneOf, OP_VIEW_NAMES } from '../../protocol/panel';
import type { Ctx } from '../ctx';
import type { LayerLinkArgs } from './service';

export async function checkShapes(ctx: Ctx): Promise<{ bindings: number; errors: number } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') {
    void vscode.window.showWarningMessage('Check Shapes in File: open a Python file or notebook first.');
    return undefined;
  }
  const counts = await ctx.analysis.checkShapes(editor.document);
  const summary = `Conv Lab: ${counts.bindings} tensor binding${counts.bindings === 1 ? '' : 's'}, ${counts.errors} shape error${counts.errors === 1 ? '' : 's'}.`;
  void vscode.window.showInformationMessage(summary, 'Show Log').then((choice) => {
    if (choice === 'Show Log') ctx.log.show();
  });
  return counts;
}

/** Deterministic stand-in values in [-1, 1) (mulberry32): the same picture on every run. */
function placeholder(shape: readonly number[], seed: number): Tensor<'float32'> {
  const data = new Float32Array(numel(shape));
  let a = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return { shape: [...shape], dtype: 'float32', data };
}

/**
 * Runs the conv layer at the link's position on placeholder tensors; with `show`, in the panel
 * too, opened on the link's view when it names one (a layer no known input reaches then runs on
 * a small placeholder input: that view needs only its geometry).
 */
export async function runLayerAt(ctx: Ctx, args: LayerLinkArgs | undefined, show: boolean): Promise<Tensor | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = args ? vscode.Uri.parse(args.uri) : editor?.document.uri;
  const document = uri && vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const position = args ? new vscode.Position(args.line, args.character) : editor?.selection.active;
  if (!document || !position) return undefined;
  const view = show && args?.view !== undefined && isOneOf(OP_VIEW_NAMES, args.view) ? args.view : undefined;
  const { op, reason } = await ctx.analysis.layerOpAt(document, position, view !== undefined);
  if (!op) {
    void vscode.window.showWarningMessage(`Conv Lab cannot run this layer: ${reason ?? 'no conv layer here'}.`);
    return undefined;
  }
  let plan: OpPlan;
  let result: Tensor | undefined;
  try {
    // Planned on shapes first: the size limit refuses a huge input before its placeholder is made.
    const planned = ctx.pool().plan({ op: op.op, input: { shape: op.inputShape, dtype: 'float32' }, weight: { shape: op.weightShape, dtype: 'float32' }, args: op.args });
    plan = withTensors(planned, { input: placeholder(op.inputShape, 1), weight: placeholder(op.weightShape, 2) });
    result = await computeCancellable(ctx, plan);
  } catch (e) {
    void vscode.window.showErrorMessage(`Conv Lab could not run ${op.layer} (line ${op.line}): ${messageOf(e)}`);
    return undefined;
  }
  if (!result) return undefined;
  ctx.log.info(`${op.layer} (line ${op.line}) as ${op.op}(${formatOpArgs(op.args)}) on placeholder input ${JSON.stringify(op.inputShape)} and weight ${JSON.stringify(op.weightShape)} → ${JSON.stringify(result.shape)}`);
  if (numel(result.shape) <= 1_000) ctx.log.info(formatTensor(result));
  const shown = result;
  // Visualize opens the panel (a closed one too: showing alone only updates an open panel).
  const visualize = (): void => {
    ctx.showInPanel(plan, shown);
    ctx.panel.open();
  };
  if (show) {
    visualize();
    if (view !== undefined) ctx.panel.selectView(view);
  } else {
    void vscode.window.showInformationMessage(`${op.layer} gives ${JSON.stringify(shown.shape)} (placeholder values).`, 'Visualize').then((choice) => {
      if (choice === 'Visualize') visualize();
    });
  }
  return result;
}

/** A hover link's target: a range of a document and the selection command to run on it. */
export interface RangeLinkArgs {
  readonly uri: string;
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
  readonly command: 'convLab.runConvOnSelection' | 'convLab.runConvTransposeOnSelection';
}

/** Selects the range (a literal from its hover) and runs the selection command on it. */
export async function runOnRange(args: RangeLinkArgs | undefined): Promise<unknown> {
  if (!args || (args.command !== 'convLab.runConvOnSelection' && args.command !== 'convLab.runConvTransposeOnSelection')) return undefined;
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === args.uri);
  if (!document) return undefined;
  const editor = await vscode.window.showTextDocument(document);
  const range = new vscode.Range(args.start.line, args.start.character, args.end.line, args.end.character);
  editor.selection = new vscode.Selection(range.start, range.end);
  return vscode.commands.executeCommand(args.command);
}
