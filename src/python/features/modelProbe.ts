// A SizeProbe (inputSizes.ts) that asks the analysis itself: the file, with one more statement
// that calls the model on `torch.zeros(...)` of the size asked (summary.ts's withModelCall, as
// `conv-lab summary --input-size` does), analysed again in the project
// (a new document: analysed whole). The verdict comes from what the
// interpreter is sure of — an error PyTorch raises on every path is a rejection, a tensor of
// known shape reached on paths that all surely run, with every call followed, an acceptance —
// and is unknown otherwise.
import type { CallTrace, TracedCall } from '../interpreter/callTrace';
import { allKnown } from '../interpreter/dim';
import type { Value } from '../interpreter/values';
import type { Project } from '../project/project';
import { PythonDocument } from '../syntax/document';
import type { SizeOutcome, SizeProbe } from './inputSizes';
import { withModelCall } from './summary';

export interface ModelProbeTarget {
  /** The project `file` is analysed in, built with `trace` in its analysis options. */
  readonly project: Project;
  readonly trace: CallTrace;
  readonly file: string;
  readonly source: string;
  /** What to call with the input: a top-level variable (`model`) or a constructor call (`UNet()`). */
  readonly expression: string;
  /** The input's sizes before the spatial ones (batch, channels). */
  readonly leading: readonly number[];
}

export function modelSizeProbe(target: ModelProbeTarget): SizeProbe {
  return (spatial) => {
    // The summary's own way of calling a model on a given size: the call is the text's last line.
    const { source: text, lines } = withModelCall(target.source, target.expression, [...target.leading, ...spatial]);
    const lastLine = text.lastIndexOf('\n', text.length - 2) + 1;
    const callSpan = { from: lastLine, to: text.length - 1 };
    const before = target.trace.roots.length;
    target.project.setOpen(target.file, new PythonDocument(text));
    const analysis = target.project.analyze(target.file);
    const traced = target.trace.roots.splice(before);
    if (!analysis) return { verdict: 'unknown', message: 'the file could not be analysed' };
    if (analysis.truncated) return { verdict: 'unknown', message: 'the analysis ran out of its step budget' };
    // The file's own statements run again too (a new document is analysed whole): their calls, a
    // constructor's weight initialisation looping over self.modules() say, are not the model's call.
    const probed = traced.filter((call) => {
      const span = analysis.spanOf(call.site);
      return !span || analysis.doc.lineColumnAt(span.from).line > lines;
    });
    const doubt = probed.map(doubtIn).find((d) => d !== undefined);
    if (doubt) return { verdict: 'unknown', message: doubt };
    const values = analysis.valuesAt(callSpan);
    if (values.length !== 1) return { verdict: 'unknown', message: values.length === 0 ? 'the call of the model was not reached' : 'the call of the model gave several values' };
    const raisedHere = analysis.diagnostics.some((d) => d.line > lines);
    return outcomeOf(values[0] as Value, target.leading.length, spatial.length, raisedHere);
  };
}

/**
 * Why a run's calls leave the verdict in doubt: a path not known to run, a call not followed, or a
 * BatchNorm given one value per channel, which PyTorch refuses in training mode only (whether the
 * model is in training mode is not followed).
 */
function doubtIn(call: TracedCall): string | undefined {
  if (call.uncertain) return 'a branch or loop the analysis cannot decide';
  if (call.callee.kind === 'unfollowed') return 'a call Conv Lab does not follow';
  if (call.callee.kind === 'module' && oneValuePerChannel(call)) return 'a BatchNorm gets one value per channel, which PyTorch refuses in training mode only';
  for (const child of call.children) {
    const doubt = doubtIn(child);
    if (doubt) return doubt;
  }
  return undefined;
}

function oneValuePerChannel(call: TracedCall): boolean {
  const module = call.callee.kind === 'module' ? call.callee.module : undefined;
  const input = call.positional[0];
  if (!module || 'kind' in module || module.type !== 'batchNorm' || input?.kind !== 'tensor' || !input.shape || !allKnown(input.shape)) return false;
  // Values per channel: every size but the channels'.
  return input.shape.reduce((product, size, i) => (i === 1 ? product : product * size), 1) === 1;
}

/** The verdict from the value the model's call gave. `raisedHere`: an error was reported at the call itself. */
function outcomeOf(value: Value, leadingDims: number, spatialDims: number, raisedHere: boolean): SizeOutcome {
  if (value.kind === 'unknown') {
    const why = value.why;
    // 'raises': every path of the model's forward raised (interpreter's RaisedInCall); an error
    // reported at the call itself is one a layer called directly surely raised.
    if (why?.code === 'raises') return { verdict: 'rejected', message: pytorchMessage(why.message ?? '') };
    if (why?.kind !== undefined && raisedHere) return { verdict: 'rejected', message: `${why.kind}: ${why.message ?? ''}` };
    return { verdict: 'unknown', message: 'the model\'s output is not known' };
  }
  const output = value.kind === 'tensor' ? value : value.kind === 'tuple' || value.kind === 'list' ? value.items.find((v) => v.kind === 'tensor') : undefined;
  if (output?.kind !== 'tensor' || !output.shape || !allKnown(output.shape)) return { verdict: 'unknown', message: 'the model\'s output shape is not known' };
  return { verdict: 'accepted', output: output.shape.length === leadingDims + spatialDims ? output.shape.slice(leadingDims) : undefined };
}

/** PyTorch's own message out of `'model(...)' raises RuntimeError: MESSAGE (line {line})`. */
function pytorchMessage(why: string): string {
  const raised = /^'.*?' raises (\w+: [\s\S]*) \(line \{line\}\)$/.exec(why);
  return raised ? (raised[1] as string) : why;
}
