// Inlay hints: the shape after each name an assignment binds (`y: (1, 10, 16, 16)`), and with
// 'all', after layer calls nested in expressions, from the analysis's values.
import type { Span } from '../syntax/document';
import type { ShapeAnalysis } from '../interpreter/analysis';
import { shapeText } from '../interpreter/dim';
import type { Value } from '../interpreter/values';

export type InlayHintsMode = 'off' | 'assignments' | 'all';

export interface InlayHint {
  /** Where the label goes: right after the bound name or the call. */
  readonly offset: number;
  readonly label: string;
}


function shapesLabel(values: readonly Value[]): string | undefined {
  const shapes = values.flatMap((v) => (v.kind === 'tensor' && v.shape ? [shapeText(v.shape)] : []));
  if (shapes.length === 0 || shapes.length !== values.length) return undefined;
  const distinct = [...new Set(shapes)];
  return distinct.length > 3 ? `${distinct.slice(0, 3).join(' | ')} | …` : distinct.join(' | ');
}

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
