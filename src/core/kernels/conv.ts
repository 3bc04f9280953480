// The convolution and transposed-convolution kernel: a gather over precomputed taps, in plain
// loops over flat typed arrays. Every spatial rank runs as 3-D with leading unit dims; the
// transposed conv differs only in its taps and in how the weight is indexed
// ([in, out/groups, k...] instead of [out, in/groups, k...]).
// Each output element is summed in float64 in a fixed order (input channel, then taps in dim
// order), then rounded once to the output dtype, so any split into regions gives the same bits.
import type { ConvGeometry } from '../geometry';
import type { OutputRegion } from '../vocabulary';
import { COUNTED_KERNEL_MAX, dimTaps, sizes3 } from './taps';

export type FloatArray = Float32Array | Float64Array;

/** What a reference-kernel run of a whole op does, counted from its geometry in O(kernel); plan.ts weighs it. */
export interface ReferenceWork {
  /** Products summed: taps that read padding (zeros mode) or fall outside a transposed conv's output are skipped. */
  readonly macs: number;
  /** Output elements, and the channel loops run for those some tap reaches. */
  readonly outputs: number;
  readonly channelLoops: number;
  /** (output, tap) pairs the taps tables consider (dimTaps), per spatial dim, summed. */
  readonly tapChecks: number;
  /** Bytes of the taps tables, and of float64 copies of integer operands and output. */
  readonly scratchBytes: number;
}

/** How many of `count` values a·stride + offset (a = 0, 1, …) fall in [0, length). */
function inRange(count: number, stride: number, offset: number, length: number): number {
  const first = Math.max(0, Math.ceil(-offset / stride));
  const last = Math.min(count - 1, Math.floor((length - 1 - offset) / stride));
  return Math.max(0, last - first + 1);
}

/** The work of the whole op on convolveRegion (an op with channels). */
export function referenceKernelWork(g: ConvGeometry): ReferenceWork {
  let checks = 0, taps = 0, starts = 0, pairs = 1, reached = 1, outPlane = 1;
  for (let dim = 0; dim < g.spatialDims; dim++) {
    const input = g.inputSize[dim] ?? 1, kernel = g.kernelSize[dim] ?? 1, output = g.outputSize[dim] ?? 1;
    const stride = g.stride[dim] ?? 1, dilation = g.dilation[dim] ?? 1, padBefore = g.padBefore[dim] ?? 0;
    // Tap k reads input o·stride − padBefore + k·dilation (a conv: every o, but zeros mode drops
    // what lands in padding), or reaches output i·stride − padBefore + k·dilation (transposed).
    let dimPairs = 0;
    if (kernel > COUNTED_KERNEL_MAX || (!g.transposed && g.paddingMode !== 'zeros')) {
      // Every pair (an upper bound for a long kernel, so the estimate stays O(1) per dim).
      dimPairs = g.transposed ? input * kernel : output * kernel;
    } else {
      for (let k = 0; k < kernel; k++) {
        dimPairs += g.transposed ? inRange(input, stride, k * dilation - padBefore, output) : inRange(output, stride, k * dilation - padBefore, input);
      }
    }
    // dimTaps: every (output, tap) of a conv; a transposed conv's from the scatter side, twice.
    checks += g.transposed ? 2 * input * kernel + output : output * kernel;
    taps += dimPairs;
    starts += output + 1;
    pairs *= dimPairs;
    reached *= Math.min(output, dimPairs);
    outPlane *= output;
  }
  const inPerGroup = g.inChannels / g.groups;
  const outputs = g.batch * g.outChannels * outPlane;
  const integer = g.dtype !== 'float32' && g.dtype !== 'float64';
  return {
    macs: g.batch * g.outChannels * inPerGroup * pairs,
    outputs,
    channelLoops: g.batch * g.outChannels * reached * inPerGroup,
    tapChecks: checks,
    // Int32 kernel and input per tap (and collect's transient number lists), a start per output.
    scratchBytes: 24 * taps + 8 * starts + (integer ? 8 * (outputs + g.batch * g.inChannels * g.inputSize.reduce((n, s) => n * s, 1)) : 0),
  };
}

/** Writes the region of the output into `out` (row-major over batch, channel, spatial dims). */
export function convolveRegion(
  g: ConvGeometry, x: FloatArray, w: FloatArray, bias: FloatArray | undefined,
  region: OutputRegion, out: FloatArray,
): void {
  const taps0 = dimTaps(g, 0);
  const taps1 = dimTaps(g, 1);
  const taps2 = dimTaps(g, 2);
  const start0 = taps0.start, in0Of = taps0.input, k0Of = taps0.kernel;
  const start1 = taps1.start, in1Of = taps1.input, k1Of = taps1.kernel;
  const start2 = taps2.start, in2Of = taps2.input, k2Of = taps2.kernel;
  const [in0, in1, in2] = sizes3(g.inputSize);
  const [k0, k1, k2] = sizes3(g.kernelSize);
  const [out0, out1, out2] = sizes3(g.outputSize);
  const inPlane = in1 * in2;
  const inVolume = in0 * inPlane;
  const kPlane = k1 * k2;
  const kVolume = k0 * kPlane;
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  // Weight stride between its first-dim entries and between its second-dim entries.
  const wStride1 = kVolume;
  const wStride0 = (g.transposed ? outPerGroup : inPerGroup) * kVolume;
  const [b0, b1] = region.batch;
  const [c0, c1] = region.channels;
  // The region's rows are the first real spatial dim; the 3-D view's other dims run in full.
  const rowsDim = 3 - g.spatialDims;
  const [r0, r1] = region.rows;
  const [from0, to0] = rowsDim === 0 ? [r0, r1] : [0, out0];
  const [from1, to1] = rowsDim === 1 ? [r0, r1] : [0, out1];
  const [from2, to2] = rowsDim === 2 ? [r0, r1] : [0, out2];
  let o = 0;
  for (let b = b0; b < b1; b++) {
    for (let oc = c0; oc < c1; oc++) {
      const group = Math.floor(oc / outPerGroup);
      const icBase = group * inPerGroup;
      const wBase = g.transposed ? icBase * wStride0 + (oc - group * outPerGroup) * wStride1 : oc * wStride0;
      const wPerInChannel = g.transposed ? wStride0 : wStride1;
      const biasValue = bias === undefined ? 0 : (bias[oc] as number);
      const xBase = (b * g.inChannels + icBase) * inVolume;
      for (let o0 = from0; o0 < to0; o0++) {
        const t0Start = start0[o0] as number;
        const t0End = start0[o0 + 1] as number;
        for (let o1 = from1; o1 < to1; o1++) {
          const t1Start = start1[o1] as number;
          const t1End = start1[o1 + 1] as number;
          for (let o2 = from2; o2 < to2; o2++) {
            const t2Start = start2[o2] as number;
            const t2End = start2[o2 + 1] as number;
            let sum = 0;
            // An output no tap reaches (a transposed conv's stride larger than its kernel) is the bias alone.
            const reached = t0Start < t0End && t1Start < t1End && t2Start < t2End;
            for (let ic = 0; reached && ic < inPerGroup; ic++) {
              const xChannel = xBase + ic * inVolume;
              const wChannel = wBase + ic * wPerInChannel;
              for (let t0 = t0Start; t0 < t0End; t0++) {
                const x0 = xChannel + (in0Of[t0] as number) * inPlane;
                const w0 = wChannel + (k0Of[t0] as number) * kPlane;
                for (let t1 = t1Start; t1 < t1End; t1++) {
                  const x1 = x0 + (in1Of[t1] as number) * in2;
                  const w1 = w0 + (k1Of[t1] as number) * k2;
                  for (let t2 = t2Start; t2 < t2End; t2++) {
                    sum += (x[x1 + (in2Of[t2] as number)] as number) * (w[w1 + (k2Of[t2] as number)] as number);
                  }
                }
              }
            }
            out[o++] = sum + biasValue;
          }
        }
      }
    }
  }
}
