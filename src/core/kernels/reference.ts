// d2l's two definitions, written as they read in the book so the fast kernel can be checked
// against them (test/unit/core/ops.reference.test.ts):
//   corr2d(X, K):     Y[i, j] = (X[i:i+h, j:j+w] * K).sum()
//   trans_conv(X, K): Y[i:i+h, j:j+w] += K * X[i, j]        (the scatter definition)
// `rows` restricts the output rows computed (the region the worker pool asks for); sums run in
// float64 in the same order whatever the rows, then round once to the output array.
import type { FloatArray } from './conv';

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: FloatArray;
}

export function corr2d(X: Matrix, K: Matrix, rows: readonly [number, number], out: FloatArray): void {
  const h = K.rows;
  const w = K.cols;
  const outCols = X.cols - w + 1;
  let o = 0;
  for (let i = rows[0]; i < rows[1]; i++) {
    for (let j = 0; j < outCols; j++) {
      let sum = 0;
      for (let a = 0; a < h; a++) {
        for (let b = 0; b < w; b++) sum += (X.data[(i + a) * X.cols + j + b] as number) * (K.data[a * w + b] as number);
      }
      out[o++] = sum;
    }
  }
}

export function transConv(X: Matrix, K: Matrix, rows: readonly [number, number], out: FloatArray): void {
  const h = K.rows;
  const w = K.cols;
  const outCols = X.cols + w - 1;
  const Y = new Float64Array((rows[1] - rows[0]) * outCols);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < X.cols; j++) {
      const x = X.data[i * X.cols + j] as number;
      for (let a = 0; a < h; a++) {
        const row = i + a;
        if (row < rows[0] || row >= rows[1]) continue;
        const yRow = (row - rows[0]) * outCols + j;
        for (let b = 0; b < w; b++) Y[yRow + b] = (Y[yRow + b] as number) + (K.data[a * w + b] as number) * x;
      }
    }
  }
  out.set(Y);
}
