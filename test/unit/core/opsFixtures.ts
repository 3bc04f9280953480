// Loads the PyTorch goldens written by scripts/golden/gen_ops.py (test/fixtures/ops).
import * as fs from 'node:fs';
import type { OpArgs, OpName, OpRequest } from '../../../src/core/vocabulary';
import type { DType, Tensor } from '../../../src/core/tensor';
import { allocate, numel } from '../../../src/core/tensor';
import { fixturePath } from '../helpers';

interface StoredTensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int64' | 'int32';
  offset: number;
}

interface StoredCase {
  id: string;
  op: OpName;
  args: OpArgs;
  input: StoredTensor;
  weight: StoredTensor;
  bias?: StoredTensor;
  expected: StoredTensor;
}

export interface GoldenCase {
  id: string;
  request: OpRequest;
  expected: Tensor;
}

const BYTES = { float32: 4, float64: 8, int64: 8, int32: 4 };

interface TensorSpecJson {
  shape: number[];
  dtype: DType;
}

export interface ErrorCase {
  id: string;
  op: OpName;
  args: OpArgs;
  input: TensorSpecJson;
  weight: TensorSpecJson;
  bias?: TensorSpecJson;
  kind: string;
  message: string;
}

function readTensor(blob: Buffer, t: StoredTensor): Tensor {
  const n = numel(t.shape);
  // Copy into an aligned buffer: offsets in the blob need not be multiples of 8.
  const aligned = new Uint8Array(blob.subarray(t.offset, t.offset + n * BYTES[t.dtype])).buffer;
  switch (t.dtype) {
    case 'float32': return { shape: t.shape, dtype: t.dtype, data: new Float32Array(aligned) };
    case 'float64': return { shape: t.shape, dtype: t.dtype, data: new Float64Array(aligned) };
    case 'int64': return { shape: t.shape, dtype: t.dtype, data: new BigInt64Array(aligned) };
    case 'int32': return { shape: t.shape, dtype: t.dtype, data: new Int32Array(aligned) };
  }
}

/** test/fixtures/<set>: 'ops' (scripts/golden/gen_ops.py) or 'fast' (gen_fast.py). */
export function loadGoldenCases(set: 'ops' | 'fast' = 'ops'): GoldenCase[] {
  const index = JSON.parse(fs.readFileSync(fixturePath(set, 'cases.json'), 'utf8')) as { cases: StoredCase[] };
  const blob = fs.readFileSync(fixturePath(set, 'cases.bin'));
  return index.cases.map((c) => {
    const request: OpRequest = {
      op: c.op, input: readTensor(blob, c.input), weight: readTensor(blob, c.weight), ...(c.bias ? { bias: readTensor(blob, c.bias) } : {}), args: c.args,
    };
    return { id: c.id, request, expected: readTensor(blob, c.expected) };
  });
}

export function loadErrorCases(): ErrorCase[] {
  return (JSON.parse(fs.readFileSync(fixturePath('ops', 'errors.json'), 'utf8')) as { cases: ErrorCase[] }).cases;
}

/** A zero-filled tensor of any dtype: error cases only need shapes and dtypes. */
export function zerosOf(spec: TensorSpecJson): Tensor {
  return { shape: spec.shape, dtype: spec.dtype, data: allocate(spec.dtype, numel(spec.shape)) };
}
