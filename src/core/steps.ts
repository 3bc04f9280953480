// The two step-by-step definitions the panel animates, for one (batch, output channel) plane:
//   - the transposed conv as a scatter (d2l's trans_conv): each input element X[c, i] places
//     X[c, i]·K[c, oc] into its output window, one step per (input channel of the group, element);
//   - the conv as a sliding window: each output element is the dot product of the kernel with
//     the (padded, dilated) window under it, one step per output element.
// Both read the links of receptiveField.ts (the kernels' own taps), so after the last step the
// running sum is runOp's output plane. The bias is the running sum's starting value.
import type { ConvGeometry } from './geometry';
import { linkIndex, linksFromInput, linksIntoOutput, type LinkIndex } from './receptiveField';
import type { TensorData } from './tensor';

/** The tensors' values as the steps read them (int64 widened to numbers). */
export interface StepTensors {
  readonly input: TensorData;
  readonly weight: TensorData;
  readonly bias?: TensorData | undefined;
}

/** One product of a step: input element × kernel tap, added to an output element. */
export interface StepTerm {
  /** Spatial flat indices. */
  readonly input: number;
  readonly kernel: number;
  readonly output: number;
  readonly inputValue: number;
  readonly weightValue: number;
}

export interface Step {
  /** The input channel whose plane the step reads (a scatter step reads one element of it). */
  readonly inChannel: number;
  /** Scatter: the input element placed; sliding window: the output element computed. */
  readonly element: number;
  readonly terms: readonly StepTerm[];
}

/** The plane of (batch, output channel) built step by step. */
export interface StepPlan {
  readonly geometry: ConvGeometry;
  readonly links: LinkIndex;
  readonly batch: number;
  readonly outChannel: number;
  /** The input channels that feed the output channel (its group's). */
  readonly inChannels: readonly number[];
  readonly stepCount: number;
  step(s: number): Step;
  /** The bias of the output channel (0 without one). */
  readonly start: number;
}

const product = (sizes: readonly number[]) => sizes.reduce((n, s) => n * s, 1);

function checkPlane(g: ConvGeometry, batch: number, outChannel: number): void {
  if (!(Number.isInteger(batch) && batch >= 0 && batch < Math.max(1, g.batch))) throw new RangeError(`batch ${batch} is outside [0, ${g.batch})`);
  if (!(Number.isInteger(outChannel) && outChannel >= 0 && outChannel < g.outChannels)) throw new RangeError(`output channel ${outChannel} is outside [0, ${g.outChannels})`);
}

/**
 * Where the kernel plane linking input channel `inChannel` to output channel `outChannel` (of
 * the same group) starts in the weight's flat data: conv weights are [out, in / groups, ...k],
 * transposed ones [in, out / groups, ...k].
 */
export function kernelPlaneOffset(g: ConvGeometry, inChannel: number, outChannel: number): number {
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const kSpatial = product(g.kernelSize);
  return g.transposed
    ? (inChannel * outPerGroup + (outChannel % outPerGroup)) * kSpatial
    : (outChannel * inPerGroup + (inChannel % inPerGroup)) * kSpatial;
}

/** Where the plane's tensors live in the flat data, and the group's input channels. */
function planeAddressing(g: ConvGeometry, batch: number, outChannel: number) {
  const inPerGroup = g.inChannels / g.groups;
  const group = Math.floor(outChannel / (g.outChannels / g.groups));
  const inChannels = Array.from({ length: inPerGroup }, (_, c) => group * inPerGroup + c);
  const inSpatial = product(g.inputSize);
  const inputOffset = (c: number) => (batch * g.inChannels + c) * inSpatial;
  const weightOffset = (c: number) => kernelPlaneOffset(g, c, outChannel);
  return { inChannels, inSpatial, inputOffset, weightOffset };
}

function term(t: StepTensors, inputBase: number, weightBase: number, link: { input: number; kernel: number; output: number }): StepTerm {
  return {
    ...link,
    inputValue: Number(t.input[inputBase + link.input]),
    weightValue: Number(t.weight[weightBase + link.kernel]),
  };
}

/** The transposed conv `g` of `tensors` as d2l's scatter, for output plane (batch, outChannel). */
export function scatterPlan(g: ConvGeometry, tensors: StepTensors, batch = 0, outChannel = 0): StepPlan {
  if (!g.transposed) throw new Error(`${g.op} is not a transposed convolution: it has no scatter steps`);
  checkPlane(g, batch, outChannel);
  const links = linkIndex(g);
  const a = planeAddressing(g, batch, outChannel);
  return {
    geometry: g, links, batch, outChannel, inChannels: a.inChannels,
    stepCount: a.inChannels.length * a.inSpatial,
    start: tensors.bias ? Number(tensors.bias[outChannel]) : 0,
    step(s) {
      const c = a.inChannels[Math.floor(s / a.inSpatial)];
      if (c === undefined || !Number.isInteger(s) || s < 0) throw new RangeError(`step ${s} is outside [0, ${this.stepCount})`);
      const element = s % a.inSpatial;
      const terms = linksFromInput(links, element).map((link) => term(tensors, a.inputOffset(c), a.weightOffset(c), link));
      return { inChannel: c, element, terms };
    },
  };
}

/** The conv `g` of `tensors` as a sliding window, for output plane (batch, outChannel). */
export function slidingWindowPlan(g: ConvGeometry, tensors: StepTensors, batch = 0, outChannel = 0): StepPlan {
  if (g.transposed) throw new Error(`${g.op} is a transposed convolution: its steps are the scatter's`);
  checkPlane(g, batch, outChannel);
  const links = linkIndex(g);
  const a = planeAddressing(g, batch, outChannel);
  const outSpatial = product(g.outputSize);
  return {
    geometry: g, links, batch, outChannel, inChannels: a.inChannels,
    stepCount: outSpatial,
    start: tensors.bias ? Number(tensors.bias[outChannel]) : 0,
    step(s) {
      if (!(Number.isInteger(s) && s >= 0 && s < outSpatial)) throw new RangeError(`step ${s} is outside [0, ${outSpatial})`);
      const intoOutput = linksIntoOutput(links, s);
      const terms = a.inChannels.flatMap((c) => intoOutput.map((link) => term(tensors, a.inputOffset(c), a.weightOffset(c), link)));
      return { inChannel: a.inChannels[0] ?? 0, element: s, terms };
    },
  };
}

/**
 * The running sum of a plan, advanced step by step; going back starts again from the bias, so
 * scrubbing costs at most the steps up to the target.
 */
export class RunningSum {
  private done = 0;
  readonly values: Float64Array;

  constructor(private readonly plan: StepPlan) {
    this.values = new Float64Array(product(plan.geometry.outputSize)).fill(plan.start);
  }

  /** How many steps the sum holds. */
  get steps(): number {
    return this.done;
  }

  /** The sum after the first `count` steps. */
  after(count: number): Float64Array {
    const target = Math.min(Math.max(0, Math.trunc(count)), this.plan.stepCount);
    if (target < this.done) {
      this.values.fill(this.plan.start);
      this.done = 0;
    }
    for (; this.done < target; this.done++) {
      for (const t of this.plan.step(this.done).terms) this.values[t.output] = (this.values[t.output] ?? 0) + t.inputValue * t.weightValue;
    }
    return this.values;
  }
}
