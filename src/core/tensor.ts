// The tensor model's helpers: a tensor is a dense row-major buffer with a shape and a dtype
// (declared in vocabulary.ts, re-exported here), on plain typed arrays so it can be transferred
// to and from worker threads.
import type { DataOf, DType, FloatDType, Tensor } from './vocabulary';

/**
 * Largest element count an op or a literal may read or produce unless the user's
 * `convLab.maxElements` setting says otherwise (package.json declares the same default).
 */
export const DEFAULT_MAX_ELEMENTS = 50_000_000;

export type { DataOf, DType, FloatDType, Tensor, TensorData } from './vocabulary';

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] ?? 1;
  }
  return strides;
}

export function allocate<D extends DType>(dtype: D, length: number): DataOf[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(length) as DataOf[D];
    case 'float64': return new Float64Array(length) as DataOf[D];
    case 'int64': return new BigInt64Array(length) as DataOf[D];
    case 'int32': return new Int32Array(length) as DataOf[D];
    case 'bool': return new Uint8Array(length) as DataOf[D];
  }
  throw new Error(`unknown dtype ${String(dtype)}`);
}

export function zeros<D extends DType>(shape: readonly number[], dtype: D): Tensor<D> {
  return { shape: [...shape], dtype, data: allocate(dtype, numel(shape)) };
}

/** A float tensor from nested JS arrays or a flat array and shape (tests, examples). */
export function tensor<D extends FloatDType = 'float32'>(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: D = 'float32' as D,
): Tensor<D> {
  if (values.length !== numel(shape)) {
    throw new Error(`tensor: ${values.length} values do not fill shape [${shape.join(', ')}]`);
  }
  const data = allocate(dtype, values.length);
  data.set(Array.from(values));
  return { shape: [...shape], dtype, data };
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** PyTorch's name for a dtype, as it appears in messages and `dtype=` suffixes. */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

/** The scalar type name PyTorch's kernels use in "not implemented for 'Long'" messages. */
export function torchScalarTypeName(dtype: DType): string {
  switch (dtype) {
    case 'float32': return 'Float';
    case 'float64': return 'Double';
    case 'int64': return 'Long';
    case 'int32': return 'Int';
    case 'bool': return 'Bool';
  }
}
