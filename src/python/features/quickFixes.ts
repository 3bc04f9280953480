// Quick fixes for the analysis's diagnostics, as text edits in document offsets: `in_channels` /
// `in_features` set to what arrives, `output_padding` that makes a transposed conv give back the
// size it must (or the size entering its matching conv), `padding='same'`, a `-1` in a `view`;
// for the checkerboard hint, kernel_size = 2·stride or nearest Upsample + Conv, each only when
// core/geometry finds arguments that keep the output size for every input size.
// Applying one makes its diagnostic go away.
import type { SyntaxNode } from '@lezer/common';
import { evenOverlapTransposeDim, outputPaddingToRestore, unevenOverlapDims, upsampleConvDim, type ConvTransposeDimArgs } from '../../core/geometry';
import type { LocatedDiagnostic, ShapeAnalysis } from '../interpreter/analysis';
import { allKnown, isKnown, type Dim } from '../interpreter/dim';
import type { ConvLayer, TensorValue } from '../interpreter/values';
import type { Span, TextEdit } from '../syntax/document';
import { callAt, callArguments } from '../syntax/nodes';
import { CONV_LAYER_SIGNATURES } from '../rules/conv';
import { checkerboardLayer, type LintHint } from './checkerboard';
import { pairedConvInputs } from './layerAt';
import { outputSizeFix } from './outputSizeFix';
import { intOrTuple, tuple } from './markdown';

export interface QuickFix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The fix the user most likely wants (shown first, applied by "auto fix"). */
  readonly preferred: boolean;
}

/** Fixes for one of the analysis's diagnostics or hints; applying one makes it go away. */
export function quickFixes(analysis: ShapeAnalysis, diagnostic: LocatedDiagnostic | LintHint): QuickFix[] {
  if ('severity' in diagnostic) return checkerboardFixes(analysis, diagnostic);
  const fixes: QuickFix[] = [];
  const layerAtRelated = diagnostic.related ? analysis.layerAt(diagnostic.related) : undefined;
  const tensors = (diagnostic.operands ?? []).filter((v): v is TensorValue => v.kind === 'tensor');
  switch (diagnostic.code) {
    case 'channel-mismatch': {
      const layer = layerAtRelated?.layer;
      const input = tensors[0]?.shape;
      if (layer?.type !== 'conv' || !input || !diagnostic.related) break;
      const channels = input[input.length - layer.spatialDims - 1];
      if (channels !== undefined && isKnown(channels)) {
        fixes.push(setArgument(analysis, diagnostic.related, 'in_channels', 0, String(channels), `Set in_channels to ${channels} (the input's channels)`, true));
      }
      break;
    }
    case 'linear-mismatch': {
      const input = tensors[0]?.shape;
      const features = input?.[input.length - 1];
      if (layerAtRelated?.layer.type !== 'linear' || !diagnostic.related || features === undefined || !isKnown(features)) break;
      fixes.push(setArgument(analysis, diagnostic.related, 'in_features', 0, String(features), `Set in_features to ${features} (the input's last dim)`, true));
      break;
    }
    case 'cat-mismatch':
    case 'stack-mismatch':
    case 'broadcast-mismatch':
      fixes.push(...sizeMismatchFixes(analysis, tensors));
      break;
    case 'invalid-output-padding':
      if (layerAtRelated?.layer.type === 'conv' && diagnostic.related) {
        fixes.push(...restoreFixes(analysis, layerAtRelated.layer, diagnostic.related, tensors[0]?.shape, undefined));
      }
      break;
    case 'view-size-mismatch':
      fixes.push(...viewFixes(analysis, diagnostic, tensors[0]?.shape));
      break;
  }
  const outputSize = diagnostic.code === 'cat-mismatch' ? outputSizeFix(analysis, diagnostic, tensors) : undefined;
  if (outputSize) fixes.push({ ...outputSize, preferred: false });
  return fixes;
}

/** A size mismatch where one operand comes from a conv: change that conv so its output matches the other operand. */
function sizeMismatchFixes(analysis: ShapeAnalysis, tensors: readonly TensorValue[]): QuickFix[] {
  for (const t of tensors) {
    const origin = t.origin;
    if (origin?.layer.type !== 'conv' || !origin.input || !t.shape) continue;
    const site = analysis.layerSite(origin.layer);
    if (!site) continue;
    const dims = origin.layer.spatialDims;
    const others = tensors.filter((o) => o !== t && o.shape && o.shape.length === t.shape?.length);
    for (const other of others) {
      const target = (other.shape as readonly Dim[]).slice(-dims);
      if (!allKnown(target)) continue;
      if (target.every((size, i) => size === t.shape?.[t.shape.length - dims + i])) continue;
      const fixes = origin.layer.transposed
        ? restoreFixes(analysis, origin.layer, site, origin.input, target)
        : sameFix(analysis, origin.layer, site, origin.input, target);
      if (fixes.length > 0) return fixes;
    }
  }
  return [];
}

/** output_padding that makes a transposed conv give `target` (or, without one, the input size of its paired conv). */
function restoreFixes(analysis: ShapeAnalysis, layer: ConvLayer, site: Span, input: readonly Dim[] | undefined, target: readonly number[] | undefined): QuickFix[] {
  const dims = layer.spatialDims;
  const inputs = input ? [input] : (analysis.layerAt(site)?.inputs ?? []);
  const fixes: QuickFix[] = [];
  for (const shape of inputs) {
    if (!shape) continue;
    const spatial = shape.slice(shape.length - dims);
    if (!allKnown(spatial)) continue;
    const targets = target ? [target] : pairedConvInputs(analysis, layer, spatial);
    for (const t of targets) {
      const values = t.map((size, i) => outputPaddingToRestore(size, {
        input: spatial[i] as number, kernel: layer.kernelSize[i] ?? 1, stride: (layer.args.stride as number[])[i] ?? 1,
        padding: (layer.args.padding as number[])[i] ?? 0, dilation: (layer.args.dilation as number[])[i] ?? 1,
      }));
      if (!values.every((v): v is number => v !== undefined)) continue;
      const text = intOrTuple(values);
      fixes.push(setArgument(analysis, site, 'output_padding', 5, text, `Set output_padding=${text} so ${layer.name} gives back ${tuple(t)}`, fixes.length === 0));
    }
  }
  return fixes;
}

/** padding='same' for a stride-1 conv whose input already has the target size. */
function sameFix(analysis: ShapeAnalysis, layer: ConvLayer, site: Span, input: readonly Dim[], target: readonly number[]): QuickFix[] {
  const spatial = input.slice(input.length - layer.spatialDims);
  if ((layer.args.stride as number[]).some((s) => s !== 1) || !spatial.every((s, i) => s === target[i])) return [];
  return [setArgument(analysis, site, 'padding', 4, "'same'", `Set padding='same' so ${layer.name} keeps ${tuple(target)}`, true)];
}

/** `x.view(a, b)` whose sizes do not multiply up: one of them replaced by -1. */
function viewFixes(analysis: ShapeAnalysis, diagnostic: LocatedDiagnostic, input: readonly Dim[] | undefined): QuickFix[] {
  if (!input || !allKnown(input)) return [];
  const total = input.reduce((a, b) => a * b, 1);
  const argList = callAt(analysis.doc, diagnostic)?.getChild('ArgList');
  if (!argList) return [];
  const { positional } = callArguments(argList, analysis.doc.text);
  const sizeNodes = positional.length === 1 && (positional[0]?.name === 'TupleExpression' || positional[0]?.name === 'ArrayExpression')
    ? (positional[0] as SyntaxNode).getChildren('Number').concat((positional[0] as SyntaxNode).getChildren('UnaryExpression'))
    : positional;
  const sizes = sizeNodes.map((n) => Number(analysis.doc.textOf(n)));
  if (sizes.some((s) => !Number.isInteger(s))) return [];
  const fixes: QuickFix[] = [];
  for (let i = sizes.length - 1; i >= 0; i--) {
    const others = sizes.reduce((p, s, j) => (j === i ? p : p * s), 1);
    if (sizes.includes(-1) && sizes[i] !== -1) continue;
    if (others > 0 && total % others === 0) {
      const n = sizeNodes[i] as SyntaxNode;
      fixes.push({ title: `Replace ${analysis.doc.textOf(n)} with -1 (inferred: ${total / others})`, edits: [{ from: n.from, to: n.to, insert: '-1' }], preferred: fixes.length === 0 });
    }
  }
  return fixes.slice(0, 2);
}

/** The arguments a checkerboard fix rewrites: they must be written as numbers (a name may hold other values on another run of the line). */
const GEOMETRY_ARGUMENTS = ['kernel_size', 'stride', 'padding', 'output_padding', 'dilation'] as const;
const TRANSPOSED_SIGNATURE: readonly string[] = CONV_LAYER_SIGNATURES.convTranspose;
const INT_LITERAL = /^(?:\d+|[([]\s*\d+(?:\s*,\s*\d+)*\s*,?\s*[)\]])$/;

/** A transposed conv a checkerboard fix may rewrite: its arguments, its call, and what each dim is given. */
interface RewritableLayer {
  readonly layer: ConvLayer;
  readonly site: Span;
  readonly call: SyntaxNode;
  readonly inputs: readonly (readonly Dim[] | undefined)[];
  readonly dims: readonly ConvTransposeDimArgs[];
  /** The node of an argument as written (by keyword or position), by its name in the signature. */
  readonly written: (name: string) => SyntaxNode | undefined;
}

/** kernel_size = 2·stride, and nearest Upsample + Conv, on a transposed conv with uneven overlap: each only when it keeps the output size for every input size. */
function checkerboardFixes(analysis: ShapeAnalysis, hint: LintHint): QuickFix[] {
  const target = rewritableLayer(analysis, hint);
  if (!target) return [];
  return [evenKernelFix(analysis, target), upsampleConvFix(analysis, target)].filter((f): f is QuickFix => f !== undefined);
}

/** The layer a hint is on, when its geometry arguments are written as numbers (a name may hold other values on another run of the line) and none comes from `*args`. */
function rewritableLayer(analysis: ShapeAnalysis, hint: LintHint): RewritableLayer | undefined {
  const found = checkerboardLayer(analysis, hint);
  const call = found && callAt(analysis.doc, found.site);
  const argList = call?.getChild('ArgList');
  if (!found || !call || !argList || found.layer.name.startsWith('Lazy')) return undefined;
  const { layer } = found;
  const { positional, keywords, spread } = callArguments(argList, analysis.doc.text);
  const written = (name: string): SyntaxNode | undefined => keywords.get(name)?.value ?? positional[TRANSPOSED_SIGNATURE.indexOf(name)];
  const literal = (name: string): boolean => {
    const node = written(name);
    return !node || INT_LITERAL.test(analysis.doc.textOf(node));
  };
  if (spread.length > 0 || !GEOMETRY_ARGUMENTS.every(literal)) return undefined;
  const dims = layer.kernelSize.map((kernel, i) => ({
    kernel,
    stride: (layer.args.stride as number[])[i] ?? 1,
    padding: (layer.args.padding as number[])[i] ?? 0,
    dilation: (layer.args.dilation as number[])[i] ?? 1,
    outputPadding: ((layer.args.outputPadding ?? []) as number[])[i] ?? 0,
  }));
  return { layer, site: found.site, call, inputs: found.inputs, dims, written };
}

/** kernel_size = 2·stride in the uneven dims, with the padding and output_padding that keep the output size. */
function evenKernelFix(analysis: ShapeAnalysis, { layer, site, dims }: RewritableLayer): QuickFix | undefined {
  const uneven = unevenOverlapDims(layer.kernelSize, dims.map((d) => d.stride), dims.map((d) => d.dilation));
  const even = dims.map((d, i) => (uneven.includes(i) ? evenOverlapTransposeDim(d) : d));
  if (!even.every((d): d is ConvTransposeDimArgs => d !== undefined)) return undefined;
  const keywords = { kernel: 'kernel_size', padding: 'padding', outputPadding: 'output_padding' } as const;
  const changes = (['kernel', 'padding', 'outputPadding'] as const)
    .filter((key) => even.some((d, i) => d[key] !== dims[i]?.[key]))
    .map((key) => ({ keyword: keywords[key], position: TRANSPOSED_SIGNATURE.indexOf(keywords[key]), value: intOrTuple(even.map((d) => d[key])) }));
  return { title: `Set ${changes.map((c) => `${c.keyword}=${c.value}`).join(', ')}: kernel_size a multiple of stride, same output size`, edits: argumentEdits(analysis, site, changes), preferred: true };
}

/**
 * The layer replaced by `nn.Sequential(nn.Upsample(scale_factor=stride, mode='nearest'), nn.ConvNd(...))`
 * with the same channels and other arguments (groups, bias, ...), when written as `<module>.ConvTransposeNd`
 * (so `<module>.` names the other layers too) and no input reaching it is unbatched (nn.Upsample
 * would read a (C, H, W) input as a batched 1-D one).
 */
function upsampleConvFix(analysis: ShapeAnalysis, { layer, call, inputs, dims, written }: RewritableLayer): QuickFix | undefined {
  const upsample = dims.map(upsampleConvDim);
  const callee = call.firstChild;
  const prefix = callee?.name === 'MemberExpression' && callee.lastChild ? analysis.doc.text.slice(callee.from, callee.lastChild.from) : undefined;
  const [inChannels, outChannels] = ['in_channels', 'out_channels'].map(written);
  const batched = inputs.every((input) => !input || input.length === layer.spatialDims + 2);
  if (!upsample.every((d) => d !== undefined) || prefix === undefined || !inChannels || !outChannels || !batched) return undefined;
  const text = (node: SyntaxNode): string => analysis.doc.textOf(node);
  const kept = TRANSPOSED_SIGNATURE.slice(2).flatMap((name) => {
    const node = GEOMETRY_ARGUMENTS.includes(name as never) ? undefined : written(name);
    return node ? [`, ${name}=${text(node)}`] : [];
  });
  const padding = upsample.some((d) => d.padding !== 0) ? `, padding=${intOrTuple(upsample.map((d) => d.padding))}` : '';
  const convArgs = `kernel_size=${intOrTuple(upsample.map((d) => d.kernel))}${padding}`;
  const scale = intOrTuple(upsample.map((d) => d.scale));
  const conv = `${prefix}Conv${layer.spatialDims}d(${text(inChannels)}, ${text(outChannels)}, ${convArgs}${kept.join('')})`;
  return {
    title: `Replace with Upsample(scale_factor=${scale}) + Conv${layer.spatialDims}d(${convArgs}): no checkerboard, same output size`,
    edits: [{ from: call.from, to: call.to, insert: `${prefix}Sequential(${prefix}Upsample(scale_factor=${scale}, mode='nearest'), ${conv})` }],
    preferred: false,
  };
}

/** An edit setting a constructor argument: its keyword's value, its positional slot, or a new keyword. */
function setArgument(analysis: ShapeAnalysis, site: Span, keyword: string, position: number, value: string, title: string, preferred: boolean): QuickFix {
  return { title, edits: argumentEdits(analysis, site, [{ keyword, position, value }]), preferred };
}

interface ArgumentChange {
  readonly keyword: string;
  /** Its slot among the positional arguments. */
  readonly position: number;
  readonly value: string;
}

/** Edits setting constructor arguments: each written one replaced, the others added as keywords in one insertion. */
function argumentEdits(analysis: ShapeAnalysis, site: Span, changes: readonly ArgumentChange[]): TextEdit[] {
  const doc = analysis.doc;
  const argList = callAt(doc, site)?.getChild('ArgList');
  if (!argList) return [];
  const { positional, keywords } = callArguments(argList, doc.text);
  const edits: TextEdit[] = [];
  const added: string[] = [];
  for (const { keyword, position, value } of changes) {
    const existing = keywords.get(keyword)?.value ?? positional[position];
    if (existing) edits.push({ from: existing.from, to: existing.to, insert: value });
    else added.push(`${keyword}=${value}`);
  }
  if (added.length > 0) {
    const close = argList.lastChild;
    const at = close?.name === ')' ? close.from : argList.to;
    const needsComma = positional.length + keywords.size > 0;
    edits.push({ from: at, to: at, insert: `${needsComma ? ', ' : ''}${added.join(', ')}` });
  }
  return edits;
}
