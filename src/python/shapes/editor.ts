// What the editor shows from a shape analysis, as plain data (no `vscode`): hover Markdown, inlay
// hint labels and quick-fix edits, all in document offsets. The extension's providers and the
// analysis worker only translate these.
import type { SyntaxNode } from '@lezer/common';
import { convOutputLength, convTransposeOutputLength, convTransposeOutputRange, dimensionNames, geometryFormulas, outputPaddingToRestore } from '../../core/geometry';
import type { OpArgs, OpName } from '../../core/vocabulary';
import { formatTensor } from '../../core/format';
import { evaluateTensorExpression } from '../evaluate';
import { callArguments, type Span, type TextEdit } from '../parse';
import type { LocatedDiagnostic, ShapeAnalysis } from './analyze';
import { allKnown, dimText, isKnown, productOfDims, shapeText, type Dim } from './dim';
import { applyConv, applyConvLayer, convWeightShape, type ConvLayer, type Layer } from './layers';
import type { Value } from './values';

export type InlayHintsMode = 'off' | 'assignments' | 'all';

export interface InlayHint {
  /** Where the label goes: right after the bound name or the call. */
  readonly offset: number;
  readonly label: string;
}

export interface Hover {
  readonly from: number;
  readonly to: number;
  readonly markdown: string;
}

export interface QuickFix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The fix the user most likely wants (shown first, applied by "auto fix"). */
  readonly preferred: boolean;
}

const LITERAL_FACTORIES = /^(torch\.(tensor|as_tensor|Tensor|FloatTensor)|np\.(array|asarray)|numpy\.(array|asarray))$/;

function shapesLabel(values: readonly Value[]): string | undefined {
  const shapes = values.flatMap((v) => (v.kind === 'tensor' && v.shape ? [shapeText(v.shape)] : []));
  if (shapes.length === 0 || shapes.length !== values.length) return undefined;
  const distinct = [...new Set(shapes)];
  return distinct.length > 3 ? `${distinct.slice(0, 3).join(' | ')} | …` : distinct.join(' | ');
}

// ---------------------------------------------------------------------------------------------
// Inlay hints

/** `: (1, 10, 16, 16)` after each name an assignment binds; with 'all', also after layer calls nested in expressions. */
export function inlayHints(analysis: ShapeAnalysis, mode: InlayHintsMode, range?: Span): InlayHint[] {
  if (mode === 'off') return [];
  const inRange = (offset: number): boolean => !range || (offset >= range.from && offset <= range.to);
  const hints: InlayHint[] = [];
  const byTarget = new Map<number, Value[]>();
  for (const b of analysis.bindings) {
    if (!inRange(b.target.to) || !b.shape) continue;
    byTarget.set(b.target.to, [...(byTarget.get(b.target.to) ?? []), { kind: 'tensor', shape: b.shape }]);
  }
  for (const [offset, values] of byTarget) {
    const label = shapesLabel(values);
    if (label) hints.push({ offset, label: `: ${label}` });
  }
  if (mode === 'all') {
    const assigned = new Set(analysis.bindings.map((b) => b.statement.to));
    analysis.doc.tree.iterate({
      from: range?.from ?? 0,
      to: range?.to ?? analysis.doc.text.length,
      enter: (ref) => {
        if (ref.name !== 'CallExpression' || assigned.has(ref.to) || !inRange(ref.to)) return;
        const callee = ref.node.firstChild;
        const calleeValues = callee ? analysis.valuesAt(callee) : [];
        if (!calleeValues.some((v) => v.kind === 'layer' || v.kind === 'instance')) return;
        const label = shapesLabel(analysis.valuesAt(ref));
        if (label) hints.push({ offset: ref.to, label: ` → ${label}` });
      },
    });
  }
  return hints.sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------------------------
// Hovers

export interface HoverOptions {
  /** Extra Markdown appended to layer and literal hovers (the Run / Visualize command links). */
  readonly links?: (kind: 'layer' | 'literal', at: Span) => string;
  readonly maxElements?: number;
}

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

function nodeAt(analysis: ShapeAnalysis, offset: number): SyntaxNode | null {
  const tree = analysis.doc.tree;
  const node = tree.resolveInner(offset, 1);
  return node.from > offset || node.to < offset || node.name === 'Script' || node.name === 'Body' ? tree.resolveInner(offset, -1) : node;
}

export function hoverAt(analysis: ShapeAnalysis, offset: number, options: HoverOptions = {}): Hover | undefined {
  const doc = analysis.doc;
  const node = nodeAt(analysis, offset);
  for (let n: SyntaxNode | null = node; n && n.name !== 'Script'; n = n.parent) {
    if (n.type.is('Statement') && n.name !== 'ExpressionStatement' && n.name !== 'AssignStatement') break;
    if (n.name === 'ArgList' && node?.name === 'VariableName' && node.parent === n && node.nextSibling?.name === 'AssignOp') {
      const call = n.parent;
      const layer = call ? analysis.layerAt(call) : undefined;
      if (layer?.layer.type === 'conv') return { from: node.from, to: node.to, markdown: keywordHover(layer.layer, doc.textOf(node), layer.inputs) };
    }
    if (n.name === 'CallExpression') {
      const built = analysis.layerAt(n);
      if (built) return { from: n.from, to: n.to, markdown: layerHover(analysis, built.layer, built.inputs) + (options.links?.('layer', n) ?? '') };
      const callee = n.firstChild;
      const calleeText = callee ? doc.textOf(callee) : '';
      const onCallee = callee !== null && offset <= callee.to;
      if (LITERAL_FACTORIES.test(calleeText) && onCallee) {
        const literal = literalHover(analysis, n, options.maxElements);
        if (literal) return { from: n.from, to: n.to, markdown: literal + (options.links?.('literal', n) ?? '') };
      }
      const path = callee ? analysis.valuesAt(callee).find((v): v is Extract<Value, { kind: 'path' }> => v.kind === 'path')?.path : undefined;
      const functional = path ? /^torch\.(?:nn\.functional\.)?(conv(?:_transpose)?[123]d)$/.exec(path) : null;
      if (functional && onCallee) return { from: n.from, to: n.to, markdown: functionalConvHover(analysis, n, functional[1] as OpName) };
      const values = analysis.valuesAt(n);
      if (onCallee && values.some((v) => v.kind === 'tensor')) return { from: n.from, to: n.to, markdown: valueHover(analysis, n, values) };
    }
    if (n.name === 'VariableName' || n.name === 'MemberExpression' || (n.name === 'PropertyName' && n.parent?.name === 'MemberExpression')) {
      const target = n.name === 'PropertyName' ? (n.parent as SyntaxNode) : n;
      const values = analysis.valuesAt(target);
      const layer = values.find((v): v is Extract<Value, { kind: 'layer' }> => v.kind === 'layer');
      if (layer) {
        const site = analysis.layerSite(layer.layer);
        const inputs = site ? (analysis.layerAt(site)?.inputs ?? []) : [];
        return { from: n.from, to: n.to, markdown: layerHover(analysis, layer.layer, inputs) + (site && options.links ? options.links('layer', site) : '') };
      }
      if (values.some((v) => v.kind === 'tensor')) return { from: n.from, to: n.to, markdown: valueHover(analysis, target, values) };
      if (n.name === 'VariableName' || n.name === 'PropertyName') continue;
    }
  }
  return undefined;
}

function code(text: string): string {
  return `\`${text}\``;
}

function tuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

/** `in`→`out`, kernel, stride..., weight/bias, parameters, the output formulas, input→output per call, MACs, and the transposed conv's notes. */
function layerHover(analysis: ShapeAnalysis, layer: Layer, inputs: readonly (readonly Dim[] | undefined)[]): string {
  if (layer.type !== 'conv') return genericLayerHover(layer, inputs);
  const args = layer.args;
  const dims = layer.spatialDims;
  const stride = args.stride as number[];
  const padding = args.padding;
  const dilation = args.dilation as number[];
  const outputPadding = (args.outputPadding ?? []) as number[];
  const groups = args.groups ?? 1;
  const weight = convWeightShape(layer);
  const parameters = allKnown(weight) ? productOfDims(weight) as number + (layer.bias ? (isKnown(layer.outChannels) ? layer.outChannels : 0) : 0) : undefined;
  const lines: string[] = [];
  lines.push(`**nn.${layer.name}** ${code(`${dimText(layer.inChannels ?? NaN)} → ${dimText(layer.outChannels)}`)} channels`);
  const settings = [
    ['kernel_size', tuple(layer.kernelSize)], ['stride', tuple(stride)],
    ['padding', typeof padding === 'string' ? `'${padding}'` : tuple(padding as number[])],
    ...(layer.transposed ? [['output_padding', tuple(outputPadding)]] : []),
    ['dilation', tuple(dilation)], ['groups', String(groups)],
    ...(layer.args.paddingMode && layer.args.paddingMode !== 'zeros' ? [['padding_mode', `'${layer.args.paddingMode}'`]] : []),
  ];
  lines.push('', settings.map(([k, v]) => `${k} ${code(v as string)}`).join(' · '));
  lines.push('', `weight ${code(shapeText(weight))}${layer.bias ? ` · bias ${code(`(${dimText(layer.outChannels)},)`)}` : ' · no bias'}${parameters !== undefined ? ` · ${parameters.toLocaleString('en-US')} parameters` : ''}`);
  const names = dimensionNames(dims);
  const seen = inputs.filter((s): s is readonly Dim[] => s !== undefined);
  const symbolic = applyConvLayer(layer, undefined, undefined);
  lines.push('', '**Output size**');
  for (let i = 0; i < dims; i++) lines.push(`- ${formulaLine(layer, i, names[i] as string, symbolic.shape[symbolic.shape.length - dims + i])}`);
  for (const input of seen.slice(0, 4)) {
    try {
      const applied = applyConvLayer(layer, input, undefined);
      const macs = macsOf(layer, input, applied.shape);
      lines.push(`- input ${code(shapeText(input))} → output ${code(shapeText(applied.shape))}${macs !== undefined ? ` · ${macs.toLocaleString('en-US')} MACs` : ''}`);
      if (applied.geometry) lines.push(...substituted(layer, applied.geometry.inputSize, names));
    } catch (e) {
      lines.push(`- input ${code(shapeText(input))}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (seen.length === 0) lines.push('- input not known here: the formula above gives the output for any input size');
  if (layer.transposed) lines.push(...transposedNotes(analysis, layer, seen, names));
  return lines.join('\n');
}

/** An int or a tuple of ints written in the source (`2`, `(1, 2)`), or a string (`'same'`). */
function literalArgument(analysis: ShapeAnalysis, node: SyntaxNode | undefined): number | number[] | string | undefined {
  if (!node) return undefined;
  const text = analysis.doc.textOf(node).replace(/\s+/g, '');
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^[([]-?\d+(,-?\d+)*,?[)\]]$/.test(text)) return text.slice(1, -1).split(',').filter((x) => x !== '').map(Number);
  const quoted = /^(['"])(\w+)\1$/.exec(text);
  return quoted ? quoted[2] : undefined;
}

/** `F.conv2d(input, weight, ...)`: the shapes reaching it, its output and formulas from core/geometry. */
function functionalConvHover(analysis: ShapeAnalysis, call: SyntaxNode, op: OpName): string {
  const transposed = op.startsWith('conv_transpose');
  const names = transposed ? ['input', 'weight', 'bias', 'stride', 'padding', 'output_padding', 'groups', 'dilation'] : ['input', 'weight', 'bias', 'stride', 'padding', 'dilation', 'groups'];
  const argList = call.getChild('ArgList');
  const { positional, keywords } = argList ? callArguments(argList, analysis.doc.text) : { positional: [], keywords: new Map<string, { value: SyntaxNode }>() };
  const nodeOf = (name: string): SyntaxNode | undefined => keywords.get(name)?.value ?? positional[names.indexOf(name)];
  const tensorShape = (name: string): readonly Dim[] | undefined => {
    const node = nodeOf(name);
    const value = node ? analysis.valuesAt(node).find((v) => v.kind === 'tensor') : undefined;
    return value?.kind === 'tensor' ? value.shape : undefined;
  };
  const [input, weight] = [tensorShape('input'), tensorShape('weight')];
  const lines = [`**F.${op}** · input ${code(input ? shapeText(input) : 'unknown')} · weight ${code(weight ? shapeText(weight) : 'unknown')}`];
  const args: OpArgs = {};
  for (const [python, key] of [['stride', 'stride'], ['padding', 'padding'], ['dilation', 'dilation'], ['groups', 'groups'], ['output_padding', 'outputPadding']] as const) {
    const node = nodeOf(python);
    if (!node) continue;
    const value = literalArgument(analysis, node);
    if (value === undefined) {
      lines.push('', `${python} is not a literal here: the output is not worked out.`);
      return lines.join('\n');
    }
    (args as Record<string, unknown>)[key] = value;
  }
  if (!input || !weight || !allKnown(input) || !allKnown(weight)) {
    lines.push('', 'The input or weight shape is not known here.');
    return lines.join('\n');
  }
  try {
    const applied = applyConv(op, input, weight, args, undefined, false);
    lines.push('', `output ${code(shapeText(applied.shape))}`);
    if (applied.geometry) lines.push(...geometryFormulas(applied.geometry).map((f) => `- ${f}`));
  } catch (e) {
    lines.push('', `${e instanceof Error ? e.message : String(e)}`);
  }
  return lines.join('\n');
}

/** `H_out = ⌊(H_in + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1` with the layer's numbers, and what it simplifies to. */
function formulaLine(layer: ConvLayer, i: number, name: string, symbolic: Dim | undefined): string {
  const k = layer.kernelSize[i] ?? 1;
  const s = (layer.args.stride as number[])[i] ?? 1;
  const d = (layer.args.dilation as number[])[i] ?? 1;
  const padding = layer.args.padding;
  const simplified = symbolic !== undefined ? ` = ${code(dimText(symbolic).replace(new RegExp(`\\b${name}\\b`, 'g'), `${name}_in`))}` : '';
  if (layer.transposed) {
    const p = (padding as number[])[i] ?? 0;
    const op = ((layer.args.outputPadding ?? []) as number[])[i] ?? 0;
    return `${name}_out = (${name}_in − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op} + 1${simplified}`;
  }
  if (padding === 'same') return `${name}_out = ${name}_in (padding='same')`;
  const p = padding === 'valid' ? 0 : ((padding as number[])[i] ?? 0);
  return `${name}_out = ⌊(${name}_in + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1${simplified}`;
}

function substituted(layer: ConvLayer, inputSize: readonly number[], names: readonly string[]): string[] {
  return inputSize.map((input, i) => {
    const k = layer.kernelSize[i] ?? 1;
    const s = (layer.args.stride as number[])[i] ?? 1;
    const d = (layer.args.dilation as number[])[i] ?? 1;
    if (layer.transposed) {
      const p = (layer.args.padding as number[])[i] ?? 0;
      const op = ((layer.args.outputPadding ?? []) as number[])[i] ?? 0;
      return `  - ${names[i]}_out = (${input} − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op} + 1 = ${convTransposeOutputLength({ input, kernel: k, stride: s, padding: p, dilation: d, outputPadding: op })}`;
    }
    if (typeof layer.args.padding === 'string') return `  - ${names[i]}_out = ${layer.args.padding === 'same' ? input : convOutputLength({ input, kernel: k, stride: s, dilation: d })}`;
    const p = (layer.args.padding as number[])[i] ?? 0;
    return `  - ${names[i]}_out = ⌊(${input} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1 = ${convOutputLength({ input, kernel: k, stride: s, padding: p, dilation: d })}`;
  });
}

/** Multiply-accumulates: N·C_out·ΠH_out·(C_in/groups)·Πk for conv, N·C_in·ΠH_in·(C_out/groups)·Πk transposed. */
function macsOf(layer: ConvLayer, input: readonly Dim[], output: readonly Dim[]): number | undefined {
  const dims = layer.spatialDims;
  const groups = layer.args.groups ?? 1;
  const batch = input.length === dims + 2 ? input[0] : 1;
  const kernel = layer.kernelSize.reduce((a, b) => a * b, 1);
  const side = layer.transposed ? input : output;
  const channels = side[side.length - dims - 1];
  const other = layer.transposed ? layer.outChannels : layer.inChannels;
  const values = [batch, channels, ...side.slice(side.length - dims), other];
  if (!values.every((v): v is number => v !== undefined && isKnown(v))) return undefined;
  const [n, c, ...rest] = values as number[];
  const perGroup = (rest.pop() as number) / groups;
  return (n as number) * (c as number) * rest.reduce((a, b) => a * b, 1) * perGroup * kernel;
}

/** Why output_padding exists, which one restores a paired conv's input, and the checkerboard note. */
function transposedNotes(analysis: ShapeAnalysis, layer: ConvLayer, inputs: readonly (readonly Dim[])[], names: readonly string[]): string[] {
  const lines: string[] = [];
  const dims = layer.spatialDims;
  const k = layer.kernelSize;
  const s = layer.args.stride as number[];
  const d = layer.args.dilation as number[];
  const p = layer.args.padding as number[];
  const input = inputs.find((i) => allKnown(i.slice(i.length - dims)));
  if (input) {
    const spatial = input.slice(input.length - dims) as number[];
    const ranges = spatial.map((length, i) => convTransposeOutputRange({ input: length, kernel: k[i] ?? 1, stride: s[i] ?? 1, padding: p[i] ?? 0, dilation: d[i] ?? 1 }));
    const conv = `nn.Conv${dims}d(${dimText(layer.outChannels)}, ${dimText(layer.inChannels ?? NaN)}, kernel_size=${tuple(k)}, stride=${tuple(s)}, padding=${tuple(p)})`;
    lines.push('', `**Why output_padding**: ${code(conv)} maps every input size in ${ranges.map((r, i) => `${names[i]} ${r.min}…${r.max}`).join(', ')} to ${code(tuple(spatial))}; output_padding (0 ≤ output_padding < max(stride, dilation)) picks which one this layer gives back.`);
    const paired = pairedConvInputs(analysis, layer, spatial);
    for (const target of paired.slice(0, 2)) {
      const fix = target.map((t, i) => outputPaddingToRestore(t, { input: spatial[i] as number, kernel: k[i] ?? 1, stride: s[i] ?? 1, padding: p[i] ?? 0, dilation: d[i] ?? 1 }));
      if (fix.every((f) => f !== undefined)) lines.push(`- to restore ${code(tuple(target))} (the size entering the matching conv): ${code(`output_padding=${tuple(fix as number[])}`)}`);
    }
  }
  const uneven = k.map((kk, i) => kk % (s[i] ?? 1) !== 0);
  if (uneven.some(Boolean)) {
    lines.push('', `**Uneven overlap**: kernel_size ${tuple(k)} is not a multiple of stride ${tuple(s)}, so output pixels receive different numbers of kernel taps — the checkerboard pattern of transposed convolutions.`);
  }
  return lines;
}

/** Input sizes of the file's convs with this transposed conv's kernel, stride and dilation whose output is `spatial`. */
function pairedConvInputs(analysis: ShapeAnalysis, layer: ConvLayer, spatial: readonly number[]): number[][] {
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

function genericLayerHover(layer: Layer, inputs: readonly (readonly Dim[] | undefined)[]): string {
  const name = layer.type === 'container' ? layer.name : layer.type === 'pool' ? layer.name : layer.type === 'elementwise' ? layer.name : layer.type;
  const lines = [`**nn.${name}**`];
  if (layer.type === 'linear') lines.push(`${code(`${dimText(layer.inFeatures ?? NaN)} → ${dimText(layer.outFeatures)}`)} features`);
  for (const input of inputs.slice(0, 4)) if (input) lines.push(`- input ${code(shapeText(input))}`);
  return lines.join('\n');
}

const KEYWORD_HELP: Record<string, string> = {
  in_channels: 'Channels of the input (dim 1 of a batched input, 0 unbatched).',
  out_channels: 'Channels the layer produces (filters).',
  kernel_size: 'Size of the kernel per spatial dim; its effective size is dilation·(kernel_size − 1) + 1.',
  stride: 'Step of the kernel over the input; for a transposed conv, the spacing at which input elements are scattered into the output.',
  padding: 'Zeros added to both sides of each spatial dim; for a transposed conv, what is cropped from both sides of the full output.',
  output_padding: 'Extra size added to one side of a transposed conv\'s output. A strided conv maps several input sizes to the same output size; output_padding chooses which of them the transposed conv gives back.',
  dilation: 'Spacing between kernel taps (1 = adjacent).',
  groups: 'Splits the channels into groups convolved independently (groups = in_channels is a depthwise conv).',
  bias: 'Adds a learnable bias per output channel.',
  padding_mode: "What padding is filled with: 'zeros', 'reflect', 'replicate' or 'circular' (convs only).",
};

/** What a constructor keyword does and its valid range given the other arguments (and the inputs seen). */
function keywordHover(layer: ConvLayer, keyword: string, inputs: readonly (readonly Dim[] | undefined)[]): string {
  const help = KEYWORD_HELP[keyword] ?? 'An argument of this layer.';
  const lines = [`**${keyword}** — ${help}`];
  const s = layer.args.stride as number[];
  const d = layer.args.dilation as number[];
  const k = layer.kernelSize;
  const groups = layer.args.groups ?? 1;
  const dims = layer.spatialDims;
  const input = inputs.find((i) => i !== undefined && allKnown(i));
  const spatial = input ? (input.slice(input.length - dims) as number[]) : undefined;
  switch (keyword) {
    case 'output_padding':
      lines.push(`Valid here: 0 ≤ output_padding < max(stride, dilation) = ${s.map((st, i) => Math.max(st, d[i] ?? 1)).map((m) => `${m}`).join(', ')} (per dim), i.e. ${s.map((st, i) => `0…${Math.max(st, d[i] ?? 1) - 1}`).join(', ')}.`);
      break;
    case 'stride':
      lines.push(layer.args.padding === 'same' ? "Valid here: 1 only (padding='same' is not supported for strided convolutions)." : 'Valid: any integer ≥ 1 per dim.');
      break;
    case 'groups': {
      const channels = [layer.inChannels, layer.outChannels].filter((c): c is number => c !== undefined && isKnown(c));
      const limit = Math.min(...channels);
      const divisors = channels.length === 2 ? Array.from({ length: limit }, (_, i) => i + 1).filter((g) => channels.every((c) => c % g === 0)) : [];
      lines.push(divisors.length > 0 ? `Valid here: a divisor of both in_channels and out_channels: ${divisors.join(', ')}.` : 'Valid: a positive divisor of in_channels and out_channels.');
      break;
    }
    case 'padding':
      if (layer.transposed) {
        if (spatial) {
          const max = spatial.map((len, i) => Math.floor(((len - 1) * (s[i] ?? 1) + (d[i] ?? 1) * ((k[i] ?? 1) - 1)) / 2));
          lines.push(`Valid here: 0 ≤ padding ≤ ${tuple(max)} per dim for the ${code(tuple(spatial))} input (the output must keep at least 1 element).`);
        } else lines.push('Valid: an integer ≥ 0 per dim that leaves at least one output element.');
      } else {
        const sameOk = s.every((st) => st === 1);
        lines.push(`Valid: integers ≥ 0 per dim, 'valid', or 'same'${sameOk ? '' : ' (not here: the stride is not 1)'}; the padded input must stay at least as large as the effective kernel.`);
      }
      break;
    case 'dilation':
    case 'kernel_size':
      if (spatial && !layer.transposed) {
        const p = typeof layer.args.padding === 'string' ? spatial.map(() => 0) : (layer.args.padding as number[]);
        lines.push(`Valid here: dilation·(kernel_size − 1) + 1 ≤ padded input ${tuple(spatial.map((len, i) => len + 2 * (p[i] ?? 0)))} per dim; now ${tuple(k.map((kk, i) => (d[i] ?? 1) * (kk - 1) + 1))}.`);
      } else lines.push('Valid: integers ≥ 1 per dim.');
      break;
    case 'in_channels':
      if (input) lines.push(`The input seen here has ${dimText(input[input.length - dims - 1] as Dim)} channels.`);
      if (groups > 1) lines.push(`Must be divisible by groups = ${groups}.`);
      break;
    default:
      break;
  }
  return lines.join('\n\n');
}

/** A tensor-valued name or call: its shapes (each distinct one it had), dtype, and where it was bound. */
function valueHover(analysis: ShapeAnalysis, node: SyntaxNode, values: readonly Value[]): string {
  const doc = analysis.doc;
  const name = doc.textOf(node);
  const tensors = values.filter((v): v is Extract<Value, { kind: 'tensor' }> => v.kind === 'tensor');
  const lines = tensors.slice(0, 4).map((t) => `${code(name.length > 40 ? `${name.slice(0, 37)}…` : name)}: Tensor ${code(t.shape ? shapeText(t.shape) : '(unknown shape)')}${t.dtype ? ` ${t.dtype}` : ''}`);
  if (values.length > tensors.length) lines.push('(also a non-tensor value on some path)');
  if (tensors.length > 1) lines.push('', `Different shapes on different calls or paths (${tensors.length}).`);
  const binding = analysis.bindings.filter((b) => b.name === name && b.statement.from <= node.from && sameScope(doc.tree.resolveInner(b.statement.from, 1), node)).pop();
  if (binding) {
    const statement = doc.textOf(binding.statement).split('\n')[0]?.trim() ?? '';
    lines.push('', `from line ${binding.line}: ${code(statement.length > 80 ? `${statement.slice(0, 77)}…` : statement)}`);
  }
  return lines.join('\n');
}

function sameScope(a: SyntaxNode, b: SyntaxNode): boolean {
  const scope = (n: SyntaxNode): number => {
    for (let p: SyntaxNode | null = n.parent; p; p = p.parent) if (p.name === 'FunctionDefinition') return p.from;
    return -1;
  };
  return scope(a) === scope(b);
}

/** A tensor literal: shape, dtype, min/max and the first lines of PyTorch's printed form. */
function literalHover(analysis: ShapeAnalysis, call: SyntaxNode, maxElements: number | undefined): string | undefined {
  const result = evaluateTensorExpression(analysis.doc, call, maxElements === undefined ? {} : { maxElements });
  if (!result.ok) return `**Tensor literal**: ${result.error.message}`;
  const t = result.tensor;
  const data = Array.from(t.data as ArrayLike<number | bigint>, Number);
  const min = data.length > 0 ? Math.min(...data.slice(0, 100_000)) : undefined;
  const max = data.length > 0 ? Math.max(...data.slice(0, 100_000)) : undefined;
  const printed = formatTensor(t).split('\n');
  const preview = printed.length > 8 ? [...printed.slice(0, 8), '...'] : printed;
  return [
    `**Tensor literal** ${code(tuple(t.shape))} ${t.dtype}${min !== undefined ? ` · min ${min} · max ${max}` : ''}`,
    '', '```python', ...preview, '```',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Quick fixes

/** Fixes for one of the analysis's diagnostics; applying one makes that diagnostic go away. */
export function quickFixes(analysis: ShapeAnalysis, diagnostic: LocatedDiagnostic): QuickFix[] {
  const fixes: QuickFix[] = [];
  const layerAtRelated = diagnostic.related ? analysis.layerAt(diagnostic.related) : undefined;
  const tensors = (diagnostic.operands ?? []).filter((v): v is Extract<Value, { kind: 'tensor' }> => v.kind === 'tensor');
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
function sizeMismatchFixes(analysis: ShapeAnalysis, tensors: readonly Extract<Value, { kind: 'tensor' }>[]): QuickFix[] {
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
  const call = analysis.doc.tree.resolveInner(diagnostic.from, 1);
  let node: SyntaxNode | null = call;
  while (node && !(node.name === 'CallExpression' && node.from === diagnostic.from && node.to === diagnostic.to)) node = node.parent;
  const argList = node?.getChild('ArgList');
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
  let node: SyntaxNode | null = doc.tree.resolveInner(site.from, 1);
  while (node && !(node.name === 'CallExpression' && node.from === site.from && node.to === site.to)) node = node.parent;
  const argList = node?.getChild('ArgList');
  if (!argList) return { title, edits: [], preferred };
  const { positional, keywords } = callArguments(argList, doc.text);
  const existing = keywords.get(keyword)?.value ?? positional[position];
  if (existing) return { title, edits: [{ from: existing.from, to: existing.to, insert: value }], preferred };
  const close = argList.lastChild;
  const at = close?.name === ')' ? close.from : argList.to;
  const needsComma = positional.length + keywords.size > 0;
  return { title, edits: [{ from: at, to: at, insert: `${needsComma ? ', ' : ''}${keyword}=${value}` }], preferred };
}
