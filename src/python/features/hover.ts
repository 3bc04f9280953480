// Hovers: what a layer constructor, a keyword argument, an `F.conv*` call, a tensor literal or a
// tensor-valued name is, from the analysis: numbers, the output-size formulas with them (from
// core/geometry), the shapes that reached it, parameters and MACs. Markdown only; every piece of
// source text in it is escaped (markdown.ts), and the Run / Visualize links are the host's to add.
import type { SyntaxNode } from '@lezer/common';
import { convOutputLength, convTransposeOutputLength, convTransposeOutputRange, dimensionNames, geometryFormulas, outputPaddingToRestore, unevenOverlapDims } from '../../core/geometry';
import { formatTensor } from '../../core/format';
import { opMacs } from '../../core/plan';
import type { OpName } from '../../core/vocabulary';
import type { ShapeAnalysis } from '../interpreter/analysis';
import { allKnown, dimText, isKnown, productOfDims, shapeText, type Dim } from '../interpreter/dim';
import { DataRefusal, materialize, WorkBudget } from '../interpreter/elements';
import type { ConvLayer, Layer, TensorValue, Value } from '../interpreter/values';
import { namespaceSource } from '../rules/argparse';
import { applyConv, applyConvLayer, convWeightShape } from '../rules/conv';
import type { Span } from '../syntax/document';
import { basename } from '../project/paths';
import { nodeAt, pairedConvInputs } from './layerAt';
import { pythonRepr } from './replay';
import { code, codeBlock, tuple } from './markdown';

const LITERAL_FACTORIES = /^(torch\.(tensor|as_tensor|Tensor|FloatTensor)|np\.(array|asarray)|numpy\.(array|asarray))$/;

/** Elements a literal hover reads to show its values. */
const LITERAL_HOVER_WORK = 2_000_000;

export interface Hover {
  readonly from: number;
  readonly to: number;
  readonly markdown: string;
  /** The commands the host may link below it: run or visualize the layer built at `site`, or run on the literal. */
  readonly links?: { readonly kind: 'layer' | 'literal'; readonly site: Span } | undefined;
}

export interface HoverOptions {
  /** The largest literal whose values the hover shows. */
  readonly maxElements?: number;
}

export function hoverAt(analysis: ShapeAnalysis, offset: number, options: HoverOptions = {}): Hover | undefined {
  const hover = expressionHover(analysis, offset, options);
  // In a module other files import: which of their calls brought the shapes shown.
  const callers = hover ? analysis.callers(offset) : [];
  if (!hover || callers.length === 0) return hover;
  const places = callers.map((c) => code(`${basename(c.path)}:${c.line}`)).join(', ');
  return { ...hover, markdown: `${hover.markdown}\n\nReached from ${places}` };
}

function expressionHover(analysis: ShapeAnalysis, offset: number, options: HoverOptions): Hover | undefined {
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
      if (built) return { from: n.from, to: n.to, markdown: layerHover(analysis, built.layer, built.inputs), links: { kind: 'layer', site: { from: n.from, to: n.to } } };
      const callee = n.firstChild;
      const calleeText = callee ? doc.textOf(callee) : '';
      const onCallee = callee !== null && offset <= callee.to;
      if (LITERAL_FACTORIES.test(calleeText) && onCallee) {
        const literal = literalHover(analysis, n, options.maxElements);
        if (literal) return { from: n.from, to: n.to, markdown: literal, links: { kind: 'literal', site: { from: n.from, to: n.to } } };
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
        return { from: n.from, to: n.to, markdown: layerHover(analysis, layer.layer, inputs), links: site ? { kind: 'layer', site } : undefined };
      }
      if (values.some((v) => v.kind === 'tensor')) return { from: n.from, to: n.to, markdown: valueHover(analysis, target, values) };
      const option = target.name === 'MemberExpression' ? argparseHover(analysis, target, values) : undefined;
      if (option) return { from: target.from, to: target.to, markdown: option };
      if (n.name === 'VariableName' || n.name === 'PropertyName') continue;
    }
  }
  return undefined;
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


/** `F.conv2d(input, weight, ...)`: the shapes reaching it, its output and formulas from core/geometry. */
function functionalConvHover(analysis: ShapeAnalysis, call: SyntaxNode, op: OpName): string {
  const results = analysis.valuesAt(call).filter((v): v is TensorValue => v.kind === 'tensor');
  const ran = results.find((r) => r.op)?.op;
  const input = ran?.input.shape;
  const weight = ran?.weight.shape;
  const lines = [`**F.${op}** · input ${code(input ? shapeText(input) : 'unknown')} · weight ${code(weight ? shapeText(weight) : 'unknown')}`];
  if (!ran || !input || !weight || !allKnown(input) || !allKnown(weight)) {
    lines.push('', ran ? 'The input or weight shape is not known here.' : 'Its arguments are not known here: the output is not worked out.');
    return lines.join('\n');
  }
  try {
    const applied = applyConv(op, input, weight, ran.args, undefined, false);
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

/** Multiply-accumulates, by the one formula the compute plan uses; undefined while a size is not known. */
function macsOf(layer: ConvLayer, input: readonly Dim[], output: readonly Dim[]): number | undefined {
  const weight = convWeightShape(layer);
  if (!allKnown(input) || !allKnown(output) || !allKnown(weight)) return undefined;
  return opMacs(layer.op, input, weight, output);
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
  if (unevenOverlapDims(k, s, d).length > 0) {
    const why = k.some((kd, i) => kd % (s[i] ?? 1) !== 0) ? `kernel_size ${tuple(k)} is not a multiple of stride ${tuple(s)}` : `dilation ${tuple(d)} shares a factor with stride ${tuple(s)}`;
    lines.push('', `**Uneven overlap**: ${why}, so output pixels receive different numbers of kernel taps — the checkerboard pattern of transposed convolutions.`);
  }
  return lines;
}


function genericLayerHover(layer: Layer, inputs: readonly (readonly Dim[] | undefined)[]): string {
  const name = layer.type === 'container' || layer.type === 'pool' || layer.type === 'elementwise' ? layer.name : layer.type === 'recurrent' ? layer.mode : layer.type;
  const lines = [`**nn.${name}**`];
  if (layer.type === 'linear') lines.push(`${code(`${dimText(layer.inFeatures ?? NaN)} → ${dimText(layer.outFeatures)}`)} features`);
  if (layer.type === 'recurrent') {
    const layers = `${layer.numLayers} layer${layer.numLayers === 1 ? '' : 's'}${layer.bidirectional ? ', bidirectional' : ''}${layer.batchFirst ? ', batch first' : ''}`;
    lines.push(`${code(`${dimText(layer.inputSize)} → ${dimText(layer.hiddenSize)}`)} features, ${layers}`);
  }
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
  // A keyword argument's name is a Python identifier: nothing in it is Markdown.
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
/** `opt.nz`: its value and where argparse took it from (`the default of --nz`). */
function argparseHover(analysis: ShapeAnalysis, member: SyntaxNode, values: readonly Value[]): string | undefined {
  const object = member.firstChild;
  const property = member.lastChild;
  if (!object || property?.name !== 'PropertyName' || values.length !== 1) return undefined;
  const dest = analysis.doc.textOf(property);
  const sources = analysis.valuesAt(object).flatMap((v) => (v.kind === 'dict' && v.argparse === 'namespace' ? [namespaceSource(v, dest)] : []));
  const source = sources[0];
  if (!source || sources.some((s) => s !== source)) return undefined;
  return `${code(analysis.doc.textOf(member))}: ${code(pythonRepr(values[0] as Value))}, ${source}`;
}

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
  const values = analysis.valuesAt(call);
  const value = values.find((v): v is TensorValue => v.kind === 'tensor');
  if (!value) {
    const unknown = values.find((v) => v.kind === 'unknown');
    return unknown?.kind === 'unknown' ? `**Tensor literal**: ${analysis.explain(unknown.why, call).message}` : undefined;
  }
  const elements = value.elements;
  const shape = value.shape && allKnown(value.shape) ? value.shape : undefined;
  const heading = `**Tensor literal** ${code(shape ? tuple(shape) : 'unknown shape')} ${value.dtype ?? ''}`;
  if (!elements || !shape) return `${heading}: ${analysis.explain(value.why, call).message}`;
  if (maxElements !== undefined && (productOfDims(shape) as number) > maxElements) return `${heading}: too large to show`;
  let t;
  try {
    t = materialize(elements, new WorkBudget(LITERAL_HOVER_WORK));
  } catch (e) {
    if (e instanceof DataRefusal) return `${heading}: ${e.message}`;
    throw e;
  }
  const data = Array.from(t.data as ArrayLike<number | bigint>, Number);
  const min = data.length > 0 ? Math.min(...data.slice(0, 100_000)) : undefined;
  const max = data.length > 0 ? Math.max(...data.slice(0, 100_000)) : undefined;
  const printed = formatTensor(t).split('\n');
  const preview = printed.length > 8 ? [...printed.slice(0, 8), '...'] : printed;
  return [`${heading}${min !== undefined ? ` · min ${min} · max ${max}` : ''}`, '', ...codeBlock('python', preview)].join('\n');
}
