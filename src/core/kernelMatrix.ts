// A convolution as a sparse matrix W (d2l's kernel2matrix, generalised to any rank, input size,
// stride, padding, dilation, channels and groups): per batch element
//   vec(conv(X)) = W · vec(X) (+ bias per output channel)
//   vec(conv_transpose(Y)) = Wᵀ · vec(Y)   for the transposed conv with the same weight, stride,
//                                            padding, dilation and groups, and the output_padding
//                                            that restores X's size (geometry's outputPaddingToRestore).
// Rows are the output elements [outChannels, ...outputSize] row-major, columns the input elements
// [inChannels, ...inputSize]. Each entry also names the weight element it came from, so a panel
// can colour W by kernel position. With a reflect/replicate/circular padding mode one (row, col)
// can appear more than once (two taps read the same input element); W is then the entries' sum.
// The transposed identity holds for zeros padding with equal padding on both sides.
import { convGeometry } from './geometry';
import type { ConvGeometry } from './geometry';
import { dimTaps, sizes3 } from './kernels/taps';
import type { OpArgs, OpName } from './vocabulary';
import type { Tensor } from './tensor';

export interface KernelMatrix {
  readonly rows: number;
  readonly cols: number;
  /** What the rows index: [outChannels, ...outputSize]. */
  readonly rowShape: readonly number[];
  /** What the columns index: [inChannels, ...inputSize]. */
  readonly colShape: readonly number[];
  readonly geometry: ConvGeometry;
  /** Parallel arrays, one element per entry, ordered by row. */
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly value: Float64Array;
  /** Flat index into the weight tensor of each entry. */
  readonly weightIndex: Int32Array;
}

/** W for the convolution of `weight` over inputs of spatial size `inputSize` (one batch element). */
export function kernelMatrix(weight: Tensor, inputSize: readonly number[], args: OpArgs = {}): KernelMatrix {
  const dims = inputSize.length;
  const op = `conv${dims}d` as OpName;
  const inChannels = (weight.shape[1] ?? 0) * (args.groups ?? 1);
  const g = convGeometry({ op, input: { shape: [1, inChannels, ...inputSize], dtype: weight.dtype }, weight, args });
  const taps = [dimTaps(g, 0), dimTaps(g, 1), dimTaps(g, 2)] as const;
  const [in0, in1, in2] = sizes3(g.inputSize);
  const [out0, out1, out2] = sizes3(g.outputSize);
  const [k0, k1, k2] = sizes3(g.kernelSize);
  const inPerGroup = g.inChannels / g.groups;
  const outPerGroup = g.outChannels / g.groups;
  const row: number[] = [];
  const col: number[] = [];
  const weightIndex: number[] = [];
  let r = 0;
  for (let oc = 0; oc < g.outChannels; oc++) {
    const icBase = Math.floor(oc / outPerGroup) * inPerGroup;
    for (let o0 = 0; o0 < out0; o0++) {
      for (let o1 = 0; o1 < out1; o1++) {
        for (let o2 = 0; o2 < out2; o2++, r++) {
          for (let ic = 0; ic < inPerGroup; ic++) {
            for (let t0 = taps[0].start[o0] as number; t0 < (taps[0].start[o0 + 1] as number); t0++) {
              for (let t1 = taps[1].start[o1] as number; t1 < (taps[1].start[o1 + 1] as number); t1++) {
                for (let t2 = taps[2].start[o2] as number; t2 < (taps[2].start[o2 + 1] as number); t2++) {
                  row.push(r);
                  col.push((((icBase + ic) * in0 + (taps[0].input[t0] as number)) * in1 + (taps[1].input[t1] as number)) * in2 + (taps[2].input[t2] as number));
                  weightIndex.push((((oc * inPerGroup + ic) * k0 + (taps[0].kernel[t0] as number)) * k1 + (taps[1].kernel[t1] as number)) * k2 + (taps[2].kernel[t2] as number));
                }
              }
            }
          }
        }
      }
    }
  }
  const w = weight.data;
  return {
    rows: r,
    cols: g.inChannels * in0 * in1 * in2,
    rowShape: [g.outChannels, ...g.outputSize],
    colShape: [g.inChannels, ...g.inputSize],
    geometry: g,
    row: Int32Array.from(row),
    col: Int32Array.from(col),
    value: Float64Array.from(weightIndex, (i) => Number(w[i])),
    weightIndex: Int32Array.from(weightIndex),
  };
}

/** W · x */
export function matVec(m: KernelMatrix, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(m.rows);
  for (let e = 0; e < m.value.length; e++) {
    const r = m.row[e] as number;
    y[r] = (y[r] as number) + (m.value[e] as number) * (x[m.col[e] as number] as number);
  }
  return y;
}

/** Wᵀ · y */
export function matTVec(m: KernelMatrix, y: ArrayLike<number>): Float64Array {
  const x = new Float64Array(m.cols);
  for (let e = 0; e < m.value.length; e++) {
    const c = m.col[e] as number;
    x[c] = (x[c] as number) + (m.value[e] as number) * (y[m.row[e] as number] as number);
  }
  return x;
}

/** W as a dense row-major rows × cols array (repeated entries summed). */
export function toDense(m: KernelMatrix): Float64Array {
  const dense = new Float64Array(m.rows * m.cols);
  for (let e = 0; e < m.value.length; e++) {
    const i = (m.row[e] as number) * m.cols + (m.col[e] as number);
    dense[i] = (dense[i] as number) + (m.value[e] as number);
  }
  return dense;
}
