// Python's operators: on numbers (ints exact, sizes possibly symbolic, floats as doubles), and
// elementwise on tensors with PyTorch's broadcasting, its result-type rules (dimensioned tensors,
// then zero-dim tensors, then Python numbers) and its errors. A float32 result is exact: the
// double result of one operation on two floats, rounded once to float32, is the correctly rounded
// float32 result.
import { allocate, numel, type DType } from '../../core/tensor';
import { addDims, allKnown, dimsEqual, floorDivDims, isKnown, mulDims, subDims, type Dim } from '../interpreter/dim';
import { expanded, materialize, Storage, viewOf, type Buffer, type Elements, type WorkBudget } from '../interpreter/elements';
import { bigIntOf, exactInt, intOf, knownNumber, sizeOf, type Site, type TensorValue, type Value } from '../interpreter/values';
import { freshTensor, notStatic, type RuleContext } from './context';
import { isFloatType, promoteTypes } from './dtypes';
import { messages } from './messages';
import { broadcastShapes, matmulShape } from './shapes';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '//' | '%';

const ARITHMETIC = new Set(['+', '-', '*', '/', '//', '%']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

export function isArithmetic(op: string): op is ArithmeticOperator {
  return ARITHMETIC.has(op);
}

export function isComparison(op: string): boolean {
  return COMPARISONS.has(op);
}

// ---------------------------------------------------------------------------------------------
// Python numbers.

/** `a op b` on Python numbers (bools count as ints): exact ints, symbolic sizes, doubles. */
export function numberArithmetic(op: string, a: Value, b: Value, at: Site | undefined): Value {
  const [x, y] = [bigIntOf(a), bigIntOf(b)];
  const floats = a.kind === 'float' || b.kind === 'float';
  if (!floats && x !== undefined && y !== undefined && op !== '/' && !(op === '**' && y < 0n)) return exactArithmetic(op, x, y, at);
  if (floats || op === '/' || op === '**') {
    const [m, n] = [knownNumber(a), knownNumber(b)];
    if (m === undefined || n === undefined) return op === '**' && !floats ? intOf(undefined) : { kind: 'float', value: undefined };
    return { kind: 'float', value: floatArithmetic(op, m, n, x !== undefined && y !== undefined, at) };
  }
  const [p, q] = [sizeOf(a), sizeOf(b)];
  if (p === undefined || q === undefined) return intOf(undefined);
  switch (op) {
    case '+': return intOf(addDims(p, q));
    case '-': return intOf(subDims(p, q));
    case '*': return intOf(mulDims(p, q));
    // A symbolic size floor-divided by a positive number stays symbolic (`(H - 1)//2`).
    case '//': return isKnown(q) && q > 0 ? intOf(floorDivDims(p, q)) : intOf(undefined);
    default: return intOf(undefined);
  }
}

function exactArithmetic(op: string, a: bigint, b: bigint, at: Site | undefined): Value {
  switch (op) {
    case '+': return exactInt(a + b);
    case '-': return exactInt(a - b);
    case '*': return exactInt(a * b);
    // 2 ** 4096 already has over a thousand digits: larger powers are not followed.
    case '**': return b > 4096n ? intOf(undefined) : exactInt(a ** b);
    case '//':
    case '%': {
      if (b === 0n) throw messages.divisionByZero(false, op === '%' || op === '//', at);
      const q = a / b - ((a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? 1n : 0n);
      return exactInt(op === '//' ? q : a - q * b);
    }
    case '<<': return b > 4096n || b < 0n ? intOf(undefined) : exactInt(a << b);
    case '>>': return b < 0n ? intOf(undefined) : exactInt(a >> b);
    case '&': return exactInt(a & b);
    case '|': return exactInt(a | b);
    case '^': return exactInt(a ^ b);
    default: return intOf(undefined);
  }
}

function floatArithmetic(op: string, x: number, y: number, ints: boolean, at: Site | undefined): number | undefined {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/':
      if (y === 0) throw messages.divisionByZero(!ints, false, at);
      return x / y;
    case '**': return x ** y;
    case '//':
    case '%': {
      if (y === 0) throw messages.divisionByZero(true, op === '%' && ints, at);
      const q = Math.floor(x / y);
      return op === '//' ? q : x - q * y;
    }
    default: return undefined;
  }
}

/** `-x`, `+x` on a Python number. */
export function numberNegation(operator: string, v: Value): Value | undefined {
  if (operator === '+') return v;
  if (operator !== '-') return undefined;
  if (v.kind === 'float') return { kind: 'float', value: v.value === undefined ? undefined : -v.value };
  const exact = bigIntOf(v);
  if (exact !== undefined) return exactInt(-exact);
  const size = sizeOf(v);
  return intOf(size === undefined ? undefined : subDims(0, size));
}

/** Python's comparisons of known numbers, strings and None; undefined when not known. */
export function pythonComparison(op: string, a: Value, b: Value): boolean | undefined {
  if (op === 'is' || op === 'is not') {
    if (a.kind !== 'none' && b.kind !== 'none') return undefined;
    if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
    return (op === 'is') === (a.kind === b.kind);
  }
  const isNumber = (v: Value): boolean => v.kind === 'int' || v.kind === 'float' || v.kind === 'bool';
  // `v == 'M'` with an int v: values of different types are never equal.
  if ((op === '==' || op === '!=') && ((isNumber(a) && (b.kind === 'str' || b.kind === 'none')) || (isNumber(b) && (a.kind === 'str' || a.kind === 'none')))) return op === '!=';
  if ((op === '==' || op === '!=') && a.kind === 'none' && b.kind === 'none') return op === '==';
  if ((op === '==' || op === '!=') && a.kind === 'str' && b.kind === 'str') {
    return a.value === undefined || b.value === undefined ? undefined : (a.value === b.value) === (op === '==');
  }
  if ((op === '==' || op === '!=') && (a.kind === 'tuple' || a.kind === 'list') && (b.kind === 'tuple' || b.kind === 'list')) {
    const equal = sequencesEqual(a.items, b.items, a.kind === b.kind);
    return equal === undefined ? undefined : equal === (op === '==');
  }
  const [x, y] = [bigIntOf(a), bigIntOf(b)];
  if (x !== undefined && y !== undefined) return orderOf(op, x < y ? -1 : x > y ? 1 : 0);
  const [m, n] = [knownNumber(a), knownNumber(b)];
  if (m !== undefined && n !== undefined) return Number.isNaN(m) || Number.isNaN(n) ? op === '!=' : orderOf(op, m < n ? -1 : m > n ? 1 : 0);
  // Two sizes that print the same are the same size.
  const [p, q] = [sizeOf(a), sizeOf(b)];
  if ((op === '==' || op === '!=') && p !== undefined && q !== undefined && dimsEqual(p, q)) return op === '==';
  return undefined;
}

function orderOf(op: string, order: number): boolean | undefined {
  switch (op) {
    case '==': return order === 0;
    case '!=': return order !== 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
    default: return undefined;
  }
}

/** Python's `==` on sequences: a tuple never equals a list. */
function sequencesEqual(a: readonly Value[], b: readonly Value[], sameKind: boolean): boolean | undefined {
  if (!sameKind || a.length !== b.length) return false;
  let all = true;
  for (let i = 0; i < a.length; i++) {
    const e = pythonComparison('==', a[i] as Value, b[i] as Value);
    if (e === undefined) return undefined;
    all &&= e;
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Tensors.

/** c10's combine_categories: a lower-priority operand only counts if its category is higher. */
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (isFloatType(higher) || lower === undefined) return higher;
  if (higher === 'bool' || isFloatType(lower)) return promoteTypes(higher, lower);
  return higher;
}

/** The dtype PyTorch's `result_type` gives these operands, or undefined when one's is not known. */
function resultType(operands: readonly Value[], defaultDtype: DType): DType | undefined {
  const tensors = operands.filter((v): v is TensorValue => v.kind === 'tensor');
  if (tensors.some((t) => t.dtype === undefined || t.shape === undefined)) return undefined;
  if (operands.some((v) => v.kind !== 'tensor' && v.kind !== 'int' && v.kind !== 'float' && v.kind !== 'bool')) return undefined;
  const promoteAll = (dtypes: DType[]): DType | undefined => (dtypes.length === 0 ? undefined : dtypes.reduce(promoteTypes));
  const dimensioned = promoteAll(tensors.filter((t) => t.shape?.length !== 0).map((t) => t.dtype as DType));
  const zeroDim = promoteAll(tensors.filter((t) => t.shape?.length === 0).map((t) => t.dtype as DType));
  // Python numbers: bool, int64, and the default dtype for floats.
  const wrapped = promoteAll(operands.flatMap((v): DType[] => (v.kind === 'bool' ? ['bool'] : v.kind === 'int' ? ['int64'] : v.kind === 'float' ? [defaultDtype] : [])));
  return combine(dimensioned, combine(zeroDim, wrapped)) ?? defaultDtype;
}

/** A tensor or Python number operand's shape: a number is a 0-d tensor. */
function operandShape(v: Value): readonly Dim[] | undefined {
  return v.kind === 'tensor' ? v.shape : [];
}

/** A Python number as a 0-d tensor's elements of `dtype` (for broadcasting it), or a tensor's own. */
function operandElements(v: Value, dtype: DType, born: number): Elements | undefined {
  if (v.kind === 'tensor') return v.elements;
  const x = v.kind === 'float' ? v.value : bigIntOf(v);
  if (x === undefined) return undefined;
  const data = allocate(dtype, 1);
  data[0] = (dtype === 'int64' ? BigInt.asIntN(64, typeof x === 'bigint' ? x : BigInt(Math.trunc(x))) : Number(x)) as never;
  return { storage: Storage.of(data, dtype), shape: [], strides: [], offset: 0, born };
}

/**
 * `left op right` (arithmetic or comparison) with a tensor on at least one side and a tensor or
 * Python number on the other. In place (`x += y`, `x.add_(y)`), the result keeps `left`'s shape
 * and dtype, with PyTorch's checks.
 */
export function tensorBinary(ctx: RuleContext, op: string, left: Value, right: Value, inPlace = false): TensorValue {
  const numpy = (left.kind === 'tensor' && left.library === 'numpy') || (right.kind === 'tensor' && right.library === 'numpy') ? 'numpy' : undefined;
  if (op === '@') return matmul(ctx, left, right);
  const [a, b] = [operandShape(left), operandShape(right)];
  const comparison = isComparison(op);
  const common = numpy ? undefined : resultType([left, right], ctx.defaultDtype);
  if (common === 'bool' && op === '-') throw messages.boolSubtraction();
  // True division of integers gives the default dtype; comparisons give bools.
  const computeIn = op === '/' && common !== undefined && !isFloatType(common) ? ctx.defaultDtype : common;
  const dtype = comparison ? 'bool' : computeIn;
  if (!a || !b) return freshTensor(ctx, inPlace ? a : undefined, inPlace && left.kind === 'tensor' ? left.dtype : dtype, { library: numpy, why: notStatic(ctx.site) });
  const shape = broadcastShapes(a, b);
  if (inPlace && left.kind === 'tensor') return inPlaceResult(ctx, left, shape, computeIn, op, right);
  const supported = !numpy && computeIn !== undefined && (isArithmetic(op) ? !(computeIn === 'bool' && op !== '+' && op !== '*' && op !== '/') : op === '==' || op === '!=' || comparison);
  return freshTensor(ctx, shape, dtype, {
    library: numpy, operands: [left, right].filter((v): v is TensorValue => v.kind === 'tensor'),
    ...(supported ? { compute: elementwise(ctx, op, left, right, shape, computeIn as DType, dtype as DType) } : {}),
  });
}

/** How the elements of `left op right` are computed, broadcast to `shape`, in `computeIn`. */
function elementwise(ctx: RuleContext, op: string, left: Value, right: Value, shape: readonly Dim[], computeIn: DType, dtype: DType): { cost: number; run: (budget: WorkBudget) => Buffer } | undefined {
  if (!allKnown(shape)) return undefined;
  const born = ctx.now();
  const [x, y] = [operandElements(left, computeIn, born), operandElements(right, computeIn, born)];
  if (!x || !y) return undefined;
  const n = numel(shape);
  const apply = isArithmetic(op) ? arithmeticOf(op, computeIn) : comparisonOf(op);
  return {
    cost: 2 * n,
    run: (budget) => {
      const p = materialize(viewOf(x, expanded(x, shape), born), budget, computeIn).data;
      const q = materialize(viewOf(y, expanded(y, shape), born), budget, computeIn).data;
      const out = allocate(dtype, n);
      for (let i = 0; i < n; i++) out[i] = apply(p[i] as number & bigint, q[i] as number & bigint) as never;
      return out;
    },
  };
}

/** An in-place operation's result written back into `self`: same shape, `self`'s dtype. */
function inPlaceResult(ctx: RuleContext, self: TensorValue, shape: readonly Dim[], computeIn: DType | undefined, op: string, other: Value): TensorValue {
  const own = self.shape as readonly Dim[];
  if (computeIn && self.dtype && !canCast(computeIn, self.dtype)) throw messages.resultTypeCast(computeIn, self.dtype);
  if (allKnown(shape) && allKnown(own) && (shape.length !== own.length || shape.some((s, d) => s !== own[d]))) throw messages.inPlaceBroadcast(own, shape);
  const result = tensorBinary(ctx, op, self, other);
  const source = result.elements;
  return freshTensor(ctx, own, self.dtype, {
    origin: self.origin, operands: [self, result],
    ...(source && self.dtype ? { compute: { cost: numel(source.shape), run: (budget: WorkBudget) => materialize(source, budget, self.dtype as DType).data } } : {}),
  });
}

/** Whether PyTorch writes a `from` result into a `to` tensor in place (no float into integers, nothing into bool). */
function canCast(from: DType, to: DType): boolean {
  if (isFloatType(from) && !isFloatType(to)) return false;
  return !(from !== 'bool' && to === 'bool');
}

type Element = number | bigint;

/** One arithmetic operation on two elements of `dtype`, as PyTorch's CPU kernels compute it. */
function arithmeticOf(op: ArithmeticOperator, dtype: DType): (a: Element, b: Element) => Element {
  if (dtype === 'bool') return op === '+' ? (a, b) => (a || b ? 1 : 0) : (a, b) => (a && b ? 1 : 0);
  if (dtype === 'int64' || dtype === 'int32') {
    const wrap = dtype === 'int64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => Number(BigInt.asIntN(32, v));
    const big = (v: Element): bigint => (typeof v === 'bigint' ? v : BigInt(v));
    switch (op) {
      case '+': return (a, b) => wrap(big(a) + big(b));
      case '-': return (a, b) => wrap(big(a) - big(b));
      case '*': return (a, b) => wrap(big(a) * big(b));
      case '//': return (a, b) => {
        const [p, q] = [big(a), big(b)];
        if (q === 0n) throw messages.integerDivisionByZero();
        return wrap(p / q - (p % q !== 0n && (p < 0n) !== (q < 0n) ? 1n : 0n));
      };
      case '%': return (a, b) => {
        const [p, q] = [big(a), big(b)];
        if (q === 0n) throw messages.integerDivisionByZero();
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

function comparisonOf(op: string): (a: Element, b: Element) => Element {
  const order = (a: Element, b: Element): number => (a < b ? -1 : a > b ? 1 : a === b || Number(a) === Number(b) ? 0 : NaN);
  return (a, b) => (orderOf(op, order(a, b)) ? 1 : 0);
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

/** `-x` and `+x` on a tensor. */
export function tensorNegation(ctx: RuleContext, operator: string, v: TensorValue): TensorValue {
  if (operator === '+') return v;
  if (v.dtype === 'bool') throw messages.boolNegation();
  const source = v.elements;
  const dtype = v.dtype;
  return freshTensor(ctx, v.shape, dtype, {
    library: v.library, operands: [v], origin: v.origin,
    ...(source && dtype && v.library !== 'numpy' ? {
      compute: {
        cost: numel(source.shape),
        run: (budget: WorkBudget) => {
          const t = materialize(source, budget);
          const out = allocate(dtype, t.data.length);
          for (let i = 0; i < out.length; i++) {
            const x = t.data[i] as number | bigint;
            out[i] = (typeof x === 'bigint' ? BigInt.asIntN(64, -x) : dtype === 'int32' ? -x | 0 : -x) as never;
          }
          return out;
        },
      },
    } : {}),
  });
}

/** `a @ b` / `torch.matmul(a, b)`: PyTorch's shapes; the values for vectors and matrices. */
export function matmul(ctx: RuleContext, a: Value, b: Value): TensorValue {
  const [x, y] = [a.kind === 'tensor' ? a : undefined, b.kind === 'tensor' ? b : undefined];
  const dtype = x?.dtype;
  if (!x?.shape || !y?.shape) return freshTensor(ctx, undefined, dtype, { why: notStatic(ctx.site) });
  const shape = matmulShape(x.shape, y.shape);
  if (x.dtype && y.dtype && x.dtype !== y.dtype) throw messages.expectedScalarType(x.dtype, y.dtype);
  const [ra, rb] = [x.shape.length, y.shape.length];
  const supported = ra <= 2 && rb <= 2 && (dtype === 'float32' || dtype === 'float64') && allKnown(x.shape) && allKnown(y.shape);
  if (!supported || !x.elements || !y.elements) return freshTensor(ctx, shape, dtype, { operands: [x, y], ...(supported ? {} : { why: notStatic(ctx.site) }) });
  const [xs, ys] = [x.elements, y.elements];
  const [m, k] = ra === 2 ? [xs.shape[0] ?? 0, xs.shape[1] ?? 0] : [1, xs.shape[0] ?? 0];
  const n = rb === 2 ? (ys.shape[1] ?? 0) : 1;
  return freshTensor(ctx, shape, dtype, {
    operands: [x, y],
    compute: {
      cost: m * n * k,
      run: (budget) => {
        const p = materialize(xs, budget).data as ArrayLike<number>;
        const q = materialize(ys, budget).data as ArrayLike<number>;
        const out = allocate(dtype as DType, m * n);
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        // As matrices (a vector on the left is a row, on the right a column), summed in double and
        // rounded once: PyTorch's float32 kernels may round partial sums, which differs only past
        // float32's precision for the small integer-valued matrices of a notebook.
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let t = 0; t < k; t++) sum += (p[i * k + t] as number) * (q[t * n + j] as number);
            out[i * n + j] = round(sum) as never;
          }
        }
        return out;
      },
    },
  });
}
