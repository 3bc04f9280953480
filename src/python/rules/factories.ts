// Tensors made from nothing or from Python data: `torch.tensor`, the legacy constructors
// (`torch.Tensor`, `torch.FloatTensor`...), `zeros`/`ones`/`full`/`eye`/`empty`, the random
// factories (shape and dtype only: the values are placeholders), `arange` and `linspace` with the
// values PyTorch 1.13's CPU kernels compute, and NumPy's versions with NumPy's defaults and
// arithmetic. Values follow PyTorch 1.13 and NumPy 1.24.
import { allocate, numel, type DType } from '../../core/tensor';
import { allKnown, type Dim } from '../interpreter/dim';
import { truncateToInt64, type Buffer } from '../interpreter/elements';
import { bigIntOf, itemsOf, PLACEHOLDER, pythonTypeName, sizeOf, type TensorValue, type Value } from '../interpreter/values';
import { Call, freshTensor, notStatic, shapedLike, type RuleContext } from './context';
import { numpyDType, torchDType } from './dtypes';
import { tensorFromData } from './literals';
import { messages } from './messages';

/** Keywords every torch factory takes and a static reading ignores. */
const FACTORY_KEYWORDS = ['dtype', 'device', 'requires_grad', 'layout', 'pin_memory', 'out', 'generator', 'memory_format', 'names'];

/** The number a fill argument holds (bools as 0/1), or undefined when not known. */
export function fillNumber(v: Value | undefined): number | undefined {
  if (v?.kind === 'float') return v.value;
  const n = bigIntOf(v);
  return n === undefined ? undefined : Number(n);
}

/**
 * A new tensor of `shape` with every element `fill` (undefined: not known), after PyTorch's
 * negative-size check; `placeholder` for uninitialised or random values.
 */
export function filledTensor(ctx: RuleContext, shape: readonly Dim[] | undefined, dtype: DType | undefined, fill: number | undefined | 'placeholder', library?: 'numpy', valueAt?: (i: number) => number): TensorValue {
  if (shape && allKnown(shape)) {
    const negative = shape.find((s) => s < 0);
    if (negative !== undefined) throw library ? messages.numpyNegativeDimensions(ctx.site) : messages.negativeDimension(shape, negative, ctx.site);
  }
  if (fill === 'placeholder') return { ...freshTensor(ctx, shape, dtype, { library, why: PLACEHOLDER }), why: PLACEHOLDER };
  const at = valueAt ?? (fill === undefined ? undefined : () => fill);
  return freshTensor(ctx, shape, dtype, {
    library,
    ...(at && shape && allKnown(shape) && dtype ? { compute: { cost: numel(shape), run: () => filled(shape, dtype, at) } } : { why: notStatic(ctx.site) }),
  });
}

function filled(shape: readonly number[], dtype: DType, valueAt: (i: number) => number): Buffer {
  const n = numel(shape);
  const data = allocate(dtype, n);
  const store = dtype === 'int64' ? truncateToInt64 : dtype === 'bool' ? (x: number) => (x !== 0 ? 1 : 0) : (x: number) => x;
  for (let i = 0; i < n; i++) data[i] = store(valueAt(i)) as never;
  return data;
}

/** The `dtype=` keyword of a torch function, if given and not None. */
function torchDTypeArg(call: Call): DType | undefined {
  const v = call.keywords.get('dtype');
  return v && v.kind !== 'none' ? torchDType(v, call.name, call.argSite(-1, 'dtype')) : undefined;
}

/** Whether the `dtype=` keyword is there (and so the result's dtype is not the default when not known). */
function dtypeGiven(call: Call): boolean {
  const v = call.keywords.get('dtype');
  return v !== undefined && v.kind !== 'none';
}

function literal(library: 'torch' | 'numpy') {
  return (call: Call): Value => {
    call.expect(library === 'torch' ? 1 : 2, library === 'torch' ? ['data', 'dtype', 'device', 'requires_grad', 'pin_memory'] : ['object', 'dtype', 'copy', 'order', 'ndmin', 'like']);
    const data = call.required(0, library === 'torch' ? 'data' : 'object');
    const dtypeValue = library === 'numpy' ? call.arg(1, 'dtype') : call.keywords.get('dtype');
    const dtype = !dtypeValue || dtypeValue.kind === 'none' ? undefined
      : library === 'torch' ? torchDType(dtypeValue, call.name, call.argSite(1, 'dtype')) : numpyDType(dtypeValue, call.argSite(1, 'dtype'));
    if (dtypeValue && dtypeValue.kind !== 'none' && dtype === undefined) return shapedLike(undefined, undefined, undefined, notStatic(call.ctx.site));
    return tensorFromData(call.ctx, data, dtype, library);
  };
}

/** `torch.from_numpy(a)`: the array's values and dtype. */
function fromNumpy(call: Call): Value {
  call.expect(1, []);
  const a = call.required(0, 'ndarray');
  if (a.kind === 'unknown') return shapedLike(undefined, undefined);
  if (a.kind !== 'tensor' || a.library !== 'numpy') throw messages.fromNumpyArgument(pythonTypeName(a), call.argSite(0, 'ndarray'));
  return { ...a, library: undefined, op: undefined };
}

/**
 * The legacy constructors (`torch.Tensor`, `torch.FloatTensor`...): a fixed dtype (the default
 * dtype for `torch.Tensor`); data given as one sequence, or sizes given as ints, which make an
 * uninitialised tensor.
 */
function legacyConstructor(fixed?: DType) {
  return (call: Call): Value => {
    const dtype = fixed ?? call.ctx.defaultDtype;
    call.expect(Infinity, ['device']);
    const only = call.positional[0];
    if (call.positional.length === 1 && only && (only.kind === 'list' || only.kind === 'tuple' || only.kind === 'tensor')) return tensorFromData(call.ctx, only, dtype, 'torch');
    const shape = call.positional.map((v, i) => {
      if (v.kind === 'unknown') return undefined;
      if (v.kind !== 'int') throw messages.legacySizeType(pythonTypeName(v), i + 1, call.argSite(i, 'size'));
      return sizeOf(v);
    });
    const known = shape.every((s): s is Dim => s !== undefined) ? shape : undefined;
    return filledTensor(call.ctx, known && known.length === 0 ? [0] : known, dtype, 'placeholder');
  };
}

function constant(value: number | 'placeholder') {
  return (call: Call): Value => {
    call.expect(Infinity, ['size', ...FACTORY_KEYWORDS]);
    return filledTensor(call.ctx, call.sizes(0, 'size', 'SymInts'), torchDTypeArg(call) ?? (dtypeGiven(call) ? undefined : call.ctx.defaultDtype), value);
  };
}

function random(kind: 'rand' | 'randn') {
  return (call: Call): Value => {
    call.expect(Infinity, ['size', ...FACTORY_KEYWORDS]);
    const dtype = torchDTypeArg(call) ?? (dtypeGiven(call) ? undefined : call.ctx.defaultDtype);
    if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') throw messages.notImplementedFor(kind === 'rand' ? 'check_uniform_bounds' : 'normal_kernel_cpu', dtype, call.ctx.site);
    return filledTensor(call.ctx, call.sizes(0, 'size', 'SymInts'), dtype, 'placeholder');
  };
}

/** `torch.randint(high, size)` / `(low, high, size)`: int64 placeholders. */
function randint(call: Call): Value {
  const p = call.positional;
  const size = call.keywords.get('size') ?? (p.length >= 2 ? p[p.length - 1] : undefined);
  const shape = size ? call.sizeList(size, p.length - 1, 'size', 'SymInts') : undefined;
  return filledTensor(call.ctx, shape, torchDTypeArg(call) ?? 'int64', 'placeholder');
}

/** `torch.full(size, fill_value)`: the dtype follows the fill value (bool, int64, the default dtype). */
function full(call: Call): Value {
  call.expect(2, ['size', 'fill_value', ...FACTORY_KEYWORDS]);
  const shape = call.sizeList(call.required(0, 'size'), 0, 'size', 'SymInts');
  const fill = call.required(1, 'fill_value');
  const number = call.number(1, 'fill_value');
  const inferred: DType | undefined = fill.kind === 'bool' ? 'bool' : fill.kind === 'float' ? call.ctx.defaultDtype : fill.kind === 'int' ? 'int64' : undefined;
  return filledTensor(call.ctx, shape, torchDTypeArg(call) ?? inferred, number?.value);
}

function eye(call: Call): Value {
  call.expect(2, ['n', 'm', ...FACTORY_KEYWORDS]);
  const n = call.int(0, 'n');
  const m = call.arg(1, 'm') ? call.int(1, 'm') : n;
  if (n !== undefined && n < 0) throw messages.eyeNegative('n', n, call.ctx.site);
  if (m !== undefined && m < 0) throw messages.eyeNegative('m', m, call.ctx.site);
  const size = (i: number, name: string): Dim | undefined => sizeOf(call.arg(i, name));
  const shape = [size(0, 'n'), call.arg(1, 'm') ? size(1, 'm') : size(0, 'n')];
  const known = shape.every((s): s is Dim => s !== undefined) ? shape : undefined;
  const cols = m ?? 0;
  return filledTensor(call.ctx, known, torchDTypeArg(call) ?? call.ctx.defaultDtype, 0, undefined, (i) => (i % cols === Math.floor(i / cols) ? 1 : 0));
}

/**
 * `torch.arange(end)` / `(start, end, step=1)`: int64 unless an argument is a float (then the
 * default dtype). Values are `start + step * i` computed in double, rounded once, as the CPU
 * kernel does with its double accumulator.
 */
function arange(call: Call): Value {
  call.expect(3, ['start', 'end', 'step', ...FACTORY_KEYWORDS]);
  const ctx = call.ctx;
  const endOnly = call.positional.length === 1 && !call.keywords.has('end');
  const given = (endOnly ? [call.arg(0, 'end')] : [call.arg(0, 'start'), call.arg(1, 'end'), call.arg(2, 'step')]).filter((v): v is Value => v !== undefined);
  const isFloat = given.some((v) => v.kind === 'float');
  const dtype = torchDTypeArg(call) ?? (dtypeGiven(call) ? undefined : isFloat ? ctx.defaultDtype : given.every((v) => v.kind === 'int' || v.kind === 'bool') ? 'int64' : undefined);
  const start = endOnly ? { value: 0, isFloat: false } : call.number(0, 'start') ?? (call.arg(0, 'start') ? undefined : { value: 0, isFloat: false });
  const end = endOnly ? call.number(0, 'end') : call.number(1, 'end');
  const step = call.number(2, 'step') ?? (call.arg(2, 'step') ? undefined : { value: 1, isFloat: false });
  if (!start || !end || !step) {
    // `arange(n)` with a symbolic n still has n elements.
    const n = endOnly ? sizeOf(call.arg(0, 'end')) : undefined;
    return shapedLike(undefined, n === undefined ? undefined : [n], dtype, notStatic(ctx.site));
  }
  if (dtype === undefined) return shapedLike(undefined, undefined, undefined, notStatic(ctx.site));
  const integral = dtype === 'int64' || dtype === 'int32';
  // An integral result converts the bounds to integers first (C++ `Scalar::to<int64_t>`).
  const [s, e, d] = integral ? [start.value, end.value, step.value].map(Math.trunc) as [number, number, number] : [start.value, end.value, step.value];
  if (d === 0) throw messages.stepNonzero(ctx.site);
  if (!Number.isFinite(s) || !Number.isFinite(e)) throw messages.unsupportedRange(cFloat(s), cFloat(e), ctx.site);
  if (!((d > 0 && e >= s) || (d < 0 && e <= s))) throw messages.rangeSignInconsistent(ctx.site);
  const size = Math.ceil((e - s) / d);
  if (dtype === 'bool') throw messages.notImplementedFor('arange_cpu', dtype, ctx.site);
  // Floats: the vector's first lane is rounded to the dtype, the others add `k * step` in double.
  const toDType = dtype === 'float32' ? Math.fround : (x: number) => x;
  return filledTensor(ctx, [size], dtype, 0, undefined, kernelValues(size, dtype, (i) => toDType(s + d * i), (base, k) => toDType(base + k * d)));
}

/** A double as C++ streams print it in PyTorch's messages (`inf`, `nan`, `0.5`). */
function cFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(x);
}

/**
 * `torch.linspace(start, end, steps)`: the CPU kernel's two-sided formula (from `start` below
 * the halfway index, from `end` above it), each value rounded once to the dtype as the
 * kernel's fused multiply-add does.
 */
function linspace(call: Call): Value {
  call.expect(3, ['start', 'end', 'steps', ...FACTORY_KEYWORDS]);
  const ctx = call.ctx;
  const names = ['start', 'end', 'steps'];
  const missing = names.filter((name, i) => !call.arg(i, name));
  if (missing.length > 0 && !call.spread) throw messages.linspaceMissing(missing, ctx.site);
  const steps = call.int(2, 'steps');
  if (steps !== undefined && steps < 0) throw messages.linspaceNegativeSteps(ctx.site);
  const dtype = torchDTypeArg(call) ?? (dtypeGiven(call) ? undefined : ctx.defaultDtype);
  const stepsSize = sizeOf(call.arg(2, 'steps'));
  const startArg = call.number(0, 'start');
  const endArg = call.number(1, 'end');
  if (steps === undefined || !startArg || !endArg || !dtype) return shapedLike(undefined, stepsSize === undefined ? undefined : [stepsSize], dtype, notStatic(ctx.site));
  const round = dtype === 'float32' ? Math.fround : dtype === 'float64' ? (x: number) => x : Math.trunc;
  const start = round(startArg.value);
  const end = round(endArg.value);
  if (dtype === 'bool') throw messages.notImplementedFor('linspace_cpu', dtype, ctx.site);
  if (steps === 1) return filledTensor(ctx, [1], dtype, start);
  // Integral dtypes step in double; floats in their own precision.
  const step = dtype === 'float32' ? Math.fround((end - start) / (steps - 1)) : (end - start) / (steps - 1);
  const halfway = Math.floor(steps / 2);
  const valueAt = (i: number): number => (i < halfway ? round(start + step * i) : round(end - step * (steps - i - 1)));
  // float32 vector lanes multiply and add in float, rounding twice (checked against PyTorch's
  // output); integral lanes add a double product to the integer base.
  const product = dtype === 'float32' ? Math.fround : (x: number) => x;
  return filledTensor(ctx, [steps], dtype, 0, undefined, kernelValues(steps, dtype, valueAt, (base, k) => round(base + product(k * step))));
}

/** PyTorch 1.13 runs its CPU kernels with AVX2 vectors by default: this many lanes per dtype. */
const AVX2_LANES: Record<DType, number> = { float32: 8, float64: 4, int64: 4, int32: 8, bool: 32 };

/**
 * The values a nullary CPU kernel (`arange`, `linspace`) writes through `cpu_serial_kernel_vec`:
 * from index 0, whole pairs of vectors, each vector computing its first lane with the scalar
 * formula `scalar(i)` and lane `k` as `lane(first, k)`; the remaining tail element by element
 * with `scalar(i)`. The scalar formula rounds once, as GCC's fused multiply-add does.
 */
function kernelValues(n: number, dtype: DType, scalar: (i: number) => number, lane: (base: number, k: number) => number): (i: number) => number {
  const lanes = AVX2_LANES[dtype];
  const vectorized = 2 * lanes * Math.floor(n / (2 * lanes));
  return (i) => {
    if (i >= vectorized) return scalar(i);
    const first = i - (i % lanes);
    return lane(scalar(first), i - first);
  };
}

/** `zeros_like(x)` and friends: `x`'s shape, its dtype unless given. */
function like(fill: number | 'placeholder' | 'argument') {
  return (call: Call): Value => {
    const self = call.positional[0];
    const shape = self?.kind === 'tensor' ? self.shape : undefined;
    const dtype = torchDTypeArg(call) ?? (self?.kind === 'tensor' ? self.dtype : undefined);
    return filledTensor(call.ctx, shape, dtype, fill === 'argument' ? fillNumber(call.arg(1, 'fill_value')) : fill);
  };
}

/** `torch.normal(mean, std, size)`: placeholders of `size`, or of the operands' broadcast shape. */
function normal(call: Call): Value {
  const b = call.bind(['mean', 'std', 'size']);
  const size = b.get('size');
  if (size) return filledTensor(call.ctx, call.sizeList(size, 2, 'size', 'SymInts'), torchDTypeArg(call) ?? call.ctx.defaultDtype, 'placeholder');
  return shapedLike(undefined, undefined, call.ctx.defaultDtype, PLACEHOLDER);
}

export const TORCH_FACTORIES: ReadonlyMap<string, (call: Call) => Value> = new Map([
  ['tensor', literal('torch')],
  ['as_tensor', literal('torch')],
  ['from_numpy', fromNumpy],
  ['Tensor', legacyConstructor()],
  ['FloatTensor', legacyConstructor('float32')],
  ['DoubleTensor', legacyConstructor('float64')],
  ['LongTensor', legacyConstructor('int64')],
  ['IntTensor', legacyConstructor('int32')],
  ['BoolTensor', legacyConstructor('bool')],
  ['zeros', constant(0)],
  ['ones', constant(1)],
  ['empty', constant('placeholder')],
  ['full', full],
  ['eye', eye],
  ['rand', random('rand')],
  ['randn', random('randn')],
  ['randint', randint],
  ['normal', normal],
  ['arange', arange],
  ['linspace', linspace],
  ['logspace', (call) => { const n = sizeOf(call.arg(2, 'steps')); return shapedLike(undefined, n === undefined ? undefined : [n], torchDTypeArg(call) ?? call.ctx.defaultDtype, notStatic(call.ctx.site)); }],
  ['zeros_like', like(0)],
  ['ones_like', like(1)],
  ['full_like', like('argument')],
  ['empty_like', like('placeholder')],
  ['rand_like', like('placeholder')],
  ['randn_like', like('placeholder')],
  ['randint_like', like('placeholder')],
]);

// ---------------------------------------------------------------------------------------------
// NumPy: NumPy 1.24's defaults (float64, int64), argument forms (one shape argument, dtype second).

/** `shape`: one int or a sequence of ints. */
function numpyShape(call: Call, v: Value): Dim[] | undefined {
  const dims = itemsOf(v) ?? [v];
  const sizes = dims.map((d) => {
    if (d.kind === 'int' || d.kind === 'unknown') return sizeOf(d);
    throw messages.numpyShapeType(d.kind === 'float' ? String(d.value) : pythonTypeName(d), call.ctx.site);
  });
  return sizes.every((s): s is Dim => s !== undefined) ? sizes : undefined;
}

/** The `dtype` argument at `index` (or keyword), or `fallback`. */
function numpyDTypeArg(call: Call, index: number, fallback: DType): DType | undefined {
  const v = call.arg(index, 'dtype');
  if (!v || v.kind === 'none') return fallback;
  return numpyDType(v, call.argSite(index, 'dtype'));
}

function numpyConstant(value: number | 'placeholder') {
  return (call: Call): Value => {
    call.expect(3, ['shape', 'dtype', 'order', 'like']);
    return filledTensor(call.ctx, numpyShape(call, call.required(0, 'shape')), numpyDTypeArg(call, 1, 'float64'), value, 'numpy');
  };
}

/** `np.full(shape, fill_value)`: the dtype follows the fill value (bool, int64, float64). */
function numpyFull(call: Call): Value {
  call.expect(4, ['shape', 'fill_value', 'dtype', 'order', 'like']);
  const shape = numpyShape(call, call.required(0, 'shape'));
  const fill = call.required(1, 'fill_value');
  const number = call.number(1, 'fill_value');
  const inferred: DType = fill.kind === 'bool' ? 'bool' : fill.kind === 'float' ? 'float64' : 'int64';
  return filledTensor(call.ctx, shape, numpyDTypeArg(call, 2, inferred), number?.value, 'numpy');
}

/** `np.eye(N, M=None, k=0)`: ones on the k-th diagonal. */
function numpyEye(call: Call): Value {
  call.expect(4, ['N', 'M', 'k', 'dtype', 'order', 'like']);
  const n = call.int(0, 'N');
  const mArg = call.arg(1, 'M');
  const m = mArg && mArg.kind !== 'none' ? call.int(1, 'M') : n;
  const k = call.int(2, 'k') ?? 0;
  const shape = n !== undefined && m !== undefined ? [n, m] : undefined;
  return filledTensor(call.ctx, shape, numpyDTypeArg(call, 3, 'float64'), 0, 'numpy', (i) => (i % (m ?? 1) === Math.floor(i / (m ?? 1)) + k ? 1 : 0));
}

/**
 * `np.arange([start,] stop[, step])`: the length is `ceil((stop - start) / step)`; the first two
 * values are computed and cast to the dtype, then the rest filled as `first + i * (second - first)`
 * in the dtype, as NumPy's `fill` does (so the step is the one the dtype can hold).
 */
function numpyArange(call: Call): Value {
  call.expect(4, ['start', 'stop', 'step', 'dtype', 'like']);
  const ctx = call.ctx;
  const stopOnly = call.positional.length === 1 && !call.keywords.has('stop');
  const start = (stopOnly ? undefined : call.number(0, 'start')) ?? { value: 0, isFloat: false };
  const stop = stopOnly ? call.number(0, 'stop') : call.number(1, 'stop');
  const step = call.number(2, 'step') ?? { value: 1, isFloat: false };
  if (!stop) return shapedLike(undefined, undefined, undefined, notStatic(ctx.site));
  if (step.value === 0) throw messages.divisionByZero(false, false, ctx.site);
  const dtype = numpyDTypeArg(call, 3, start.isFloat || stop.isFloat || step.isFloat ? 'float64' : 'int64');
  const lengthD = Math.ceil((stop.value - start.value) / step.value);
  if (!Number.isFinite(lengthD)) throw messages.numpyMaximumSize(ctx.site);
  const length = Math.max(0, lengthD);
  const cast = dtype === 'float32' ? Math.fround : dtype === 'float64' ? (x: number) => x : Math.trunc;
  const first = cast(start.value);
  const delta = cast(cast(start.value + step.value) - first);
  return filledTensor(ctx, [length], dtype, 0, 'numpy', (i) => (i === 0 ? first : i === 1 ? cast(start.value + step.value) : cast(first + cast(i * delta))));
}

/**
 * `np.linspace(start, stop, num=50, endpoint=True)`: `i * step + start` in float64 (with the
 * last value set to `stop` exactly), floored for integer dtypes, then cast.
 */
function numpyLinspace(call: Call): Value {
  call.expect(6, ['start', 'stop', 'num', 'endpoint', 'retstep', 'dtype', 'axis']);
  const ctx = call.ctx;
  const start = call.number(0, 'start');
  const stop = call.number(1, 'stop');
  call.required(0, 'start');
  call.required(1, 'stop');
  const num = call.arg(2, 'num') ? call.int(2, 'num') : 50;
  const endpointArg = call.arg(3, 'endpoint');
  const endpoint = !endpointArg || !(endpointArg.kind === 'bool' && !endpointArg.value);
  if (num !== undefined && num < 0) throw messages.numpyNegativeSamples(num, ctx.site);
  const dtype = numpyDTypeArg(call, 5, 'float64');
  if (!start || !stop || num === undefined) return shapedLike(undefined, num === undefined ? undefined : [num], dtype, notStatic(ctx.site));
  const div = endpoint ? num - 1 : num;
  const delta = stop.value - start.value;
  const step = delta / div;
  const valueAt = (i: number): number => {
    const y = endpoint && num > 1 && i === num - 1 ? stop.value : div > 0 ? (step === 0 ? (i / div) * delta : i * step) + start.value : i * delta + start.value;
    return dtype === 'int64' || dtype === 'int32' ? Math.floor(y) : y;
  };
  return filledTensor(ctx, [num], dtype, 0, 'numpy', valueAt);
}

/** `np.random.rand(2, 3)`, `np.random.randn(...)`, `np.random.random((2, 3))`: float64 placeholders. */
function numpyRandom(call: Call): Value {
  const only = call.positional[0];
  const shape = call.positional.length === 1 && only && itemsOf(only) ? numpyShape(call, only) : numpyShape(call, { kind: 'tuple', items: [...call.positional] });
  return filledTensor(call.ctx, shape, 'float64', 'placeholder', 'numpy');
}

export const NUMPY_FACTORIES: ReadonlyMap<string, (call: Call) => Value> = new Map([
  ['array', literal('numpy')],
  ['asarray', literal('numpy')],
  ['zeros', numpyConstant(0)],
  ['ones', numpyConstant(1)],
  ['empty', numpyConstant('placeholder')],
  ['full', numpyFull],
  ['eye', numpyEye],
  ['arange', numpyArange],
  ['linspace', numpyLinspace],
  ['random.rand', numpyRandom],
  ['random.randn', numpyRandom],
  ['random.random', numpyRandom],
]);
