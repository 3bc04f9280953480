// The arguments "Run (Transposed) Convolution on Selection" pre-fills: those of the nearest conv
// layer of the same kind and dimensions constructed at or above the selection, as the
// interpreter read them (so `padding=p` is read as p's value).
import type { OpArgs } from '../../core/vocabulary';
import { formatOpArgs } from '../../core/opArgsText';
import type { ShapeAnalysis } from '../interpreter/analysis';
import type { Span } from '../syntax/document';
import { callAt } from '../syntax/nodes';

export type LayerKind = 'conv' | 'convTranspose';

export interface LayerArguments {
  /** The callee as written, e.g. `nn.ConvTranspose2d`. */
  readonly callee: string;
  /** The whole constructor call. */
  readonly site: Span;
  /** The op arguments the constructor was given (channels, kernel size and bias come from the tensors). */
  readonly args: OpArgs;
  /** The same in Python keyword syntax (`stride=2, padding=1`); '' for none. */
  readonly text: string;
}

/** The last layer of `kind` with `spatialDims` constructed at or before `offset` (a cursor inside a constructor means that one). */
export function nearestLayerArguments(analysis: ShapeAnalysis, offset: number, kind: LayerKind, spatialDims: number): LayerArguments | undefined {
  let nearest: LayerArguments | undefined;
  for (const { layer, site } of analysis.layers()) {
    if (site.from > offset) break;
    if (layer.type !== 'conv' || layer.transposed !== (kind === 'convTranspose') || layer.spatialDims !== spatialDims) continue;
    const callee = callAt(analysis.doc, site)?.firstChild ?? site;
    nearest = { callee: analysis.doc.textOf(callee).replace(/\s+/g, ''), site, args: layer.written, text: formatOpArgs(layer.written) };
  }
  return nearest;
}
