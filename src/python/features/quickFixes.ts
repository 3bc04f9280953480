// Quick fixes for the analysis's diagnostics, as text edits in document offsets: `in_channels` /
// `in_features` set to what arrives, `output_padding` that makes a transposed conv give back the
// size it must (or the size entering its matching conv), `padding='same'`, a `-1` in a `view`.
// Applying one makes its diagnostic go away.
import type { SyntaxNode } from '@lezer/common';
import { outputPaddingToRestore } from '../../core/geometry';
import type { LocatedDiagnostic, ShapeAnalysis } from '../interpreter/analysis';
import { allKnown, isKnown, type Dim } from '../interpreter/dim';
import type { ConvLayer, TensorValue } from '../interpreter/values';
import type { Span, TextEdit } from '../syntax/document';
import { callAt, callArguments } from '../syntax/nodes';
import { pairedConvInputs } from './layerAt';
import { tuple } from './markdown';

export interface QuickFix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The fix the user most likely wants (shown first, applied by "auto fix"). */
  readonly preferred: boolean;
}

/** Fixes for one of the analysis's diagnostics; applying one makes that diagnostic go away. */
export function quickFixes(analysis: ShapeAnalysis, diagnostic: LocatedDiagnostic): QuickFix[] {
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
      const text = values.every((v) => v === values[0]) ? String(values[0]) : tuple(values);
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

/** An edit setting a constructor argument: its keyword's value, its positional slot, or a new keyword. */
function setArgument(analysis: ShapeAnalysis, site: Span, keyword: string, position: number, value: string, title: string, preferred: boolean): QuickFix {
  const doc = analysis.doc;
  const argList = callAt(doc, site)?.getChild('ArgList');
  if (!argList) return { title, edits: [], preferred };
  const { positional, keywords } = callArguments(argList, doc.text);
  const existing = keywords.get(keyword)?.value ?? positional[position];
  if (existing) return { title, edits: [{ from: existing.from, to: existing.to, insert: value }], preferred };
  const close = argList.lastChild;
  const at = close?.name === ')' ? close.from : argList.to;
  const needsComma = positional.length + keywords.size > 0;
  return { title, edits: [{ from: at, to: at, insert: `${needsComma ? ', ' : ''}${keyword}=${value}` }], preferred };
}
