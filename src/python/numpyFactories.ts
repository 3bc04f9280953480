// NumPy's array factories (`np.zeros`, `ones`, `empty`, `full`, `eye`, `arange`, `linspace`):
// NumPy 1.24's defaults (float64, int64), argument forms (one shape argument, dtype second) and
// its arithmetic for ranges, which differs from PyTorch's.
import { allocate, numel, type DType } from '../core/tensor';
import type { CallSite } from './callSite';
import { numpyDType } from './dtypes';
import { checkElementLimit, stridedOf, truncateToInt64 } from './strided';
import { EvaluationFailure, pythonTypeName, type PyValue, type TensorValue } from './values';

type NumpyFactory = (site: CallSite) => TensorValue;

/** `shape`: one int or a sequence of ints. */
function shapeArg(v: PyValue): number[] {
  const dims = v.kind === 'list' || v.kind === 'tuple' ? v.items : [v];
  return dims.map((d) => {
    if (d.kind === 'int') return Number(d.value);
    const shown = d.kind === 'float' ? String(d.value) : pythonTypeName(d);
    throw new EvaluationFailure(`expected a sequence of integers or a single integer, got '${shown}'`, 'invalid-argument', d.at, 'TypeError');
  });
}

/** The `dtype` argument at `index` (or keyword), or `fallback`. */
function dtypeArg(site: CallSite, index: number, fallback: DType): DType {
  const v = site.arg(index, 'dtype');
  if (!v || v.kind === 'none') return fallback;
  if (v.kind === 'int' || v.kind === 'float') {
    throw new EvaluationFailure(`Cannot interpret '${String(v.value)}' as a data type`, 'invalid-argument', v.at, 'TypeError');
  }
  return numpyDType(v);
}

/** A new array, after NumPy's negative-dimension check and Conv Lab's element limit. */
function array(site: CallSite, shape: number[], dtype: DType, valueAt: (i: number) => number, placeholder = false): TensorValue {
  if (shape.some((s) => s < 0)) throw new EvaluationFailure('negative dimensions are not allowed', 'invalid-shape', site.at, 'ValueError');
  checkElementLimit(shape, site.maxElements);
  const n = numel(shape);
  const data = allocate(dtype, n);
  const store = dtype === 'int64' ? truncateToInt64 : dtype === 'bool' ? (x: number) => (x !== 0 ? 1 : 0) : (x: number) => x;
  for (let i = 0; i < n; i++) data[i] = store(valueAt(i)) as never;
  return { kind: 'tensor', tensor: stridedOf({ shape, dtype, data }), library: 'numpy', placeholder, at: site.at };
}

function constant(value: number, placeholder = false): NumpyFactory {
  return (site) => {
    site.expect(3, ['shape', 'dtype', 'order', 'like']);
    const shape = shapeArg(site.required(site.arg(0, 'shape'), 0, 'shape'));
    return array(site, shape, dtypeArg(site, 1, 'float64'), () => value, placeholder);
  };
}

/** `np.full(shape, fill_value)`: the dtype follows the fill value (bool, int64, float64). */
const full: NumpyFactory = (site) => {
  site.expect(4, ['shape', 'fill_value', 'dtype', 'order', 'like']);
  const shape = shapeArg(site.required(site.arg(0, 'shape'), 0, 'shape'));
  const fill = site.required(site.arg(1, 'fill_value'), 1, 'fill_value');
  const { value, isFloat } = site.required(site.numberArg(1, 'fill_value'), 1, 'fill_value');
  const inferred: DType = fill.kind === 'bool' ? 'bool' : isFloat ? 'float64' : 'int64';
  return array(site, shape, dtypeArg(site, 2, inferred), () => value);
};

/** `np.eye(N, M=None, k=0)`: ones on the k-th diagonal. */
const eye: NumpyFactory = (site) => {
  site.expect(4, ['N', 'M', 'k', 'dtype', 'order', 'like']);
  const n = site.required(site.intArg(0, 'N'), 0, 'N');
  const mArg = site.arg(1, 'M');
  const m = mArg && mArg.kind !== 'none' ? site.required(site.intArg(1, 'M'), 1, 'M') : n;
  const k = site.intArg(2, 'k') ?? 0;
  return array(site, [n, m], dtypeArg(site, 3, 'float64'), (i) => (i % m === Math.floor(i / m) + k ? 1 : 0));
};

/**
 * `np.arange([start,] stop[, step])`: the length is `ceil((stop - start) / step)`; the first two
 * values are computed and cast to the dtype, then the rest filled as `first + i * (second - first)`
 * in the dtype, as NumPy's `fill` does (so the step is the one the dtype can hold).
 */
const arange: NumpyFactory = (site) => {
  site.expect(4, ['start', 'stop', 'step', 'dtype', 'like']);
  const stopOnly = site.positional.length === 1 && !site.keywords.has('stop');
  const start = (stopOnly ? undefined : site.numberArg(0, 'start')) ?? { value: 0, isFloat: false };
  const stop = site.required(stopOnly ? site.numberArg(0, 'stop') : site.numberArg(1, 'stop'), stopOnly ? 0 : 1, 'stop');
  const step = site.numberArg(2, 'step') ?? { value: 1, isFloat: false };
  if (step.value === 0) throw new EvaluationFailure('division by zero', 'division-by-zero', site.at, 'ZeroDivisionError');
  const dtype = dtypeArg(site, 3, start.isFloat || stop.isFloat || step.isFloat ? 'float64' : 'int64');
  const lengthD = Math.ceil((stop.value - start.value) / step.value);
  if (!Number.isFinite(lengthD)) throw new EvaluationFailure('Maximum allowed size exceeded', 'too-many-elements', site.at, 'ValueError');
  const length = Math.max(0, lengthD);
  const cast = dtype === 'float32' ? Math.fround : dtype === 'float64' ? (x: number) => x : Math.trunc;
  const first = cast(start.value);
  const delta = cast(cast(start.value + step.value) - first);
  return array(site, [length], dtype, (i) => (i === 0 ? first : i === 1 ? cast(start.value + step.value) : cast(first + cast(i * delta))));
};

/**
 * `np.linspace(start, stop, num=50, endpoint=True)`: `i * step + start` in float64 (with the
 * last value set to `stop` exactly), floored for integer dtypes, then cast.
 */
const linspace: NumpyFactory = (site) => {
  site.expect(6, ['start', 'stop', 'num', 'endpoint', 'retstep', 'dtype', 'axis']);
  const start = site.required(site.numberArg(0, 'start'), 0, 'start').value;
  const stop = site.required(site.numberArg(1, 'stop'), 1, 'stop').value;
  const num = site.intArg(2, 'num') ?? 50;
  const endpointArg = site.arg(3, 'endpoint');
  const endpoint = !endpointArg || !(endpointArg.kind === 'bool' && !endpointArg.value);
  if (num < 0) throw new EvaluationFailure(`Number of samples, ${num}, must be non-negative.`, 'invalid-argument', site.at, 'ValueError');
  const dtype = dtypeArg(site, 5, 'float64');
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  const step = delta / div;
  const valueAt = (i: number): number => {
    const y = endpoint && num > 1 && i === num - 1 ? stop : div > 0 ? (step === 0 ? (i / div) * delta : i * step) + start : i * delta + start;
    return dtype === 'int64' || dtype === 'int32' ? Math.floor(y) : y;
  };
  return array(site, [num], dtype, valueAt);
};

export const NUMPY_FACTORIES: ReadonlyMap<string, NumpyFactory> = new Map([
  ['numpy.zeros', constant(0)],
  ['numpy.ones', constant(1)],
  ['numpy.empty', constant(0, true)],
  ['numpy.full', full],
  ['numpy.eye', eye],
  ['numpy.arange', arange],
  ['numpy.linspace', linspace],
]);
