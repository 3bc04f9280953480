// The conv layers a file constructs (`nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1)`) and
// the op arguments they set, read from the syntax tree with PyTorch's positional signatures, so
// "run on the selection" can pre-fill the arguments of the nearest matching layer above it.
import type { SyntaxNode } from '@lezer/common';
import { parseOpArgs } from '../core/opArgsText';
import { CONV_LAYER_SIGNATURES } from './layers';
import { callArguments, type PythonDocument } from './parse';

export type LayerKind = 'conv' | 'convTranspose';

export interface LayerConstructor {
  readonly kind: LayerKind;
  readonly spatialDims: 1 | 2 | 3;
  /** The callee as written, e.g. `nn.ConvTranspose2d`. */
  readonly callee: string;
  /** The whole call. */
  readonly from: number;
  readonly to: number;
  /** The op arguments it sets, in Python keyword syntax in signature order (`stride=2, padding=1`); '' for none. */
  readonly opArgsText: string;
  /** Op arguments whose value is not a literal (`padding=p`), which therefore are not in `opArgsText`. */
  readonly unread: readonly string[];
}

/** The constructor parameters that are arguments of the op itself (channels, kernel size and bias come from the tensors). */
const OP_PARAMETERS = new Set(['stride', 'padding', 'output_padding', 'dilation', 'groups', 'padding_mode']);

/** `nn.Conv2d`, `torch.nn.ConvTranspose3d`, or a bare `Conv1d` imported from torch.nn. */
const CALLEE = /^(?:(?:torch\.)?nn\.)?(Conv|ConvTranspose)([123])d$/;

/** Every conv layer constructor call in the document, in document order. */
export function layerConstructors(doc: PythonDocument): LayerConstructor[] {
  const layers: LayerConstructor[] = [];
  doc.tree.iterate({
    enter: (ref) => {
      if (ref.name !== 'CallExpression') return;
      const layer = readLayer(ref.node, doc.text);
      if (layer) layers.push(layer);
    },
  });
  return layers;
}

/**
 * The last layer of `kind` with `spatialDims` that starts at or before `offset` (so a cursor
 * inside a constructor means that constructor).
 */
export function nearestLayerAbove(doc: PythonDocument, offset: number, kind: LayerKind, spatialDims: number): LayerConstructor | undefined {
  let nearest: LayerConstructor | undefined;
  for (const layer of layerConstructors(doc)) {
    if (layer.from > offset) break;
    if (layer.kind === kind && layer.spatialDims === spatialDims) nearest = layer;
  }
  return nearest;
}

function readLayer(call: SyntaxNode, text: string): LayerConstructor | undefined {
  const callee = call.firstChild;
  const argList = call.getChild('ArgList');
  if (!callee || !argList) return undefined;
  const calleeText = text.slice(callee.from, callee.to).replace(/\s+/g, '');
  const match = CALLEE.exec(calleeText);
  if (!match) return undefined;
  const kind: LayerKind = match[1] === 'Conv' ? 'conv' : 'convTranspose';
  const spatialDims = Number(match[2]) as 1 | 2 | 3;
  const { positional, keywords } = callArguments(argList, text);
  const given = new Map<string, SyntaxNode>();
  CONV_LAYER_SIGNATURES[kind].forEach((parameter, i) => {
    const node = positional[i];
    if (node) given.set(parameter, node);
  });
  for (const [name, { value }] of keywords) given.set(name, value);
  const read: string[] = [];
  const unread: string[] = [];
  for (const parameter of CONV_LAYER_SIGNATURES[kind]) {
    const node = given.get(parameter);
    if (!node || !OP_PARAMETERS.has(parameter)) continue;
    const item = `${parameter}=${text.slice(node.from, node.to).replace(/\s+/g, ' ')}`;
    (parsesAsOpArgs(item) ? read : unread).push(item);
  }
  return { kind, spatialDims, callee: calleeText, from: call.from, to: call.to, opArgsText: read.join(', '), unread };
}

function parsesAsOpArgs(text: string): boolean {
  try {
    parseOpArgs(text);
    return true;
  } catch {
    return false;
  }
}
