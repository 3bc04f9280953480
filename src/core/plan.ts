// One op's plan, made once per run before anything is allocated: the size limit on its operands,
// PyTorch's checks and the geometry (output shape included), its multiply-adds, what each engine
// would cost, the engine that costs less, and the extent the pool cuts into blocks. The pool, the
// CLI, the panel and the compute workers read this record (plain data, posted to workers as it
// is) instead of deriving any of it again.
//
// Cost is not multiply-adds alone: a transposed conv with a large stride has few of them but a
// large output, and the fast kernels' setup grows with the padded input and the number of
// kernel calls. Each engine's work is counted from the geometry (kernels/fast.ts, conv.ts) and
// weighed by what one unit took on the 2-core dev machine (`npm run bench:core` prints the
// estimate next to the measured time).
import { convGeometry, type ConvGeometry } from './geometry';
import { referenceKernelWork } from './kernels/conv';
import { availableSimdKernels, fastKernelWork, type SimdKernels } from './kernels/fast';
import { DEFAULT_MAX_ELEMENTS, numel } from './tensor';
import { OP_INFO, type OpName, type OpRequest, type RegionExtent, type Tensor, type TensorSpec } from './vocabulary';

/**
 * The WebAssembly SIMD kernels for float32 convolutions, 'fma' (fused multiply-adds, relaxed SIMD)
 * or 'simd' (products then sums), summing in float32; 'reference': plain TypeScript, float64 sums.
 */
export type KernelEngine = SimdKernels | 'reference';

const KERNEL_ENGINES: readonly KernelEngine[] = ['fma', 'simd', 'reference'];

export interface EngineCost {
  /** Estimated time on one thread, in milliseconds. */
  readonly ms: number;
  /** Memory the engine takes besides the operands and the output, in bytes. */
  readonly scratchBytes: number;
}

export interface OpPlan<Operand extends TensorSpec = Tensor> {
  readonly request: OpRequest<Operand>;
  readonly geometry: ConvGeometry;
  readonly macs: number;
  readonly outputElements: number;
  readonly engine: KernelEngine;
  /** The chosen engine's cost. */
  readonly cost: EngineCost;
  /** The whole output as a region (batch entries, output channels, first-dim rows). */
  readonly extent: RegionExtent;
}

export interface PlanOptions {
  /** Largest element count of any operand or of the output (`convLab.maxElements`). */
  readonly maxElements?: number;
  /**
   * An engine to use wherever it can run (the SIMD kernels take float32 ops with channels; 'fma'
   * where the runtime refuses relaxed SIMD gives 'simd'). Default: the environment's
   * CONV_LAB_KERNELS (reference, simd or fma) when set, else the one chooseEngine picks by cost.
   */
  readonly engine?: KernelEngine;
}

/** An op refused by a size limit before anything was computed or allocated. */
export class OpTooLargeError extends Error {
  override readonly name = 'OpTooLargeError';
  readonly code = 'too-large';
}

/**
 * Milliseconds per unit of each engine's work on the 2-core dev machine, rounded up from
 * `node out/bench/calibrate.js` (the first run of 19 ops from the seed's to C1-C7, large strides,
 * large padding and thousands of kernel calls; estimates within about 2× of the measured times).
 * The fast kernels' multiply-adds cost ~100× less than the reference kernels', but every kernel
 * call, staged element and table entry has its price.
 */
const FAST_MS = {
  staged: 0.2e-6, padded: 0.6e-6, weights: 2e-6, packed: 0.3e-6, gemmMacs: 0.07e-6, outputs: 1.5e-6, calls: 8e-3, tables: 0.3e-3,
} as const;
const REFERENCE_MS = { macs: 7e-6, outputs: 8e-6, channelLoops: 5e-6, tapChecks: 5e-6 } as const;
/** corr2d / trans_conv: their loops per multiply-add and per output element. */
const D2L_MS = { macs: 7e-6, outputs: 8e-6 } as const;
/** Ops estimated under this on the fast kernels stay on them (chooseEngine). */
const FAST_PREFERRED_MS = 1;
/** The fast kernels' arena is WebAssembly memory (at most 4 GB): larger ops take the reference kernels. */
const FAST_ARENA_MAX_BYTES = 1 << 30;
/** Working memory past which an op is refused on either engine. */
const SCRATCH_MAX_BYTES = 2 ** 31;

/**
 * Multiply-accumulates of an op from its shapes (the shape engine's hovers use it too). A conv
 * does numel(weight) / weight.shape[0] per output element (C_in/groups × kernel); a transposed
 * conv scatters weight.shape[1..] (C_out/groups × kernel) per input element; d2l's corr2d and
 * trans_conv use the whole 2-D kernel per output (resp. input) element.
 */
export function opMacs(op: OpName, inputShape: readonly number[], weightShape: readonly number[], outputShape: readonly number[]): number {
  const weightNumel = numel(weightShape);
  switch (OP_INFO[op].kind) {
    case 'conv': return numel(outputShape) * (weightNumel / Math.max(1, weightShape[0] ?? 1));
    case 'transposed': return numel(inputShape) * (weightNumel / Math.max(1, weightShape[0] ?? 1));
    case 'reference': return numel(OP_INFO[op].transposed ? inputShape : outputShape) * weightNumel;
  }
}

/** Refuses a tensor of more than `maxElements` elements (NaN and infinite sizes included). */
function checkSize(what: string, shape: readonly number[], maxElements: number): void {
  const n = numel(shape);
  if (!(n <= maxElements)) {
    throw new OpTooLargeError(
      `${what} [${shape.join(', ')}] has ${n.toLocaleString('en-US')} elements, more than the limit of ` +
      `${maxElements.toLocaleString('en-US')} (maxElements); refused before computing anything`,
    );
  }
}

function checkOperandSizes(request: OpRequest<TensorSpec>, maxElements: number): void {
  checkSize(`${request.op} input`, request.input.shape, maxElements);
  checkSize(`${request.op} weight`, request.weight.shape, maxElements);
  if (request.bias !== undefined) checkSize(`${request.op} bias`, request.bias.shape, maxElements);
}

/** Refuses a plan (made under another limit) whose operands or output exceed `maxElements`. */
export function checkPlanSizes(plan: OpPlan<TensorSpec>, maxElements: number): void {
  checkOperandSizes(plan.request, maxElements);
  checkSize(`${plan.request.op} output`, plan.geometry.outputShape, maxElements);
}

function environmentEngine(): KernelEngine | undefined {
  const named = typeof process === 'undefined' ? undefined : process.env['CONV_LAB_KERNELS'];
  return KERNEL_ENGINES.find((e) => e === named);
}

function referenceCost(g: ConvGeometry, macs: number): EngineCost {
  if (!g.hasChannels) {
    // trans_conv sums into a float64 copy of its rows.
    return { ms: D2L_MS.macs * macs + D2L_MS.outputs * numel(g.outputShape), scratchBytes: 8 * numel(g.outputShape) };
  }
  const work = referenceKernelWork(g);
  const ms = REFERENCE_MS.macs * work.macs + REFERENCE_MS.outputs * work.outputs + REFERENCE_MS.channelLoops * work.channelLoops + REFERENCE_MS.tapChecks * work.tapChecks;
  return { ms, scratchBytes: work.scratchBytes };
}

/** The SIMD kernels that would run `g`: the wanted build when this runtime has it, else the best it has; undefined where none can. */
function simdKernelsFor(g: ConvGeometry, wanted: KernelEngine | undefined): SimdKernels | undefined {
  if (wanted === 'reference' || !g.hasChannels || g.dtype !== 'float32') return undefined;
  const available = availableSimdKernels();
  if (wanted === 'simd') return available.includes('simd') ? 'simd' : undefined;
  return available[0]; // 'fma' or no wish: the best this runtime has
}

/** The SIMD kernels' cost, or undefined where they cannot run the op. */
function fastCost(g: ConvGeometry): EngineCost | undefined {
  const work = fastKernelWork(g);
  if (!(work.arenaBytes <= FAST_ARENA_MAX_BYTES)) return undefined;
  const ms = FAST_MS.staged * work.staged + FAST_MS.padded * work.padded + FAST_MS.weights * work.weights + FAST_MS.packed * work.packed
    + FAST_MS.gemmMacs * work.gemmMacs + FAST_MS.outputs * work.outputs + FAST_MS.calls * work.calls + FAST_MS.tables * work.tables;
  // The arena, and the plan's JS lists (a call is about 25 numbers).
  return { ms, scratchBytes: work.arenaBytes + 8 * work.tables + 256 * work.calls };
}

/**
 * The SIMD kernels where they can run, unless the reference kernels are estimated faster and the
 * SIMD ones would take over FAST_PREFERRED_MS: below it an op keeps the SIMD kernels' float32
 * sums (the digits a float32 result prints) whatever the estimate says.
 */
function chooseEngine(g: ConvGeometry, macs: number, wanted: KernelEngine | undefined): { engine: KernelEngine; cost: EngineCost } {
  const reference = referenceCost(g, macs);
  const build = simdKernelsFor(g, wanted);
  const fast = build === undefined ? undefined : fastCost(g);
  if (build !== undefined && fast !== undefined && (wanted !== undefined || fast.ms <= Math.max(reference.ms, FAST_PREFERRED_MS))) return { engine: build, cost: fast };
  return { engine: 'reference', cost: reference };
}

/**
 * The plan of `request`: throws OpTooLargeError for an operand or output over the limit (the
 * operands' before PyTorch's checks, as nothing may be read of an oversized tensor) and PyTorch's
 * TorchError for an invalid op.
 */
export function planOp<Operand extends TensorSpec>(request: OpRequest<Operand>, options: PlanOptions = {}): OpPlan<Operand> {
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
  checkOperandSizes(request, maxElements);
  const geometry = convGeometry(request);
  checkSize(`${request.op} output`, geometry.outputShape, maxElements);
  const outputElements = numel(geometry.outputShape);
  const macs = opMacs(request.op, request.input.shape, request.weight.shape, geometry.outputShape);
  const wanted = options.engine ?? environmentEngine();
  // An empty output computes nothing, however long its dims.
  const { engine, cost }: { engine: KernelEngine; cost: EngineCost } = outputElements === 0
    ? { engine: simdKernelsFor(geometry, wanted) ?? 'reference', cost: { ms: 0, scratchBytes: 0 } }
    : chooseEngine(geometry, macs, wanted);
  if (!(cost.scratchBytes <= SCRATCH_MAX_BYTES)) {
    throw new OpTooLargeError(`${request.op} needs about ${(cost.scratchBytes / 2 ** 30).toFixed(1)} GB of working memory besides its tensors; refused before computing anything`);
  }
  return {
    request, geometry, macs, outputElements, engine, cost,
    extent: { batch: geometry.batch, channels: geometry.outChannels, rows: geometry.outputSize[0] ?? 1 },
  };
}

function sameSpec(a: TensorSpec | undefined, b: TensorSpec | undefined): boolean {
  return a === undefined || b === undefined
    ? a === b
    : a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((s, i) => s === b.shape[i]);
}

/** A plan made from shapes, given the tensors it was made for (their shapes and dtypes are checked). */
export function withTensors(plan: OpPlan<TensorSpec>, tensors: { readonly input: Tensor; readonly weight: Tensor; readonly bias?: Tensor | undefined }): OpPlan {
  const planned = plan.request;
  if (!sameSpec(tensors.input, planned.input) || !sameSpec(tensors.weight, planned.weight) || !sameSpec(tensors.bias, planned.bias)) {
    throw new Error(`the tensors given to ${planned.op} do not have the shapes and dtypes it was planned for`);
  }
  const { input, weight, bias } = tensors;
  return { ...plan, request: { op: planned.op, input, weight, ...(bias === undefined ? {} : { bias }), ...(planned.args === undefined ? {} : { args: planned.args }) } };
}
