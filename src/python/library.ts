// The torch and NumPy functions Conv Lab evaluates statically: literal constructors (`tensor`,
// `array`, legacy `Tensor`), factories (`arange`, `linspace`, `zeros`, `full`, `eye`, `rand`...)
// and `stack`/`cat`, plus the Python builtins literal code uses (`range`, `len`, `list`, `tuple`).
// Values and errors follow PyTorch 1.13's CPU kernels and CPython.
import { allocate, numel, type DType, type Tensor } from '../core/tensor';
import { CallSite } from './callSite';
import { defaultFloatDType } from './defaultDtype';
import { numpyDType, torchDType } from './dtypes';
import { LAYER_FUNCTIONS } from './layers';
import { NUMPY_FACTORIES } from './numpyFactories';
import { tensorFromData } from './literals';
import { cat, checkElementLimit, stack, stridedOf, truncateToInt64, type StridedTensor } from './strided';
import { EvaluationFailure, pythonTypeName, rethrowAt, type Library, type PyValue, type TensorValue } from './values';

type LibraryFunction = (site: CallSite) => PyValue;

function tensorValue(t: Tensor, site: CallSite, library: Library = 'torch', placeholder = false): TensorValue {
  return { kind: 'tensor', tensor: stridedOf(t), library, placeholder, at: site.at };
}

/** The `dtype=` keyword of a torch function, if given and not None. */
function torchDTypeArg(site: CallSite): DType | undefined {
  const v = site.keywords.get('dtype');
  return v && v.kind !== 'none' ? torchDType(v, site.name) : undefined;
}

/** Keywords every torch factory takes and a static reading ignores. */
const FACTORY_KEYWORDS = ['dtype', 'device', 'requires_grad', 'layout', 'pin_memory', 'out'];

function literal(library: Library): LibraryFunction {
  return (site) => {
    site.expect(library === 'torch' ? 1 : 2, library === 'torch' ? ['data', 'dtype', 'device', 'requires_grad', 'pin_memory'] : ['object', 'dtype', 'copy', 'order', 'ndmin', 'like']);
    const data = site.arg(0, library === 'torch' ? 'data' : 'object');
    if (!data) throw new EvaluationFailure(`${site.name}() missing required argument 'data' (pos 1)`, 'invalid-argument', site.at, 'TypeError');
    const dtypeArg = library === 'numpy' ? site.arg(1, 'dtype') : site.keywords.get('dtype');
    const dtype = !dtypeArg || dtypeArg.kind === 'none' ? undefined : library === 'torch' ? torchDType(dtypeArg, site.name) : numpyDType(dtypeArg);
    const placeholder = data.kind === 'tensor' && data.placeholder;
    return tensorValue(tensorFromData(data, dtype, library, site.maxElements), site, library, placeholder);
  };
}

/** `torch.from_numpy(a)`: the array's values and dtype. */
const fromNumpy: LibraryFunction = (site) => {
  site.expect(1, []);
  const a = site.positional[0];
  if (a?.kind !== 'tensor' || a.library !== 'numpy') {
    throw new EvaluationFailure(`expected np.ndarray (got ${a ? pythonTypeName(a) : 'nothing'})`, 'invalid-argument', a?.at ?? site.at, 'TypeError');
  }
  return { ...a, library: 'torch', at: site.at };
};

/**
 * The legacy constructors (`torch.Tensor`, `torch.FloatTensor`...): a fixed dtype (the default
 * dtype for `torch.Tensor`); data given as one sequence, or sizes given as ints, which make an
 * uninitialised tensor.
 */
function legacyConstructor(fixed?: DType): LibraryFunction {
  return (site) => {
    const dtype = fixed ?? defaultFloatDType();
    site.expect(Infinity, ['device']);
    const only = site.positional[0];
    if (site.positional.length === 1 && only && (only.kind === 'list' || only.kind === 'tuple' || only.kind === 'tensor')) {
      return tensorValue(tensorFromData(only, dtype, 'torch', site.maxElements), site, 'torch', only.kind === 'tensor' && only.placeholder);
    }
    const shape = site.positional.map((v, i) => {
      if (v.kind !== 'int') {
        throw new EvaluationFailure(`new(): argument 'size' must be tuple of ints, but found element of type ${pythonTypeName(v)} at pos ${i + 1}`, 'invalid-argument', v.at, 'TypeError');
      }
      return Number(v.value);
    });
    return filled(site, shape.length === 0 ? [0] : shape, dtype, () => 0, true);
  };
}

/** A new tensor of `shape`, after PyTorch's negative-size check and Conv Lab's element limit. */
function filled(site: CallSite, shape: number[], dtype: DType, valueAt: (i: number) => number, placeholder = false): TensorValue {
  const negative = shape.find((s) => s < 0);
  if (negative !== undefined) {
    throw new EvaluationFailure(`Trying to create tensor with negative dimension ${negative}: [${shape.join(', ')}]`, 'invalid-shape', site.at, 'RuntimeError');
  }
  checkElementLimit(shape, site.maxElements);
  const n = numel(shape);
  const data = allocate(dtype, n);
  const store = dtype === 'int64' ? truncateToInt64 : dtype === 'bool' ? (x: number) => (x !== 0 ? 1 : 0) : (x: number) => x;
  for (let i = 0; i < n; i++) data[i] = store(valueAt(i)) as never;
  return tensorValue({ shape, dtype, data }, site, 'torch', placeholder);
}

function constant(value: number): LibraryFunction {
  return (site) => {
    site.expect(Infinity, ['size', ...FACTORY_KEYWORDS]);
    return filled(site, site.sizes(0, 'size', 'SymInts'), torchDTypeArg(site) ?? defaultFloatDType(), () => value);
  };
}

/** A fixed-seed generator (mulberry32): random tensors get the same stand-in values every time. */
function placeholderRandom(): () => number {
  let state = 0x2545f491;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function random(kind: 'rand' | 'randn'): LibraryFunction {
  return (site) => {
    site.expect(Infinity, ['size', 'generator', ...FACTORY_KEYWORDS]);
    const dtype = torchDTypeArg(site) ?? defaultFloatDType();
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw notImplemented(kind === 'rand' ? 'check_uniform_bounds' : 'normal_kernel_cpu', dtype, site);
    }
    const next = placeholderRandom();
    const normal = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return filled(site, site.sizes(), dtype, kind === 'rand' ? next : normal, true);
  };
}

const TORCH_SCALAR_NAMES: Record<DType, string> = { float32: 'Float', float64: 'Double', int64: 'Long', int32: 'Int', bool: 'Bool' };

const empty: LibraryFunction = (site) => {
  site.expect(Infinity, ['size', 'memory_format', ...FACTORY_KEYWORDS]);
  return filled(site, site.sizes(0, 'size', 'SymInts'), torchDTypeArg(site) ?? defaultFloatDType(), () => 0, true);
};

/** `torch.full(size, fill_value)`: the dtype follows the fill value (bool, int64, the default dtype). */
const full: LibraryFunction = (site) => {
  site.expect(2, ['size', 'fill_value', ...FACTORY_KEYWORDS]);
  const shape = site.sizeList(site.required(site.arg(0, 'size'), 0, 'size'), 0, 'size', 'SymInts');
  const { value, isFloat } = site.required(site.numberArg(1, 'fill_value'), 1, 'fill_value');
  const inferred: DType = site.arg(1, 'fill_value')?.kind === 'bool' ? 'bool' : isFloat ? defaultFloatDType() : 'int64';
  return filled(site, shape, torchDTypeArg(site) ?? inferred, () => value);
};

const eye: LibraryFunction = (site) => {
  site.expect(2, ['n', 'm', ...FACTORY_KEYWORDS]);
  const n = site.required(site.intArg(0, 'n'), 0, 'n');
  const m = site.intArg(1, 'm') ?? n;
  if (n < 0) throw new EvaluationFailure(`n must be greater or equal to 0, got ${n}`, 'invalid-shape', site.at, 'RuntimeError');
  if (m < 0) throw new EvaluationFailure(`m must be greater or equal to 0, got ${m}`, 'invalid-shape', site.at, 'RuntimeError');
  return filled(site, [n, m], torchDTypeArg(site) ?? defaultFloatDType(), (i) => (i % m === Math.floor(i / m) ? 1 : 0));
};

/**
 * `torch.arange(end)` / `(start, end, step=1)`: int64 unless an argument is a float (then the
 * default dtype). Values are `start + step * i` computed in double, rounded once, as the CPU
 * kernel does with its double accumulator.
 */
const arange: LibraryFunction = (site) => {
  site.expect(3, ['start', 'end', 'step', ...FACTORY_KEYWORDS]);
  const endOnly = site.positional.length === 1 && !site.keywords.has('end');
  const start = (endOnly ? undefined : site.numberArg(0, 'start')) ?? { value: 0, isFloat: false };
  const end = site.required(endOnly ? site.numberArg(0, 'end') : site.numberArg(1, 'end'), endOnly ? 0 : 1, 'end');
  const step = site.numberArg(2, 'step') ?? { value: 1, isFloat: false };
  const dtype = torchDTypeArg(site) ?? (start.isFloat || end.isFloat || step.isFloat ? defaultFloatDType() : 'int64');
  const integral = dtype === 'int64' || dtype === 'int32';
  // An integral result converts the bounds to integers first (C++ `Scalar::to<int64_t>`).
  const [s, e, d] = integral ? [start.value, end.value, step.value].map(Math.trunc) as [number, number, number] : [start.value, end.value, step.value];
  if (d === 0) throw new EvaluationFailure('step must be nonzero', 'invalid-argument', site.at, 'RuntimeError');
  if (!Number.isFinite(s) || !Number.isFinite(e)) {
    throw new EvaluationFailure(`unsupported range: ${cFloat(s)} -> ${cFloat(e)}`, 'invalid-argument', site.at, 'RuntimeError');
  }
  if (!((d > 0 && e >= s) || (d < 0 && e <= s))) {
    throw new EvaluationFailure('upper bound and larger bound inconsistent with step sign', 'invalid-argument', site.at, 'RuntimeError');
  }
  const size = Math.ceil((e - s) / d);
  if (dtype === 'bool') throw notImplemented('arange_cpu', dtype, site);
  // Floats: the vector's first lane is rounded to the dtype, the others add `k * step` in double.
  const toDType = dtype === 'float32' ? Math.fround : (x: number) => x;
  return filled(site, [size], dtype, kernelValues(size, dtype, (i) => toDType(s + d * i), (base, k) => toDType(base + k * d)));
};

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
const linspace: LibraryFunction = (site) => {
  site.expect(3, ['start', 'end', 'steps', ...FACTORY_KEYWORDS]);
  const names = ['start', 'end', 'steps'];
  const missing = names.filter((name, i) => !site.arg(i, name));
  if (missing.length > 0) {
    throw new EvaluationFailure(`linspace() missing ${missing.length} required positional arguments: ${missing.map((m) => `"${m}"`).join(', ')}`, 'invalid-argument', site.at, 'TypeError');
  }
  const steps = site.intArg(2, 'steps') ?? 0;
  if (steps < 0) throw new EvaluationFailure('number of steps must be non-negative', 'invalid-argument', site.at, 'RuntimeError');
  const dtype = torchDTypeArg(site) ?? defaultFloatDType();
  const round = dtype === 'float32' ? Math.fround : dtype === 'float64' ? (x: number) => x : Math.trunc;
  const start = round(site.numberArg(0, 'start')?.value ?? 0);
  const end = round(site.numberArg(1, 'end')?.value ?? 0);
  if (dtype === 'bool') throw notImplemented('linspace_cpu', dtype, site);
  if (steps === 1) return filled(site, [1], dtype, () => start);
  // Integral dtypes step in double; floats in their own precision.
  const step = dtype === 'float32' ? Math.fround((end - start) / (steps - 1)) : (end - start) / (steps - 1);
  const halfway = Math.floor(steps / 2);
  const valueAt = (i: number): number => (i < halfway ? round(start + step * i) : round(end - step * (steps - i - 1)));
  // float32 vector lanes multiply and add in float, rounding twice (checked against PyTorch's
  // output); integral lanes add a double product to the integer base.
  const product = dtype === 'float32' ? Math.fround : (x: number) => x;
  return filled(site, [steps], dtype, kernelValues(steps, dtype, valueAt, (base, k) => round(base + product(k * step))));
};

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

function notImplemented(kernel: string, dtype: DType, site: CallSite): EvaluationFailure {
  return new EvaluationFailure(`"${kernel}" not implemented for '${TORCH_SCALAR_NAMES[dtype]}'`, 'invalid-dtype', site.at, 'RuntimeError');
}

/** `torch.stack` / `torch.cat`: a list or tuple of tensors and a `dim`. */
function joining(kind: 'stack' | 'cat'): LibraryFunction {
  return (site) => {
    site.expect(2, ['tensors', 'dim', 'out']);
    const list = site.arg(0, 'tensors');
    if (!list || (list.kind !== 'list' && list.kind !== 'tuple')) {
      throw new EvaluationFailure(`${site.name}(): argument 'tensors' (position 1) must be tuple of Tensors, not ${list ? pythonTypeName(list) : 'nothing'}`, 'invalid-argument', list?.at ?? site.at, 'TypeError');
    }
    const tensors: StridedTensor[] = list.items.map((item, i) => {
      if (item.kind !== 'tensor') {
        throw new EvaluationFailure(`expected Tensor as element ${i} in argument 0, but got ${pythonTypeName(item)}`, 'invalid-argument', item.at, 'TypeError');
      }
      return item.tensor;
    });
    const dim = site.intArg(1, 'dim') ?? 0;
    const joined = rethrowAt(site, () => (kind === 'stack' ? stack(tensors, dim, site.maxElements) : cat(tensors, dim, site.maxElements)));
    const placeholder = list.items.some((item) => item.kind === 'tensor' && item.placeholder);
    return { kind: 'tensor', tensor: joined, library: 'torch', placeholder, at: site.at };
  };
}

/** Longest `range` expanded into a list of values (each is an object, unlike a tensor element). */
const MAX_RANGE = 1_000_000;

/** Python's `range`, as the list of ints it iterates over (what `torch.tensor(range(n))` reads). */
const range: LibraryFunction = (site) => {
  site.expect(3, []);
  const ints = site.positional.map((v) => {
    if (v.kind === 'int') return v.value;
    if (v.kind === 'bool') return BigInt(v.value);
    throw new EvaluationFailure(`'${pythonTypeName(v)}' object cannot be interpreted as an integer`, 'invalid-argument', v.at, 'TypeError');
  });
  if (ints.length === 0) throw new EvaluationFailure('range expected at least 1 argument, got 0', 'invalid-argument', site.at, 'TypeError');
  const [start, stop, step] = ints.length === 1 ? [0n, ints[0] ?? 0n, 1n] : [ints[0] ?? 0n, ints[1] ?? 0n, ints[2] ?? 1n];
  if (step === 0n) throw new EvaluationFailure('range() arg 3 must not be zero', 'invalid-argument', site.at, 'ValueError');
  const span = step > 0n ? stop - start : start - stop;
  const magnitude = step > 0n ? step : -step;
  const length = span <= 0n ? 0 : Number((span + magnitude - 1n) / magnitude);
  if (length > MAX_RANGE) throw new EvaluationFailure(`range of ${length.toLocaleString('en-US')} numbers is too long to evaluate statically (at most ${MAX_RANGE.toLocaleString('en-US')})`, 'too-many-elements', site.at);
  return { kind: 'list', items: Array.from({ length }, (_, i) => ({ kind: 'int', value: start + BigInt(i) * step, at: site.at })), at: site.at };
};

/** `len(x)` of a list, tuple, tensor or array. */
const len: LibraryFunction = (site) => {
  site.expect(1, []);
  const v = site.required(site.positional[0], 0, 'obj');
  const n = v.kind === 'list' || v.kind === 'tuple' ? v.items.length : v.kind === 'tensor' ? v.tensor.shape[0] : undefined;
  if (n === undefined) {
    const message = v.kind === 'tensor' ? (v.library === 'torch' ? 'len() of a 0-d tensor' : 'len() of unsized object') : `object of type '${pythonTypeName(v)}' has no len()`;
    throw new EvaluationFailure(message, 'invalid-argument', v.at, 'TypeError');
  }
  return { kind: 'int', value: BigInt(n), at: site.at };
};

/** `list(x)` / `tuple(x)` of a list or tuple (tensors are not taken apart). */
function sequence(kind: 'list' | 'tuple'): LibraryFunction {
  return (site) => {
    site.expect(1, []);
    const v = site.positional[0];
    if (!v) return { kind, items: [], at: site.at };
    if (v.kind === 'list' || v.kind === 'tuple') return { kind, items: v.items, at: site.at };
    throw new EvaluationFailure(`cannot evaluate ${kind}() of a ${pythonTypeName(v)} statically`, 'not-static', site.at);
  };
}

const FUNCTIONS: ReadonlyMap<string, LibraryFunction> = new Map([
  ['range', range],
  ['len', len],
  ['list', sequence('list')],
  ['tuple', sequence('tuple')],
  ['torch.tensor', literal('torch')],
  ['torch.as_tensor', literal('torch')],
  ['torch.from_numpy', fromNumpy],
  ['torch.Tensor', legacyConstructor()],
  ['torch.FloatTensor', legacyConstructor('float32')],
  ['torch.DoubleTensor', legacyConstructor('float64')],
  ['torch.LongTensor', legacyConstructor('int64')],
  ['torch.IntTensor', legacyConstructor('int32')],
  ['torch.BoolTensor', legacyConstructor('bool')],
  ['torch.zeros', constant(0)],
  ['torch.ones', constant(1)],
  ['torch.empty', empty],
  ['torch.full', full],
  ['torch.eye', eye],
  ['torch.rand', random('rand')],
  ['torch.randn', random('randn')],
  ['torch.arange', arange],
  ['torch.linspace', linspace],
  ['torch.stack', joining('stack')],
  ['torch.cat', joining('cat')],
  ['torch.concat', joining('cat')],
  ['numpy.array', literal('numpy')],
  ['numpy.asarray', literal('numpy')],
  ...NUMPY_FACTORIES,
  ...LAYER_FUNCTIONS,
]);

/** The library function a dotted path names, if Conv Lab evaluates it. */
export function libraryFunction(path: string): LibraryFunction | undefined {
  return FUNCTIONS.get(path);
}
