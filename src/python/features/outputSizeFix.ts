// The U-Net quick fix: a `torch.cat([self.up(x), skip])` whose transposed conv's output is one
// pixel short of the skip (an odd size pooled down and brought back up) gets the skip's size passed
// at the call, `self.up(x, output_size=skip.shape[-2:])`, which nn.ConvTransposeNd.forward turns
// into the output_padding that size needs at each call (a fixed output_padding suits one input
// size). Offered only when the skip's size is one the transposed conv can give for its input here
// (core/geometry's output range: PyTorch raises otherwise), and the call and the skip are written
// in the cat itself.
import type { SyntaxNode } from '@lezer/common';
import { convTransposeOutputRange } from '../../core/geometry';
import type { LocatedDiagnostic, ShapeAnalysis } from '../interpreter/analysis';
import { allKnown } from '../interpreter/dim';
import type { TensorValue } from '../interpreter/values';
import { callArguments, callAt } from '../syntax/nodes';
import type { TextEdit } from '../syntax/document';


/** Expressions whose text can be read again without doing anything (a name, an attribute). */
const PLAIN_EXPRESSIONS = new Set(['VariableName', 'MemberExpression']);
const PUNCTUATION = new Set(['[', ']', '(', ')', ',']);

export function outputSizeFix(analysis: ShapeAnalysis, diagnostic: LocatedDiagnostic, operands: readonly TensorValue[]): { title: string; edits: TextEdit[] } | undefined {
  const doc = analysis.doc;
  const catArgs = callAt(doc, diagnostic)?.getChild('ArgList');
  const list = catArgs ? callArguments(catArgs, doc.text).positional[0] : undefined;
  if (!list || (list.name !== 'ArrayExpression' && list.name !== 'TupleExpression')) return undefined;
  const items: SyntaxNode[] = [];
  for (let child = list.firstChild; child; child = child.nextSibling) if (!PUNCTUATION.has(child.name)) items.push(child);
  // Each item with the operand it gave in the failing run.
  const operandOf = (node: SyntaxNode): TensorValue | undefined => analysis.valuesAt(node).find((v): v is TensorValue => v.kind === 'tensor' && operands.includes(v));
  for (const call of items.filter((n) => n.name === 'CallExpression')) {
    const upsampled = operandOf(call);
    const layer = upsampled?.origin?.layer;
    const input = upsampled?.origin?.input;
    if (layer?.type !== 'conv' || !layer.transposed || !input || !upsampled?.shape) continue;
    const dims = layer.spatialDims;
    const callArgs = call.getChild('ArgList');
    if (!callArgs || callArguments(callArgs, doc.text).keywords.has('output_size') || callArguments(callArgs, doc.text).positional.length !== 1) continue;
    const spatialIn = input.slice(input.length - dims);
    if (!allKnown(spatialIn)) continue;
    for (const skipNode of items.filter((n) => n !== call && PLAIN_EXPRESSIONS.has(n.name))) {
      const skip = operandOf(skipNode)?.shape;
      if (!skip || skip.length !== upsampled.shape.length) continue;
      const skipSpatial = skip.slice(skip.length - dims);
      if (!allKnown(skipSpatial)) continue;
      const target: readonly number[] = skipSpatial;
      const reachable = target.every((size, i) => {
        const { min, max } = convTransposeOutputRange({
          input: spatialIn[i] as number, kernel: layer.kernelSize[i] ?? 1, stride: (layer.args.stride as number[])[i] ?? 1,
          padding: (layer.args.padding as number[])[i] ?? 0, dilation: (layer.args.dilation as number[])[i] ?? 1,
        });
        return size >= min && size <= max;
      });
      if (!reachable) continue;
      const skipText = doc.textOf(skipNode);
      const close = callArgs.lastChild;
      if (!close || close.name !== ')') continue;
      const callee = doc.textOf(call).slice(0, callArgs.from - call.from);
      return {
        title: `Pass output_size=${skipText}.shape[-${dims}:] to ${callee} (its output then has the skip's size)`,
        edits: [{ from: close.from, to: close.from, insert: `, output_size=${skipText}.shape[-${dims}:]` }],
      };
    }
  }
  return undefined;
}
