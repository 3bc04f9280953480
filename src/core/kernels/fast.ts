// The float32 fast path: convolutions and transposed convolutions on the WebAssembly SIMD kernels
// of assembly/kernels.ts, which sum in float32 (the reference kernels in conv.ts sum in float64
// and stay the reference this path is tested against).
//
// How an op becomes kernel calls. The input (the region's batch entries, every channel) is copied
// into a padded buffer whose border holds what padding reads (zeros, or the reflected /
// replicated / wrapped input: the same sourceIndex as the reference taps), so no tap is ever out
// of bounds. Along each spatial dim, output coordinates fall into classes that read the same
// kernel taps: one class for a convolution; for a transposed convolution, one class per
// o mod stride, whose taps are the k with (o + padding − k·dilation) divisible by the stride (the
// gather over the flipped kernel that skips the zeros a scatter would multiply). Within a class
// an element's padded-input offset is a column part (from its coordinates) plus a row part (from
// its input channel and taps), so each class × group is one GEMM: im2col into panels, a 4×8
// f32x4 micro-kernel, the result scattered into the region. Convolutions with one input channel
// per group (depthwise) and stride 1 along the last dim run a direct kernel instead.
//
// Two builds of the same kernels (assembly/kernels.ts): 'simd' multiplies then adds, 'fma' uses
// relaxed SIMD's fused multiply-add, twice the peak where the CPU has FMA. A runtime without
// relaxed SIMD (Node 20 without --experimental-wasm-relaxed-simd) refuses the 'fma' module, so a
// tiny probe module decides first which builds this thread can run.
//
// Memory is a per-thread arena: the module's linear memory grows to the largest op seen and is
// reused by every later call. Planning (arena layout, tables, the list of kernel calls) depends
// on the geometry and region only and is kept for recent ops, so a repeated op only copies its
// data in, runs the calls and copies the result out.
import kernelsWasm from 'wasm:kernels';
import kernelsFmaWasm from 'wasm:kernels+relaxed-simd';
import type { ConvGeometry } from '../geometry';
import type { OutputRegion } from '../vocabulary';
import { COUNTED_KERNEL_MAX, sizes3, sourceIndex } from './taps';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  padInput(dst: number, src: number, planes: number, in0: number, in1: number, in2: number,
    p0: number, p1: number, p2: number, map0: number, map1: number, map2: number, lo2: number): void;
  transposeWeights(dst: number, src: number, ipg: number, count: number, kVolume: number, width: number, scratch: number): void;
  convGemm(out: number, xp: number, w: number, bias: number, hasBias: number, scratch: number,
    M: number, wBase: number, ocWStride: number, outBase: number, ocOutStride: number, biasBase: number,
    icCount: number, xBase: number, icXStride: number, icWStride: number,
    nB: number, bXStride: number, bOutStride: number,
    axis0: number, axis1: number, axis2: number, chunk: number, samePanels: number): void;
  depthwise(out: number, xp: number, w: number, bias: number, hasBias: number, scratch: number,
    M: number, wBase: number, ocWStride: number, outBase: number, ocOutStride: number, biasBase: number,
    xBase: number, nB: number, bXStride: number, bOutStride: number,
    axis0: number, axis1: number, axis2: number): void;
}

/** assembly/kernels.ts's panel sizes (MR weight rows, NR input columns). */
const MR = 4;
const NR = 8;
/** Input columns packed at once: about this many bytes of panels stay in the core's L2 cache. */
const CHUNK_BYTES = 192 << 10;
const PAGE_BYTES = 65536;

/**
 * An arena grown past this is dropped after its op (the instance is made anew for the next), so
 * one huge op does not pin its memory in the thread for good.
 */
const ARENA_KEPT_BYTES = 256 << 20;

/** The WebAssembly kernel builds: products then sums, or fused multiply-adds (relaxed SIMD). */
export type SimdKernels = 'simd' | 'fma';

/**
 * (v128, v128, v128) → v128 computing f32x4.relaxed_madd of its arguments, written out byte by
 * byte: a runtime that validates it takes relaxed SIMD, hence the 'fma' build.
 */
const RELAXED_SIMD_PROBE = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // types: (v128 v128 v128) → v128
  0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
  // code: one body of 11 bytes, no locals, local.get 0 1 2, f32x4.relaxed_madd (0xfd 0x105), end
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
);

/** Whether this runtime takes relaxed SIMD (the probe validates). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

const BYTES: Record<SimdKernels, Uint8Array<ArrayBuffer>> = { simd: kernelsWasm, fma: kernelsFmaWasm };
const compiled: Partial<Record<SimdKernels, WebAssembly.Module | null>> = {};
const instances: Partial<Record<SimdKernels, KernelExports>> = {};

/** The instantiated build, or null where this runtime refuses it (no SIMD, or no relaxed SIMD for 'fma'). */
function kernels(build: SimdKernels): KernelExports | null {
  let module = compiled[build];
  if (module === undefined) {
    const runs = build === 'fma' ? relaxedSimdSupported() && WebAssembly.validate(BYTES.fma) : WebAssembly.validate(BYTES.simd);
    module = runs ? new WebAssembly.Module(BYTES[build]) : null;
    compiled[build] = module;
  }
  if (module === null) return null;
  return (instances[build] ??= new WebAssembly.Instance(module, {}).exports as unknown as KernelExports);
}

/** The kernel builds this thread can run, best first ('fma' before 'simd'); empty without WebAssembly SIMD. */
export function availableSimdKernels(): SimdKernels[] {
  return (['fma', 'simd'] as const).filter((b) => kernels(b) !== null);
}

/** Byte offsets handed out from the top of the module's static data, for one op. */
class Arena {
  private top: number;
  constructor(base: number) {
    this.top = base;
  }
  take(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 64) * 64;
    return at;
  }
}

/** One class of output coordinates along one dim (see the file comment), offsets in elements. */
interface AxisClass {
  /** The first class of its axis with the same outX and kX (so the same im2col panels), maybe itself. */
  panelsLike?: number;
  readonly outX: number[];
  readonly outOut: number[];
  readonly kX: number[];
  readonly kW: number[];
}

interface AxisPlan {
  /** Padded length, and for each padded coordinate the input coordinate it reads (−1: zero). */
  readonly padded: number;
  /** Where the input starts in the padded coordinates (source[lo + i] = i). */
  readonly lo: number;
  readonly source: Int32Array;
  readonly classes: AxisClass[];
}

/** One spatial dim of an op. */
interface DimSizes {
  readonly input: number;
  readonly kernel: number;
  readonly output: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBefore: number;
}

/** An axis's classes before their output coordinates are listed: O(kernel) to build, what the cost estimate reads. */
interface AxisLayout {
  readonly padded: number;
  readonly lo: number;
  /** A class's outputs are its phase, phase + step, ... (step 1 for a convolution, the stride for a transposed one). */
  readonly step: number;
  readonly classes: ReadonlyArray<{ readonly phase: number; readonly taps: readonly number[]; readonly kX: readonly number[] }>;
}

/** A convolution's padded axis: padded coordinate of (o, k) is o·stride − padBefore + k·dilation + lo. */
function convPadding(d: DimSizes): { lo: number; padded: number } {
  const lo = Math.max(0, d.padBefore);
  const last = (d.output - 1) * d.stride + (d.kernel - 1) * d.dilation - d.padBefore;
  return { lo, padded: lo + d.input + Math.max(0, last - (d.input - 1)) };
}

function axisLayout(g: ConvGeometry, d: DimSizes): AxisLayout {
  if (!g.transposed) {
    const taps = Array.from({ length: d.kernel }, (_, k) => k);
    return { ...convPadding(d), step: 1, classes: [{ phase: 0, taps, kX: taps.map((k) => k * d.dilation) }] };
  }
  // Output o = phase + stride·q reads input q + (phase + padBefore − k·dilation) / stride for the
  // taps k that make the division exact: tap k serves the one phase ≡ k·dilation − padBefore
  // (mod stride). Only phases some tap serves become classes, so an axis has at most one class
  // per tap however large the stride; the outputs of the other phases read nothing and are the
  // bias alone (fastConvolveRegion fills them).
  const tapsByPhase = new Map<number, number[]>();
  for (let k = 0; k < d.kernel; k++) {
    const phase = ((((k * d.dilation - d.padBefore) % d.stride) + d.stride) % d.stride);
    if (phase >= d.output) continue;
    const taps = tapsByPhase.get(phase);
    if (taps === undefined) tapsByPhase.set(phase, [k]);
    else taps.push(k);
  }
  const classes = [...tapsByPhase].sort(([a], [b]) => a - b).map(([phase, taps]) => (
    { phase, taps, kX: taps.map((k) => (phase + d.padBefore - k * d.dilation) / d.stride) }));
  let lowest = 0;
  let highest = d.input - 1;
  for (const { phase, kX } of classes) {
    const lastQ = Math.floor((d.output - 1 - phase) / d.stride);
    for (const shift of kX) {
      lowest = Math.min(lowest, shift);
      highest = Math.max(highest, lastQ + shift);
    }
  }
  return { padded: -lowest + highest + 1, lo: -lowest, step: d.stride, classes };
}

/** The first output coordinate in [from, to) of a class, and how many it has. */
function classOutputs(phase: number, step: number, from: number, to: number): { first: number; count: number } {
  const first = from + ((((phase - from) % step) + step) % step);
  return { first, count: Math.max(0, Math.ceil((to - first) / step)) };
}

/**
 * One dim's classes over outputs [from, to), with strides still 1 (the caller scales them): a
 * class's padded offset is outX[o] + kX[k], its output offset outOut[o], its weight offset kW[k].
 */
function planAxis(g: ConvGeometry, d: DimSizes, from: number, to: number): AxisPlan {
  const layout = axisLayout(g, d);
  const { lo, padded, step } = layout;
  const source = Int32Array.from({ length: padded }, (_, p) => (g.transposed
    ? (p - lo >= 0 && p - lo < d.input ? p - lo : -1)
    : sourceIndex(p - lo, d.input, g.paddingMode)));
  const classes = layout.classes.map(({ phase, taps, kX }) => {
    const { first, count } = classOutputs(phase, step, from, to);
    const outs = Array.from({ length: count }, (_, i) => first + i * step);
    const outX = g.transposed ? outs.map((o) => (o - phase) / d.stride + lo) : outs.map((o) => o * d.stride - d.padBefore + lo);
    return { outX, outOut: outs.map((o) => o - from), kX: [...kX], kW: [...taps] };
  }).filter((c) => c.outX.length > 0);
  return { padded, lo, source, classes };
}

/**
 * The part of an axis a region reads: padded coordinates cut to those some tap of some output
 * reads, and the input coordinates behind them (`inFrom`, `inLength`), to which `source` then
 * refers. A block of rows stages only its rows of the input, not the whole input.
 */
function windowed(axis: AxisPlan): { axis: AxisPlan; inFrom: number; inLength: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const c of axis.classes) {
    if (c.kX.length === 0) continue;
    first = Math.min(first, least(c.outX) + least(c.kX));
    last = Math.max(last, greatest(c.outX) + greatest(c.kX));
  }
  if (first > last) [first, last] = [0, 0];
  const read = axis.source.subarray(first, last + 1);
  let inFrom = Infinity;
  let inLast = -Infinity;
  for (const i of read) {
    if (i < 0) continue;
    inFrom = Math.min(inFrom, i);
    inLast = Math.max(inLast, i);
  }
  if (inFrom > inLast) [inFrom, inLast] = [0, 0];
  const inLength = inLast - inFrom + 1;
  return {
    inFrom, inLength,
    axis: {
      padded: last - first + 1,
      lo: axis.lo - first,
      source: read.map((i) => (i >= 0 ? i - inFrom : -1)),
      classes: axis.classes.map((c) => ({ ...c, outX: c.outX.map((o) => o - first) })),
    },
  };
}

/** Math.min / Math.max without spreading: a spread of a long list overflows the stack. */
function least(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

function greatest(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** The unit dims in front of a 1-D or 2-D op viewed as 3-D. */
const UNIT_AXIS: AxisPlan = { padded: 1, lo: 0, source: Int32Array.of(0), classes: [{ outX: [0], outOut: [0], kX: [0], kW: [0] }] };

/** A kernel call: the export's name and its arguments. */
type KernelCall = readonly ['padInput' | 'transposeWeights' | 'convGemm' | 'depthwise', ...number[]];
/** A kernel call as a run makes it: the export's name and its arguments, kept apart so a run allocates no lists. */
interface PlannedCall {
  readonly name: KernelCall[0];
  readonly args: readonly number[];
}

/** Where an op's data goes in the arena and which kernel calls compute it: geometry only. */
interface Plan {
  /** Bytes of arena the op needs, from the module's heap base. */
  readonly arenaEnd: number;
  /** Input copies: [from in x, length, to in the arena (floats)]. */
  readonly inputCopies: ReadonlyArray<readonly [number, number, number]>;
  /** Weight copies, likewise. */
  readonly weightCopies: ReadonlyArray<readonly [number, number, number]>;
  readonly biasAt: number;
  /** Padding maps and axis tables, written at intsAt. */
  readonly ints: Int32Array;
  readonly intsAt: number;
  readonly outAt: number;
  /**
   * Set when some outputs of the region belong to no class (transposed convs with a stride
   * larger than the kernel): the region's planes ([batch][channel], `planeLength` each, channels
   * from `channelsFrom`) are first filled with their bias (or 0), which the calls then overwrite
   * where taps reach.
   */
  readonly fill: { readonly planes: number; readonly channels: number; readonly channelsFrom: number; readonly planeLength: number } | undefined;
  readonly calls: readonly PlannedCall[];
}

/** What a fast-path run of a whole op does, counted from its geometry in O(kernel); plan.ts weighs it. */
export interface FastWork {
  /** Input elements copied into the arena, and padded-input elements padInput writes. */
  readonly staged: number;
  readonly padded: number;
  /** Weight elements copied (a transposed conv's twice: copied, then rearranged). */
  readonly weights: number;
  /** im2col elements packed into panels, and the micro-kernels' multiply-adds (rows padded to 4). */
  readonly packed: number;
  readonly gemmMacs: number;
  /** Output elements written (twice where outputs no tap reaches are filled first), and copied out. */
  readonly outputs: number;
  readonly calls: number;
  /** Entries of the tables and coordinate lists planning builds. */
  readonly tables: number;
  /** WebAssembly memory the op's arena takes. */
  readonly arenaBytes: number;
}

/** One dim's share of the work: its classes, (output, tap) pairs, widest class and padded length. */
interface AxisWork {
  readonly classes: number;
  readonly pairs: number;
  readonly covered: boolean;
  readonly widestTaps: number;
  readonly widestOuts: number;
  readonly padded: number;
  readonly tables: number;
}

function axisWork(g: ConvGeometry, d: DimSizes): AxisWork {
  if (!g.transposed) {
    // One class: every output, every tap.
    const { padded } = convPadding(d);
    return {
      classes: 1, pairs: d.output * d.kernel, covered: true, widestTaps: d.kernel, widestOuts: d.output, padded,
      tables: 2 + 4 * d.output + 4 * d.kernel + 2 * padded,
    };
  }
  if (d.kernel > COUNTED_KERNEL_MAX) {
    // At most one class per tap, per phase and per output; each output reached by at most every
    // ⌈kernel / period⌉-th tap, with period stride / gcd(stride, dilation).
    let a = d.stride, b = d.dilation;
    while (b !== 0) [a, b] = [b, a % b];
    const period = d.stride / a;
    const classes = Math.min(d.kernel, period, d.output);
    const widestTaps = Math.ceil(d.kernel / period);
    const padded = d.input + Math.ceil(((d.kernel - 1) * d.dilation + Math.abs(d.padBefore)) / d.stride) + 1;
    return {
      classes, pairs: Math.min(d.input * d.kernel, d.output * widestTaps), covered: false, widestTaps,
      widestOuts: Math.ceil(d.output / d.stride), padded, tables: 2 * classes + 4 * d.output + 4 * d.kernel + 2 * padded,
    };
  }
  const layout = axisLayout(g, d);
  let pairs = 0, outs = 0, widestTaps = 0, widestOuts = 0, tables = 2 * layout.padded;
  for (const c of layout.classes) {
    const { count } = classOutputs(c.phase, layout.step, 0, d.output);
    pairs += count * c.taps.length;
    outs += count;
    widestTaps = Math.max(widestTaps, c.taps.length);
    widestOuts = Math.max(widestOuts, count);
    tables += 2 + 4 * count + 4 * c.taps.length;
  }
  return { classes: layout.classes.length, pairs, covered: outs >= d.output, widestTaps, widestOuts, padded: layout.padded, tables };
}

/** The work of the whole op on the fast kernels (a float32 op with channels), in O(kernel dims). */
export function fastKernelWork(g: ConvGeometry): FastWork {
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  let padded = 1, staged = 1, tapPairs = 1, calls = g.groups, tables = 0, maxTaps = 1, maxOuts = 1, covered = true;
  for (let dim = 0; dim < g.spatialDims; dim++) {
    const d = dimSizes(g, dim);
    const axis = axisWork(g, d);
    padded *= axis.padded;
    staged *= d.input;
    tapPairs *= axis.pairs;
    calls *= axis.classes;
    tables += axis.tables;
    maxTaps *= axis.widestTaps;
    maxOuts *= axis.widestOuts;
    covered &&= axis.covered;
  }
  const planes = g.batch * g.inChannels;
  const outputs = g.batch * g.outChannels * g.outputSize.reduce((n, s) => n * s, 1);
  const kernelVolume = g.kernelSize.reduce((n, k) => n * k, 1);
  const weights = g.inChannels * outPerGroup * kernelVolume;
  const depthwise = !g.transposed && inPerGroup === 1 && (g.stride[g.spatialDims - 1] ?? 1) === 1;
  const packed = depthwise ? 0 : planes * tapPairs;
  const maxK = inPerGroup * maxTaps;
  const maxN = g.batch * maxOuts;
  const chunk = NR * Math.max(1, Math.min(Math.ceil(maxN / NR), Math.floor(CHUNK_BYTES / (4 * NR * Math.max(1, maxK)))));
  const scratch = 2 * maxK + 2 * maxN + Math.ceil(outPerGroup / MR) * MR * maxK + chunk * maxK + MR * NR;
  return {
    staged: planes * staged,
    padded: planes * padded,
    weights: g.transposed ? 2 * weights : weights,
    packed,
    gemmMacs: depthwise ? planes * outPerGroup * tapPairs : packed * Math.ceil(outPerGroup / MR) * MR,
    outputs: covered ? outputs : 2 * outputs,
    calls,
    tables,
    arenaBytes: 4 * (planes * staged + planes * padded + (g.transposed ? 2 * weights : weights) + g.outChannels + outputs + tables + scratch),
  };
}

/** Plans of recent ops, by geometry and region: re-running an op (a slider drag) skips planning. */
const plans = new Map<string, Plan>();
const PLANS_KEPT = 32;

/** Each geometry's part of the plan key, made once per geometry object (a repeated op reuses its plan's). */
const geometryKeys = new WeakMap<ConvGeometry, string>();

function planKey(build: SimdKernels, g: ConvGeometry, region: OutputRegion, biasLength: number | undefined): string {
  let geometryKey = geometryKeys.get(g);
  if (geometryKey === undefined) {
    geometryKey = [g.op, g.inputSize, g.kernelSize, g.stride, g.dilation, g.padBefore, g.outputSize, g.paddingMode,
      g.groups, g.inChannels, g.outChannels, g.batch].join('|');
    geometryKeys.set(g, geometryKey);
  }
  // The build is in the key: the two builds' heaps start at different addresses.
  const { batch: [b0, b1], channels: [c0, c1], rows: [r0, r1] } = region;
  return `${build}|${geometryKey}|${b0},${b1},${c0},${c1},${r0},${r1}|${biasLength}`;
}

/**
 * Writes the region of a float32 op into `out` (row-major over batch, channel, spatial dims) with
 * the kernels of `build`, as convolveRegion does, and returns true; false when that build is
 * unavailable or the op's arena would not fit in WebAssembly memory (then nothing is written).
 */
export function fastConvolveRegion(
  build: SimdKernels, g: ConvGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | undefined,
  region: OutputRegion, out: Float32Array,
): boolean {
  const k = kernels(build);
  if (k === null) return false;
  if (out.length === 0) return true;
  const key = planKey(build, g, region, bias?.length);
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planCalls(g, region, bias?.length, Math.ceil(k.heapBase() / 64) * 64);
    if (plans.size >= PLANS_KEPT) plans.delete(plans.keys().next().value ?? '');
    plans.set(key, plan);
  }
  const missing = plan.arenaEnd - k.memory.buffer.byteLength;
  if (missing > 0) {
    try {
      k.memory.grow(Math.ceil(missing / PAGE_BYTES));
    } catch {
      return false; // past WebAssembly's 4 GB, or the host refused the pages
    }
  }
  const f32 = new Float32Array(k.memory.buffer);
  for (const [from, length, to] of plan.inputCopies) f32.set(x.subarray(from, from + length), to);
  for (const [from, length, to] of plan.weightCopies) f32.set(w.subarray(from, from + length), to);
  if (bias !== undefined) f32.set(bias, plan.biasAt / 4);
  new Int32Array(k.memory.buffer).set(plan.ints, plan.intsAt / 4);
  if (plan.fill !== undefined) {
    const { planes, channels, channelsFrom, planeLength } = plan.fill;
    for (let p = 0; p < planes; p++) {
      // 0 + bias: what the kernels write for an empty sum (so −0 becomes +0 as there).
      const at = plan.outAt / 4 + p * planeLength;
      f32.fill(0 + (bias?.[channelsFrom + (p % channels)] ?? 0), at, at + planeLength);
    }
  }
  for (const { name, args } of plan.calls) (k[name] as (...a: number[]) => void)(...args);
  out.set(f32.subarray(plan.outAt / 4, plan.outAt / 4 + out.length));
  if (k.memory.buffer.byteLength > ARENA_KEPT_BYTES) delete instances[build];
  return true;
}

function dimSizes(g: ConvGeometry, dim: number): DimSizes {
  return {
    input: g.inputSize[dim] ?? 1, kernel: g.kernelSize[dim] ?? 1, output: g.outputSize[dim] ?? 1,
    stride: g.stride[dim] ?? 1, dilation: g.dilation[dim] ?? 1, padBefore: g.padBefore[dim] ?? 0,
  };
}

function planCalls(g: ConvGeometry, region: OutputRegion, biasLength: number | undefined, heapBase: number): Plan {
  const rowsDim = 3 - g.spatialDims;
  const inSizes = sizes3(g.inputSize);
  const kSizes = sizes3(g.kernelSize);
  const [r0, r1] = region.rows;
  const axes = [0, 1, 2].map((v): AxisPlan => {
    const dim = v - rowsDim;
    if (dim < 0) return UNIT_AXIS;
    const output = g.outputSize[dim] ?? 1;
    return planAxis(g, dimSizes(g, dim), v === rowsDim ? r0 : 0, v === rowsDim ? r1 : output);
  }) as [AxisPlan, AxisPlan, AxisPlan];
  // Stage only the input rows the region reads (the last dim keeps the whole input row, which
  // padInput copies as a block).
  const stagedSizes: [number, number, number] = [...inSizes];
  let rowsFrom = 0;
  if (rowsDim < 2) {
    const w = windowed(axes[rowsDim] ?? UNIT_AXIS);
    axes[rowsDim] = w.axis;
    stagedSizes[rowsDim] = w.inLength;
    rowsFrom = w.inFrom;
  }
  for (const a of axes) {
    // outX is an arithmetic progression: its first two values and length name it.
    const firstLike = new Map<string, number>();
    a.classes.forEach((c, i) => {
      const key = `${c.outX[0]},${c.outX[1]},${c.outX.length}|${c.kX.join(',')}`;
      const like = firstLike.get(key) ?? i;
      firstLike.set(key, like);
      c.panelsLike = like;
    });
  }
  const padSizes = axes.map((a) => a.padded) as [number, number, number];
  const padStrides = [padSizes[1] * padSizes[2], padSizes[2], 1];
  const outSizes = sizes3(g.outputSize);
  const regionSizes = outSizes.map((s, v) => (v === rowsDim ? r1 - r0 : s));
  const outStrides = [(regionSizes[1] ?? 1) * (regionSizes[2] ?? 1), regionSizes[2] ?? 1, 1];
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const kVolume = kSizes[0] * kSizes[1] * kSizes[2];
  // Only the region's output channels of the weight are staged. A conv's is read as PyTorch lays
  // it out, [out, in/groups, k...]; a transposed conv's [in, out/groups, k...] is rearranged per
  // group to [k..., in/groups, width] with width the most output channels of a group in the
  // region (transposeWeights).
  const [c0, c1] = region.channels;
  const width = Math.min(outPerGroup, c1 - c0);
  const tapScale = g.transposed ? inPerGroup * width : 1;
  const kStrides = [kSizes[1] * kSizes[2] * tapScale, kSizes[2] * tapScale, tapScale];

  const [b0, b1] = region.batch;
  const nB = b1 - b0;
  const inVolume = inSizes[0] * inSizes[1] * inSizes[2];
  const stagedVolume = stagedSizes[0] * stagedSizes[1] * stagedSizes[2];
  const padVolume = padSizes[0] * padSizes[1] * padSizes[2];
  const planes = nB * g.inChannels;
  const identity = axes.every((a, v) => a.padded === stagedSizes[v] && a.source.every((s, p) => s === p));
  const depthwise = !g.transposed && inPerGroup === 1 && (g.stride[g.spatialDims - 1] ?? 1) === 1;

  const widest = (pick: (c: AxisClass) => number): number => axes.reduce((n, a) => n * Math.max(0, greatest(a.classes.map(pick))), 1);
  const maxK = inPerGroup * widest((c) => c.kX.length);
  const maxN = nB * widest((c) => c.outX.length);
  const maxM = Math.min(outPerGroup, c1 - c0);
  const chunk = NR * Math.max(1, Math.min(Math.ceil(maxN / NR), Math.floor(CHUNK_BYTES / (4 * NR * Math.max(1, maxK)))));

  const planeLength = regionSizes.reduce((n, v) => n * (v ?? 1), 1);
  const outLength = nB * (c1 - c0) * planeLength;
  const uncovered = axes.some((a, v) => a.classes.reduce((n, c) => n + c.outX.length, 0) < (regionSizes[v] ?? 1));
  const fill = uncovered ? { planes: nB * (c1 - c0), channels: c1 - c0, channelsFrom: c0, planeLength } : undefined;
  const arena = new Arena(heapBase);
  const xAt = arena.take(4 * planes * stagedVolume);
  const xpAt = identity ? xAt : arena.take(4 * planes * padVolume);
  const groupsRead = Math.floor((c1 - 1) / outPerGroup) - Math.floor(c0 / outPerGroup) + 1;
  const stagedWeights = g.transposed ? groupsRead * inPerGroup * width * kVolume : (c1 - c0) * inPerGroup * kVolume;
  const wAt = arena.take(4 * stagedWeights);
  const wReadAt = g.transposed ? arena.take(4 * stagedWeights) : wAt;
  const biasAt = biasLength === undefined ? 0 : arena.take(4 * biasLength);
  const outAt = arena.take(4 * outLength);
  // Padding maps, then axis tables (i32 nOut, nK, outX[], outOut[], kX[], kW[]) scaled by each
  // dim's strides, in one run of ints.
  const intsAt = arena.take(0);
  const mapsAt = axes.map((a) => arena.take(4 * a.padded));
  const tablesAt = axes.map((a) => a.classes.map((c) => arena.take(4 * (2 + 2 * c.outX.length + 2 * c.kX.length))));
  const ints = new Int32Array((arena.take(0) - intsAt) / 4);
  // convGemm's scratch: row and column tables, then the panels and the tile, 64-byte aligned
  // (transposeWeights needs 16 floats per output channel).
  const scratchAt = arena.take(Math.max(64 * width, 4 * (2 * maxK + 2 * maxN) + 64 + 4 * (Math.ceil(maxM / MR) * MR * maxK + chunk * maxK + MR * NR)));

  const inputCopies: Array<[number, number, number]> = [];
  if (stagedVolume === inVolume) {
    inputCopies.push([b0 * g.inChannels * inVolume, planes * inVolume, xAt / 4]);
  } else {
    // Rows are the outermost dim staged in part: each plane's rows are one contiguous run.
    const rowStride = rowsDim === 0 ? inSizes[1] * inSizes[2] : inSizes[2];
    for (let plane = 0; plane < planes; plane++) {
      inputCopies.push([(b0 * g.inChannels + plane) * inVolume + rowsFrom * rowStride, stagedVolume, xAt / 4 + plane * stagedVolume]);
    }
  }
  const weightCopies: Array<[number, number, number]> = [];
  if (!g.transposed) weightCopies.push([c0 * inPerGroup * kVolume, (c1 - c0) * inPerGroup * kVolume, wAt / 4]);
  axes.forEach((a, v) => {
    ints.set(a.source, ((mapsAt[v] ?? 0) - intsAt) / 4);
    a.classes.forEach((c, i) => {
      let at = ((tablesAt[v]?.[i] ?? 0) - intsAt) / 4;
      ints[at++] = c.outX.length;
      ints[at++] = c.kX.length;
      for (const o of c.outX) ints[at++] = o * (padStrides[v] ?? 1);
      for (const o of c.outOut) ints[at++] = o * (outStrides[v] ?? 1);
      for (const t of c.kX) ints[at++] = t * (padStrides[v] ?? 1);
      for (const t of c.kW) ints[at++] = t * (kStrides[v] ?? 1);
    });
  });
  const calls: KernelCall[] = [];
  const padPlanes = (first: number, count: number): KernelCall => ['padInput', xpAt + 4 * first * padVolume, xAt + 4 * first * stagedVolume, count,
    stagedSizes[0], stagedSizes[1], stagedSizes[2], padSizes[0], padSizes[1], padSizes[2], mapsAt[0] ?? 0, mapsAt[1] ?? 0, mapsAt[2] ?? 0, axes[2].lo];
  // A depthwise op pads each plane just before its kernel reads it, while it is still in cache,
  // and only the planes of the region's channels; the others pad every plane first.
  if (!identity && !depthwise) calls.push(padPlanes(0, planes));
  const groupRanges: Array<{ group: number; first: number; count: number }> = [];
  for (let group = Math.floor(c0 / outPerGroup); group * outPerGroup < c1; group++) {
    const first = Math.max(c0, group * outPerGroup);
    groupRanges.push({ group, first, count: Math.min(c1, (group + 1) * outPerGroup) - first });
  }
  if (g.transposed) {
    groupRanges.forEach(({ group, first, count }, i) => {
      const block = inPerGroup * width * kVolume;
      for (let ic = 0; ic < inPerGroup; ic++) {
        const from = ((group * inPerGroup + ic) * outPerGroup + first - group * outPerGroup) * kVolume;
        weightCopies.push([from, count * kVolume, wAt / 4 + i * block + ic * count * kVolume]);
      }
      calls.push(['transposeWeights', wReadAt + 4 * i * block, wAt + 4 * i * block, inPerGroup, count, kVolume, width, scratchAt]);
    });
  }

  const planeR = (regionSizes[0] ?? 1) * (outStrides[0] ?? 1);
  // Transposed convs with large strides have many classes but few distinct panel sets (C5: 1024
  // classes, 4 sets): a class whose panels match the previous call's reuses them.
  const oneChunk = maxN <= chunk;
  let lastPanels = -1;
  const hasBias = biasLength === undefined ? 0 : 1;
  const [tables0, tables1, tables2] = [tablesAt[0] ?? [], tablesAt[1] ?? [], tablesAt[2] ?? []];
  const [classes0, classes1, classes2] = [axes[0].classes, axes[1].classes, axes[2].classes];
  for (const [i, { group, first, count: M }] of groupRanges.entries()) {
    const wBase = g.transposed ? i * kVolume * inPerGroup * width : (first - c0) * inPerGroup * kVolume;
    const ocWStride = g.transposed ? 1 : inPerGroup * kVolume;
    const icWStride = g.transposed ? width : kVolume;
    const outBase = (first - c0) * planeR;
    const xBase = group * inPerGroup * padVolume;
    if (!identity && depthwise) for (let b = 0; b < nB; b++) calls.push(padPlanes(b * g.inChannels + group, 1));
    for (let i0 = 0; i0 < tables0.length; i0++) {
      for (let i1 = 0; i1 < tables1.length; i1++) {
        for (let i2 = 0; i2 < tables2.length; i2++) {
          const t0 = tables0[i0] ?? 0, t1 = tables1[i1] ?? 0, t2 = tables2[i2] ?? 0;
          if (depthwise) {
            calls.push(['depthwise', outAt, xpAt, wReadAt, biasAt, hasBias, scratchAt, M, wBase, ocWStride, outBase, planeR, first,
              xBase, nB, g.inChannels * padVolume, (c1 - c0) * planeR, t0, t1, t2]);
          } else {
            const panels = ((group * classes0.length + (classes0[i0]?.panelsLike ?? i0)) * classes1.length
              + (classes1[i1]?.panelsLike ?? i1)) * classes2.length + (classes2[i2]?.panelsLike ?? i2);
            const samePanels = oneChunk && panels === lastPanels ? 1 : 0;
            lastPanels = panels;
            calls.push(['convGemm', outAt, xpAt, wReadAt, biasAt, hasBias, scratchAt, M, wBase, ocWStride, outBase, planeR, first,
              inPerGroup, xBase, padVolume, icWStride, nB, g.inChannels * padVolume, (c1 - c0) * planeR, t0, t1, t2, chunk, samePanels]);
          }
        }
      }
    }
  }
  return {
    arenaEnd: arena.take(0), inputCopies, weightCopies, biasAt, ints, intsAt, outAt, fill,
    calls: calls.map(([name, ...args]) => ({ name, args })),
  };
}
