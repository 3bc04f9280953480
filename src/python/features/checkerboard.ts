// The checkerboard hint: a transposed conv whose kernel_size is not a multiple of its stride in
// some dim gives neighbouring output pixels different numbers of kernel taps, the uneven overlap
// behind checkerboard artifacts (Odena, Dumoulin and Olah, "Deconvolution and Checkerboard
// Artifacts", Distill 2016). Found on the layers the analysis built (`nn.ConvTranspose*d(...)`)
// and on `F.conv_transpose*d` calls whose weight's kernel size and stride it knows; never where an
// argument is not known. A hint, not an error: PyTorch runs such a layer without complaint.
import type { SyntaxNode } from '@lezer/common';
import { dilationSkipsOutputs, dimensionNames, expandInts, unevenOverlapDims } from '../../core/geometry';
import type { ShapeAnalysis } from '../interpreter/analysis';
import { allKnown, type Dim } from '../interpreter/dim';
import type { ConvLayer } from '../interpreter/values';
import type { Span } from '../syntax/document';
import { callAt } from '../syntax/nodes';
import { intOrTuple } from './markdown';

export const CHECKERBOARD_CODE = 'checkerboard';

/** A finding of Conv Lab's own (no Python exception): the editor shows it with Hint severity. */
export interface LintHint {
  readonly severity: 'hint';
  readonly code: typeof CHECKERBOARD_CODE;
  readonly message: string;
  /** The callee's range (`nn.ConvTranspose2d`), in the document's offsets. */
  readonly from: number;
  readonly to: number;
  /** 1-based, as editors count. */
  readonly line: number;
  readonly column: number;
}

/** Which hints the user wants (`convLab.lint.*`). */
export interface LintSettings {
  readonly checkerboard: boolean;
}

const FUNCTIONAL_CALLEE = /(?:^|\.)conv_transpose[123]d$/;

/** Every transposed conv of the document with uneven overlap, in the order of the file. */
export function checkerboardHints(analysis: ShapeAnalysis): LintHint[] {
  const hints: LintHint[] = [];
  const doc = analysis.doc;
  const add = (callee: SyntaxNode, kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): void => {
    const uneven = unevenOverlapDims(kernel, stride, dilation);
    if (uneven.length === 0) return;
    hints.push({ severity: 'hint', code: CHECKERBOARD_CODE, message: checkerboardMessage(kernel, stride, dilation, uneven), from: callee.from, to: callee.to, ...doc.lineColumnAt(callee.from) });
  };
  for (const { layer, site } of analysis.layers()) {
    if (layer.type !== 'conv' || !layer.transposed) continue;
    const callee = callAt(doc, site)?.firstChild;
    if (callee) add(callee, layer.kernelSize, layer.args.stride as number[], layer.args.dilation as number[]);
  }
  doc.tree.iterate({
    enter: (node) => {
      if (node.name !== 'CallExpression') return;
      const callee = node.node.firstChild;
      if (!callee || !FUNCTIONAL_CALLEE.test(doc.textOf(callee))) return;
      // The first run whose weight's kernel sizes are all known (a line run with several weights is told by one).
      for (const value of analysis.valuesAt(node)) {
        const op = value.kind === 'tensor' ? value.op : undefined;
        const kernel = op?.op.startsWith('conv_transpose') ? op.weight.shape?.slice(2) : undefined;
        if (!op || !kernel || kernel.length === 0 || !allKnown(kernel)) continue;
        add(callee, kernel, expandInts(op.args.stride, 1, kernel.length), expandInts(op.args.dilation, 1, kernel.length));
        break;
      }
    },
  });
  return hints.sort((a, b) => a.from - b.from);
}

/** The transposed conv layer a checkerboard hint is on and its constructor call's range (none for an `F.conv_transpose*d` call). */
export function checkerboardLayer(analysis: ShapeAnalysis, hint: Span): { layer: ConvLayer; site: Span; inputs: readonly (readonly Dim[] | undefined)[] } | undefined {
  for (const found of analysis.layers()) {
    if (found.site.from === hint.from && found.layer.type === 'conv' && found.layer.transposed) return { ...found, layer: found.layer };
  }
  return undefined;
}

/** "kernel_size 3 is not a multiple of stride 2: …", tuples only where the dims differ, the uneven dims named when not all are. */
function checkerboardMessage(kernel: readonly number[], stride: readonly number[], dilation: readonly number[], uneven: readonly number[]): string {
  const names = dimensionNames(kernel.length);
  const along = uneven.length < kernel.length ? ` along ${uneven.map((d) => names[d]).join(' and ')}` : '';
  if (uneven.some((d) => dilationSkipsOutputs(stride[d] ?? 1, dilation[d] ?? 1))) {
    return `dilation ${intOrTuple(dilation)} shares a factor with stride ${intOrTuple(stride)}${along}: some output pixels get no kernel tap, a checkerboard pattern`;
  }
  return `kernel_size ${intOrTuple(kernel)} is not a multiple of stride ${intOrTuple(stride)}${along}: uneven overlap gives checkerboard artifacts`;
}
