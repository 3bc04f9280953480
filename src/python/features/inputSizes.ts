// The input-size solver (issue #16): which sizes of each spatial dimension a model accepts (every
// layer's size check passes, a skip and a decoder tensor agree in `torch.cat`, view and linear
// sizes match), and for which its output has the input's size again (the round trip of the d2l
// chapter's cell 92, `tconv(conv(X)).shape == X.shape`).
//
// A `SizeProbe` answers for one concrete input size by running the same analysis as everything
// else (modelProbe.ts: the file's interpreter, conv geometry from core/geometry.ts, floor division
// and all); this module sweeps each spatial dimension over 1..N with the others held at an
// accepted size, and states the result as a rule ("H ≥ 16 and H ≡ 0 (mod 16)") when one fits the
// whole sweep, else as the set itself. A rule is only ever claimed on the swept range: it is
// checked against every size of it, and the sweep must cover the threshold plus two periods.
// Sizes the analysis is not sure of are unknown, never counted as accepted or rejected.

import { dimensionNames } from '../../core/geometry';

export type SizeVerdict = 'accepted' | 'rejected' | 'unknown';

/** What the analysis says of one input size. */
export interface SizeOutcome {
  readonly verdict: SizeVerdict;
  /** Accepted: the output's spatial sizes; undefined when the output is not a tensor of the input's rank (nothing is restored). */
  readonly output?: readonly number[] | undefined;
  /** Rejected: PyTorch's message. Unknown: why the analysis is not sure. */
  readonly message?: string | undefined;
}

/** Runs the model on an input whose spatial sizes are `spatial` (batch and channels as given). */
export type SizeProbe = (spatial: readonly number[]) => SizeOutcome;

/** A set of sizes in 1..max, as a rule when one fits. */
export interface SizeRule {
  /** `H ≥ 16 and H ≡ 0 (mod 16)`, `H ∈ {1–3, 8}`, `no size`. */
  readonly text: string;
  /** The same for people: `multiples of 16 from 16`. */
  readonly words: string;
  /** The sizes of 1..max in the set (sure ones). */
  readonly members: readonly number[];
  /** Sizes of 1..max the analysis is not sure of (then no rule is stated, only the sets). */
  readonly unknown: readonly number[];
  /** The periodic form, when the set is `size ≥ threshold and size mod period ∈ residues` on 1..max. */
  readonly periodic?: { readonly threshold: number; readonly period: number; readonly residues: readonly number[] } | undefined;
  /** The sizes the rule was checked on: 1..max. Nothing is claimed past it. */
  readonly max: number;
}

export interface SizePoint {
  readonly size: number;
  readonly verdict: SizeVerdict;
  /** The output's size on this axis equals the input's; undefined when not accepted or not known. */
  readonly restored: boolean | undefined;
  readonly message?: string | undefined;
}

/** One spatial dimension swept with the others fixed. */
export interface AxisSizes {
  /** 0 for the first spatial dimension. */
  readonly axis: number;
  /** `H`, `W` (`L` for 1-d, `D`, `H`, `W` for 3-d). */
  readonly name: string;
  /** The spatial sizes used for the other axes (this axis's entry is the swept one). */
  readonly fixed: readonly number[];
  /** Size v at index v - 1. */
  readonly points: readonly SizePoint[];
  readonly accepted: SizeRule;
  /** The accepted sizes whose output has the input's size on this axis. */
  readonly restored: SizeRule;
}

export interface InputSizes {
  /** What the analysis says of the input size given. */
  readonly given: SizeOutcome;
  readonly axes: readonly AxisSizes[];
  /** Every axis has the same accepted and restored sets (the model treats them alike). */
  readonly alike: boolean;
}

export interface SolveOptions {
  /** Sweep 1..max on each axis (at least 1). */
  readonly max: number;
  /** Stop with a SizeBudgetError past this many milliseconds. */
  readonly budgetMs: number;
  /** The clock (tests pass their own). */
  readonly now?: () => number;
  /**
   * Awaited between runs once a slice of time has passed (the worker's lets its other requests in:
   * a sweep may take seconds, and a hover must not wait for it). Throwing stops the sweep (a newer
   * version of the file made it useless).
   */
  readonly pause?: () => Promise<void>;
}

/** Milliseconds of runs between two pauses. */
const SLICE_MS = 15;

export const DEFAULT_MAX_SIZE = 256;
export const DEFAULT_BUDGET_MS = 60_000;

/** The sweep gives no answer: it took longer than its budget (no partial answer), or no size is surely accepted. */
export class SizeSweepError extends Error {
  override readonly name = 'SizeSweepError';
}

/** The spatial dimensions' names (core/geometry's `L`; `H`, `W`; `D`, `H`, `W`), numbered past three. */
export function axisNames(spatialDims: number): string[] {
  return spatialDims <= 3 ? dimensionNames(spatialDims) : Array.from({ length: spatialDims }, (_, i) => `S${i + 1}`);
}

/**
 * Sweeps each spatial axis of the input over 1..max, the other axes held at `base` when the model
 * accepts it, else at the smallest size accepted on every axis at once (found by sweeping them
 * together). Throws SizeSweepError past the budget, or when no size of 1..max is surely accepted
 * on every axis at once (there is then nothing to hold the other axes at).
 */
export async function solveInputSizes(probe: SizeProbe, base: readonly number[], options: SolveOptions): Promise<InputSizes> {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + options.budgetMs;
  let sliceStart = now();
  const run = async (spatial: readonly number[]): Promise<SizeOutcome> => {
    if (options.pause && now() - sliceStart > SLICE_MS) {
      await options.pause();
      sliceStart = now();
    }
    if (now() > deadline) throw new SizeSweepError(`the sweep of sizes 1..${options.max} took longer than its budget of ${Math.round(options.budgetMs / 1000)} s; try a smaller --max`);
    return probe(spatial);
  };
  const given = await run(base);
  const fixed = await referenceSizes(run, base, given, options.max);
  const names = axisNames(base.length);
  const axes: AxisSizes[] = [];
  for (const [axis, name] of names.entries()) {
    const points: SizePoint[] = [];
    for (let size = 1; size <= options.max; size++) {
      const spatial = fixed.map((s, i) => (i === axis ? size : s));
      const outcome = await run(spatial);
      const restored = outcome.verdict === 'accepted' ? outcome.output?.[axis] === size : undefined;
      points.push({ size, verdict: outcome.verdict, restored, message: outcome.message });
    }
    const accepted = sizeRule(name, points.map((p) => (p.verdict === 'unknown' ? undefined : p.verdict === 'accepted')));
    const restored = sizeRule(name, points.map((p) => (p.verdict === 'rejected' ? false : p.restored)));
    axes.push({ axis, name, fixed, points, accepted, restored });
  }
  const first = axes[0];
  const sameSet = (a: SizeRule, b: SizeRule): boolean => a.members.join() === b.members.join() && a.unknown.join() === b.unknown.join();
  const alike = first !== undefined && axes.every((a) => sameSet(a.accepted, first.accepted) && sameSet(a.restored, first.restored));
  return { given, axes, alike };
}

/** `base` when it is accepted (`given` says), else the smallest size accepted on all axes together. */
async function referenceSizes(run: (spatial: readonly number[]) => Promise<SizeOutcome>, base: readonly number[], given: SizeOutcome, max: number): Promise<readonly number[]> {
  if (given.verdict === 'accepted') return base;
  for (let size = 1; size <= max; size++) {
    const square = base.map(() => size);
    if ((await run(square)).verdict === 'accepted') return square;
  }
  const why = `${given.verdict === 'rejected' ? 'rejected' : 'not known'}: ${given.message ?? ''}`;
  throw new SizeSweepError(`no input size of 1..${max} on every spatial axis at once is surely accepted (the input ${base.join('×')} is ${why}), so no axis can be swept with the others fixed`);
}

/**
 * The rule for a set of sizes given by membership of 1..n (index v - 1; undefined: not known).
 * Periodic when, from the smallest member on, membership repeats with some period p and the range
 * holds two periods past that threshold; the smallest such p is taken, and the rule is then checked
 * against every size of the range.
 */
export function sizeRule(name: string, membership: readonly (boolean | undefined)[]): SizeRule {
  const max = membership.length;
  const members: number[] = [];
  const unknown: number[] = [];
  membership.forEach((m, i) => {
    if (m === undefined) unknown.push(i + 1);
    else if (m) members.push(i + 1);
  });
  const threshold = members[0];
  if (unknown.length > 0 || threshold === undefined) {
    const text = members.length === 0 ? `no size of 1..${max}` : `${name} ∈ {${rangesText(members)}}`;
    const unsure = unknown.length > 0 ? `; not known: ${rangesText(unknown)}` : '';
    return { text: text + unsure, words: (members.length === 0 ? 'none' : rangesText(members)) + unsure, members, unknown, max };
  }
  const at = (v: number): boolean => membership[v - 1] === true;
  for (let period = 1; threshold + 2 * period <= max; period++) {
    let repeats = true;
    for (let v = threshold; v + period <= max && repeats; v++) repeats = at(v) === at(v + period);
    if (!repeats) continue;
    const residues: number[] = [];
    for (let v = threshold; v < threshold + period; v++) if (at(v)) residues.push(v % period);
    residues.sort((a, b) => a - b);
    const periodic = { threshold, period, residues };
    if (!ruleHolds(periodic, membership)) continue;
    return { ...periodicText(name, periodic), members, unknown, periodic, max };
  }
  return { text: `${name} ∈ {${rangesText(members)}}`, words: rangesText(members), members, unknown, max };
}

/** Whether the periodic rule gives exactly `membership` on 1..n. */
export function ruleHolds(rule: { threshold: number; period: number; residues: readonly number[] }, membership: readonly (boolean | undefined)[]): boolean {
  return membership.every((m, i) => {
    const v = i + 1;
    return m === (v >= rule.threshold && rule.residues.includes(v % rule.period));
  });
}

function periodicText(name: string, rule: { threshold: number; period: number; residues: readonly number[] }): { text: string; words: string } {
  const { threshold, period, residues } = rule;
  if (period === 1) return threshold === 1 ? { text: `every ${name}`, words: 'every size' } : { text: `${name} ≥ ${threshold}`, words: `every size from ${threshold}` };
  const from = threshold > 1 ? `${name} ≥ ${threshold} and ` : '';
  if (residues.length === 1) {
    const r = residues[0] as number;
    return {
      text: `${from}${name} ≡ ${r} (mod ${period})`,
      words: r === 0 ? `multiples of ${period} from ${threshold}` : `sizes ≡ ${r} (mod ${period}) from ${threshold}`,
    };
  }
  return { text: `${from}${name} mod ${period} ∈ {${residues.join(', ')}}`, words: `sizes whose remainder mod ${period} is ${residues.join(' or ')}, from ${threshold}` };
}

/** `1–3, 8, 10–12`. */
function rangesText(sizes: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sizes.length; ) {
    let j = i;
    while (j + 1 < sizes.length && (sizes[j + 1] as number) === (sizes[j] as number) + 1) j++;
    parts.push(j === i ? String(sizes[i]) : `${sizes[i]}–${sizes[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The accepted sizes nearest `size` on the swept range: the closest below and above (either may be missing). */
export function nearestAccepted(rule: SizeRule, size: number): { below: number | undefined; above: number | undefined } {
  let below: number | undefined;
  let above: number | undefined;
  for (const m of rule.members) {
    if (m <= size) below = m;
    else if (above === undefined) above = m;
  }
  return { below, above };
}

/**
 * What a size error raised for a known input gains (after PyTorch's own message): `fails for this
 * 100×150 input; accepted sizes: multiples of 16 from 16; nearest: 96 or 112`.
 */
export function failureNote(spatial: readonly number[], sizes: InputSizes): string {
  const accepted = sizes.alike ? (sizes.axes[0] as AxisSizes).accepted.words : sizes.axes.map((a) => `${a.name} ${a.accepted.words}`).join(', ');
  // Each axis was swept with the others at a size the model accepts, not at this input's: said,
  // since the sets may depend on the other axes (a Linear after a flatten takes H·W = const).
  const fixed = sizes.axes[0]?.fixed ?? [];
  const others = spatial.length > 1 && fixed.join() !== spatial.join() ? ` (each axis with the others at ${new Set(fixed).size === 1 ? String(fixed[0]) : fixed.join('×')})` : '';
  const nearest = sizes.axes.flatMap((a) => {
    const size = spatial[a.axis] as number;
    if (a.accepted.members.includes(size)) return [];
    const { below, above } = nearestAccepted(a.accepted, size);
    const sizesNear = [below, above].filter((s) => s !== undefined).join(' or ');
    return sizesNear === '' ? [] : [sizes.axes.length > 1 ? `${a.name} ${sizesNear}` : sizesNear];
  });
  return `fails for this ${spatial.join('×')} input; accepted sizes${others}: ${accepted}${nearest.length > 0 ? `; nearest: ${nearest.join(', ')}` : ''}`;
}

/**
 * For a rejected input: each axis grown to the nearest accepted size at or above it (found with
 * the other axes at the sweep's sizes), and the padded size run through the probe itself, since the
 * axes need not be independent. Undefined unless the probe accepts the padded input. `pads` is
 * F.pad's argument (last dim first, nothing before, the growth after).
 */
export function padToAccepted(probe: SizeProbe, spatial: readonly number[], sizes: InputSizes): { spatial: number[]; pads: number[] } | undefined {
  const target: number[] = [];
  for (const axis of sizes.axes) {
    const size = spatial[axis.axis] as number;
    const grown = axis.accepted.members.includes(size) ? size : nearestAccepted(axis.accepted, size).above;
    if (grown === undefined) return undefined;
    target.push(grown);
  }
  if (probe(target).verdict !== 'accepted') return undefined;
  const pads = target.map((t, i) => [0, t - (spatial[i] as number)]).reverse().flat();
  return { spatial: target, pads };
}

/** For a chart of one axis (sizes × status): plain data, for a panel or a CLI to draw. */
export interface SizeChart {
  readonly axis: string;
  readonly sizes: readonly number[];
  /** Per size: restored (accepted, output the input's size), accepted, failing, unknown. */
  readonly status: readonly ('restored' | 'accepted' | 'failing' | 'unknown')[];
}

export function sizeChart(axis: AxisSizes): SizeChart {
  return {
    axis: axis.name,
    sizes: axis.points.map((p) => p.size),
    status: axis.points.map((p) => (p.verdict === 'rejected' ? 'failing' : p.verdict === 'unknown' ? 'unknown' : p.restored ? 'restored' : 'accepted')),
  };
}
