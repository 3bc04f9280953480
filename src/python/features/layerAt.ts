// Finding things in an analysed document: the node under the cursor (a word the cursor is in or
// just after, as VS Code's word ranges go), the layer a position means, and which of the file's
// convs a transposed conv undoes.
import type { SyntaxNode } from '@lezer/common';
import type { ShapeAnalysis } from '../interpreter/analysis';
import { allKnown, type Dim } from '../interpreter/dim';
import type { ConvLayer, Layer, ProducingOp, Value } from '../interpreter/values';
import { applyConvLayer } from '../rules/conv';
import type { Span } from '../syntax/document';

/** The layer at an offset: a constructor call around it, or a name or attribute bound to a layer under it. */
export function layerAtOffset(analysis: ShapeAnalysis, offset: number): { layer: Layer; site: Span; inputs: readonly (readonly Dim[] | undefined)[] } | undefined {
  for (let n: SyntaxNode | null = nodeAt(analysis, offset); n && n.name !== 'Script'; n = n.parent) {
    if (n.type.is('Statement') && n.name !== 'ExpressionStatement' && n.name !== 'AssignStatement') break;
    const built = n.name === 'CallExpression' ? analysis.layerAt(n) : undefined;
    if (built) return { ...built, site: { from: n.from, to: n.to } };
    if (n.name === 'VariableName' || n.name === 'MemberExpression') {
      const layer = analysis.valuesAt(n).find((v): v is Extract<Value, { kind: 'layer' }> => v.kind === 'layer');
      const site = layer ? analysis.layerSite(layer.layer) : undefined;
      if (layer && site) return { layer: layer.layer, site, inputs: analysis.layerAt(site)?.inputs ?? [] };
    }
  }
  return undefined;
}

/** The conv a functional call around an offset ran (`F.conv_transpose2d(x, w, stride=2)`), when its input and weight shapes were known. */
export function convCallAt(analysis: ShapeAnalysis, offset: number): { op: ProducingOp; site: Span } | undefined {
  for (let n: SyntaxNode | null = nodeAt(analysis, offset); n && n.name !== 'Script'; n = n.parent) {
    if (n.type.is('Statement')) break;
    if (n.name !== 'CallExpression') continue;
    for (const value of analysis.valuesAt(n)) {
      const op = value.kind === 'tensor' ? value.op : undefined;
      if (op?.input.shape && op.weight.shape && allKnown(op.input.shape) && allKnown(op.weight.shape)) return { op, site: { from: n.from, to: n.to } };
    }
  }
  return undefined;
}

const WORDS = new Set(['VariableName', 'PropertyName', 'Number', 'Boolean', 'None', 'String']);

/**
 * The node a position means: a word it is in or at either end of (VS Code sends the end of a
 * word when the mouse is over its last character's right half, and `x` is one character), else
 * the innermost node around it.
 */
export function nodeAt(analysis: ShapeAnalysis, offset: number): SyntaxNode | null {
  const tree = analysis.doc.tree;
  const after = tree.resolveInner(offset, 1);
  if (WORDS.has(after.name) && after.from <= offset && offset <= after.to) return after;
  const before = tree.resolveInner(offset, -1);
  if (WORDS.has(before.name) && before.from <= offset && offset <= before.to) return before;
  return after.from > offset || after.to < offset || after.name === 'Script' || after.name === 'Body' ? before : after;
}

/** Input sizes of the file's convs with this transposed conv's kernel, stride and dilation whose output is `spatial`. */
export function pairedConvInputs(analysis: ShapeAnalysis, layer: ConvLayer, spatial: readonly number[]): number[][] {
  const found: number[][] = [];
  for (const { layer: other, inputs } of analysis.layers()) {
    if (other.type !== 'conv' || other.transposed || other.spatialDims !== layer.spatialDims) continue;
    if (other.kernelSize.join() !== layer.kernelSize.join() || (other.args.stride as number[]).join() !== (layer.args.stride as number[]).join()) continue;
    for (const input of inputs) {
      if (!input) continue;
      const size = input.slice(input.length - layer.spatialDims);
      if (!allKnown(size)) continue;
      try {
        const out = applyConvLayer(other, input, undefined).shape.slice(-layer.spatialDims);
        if (out.every((o, i) => o === spatial[i]) && !found.some((f) => f.join() === size.join())) found.push([...size]);
      } catch {
        // That conv fails on its own input; its diagnostic says so.
      }
    }
  }
  return found;
}
