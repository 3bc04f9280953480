// Which (kernel index, input index) pairs feed each output coordinate along one spatial dim,
// precomputed once per request so the kernels' inner loops only add and multiply. Padding
// modes become index maps here (reflect, replicate, circular read a mirrored/clamped/wrapped
// input element; zeros drops the tap), and the transposed conv's gather over the flipped kernel
// becomes the taps with (o + padding − k·dilation) divisible by the stride.
import type { ConvGeometry } from '../geometry';
import type { PaddingMode } from '../vocabulary';

/**
 * The work estimates (conv.ts, fast.ts) count kernel dims up to this long tap by tap; longer ones
 * (rare: a 1-D kernel of thousands of taps) from bounds, so that an estimate costs the planning
 * thread microseconds.
 */
export const COUNTED_KERNEL_MAX = 1024;

export interface DimTaps {
  /** Taps of output coordinate o are start[o] .. start[o + 1] − 1. */
  readonly start: Int32Array;
  readonly kernel: Int32Array;
  readonly input: Int32Array;
}

/** The input element a (possibly padded) coordinate reads, or −1 for a zero. */
export function sourceIndex(position: number, length: number, mode: PaddingMode): number {
  if (position >= 0 && position < length) return position;
  switch (mode) {
    case 'zeros': return -1;
    case 'reflect': return position < 0 ? -position : 2 * (length - 1) - position;
    case 'replicate': return position < 0 ? 0 : length - 1;
    case 'circular': return ((position % length) + length) % length;
  }
}

function collect(outLength: number, kernelLength: number, tapOf: (o: number, k: number) => number): DimTaps {
  const start = new Int32Array(outLength + 1);
  const kernel: number[] = [];
  const input: number[] = [];
  for (let o = 0; o < outLength; o++) {
    start[o] = kernel.length;
    for (let k = 0; k < kernelLength; k++) {
      const i = tapOf(o, k);
      if (i >= 0) {
        kernel.push(k);
        input.push(i);
      }
    }
  }
  start[outLength] = kernel.length;
  return { start, kernel: Int32Array.from(kernel), input: Int32Array.from(input) };
}

/**
 * Taps of dim `dim` (0..2) of `g` viewed as 3-D with leading unit dims (see sizes3); the unit
 * dims have a single tap.
 */
export function dimTaps(g: ConvGeometry, view3dDim: number): DimTaps {
  const dim = view3dDim - (3 - g.spatialDims);
  if (dim < 0) return collect(1, 1, () => 0);
  const inLength = g.inputSize[dim] ?? 1;
  const stride = g.stride[dim] ?? 1;
  const dilation = g.dilation[dim] ?? 1;
  const padBefore = g.padBefore[dim] ?? 0;
  const kernelLength = g.kernelSize[dim] ?? 1;
  const outLength = g.outputSize[dim] ?? 1;
  if (!g.transposed) {
    return collect(outLength, kernelLength, (o, k) => sourceIndex(o * stride - padBefore + k * dilation, inLength, g.paddingMode));
  }
  return transposedTaps(inLength, kernelLength, outLength, (i, k) => i * stride - padBefore + k * dilation);
}

/**
 * A transposed conv's taps from the scatter side: input i and tap k reach output
 * i·stride − padding + k·dilation. Enumerating (i, k) costs what the taps do, where checking every
 * (o, k) for divisibility costs outputs × kernel, mostly misses when the stride is large. Each
 * output's taps come in increasing k, as `collect` gives them.
 */
function transposedTaps(inLength: number, kernelLength: number, outLength: number, outputOf: (i: number, k: number) => number): DimTaps {
  const start = new Int32Array(outLength + 1);
  for (let k = 0; k < kernelLength; k++) {
    for (let i = 0; i < inLength; i++) {
      const o = outputOf(i, k);
      if (o >= 0 && o < outLength) start[o + 1] = (start[o + 1] as number) + 1;
    }
  }
  for (let o = 0; o < outLength; o++) start[o + 1] = (start[o + 1] as number) + (start[o] as number);
  const count = start[outLength] as number;
  const kernel = new Int32Array(count);
  const input = new Int32Array(count);
  const next = start.slice(0, outLength);
  for (let k = 0; k < kernelLength; k++) {
    for (let i = 0; i < inLength; i++) {
      const o = outputOf(i, k);
      if (o < 0 || o >= outLength) continue;
      const at = next[o] as number;
      next[o] = at + 1;
      kernel[at] = k;
      input[at] = i;
    }
  }
  return { start, kernel, input };
}

/**
 * Sizes viewed as 3-D with leading ones ([L] → [1, 1, L], [H, W] → [1, H, W]): the same
 * row-major layout, and the innermost loops run over a real dim.
 */
export function sizes3(values: readonly number[]): [number, number, number] {
  const n = values.length;
  return [n >= 3 ? (values[n - 3] ?? 1) : 1, n >= 2 ? (values[n - 2] ?? 1) : 1, n >= 1 ? (values[n - 1] ?? 1) : 1];
}
