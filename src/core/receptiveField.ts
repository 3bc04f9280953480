// Which input elements and kernel taps feed which output elements, over the spatial dims of one
// validated geometry (conv or transposed conv, any stride, padding, dilation, output_padding,
// padding mode). Built from the kernels' own per-dim taps (kernels/taps.ts), so the panel's
// highlights, the overlap map and the step-by-step views show exactly what the kernels compute.
// Indices are flat and row-major over the spatial sizes: outputSize, kernelSize, inputSize.
import type { ConvGeometry } from './geometry';
import { dimTaps, sizes3 } from './kernels/taps';

/** Output element `output` reads input element `input` through kernel position `kernel`. */
export interface SpatialLink {
  readonly output: number;
  readonly kernel: number;
  readonly input: number;
}

export interface LinkIndex {
  readonly geometry: ConvGeometry;
  /** Ordered by output element. */
  readonly links: readonly SpatialLink[];
  /** The links of output element o are links[outputStart[o] .. outputStart[o + 1] − 1]. */
  readonly outputStart: Int32Array;
  /** For each input element, the positions in `links` that read it. */
  readonly byInput: readonly (readonly number[])[];
}

const product = (sizes: readonly number[]) => sizes.reduce((n, s) => n * s, 1);

/** Every spatial (output, kernel, input) triple of `g`, indexed both ways. */
export function linkIndex(g: ConvGeometry): LinkIndex {
  const taps = [dimTaps(g, 0), dimTaps(g, 1), dimTaps(g, 2)] as const;
  const [out0, out1, out2] = sizes3(g.outputSize);
  const [, k1, k2] = sizes3(g.kernelSize);
  const [, in1, in2] = sizes3(g.inputSize);
  const links: SpatialLink[] = [];
  const outputStart = new Int32Array(out0 * out1 * out2 + 1);
  let o = 0;
  for (let o0 = 0; o0 < out0; o0++) {
    for (let o1 = 0; o1 < out1; o1++) {
      for (let o2 = 0; o2 < out2; o2++, o++) {
        outputStart[o] = links.length;
        for (let t0 = taps[0].start[o0] as number; t0 < (taps[0].start[o0 + 1] as number); t0++) {
          for (let t1 = taps[1].start[o1] as number; t1 < (taps[1].start[o1 + 1] as number); t1++) {
            for (let t2 = taps[2].start[o2] as number; t2 < (taps[2].start[o2 + 1] as number); t2++) {
              links.push({
                output: o,
                kernel: ((taps[0].kernel[t0] as number) * k1 + (taps[1].kernel[t1] as number)) * k2 + (taps[2].kernel[t2] as number),
                input: ((taps[0].input[t0] as number) * in1 + (taps[1].input[t1] as number)) * in2 + (taps[2].input[t2] as number),
              });
            }
          }
        }
      }
    }
  }
  outputStart[o] = links.length;
  const byInput: number[][] = Array.from({ length: product(g.inputSize) }, () => []);
  links.forEach((link, at) => byInput[link.input]?.push(at));
  return { geometry: g, links, outputStart, byInput };
}

/** The links that feed output element `output` (its receptive field, with the kernel taps). */
export function linksIntoOutput(index: LinkIndex, output: number): SpatialLink[] {
  return index.links.slice(index.outputStart[output] ?? 0, index.outputStart[output + 1] ?? 0);
}

/** The links through which input element `input` reaches output elements. */
export function linksFromInput(index: LinkIndex, input: number): SpatialLink[] {
  return (index.byInput[input] ?? []).map((at) => index.links[at] as SpatialLink);
}

/**
 * How many kernel taps land on each output element (one input channel): for a transposed conv
 * the uneven overlap behind checkerboard artifacts.
 */
export function overlapCounts(index: LinkIndex): Int32Array {
  const counts = new Int32Array(index.outputStart.length - 1);
  for (let o = 0; o < counts.length; o++) counts[o] = (index.outputStart[o + 1] ?? 0) - (index.outputStart[o] ?? 0);
  return counts;
}

/**
 * For a convolution, what each position of the padded input along every spatial dim reads:
 * the input element (the padding mode's mirror/clamp/wrap included) or −1 for a zero. Sizes are
 * padBefore + input + padAfter per dim; the window of output o starts at o·stride.
 */
export function paddedSources(g: ConvGeometry): Int32Array[] {
  return g.inputSize.map((size, d) => {
    const before = g.padBefore[d] ?? 0;
    const padded = new Int32Array(Math.max(0, before + size + (g.padAfter[d] ?? 0))).fill(-1);
    for (let q = 0; q < padded.length; q++) if (q - before >= 0 && q - before < size) padded[q] = q - before;
    const taps = dimTaps(g, d + 3 - g.spatialDims);
    const stride = g.stride[d] ?? 1;
    const dilation = g.dilation[d] ?? 1;
    for (let o = 0; o + 1 < taps.start.length; o++) {
      for (let t = taps.start[o] as number; t < (taps.start[o + 1] as number); t++) {
        const q = o * stride + (taps.kernel[t] as number) * dilation;
        if (q >= 0 && q < padded.length) padded[q] = taps.input[t] as number;
      }
    }
    return padded;
  });
}

/**
 * For a convolution, the window of output element `output` in the padded input (sizes as
 * paddedSources gives them): flat indices of its kernel taps in kernel order, every tap
 * dilation apart, the window stride apart from the previous output's.
 */
export function windowInPaddedInput(g: ConvGeometry, output: number): number[] {
  const paddedSizes = g.inputSize.map((size, d) => Math.max(0, (g.padBefore[d] ?? 0) + size + (g.padAfter[d] ?? 0)));
  const at = coordinatesOf(output, g.outputSize);
  const cells: number[] = [];
  for (let k = 0; k < product(g.kernelSize); k++) {
    const tap = coordinatesOf(k, g.kernelSize);
    cells.push(tap.reduce((flat, t, d) => flat * (paddedSizes[d] ?? 1) + (at[d] ?? 0) * (g.stride[d] ?? 1) + t * (g.dilation[d] ?? 1), 0));
  }
  return cells;
}

/** Row-major coordinates of flat index `index` in `sizes`: [1, 2] for 5 in [2, 3]. */
export function coordinatesOf(index: number, sizes: readonly number[]): number[] {
  const out = new Array<number>(sizes.length);
  let rest = index;
  for (let d = sizes.length - 1; d >= 0; d--) {
    const s = sizes[d] ?? 1;
    out[d] = rest % s;
    rest = Math.floor(rest / s);
  }
  return out;
}

/**
 * What one output element of a stack of layers sees of the stack's input, along one spatial dim:
 * `size` input elements, consecutive outputs `jump` elements apart, the first output's field
 * centred on input coordinate `start` (negative or fractional when padding is read).
 */
export interface ReceptiveField {
  readonly size: number;
  readonly jump: number;
  readonly start: number;
}

/** The input itself: each element sees itself. */
export const INPUT_FIELD: ReceptiveField = { size: 1, jump: 1, start: 0 };

/** A sliding window along one dim (a conv's or a pool's): its effective kernel size, stride and padding before. */
export interface WindowStep {
  readonly effectiveKernel: number;
  readonly stride: number;
  readonly padBefore: number;
}

/** The field after one more window: r + (k_eff − 1)·j, j·s, start + ((k_eff − 1)/2 − p)·j. */
export function throughWindow(field: ReceptiveField, step: WindowStep): ReceptiveField {
  const reach = step.effectiveKernel - 1;
  return { size: field.size + reach * field.jump, jump: field.jump * step.stride, start: field.start + (reach / 2 - step.padBefore) * field.jump };
}

/** A convolution's windows per spatial dim, from its geometry; undefined for a transposed one (its output elements see uneven fields). */
export function convWindows(g: ConvGeometry): WindowStep[] | undefined {
  if (g.transposed) return undefined;
  return g.effectiveKernelSize.map((k, d) => ({ effectiveKernel: k, stride: g.stride[d] ?? 1, padBefore: g.padBefore[d] ?? 0 }));
}
