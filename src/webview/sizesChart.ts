// What the Input sizes view draws, as plain data (no DOM, tested in Node): the strips to draw (one
// for all axes when the solver found them alike), each size's tooltip, the runs of equal status a
// screen reader hears instead of 128 cells, the tick sizes under a strip, and where the input's own
// size is.
import type { SizeStatus, WireInputSizes, WireSizeAxis } from '../protocol/analysis';

/** The statuses in the legend's order, with what each means. */
export const SIZE_STATUSES: readonly { readonly status: SizeStatus; readonly label: string; readonly meaning: string }[] = [
  { status: 'restored', label: 'restored', meaning: 'runs, and the output has the input\'s size' },
  { status: 'accepted', label: 'accepted', meaning: 'runs, to another output size' },
  { status: 'failing', label: 'failing', meaning: 'PyTorch raises' },
  { status: 'unknown', label: 'not known', meaning: 'the analysis is not sure' },
];

/** One strip of the chart: an axis (or every axis, when alike) and the input's size on it. */
export interface SizeStrip {
  /** `H`, or `H, W` when the axes are alike. */
  readonly label: string;
  readonly axis: WireSizeAxis;
  /** The input's size on this axis (the first axis's when alike and they differ: `givenSizes` lists all). */
  readonly given: readonly number[];
}

/** The strips to draw: one per spatial axis, or a single one when the engine says they are alike. */
export function sizeStrips(sizes: WireInputSizes): SizeStrip[] {
  const spatial = sizes.input.slice(2);
  const first = sizes.axes[0];
  if (sizes.alike && first && sizes.axes.length > 1) {
    return [{ label: sizes.axes.map((a) => a.name).join(', '), axis: first, given: [...new Set(spatial)] }];
  }
  return sizes.axes.map((axis, i) => ({ label: axis.name, axis, given: spatial[i] === undefined ? [] : [spatial[i] as number] }));
}

function statusLabel(status: SizeStatus): string {
  return SIZE_STATUSES.find((s) => s.status === status)?.label ?? status;
}

/** A size's tooltip: `H = 5: failing — RuntimeError: ...`, `H = 8: restored (output 8)`. */
export function sizeTitle(label: string, axis: WireSizeAxis, size: number): string {
  const status = axis.status[size - 1];
  if (status === undefined) return `${label} = ${size}: not swept`;
  const message = axis.messages[size - 1];
  const meaning = SIZE_STATUSES.find((s) => s.status === status)?.meaning ?? '';
  return `${label} = ${size}: ${statusLabel(status)} (${meaning})${message ? ` — ${message}` : ''}`;
}

/** Consecutive sizes of one status: `{ from: 1, to: 3, status: 'failing' }`. */
export interface StatusRun {
  readonly from: number;
  readonly to: number;
  readonly status: SizeStatus;
}

export function statusRuns(status: readonly SizeStatus[]): StatusRun[] {
  const runs: StatusRun[] = [];
  status.forEach((s, i) => {
    const last = runs[runs.length - 1];
    if (last && last.status === s) runs[runs.length - 1] = { ...last, to: i + 1 };
    else runs.push({ from: i + 1, to: i + 1, status: s });
  });
  return runs;
}

/**
 * The strip as a sentence for screen readers: the rules, then the counts per status (the runs of a
 * periodic set would be a list of 128 numbers): `H, W: accepted multiples of 4 from 4; ...`.
 */
export function stripDescription(strip: SizeStrip, max: number): string {
  const counts = SIZE_STATUSES.map(({ status, label }) => ({ label, count: strip.axis.status.filter((s) => s === status).length })).filter((c) => c.count > 0);
  return `${strip.label}, sizes 1 to ${max}: accepted ${strip.axis.accepted.words}; restored ${strip.axis.restored.words}; ${counts.map((c) => `${c.count} ${c.label}`).join(', ')}.`;
}

/** The sizes labelled under a strip: 1, then every multiple of `step` (16 for 1..128), and max. */
export function tickSizes(max: number, step = max > 64 ? 16 : max > 16 ? 8 : 1): number[] {
  const ticks = [1];
  for (let size = step; size <= max; size += step) if (size !== 1) ticks.push(size);
  if (ticks[ticks.length - 1] !== max) ticks.push(max);
  return ticks;
}
