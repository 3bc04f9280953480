// Elementwise `+ - * / // %` and unary minus on torch tensors and Python numbers, with
// PyTorch's broadcasting, its result-type rules (dimensioned tensors, then zero-dim tensors, then
// Python numbers) and its errors. float32 results are exact: the double result of one operation
// on two floats, rounded once to float32, is the correctly rounded float32 result.
import { allocate, numel, torchScalarTypeName, type DType } from '../core/tensor';
import { defaultFloatDType } from './defaultDtype';
import { checkElementLimit, materialize, promoteTypes, stridedOf, type StridedTensor } from './strided';
import { EvaluationFailure, type PyValue, type TensorValue } from './values';
import type { Span } from './parse';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '//' | '%';

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** c10's combine_categories: a lower-priority operand only counts if its category is higher. */
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (isFloat(higher) || lower === undefined) return higher;
  if (higher === 'bool' || isFloat(lower)) return promoteTypes(higher, lower);
  return higher;
}

/** The dtype PyTorch's `result_type` gives these operands. */
function resultType(operands: readonly PyValue[]): DType {
  const promoteAll = (dtypes: DType[]): DType | undefined => (dtypes.length === 0 ? undefined : dtypes.reduce(promoteTypes));
  const tensors = operands.filter((v): v is TensorValue => v.kind === 'tensor');
  const dimensioned = promoteAll(tensors.filter((t) => t.tensor.shape.length > 0).map((t) => t.tensor.dtype));
  const zeroDim = promoteAll(tensors.filter((t) => t.tensor.shape.length === 0).map((t) => t.tensor.dtype));
  // Python numbers: bool, int64, and the default dtype for floats.
  const wrapped = promoteAll(operands.flatMap((v): DType[] => (v.kind === 'bool' ? ['bool'] : v.kind === 'int' ? ['int64'] : v.kind === 'float' ? [defaultFloatDType()] : [])));
  return combine(dimensioned, combine(zeroDim, wrapped)) ?? defaultFloatDType();
}

/** The shape two shapes broadcast to, or PyTorch's error. */
export function broadcastShapes(a: readonly number[], b: readonly number[], at: Span): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, d) => {
    const x = a[d - (rank - a.length)] ?? 1;
    const y = b[d - (rank - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new EvaluationFailure(`The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${d}`, 'shape-mismatch', at, 'RuntimeError');
    }
    return x === 1 ? y : x;
  });
}

/** `t` seen with a broadcast `shape` (size-1 and missing leading dimensions repeat with stride 0). */
export function expand(t: StridedTensor, shape: readonly number[]): StridedTensor {
  const offset = shape.length - t.shape.length;
  const strides = shape.map((_, d) => (d < offset || t.shape[d - offset] === 1 ? 0 : (t.strides[d - offset] ?? 0)));
  return { ...t, shape: [...shape], strides };
}

/** A Python number or tensor operand as a tensor of `dtype`. */
function asTensor(v: PyValue, dtype: DType): StridedTensor {
  if (v.kind === 'tensor') return v.tensor;
  const data = allocate(dtype, 1);
  const x = v.kind === 'int' ? v.value : v.kind === 'bool' ? Number(v.value) : v.kind === 'float' ? v.value : 0;
  data[0] = (dtype === 'int64' ? BigInt.asIntN(64, typeof x === 'bigint' ? x : BigInt(Math.trunc(x))) : Number(x)) as never;
  return stridedOf({ shape: [], dtype, data });
}

/**
 * `left op right` when at least one side is a torch tensor and the other a tensor or a Python
 * number; undefined for anything else (NumPy arrays, strings...).
 */
export function tensorArithmetic(op: ArithmeticOperator, left: PyValue, right: PyValue, at: Span, maxElements: number): TensorValue | undefined {
  const operand = (v: PyValue): boolean => (v.kind === 'tensor' && v.library === 'torch') || v.kind === 'int' || v.kind === 'float' || v.kind === 'bool';
  if (!(left.kind === 'tensor' || right.kind === 'tensor') || !operand(left) || !operand(right)) return undefined;
  const common = resultType([left, right]);
  if (common === 'bool' && op !== '+' && op !== '*') {
    if (op === '-') throw new EvaluationFailure('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.', 'invalid-dtype', at, 'RuntimeError');
    if (op !== '/') throw new EvaluationFailure(`cannot evaluate '${op}' on bool tensors statically`, 'not-static', at);
  }
  // True division of integers gives the default dtype.
  const dtype = op === '/' && !isFloat(common) ? defaultFloatDType() : common;
  const a = left.kind === 'tensor' ? left.tensor : asTensor(left, dtype);
  const b = right.kind === 'tensor' ? right.tensor : asTensor(right, dtype);
  const shape = broadcastShapes(a.shape, b.shape, at);
  checkElementLimit(shape, maxElements);
  const x = materialize(expand(a, shape), dtype).data;
  const y = materialize(expand(b, shape), dtype).data;
  const out = allocate(dtype, numel(shape));
  const apply = elementwise(op, dtype, at);
  for (let i = 0; i < out.length; i++) out[i] = apply(x[i] as number & bigint, y[i] as number & bigint) as never;
  const placeholder = (left.kind === 'tensor' && left.placeholder) || (right.kind === 'tensor' && right.placeholder);
  return { kind: 'tensor', tensor: stridedOf({ shape, dtype, data: out }), library: 'torch', placeholder, at };
}

type Element = number | bigint;

/** One operation on two elements of `dtype`, as PyTorch's CPU kernels compute it. */
function elementwise(op: ArithmeticOperator, dtype: DType, at: Span): (a: Element, b: Element) => Element {
  if (dtype === 'bool') return op === '+' ? (a, b) => (a || b ? 1 : 0) : (a, b) => (a && b ? 1 : 0);
  if (dtype === 'int64' || dtype === 'int32') {
    const wrap = dtype === 'int64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => Number(BigInt.asIntN(32, v));
    const big = (v: Element): bigint => (typeof v === 'bigint' ? v : BigInt(v));
    const zero = (): EvaluationFailure => new EvaluationFailure('ZeroDivisionError', 'division-by-zero', at, 'RuntimeError');
    switch (op) {
      case '+': return (a, b) => wrap(big(a) + big(b));
      case '-': return (a, b) => wrap(big(a) - big(b));
      case '*': return (a, b) => wrap(big(a) * big(b));
      case '//': return (a, b) => {
        const [p, q] = [big(a), big(b)];
        if (q === 0n) throw zero();
        return wrap(p / q - (p % q !== 0n && (p < 0n) !== (q < 0n) ? 1n : 0n));
      };
      case '%': return (a, b) => {
        const [p, q] = [big(a), big(b)];
        if (q === 0n) throw zero();
        const r = p % q;
        return wrap(r !== 0n && (r < 0n) !== (q < 0n) ? r + q : r);
      };
      case '/': throw new Error('true division is computed in a float dtype');
    }
  }
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const num = (v: Element): number => Number(v);
  switch (op) {
    case '+': return (a, b) => round(num(a) + num(b));
    case '-': return (a, b) => round(num(a) - num(b));
    case '*': return (a, b) => round(num(a) * num(b));
    case '/': return (a, b) => round(num(a) / num(b));
    case '//': return (a, b) => floorDivide(num(a), num(b), round);
    case '%': return (a, b) => {
      const [p, q] = [num(a), num(b)];
      const r = p % q;
      return r !== 0 && (r < 0) !== (q < 0) ? round(r + q) : r;
    };
  }
}

/** ATen's div_floor for floats: `(a - fmod(a, b)) / b`, corrected to the floor and the nearest integer. */
function floorDivide(a: number, b: number, round: (v: number) => number): number {
  if (b === 0) return round(a / b);
  const mod = a % b;
  let div = round(round(a - mod) / b);
  if (mod !== 0 && (b < 0) !== (mod < 0)) div = round(div - 1);
  if (div === 0) return Math.sign(a / b) * 0;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return round(floor);
}

/** Unary minus on a torch tensor. */
export function negate(v: TensorValue, at: Span): TensorValue {
  const t = materialize(v.tensor);
  if (t.dtype === 'bool') {
    throw new EvaluationFailure('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.', 'invalid-dtype', at, 'RuntimeError');
  }
  const out = allocate(t.dtype, t.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = t.data[i] as number | bigint;
    out[i] = (typeof x === 'bigint' ? BigInt.asIntN(64, -x) : t.dtype === 'int32' ? -x | 0 : -x) as never;
  }
  return { ...v, tensor: stridedOf({ shape: t.shape, dtype: t.dtype, data: out }), at };
}

/** Whether PyTorch writes a `from` result into a `to` tensor in place (no float into integers, nothing into bool). */
function canCast(from: DType, to: DType): boolean {
  if (isFloat(from) && !isFloat(to)) return false;
  return !(from !== 'bool' && to === 'bool');
}

/** An in-place operation's result written back into `self`: same shape, `self`'s dtype. */
export function inPlaceResult(self: StridedTensor, result: StridedTensor, at: Span): StridedTensor {
  if (!canCast(result.dtype, self.dtype)) {
    throw new EvaluationFailure(`result type ${torchScalarTypeName(result.dtype)} can't be cast to the desired output type ${torchScalarTypeName(self.dtype)}`, 'invalid-dtype', at, 'RuntimeError');
  }
  if (result.shape.length !== self.shape.length || result.shape.some((s, d) => s !== self.shape[d])) {
    throw new EvaluationFailure(`output with shape [${self.shape.join(', ')}] doesn't match the broadcast shape [${result.shape.join(', ')}]`, 'shape-mismatch', at, 'RuntimeError');
  }
  return stridedOf(materialize(result, self.dtype));
}
