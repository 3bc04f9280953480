// Nested Python lists and tuples of numbers made into tensors the way `torch.tensor` and
// `np.array` do it: dtype inference over every element, sizes from the first element of each
// level, then a store that checks every level's length. Errors and their order follow PyTorch
// 1.13's tensor_new.cpp and NumPy's array constructor; they are raised only when every element is
// known (an unknown element could be anything), and the elements are stored when first read.
import { allocate, numel, type DType } from '../../core/tensor';
import { materialize, WorkBudget, type Buffer } from '../interpreter/elements';
import { bigIntOf, pythonTypeName, type Site, type TensorValue, type Value } from '../interpreter/values';
import { freshTensor, type RuleContext } from './context';
import { promoteTypes } from './dtypes';
import { messages } from './messages';

/** The most nesting levels torch.tensor reads (MAX_DIMS in PyTorch's tensor_new.cpp) and np.array makes (NPY_MAXDIMS). */
const TORCH_MAX_LEVELS = 128;
const NUMPY_MAX_DIMS = 32;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `torch.tensor(data, dtype=dtype)` / `np.array(data, dtype=dtype)`: the tensor the data
 * describes, converted to `dtype` or to the library's inferred dtype.
 */
export function tensorFromData(ctx: RuleContext, data: Value, dtype: DType | undefined, library: 'torch' | 'numpy'): TensorValue {
  const numpy = library === 'numpy' ? 'numpy' : undefined;
  if (data.kind === 'tensor') {
    const target = dtype ?? data.dtype;
    const source = data.elements;
    return freshTensor(ctx, data.shape, target, {
      library: numpy, operands: [data],
      compute: source && target ? { cost: numel(source.shape), run: (budget) => materialize(source, budget, target).data } : undefined,
    });
  }
  if (!fullyKnown(data)) {
    const sizes = library === 'torch' ? knownSizes(data) : undefined;
    return freshTensor(ctx, sizes, dtype, { library: numpy, why: firstUnknown(data) });
  }
  return library === 'torch' ? torchTensor(ctx, data, dtype) : numpyArray(ctx, data, dtype);
}

/** Whether every element of nested lists and tuples is a known Python number or a tensor of known shape. */
function fullyKnown(v: Value): boolean {
  switch (v.kind) {
    case 'list':
    case 'tuple': return v.items.every(fullyKnown);
    case 'int': return bigIntOf(v) !== undefined;
    case 'float':
    case 'bool': return v.value !== undefined;
    case 'tensor': return v.shape !== undefined && v.dtype !== undefined && v.shape.every((d) => typeof d === 'number');
    case 'unknown': return false;
    case 'str': return v.value !== undefined;
    default: return true;
  }
}

/** Why the first element that is not known is not. */
function firstUnknown(v: Value): TensorValue['why'] {
  if (v.kind === 'list' || v.kind === 'tuple') {
    for (const item of v.items) {
      if (!fullyKnown(item)) return firstUnknown(item);
    }
    return undefined;
  }
  return v.kind === 'unknown' || v.kind === 'tensor' ? v.why : undefined;
}

/** The sizes PyTorch reads off the first element of each level, when those are known sequences. */
function knownSizes(data: Value): number[] | undefined {
  const sizes: number[] = [];
  for (let v: Value | undefined = data; v; v = v.kind === 'list' || v.kind === 'tuple' ? v.items[0] : undefined) {
    if (v.kind === 'unknown') return undefined;
    if (v.kind !== 'list' && v.kind !== 'tuple') break;
    sizes.push(v.items.length);
  }
  return sizes;
}

function torchTensor(ctx: RuleContext, data: Value, dtype: DType | undefined): TensorValue {
  const scalarType = dtype ?? inferTorchDType(data, ctx.defaultDtype);
  const sizes = torchSizes(data);
  const n = numel(sizes);
  if (n > ctx.maxElements) return freshTensor(ctx, sizes, scalarType, { compute: { cost: n, run: () => allocate(scalarType, 0) } });
  // PyTorch stores (and so checks) nothing when the sizes hold no element.
  if (n > 0) checkTorchStore(data, sizes, scalarType);
  const operands = tensorsIn(data);
  return freshTensor(ctx, sizes, scalarType, {
    operands,
    compute: literalStore(n, operands.length === 0, (budget) => storeTorch(data, sizes, scalarType, budget)),
  });
}

/** A literal this small and free of tensors is stored at once. Deferred, its store would keep the
 *  literal's whole Value tree (items, item sites) alive as long as the tensor: on the 5,000-line
 *  bench that survival cost the analysis more in garbage collection than storing every literal. */
const STORE_AT_ONCE = 4096;

function literalStore(n: number, scalarsOnly: boolean, store: (budget: WorkBudget) => Buffer): { cost: number; run: (budget: WorkBudget) => Buffer } {
  if (!scalarsOnly || n > STORE_AT_ONCE) return { cost: n, run: store };
  // Scalars need no budget (only nested tensors are materialized); the cost is charged on first read as before.
  const buffer = store(new WorkBudget(0));
  return { cost: n, run: () => buffer };
}

/** Where an item of a literal is written: its own site, or the literal's record of it. */
function itemSite(parent: Value, index: number): Site | undefined {
  if (parent.kind !== 'list' && parent.kind !== 'tuple') return undefined;
  const item = parent.items[index];
  return (item && 'at' in item ? item.at : undefined) ?? parent.itemSites?.[index];
}

function siteOf(v: Value): Site | undefined {
  return 'at' in v ? v.at : undefined;
}

/** PyTorch's infer_scalar_type: every element's type, promoted; empty lists give the default dtype. */
function inferTorchDType(v: Value, defaultDtype: DType, at = siteOf(v)): DType {
  switch (v.kind) {
    case 'float': return defaultDtype;
    case 'int': return 'int64';
    case 'bool': return 'bool';
    case 'tensor': return v.dtype as DType;
    case 'str': throw messages.invalidDataType('str', at);
    case 'list':
    case 'tuple': {
      let dtype: DType | undefined;
      v.items.forEach((item, i) => {
        const t = inferTorchDType(item, defaultDtype, itemSite(v, i));
        dtype = dtype ? promoteTypes(dtype, t) : t;
      });
      return dtype ?? defaultDtype;
    }
    default:
      throw messages.cannotInferDtype(pythonTypeName(v), at);
  }
}

/** PyTorch's compute_sizes: the lengths along the first element of every level (a tensor there counts as a scalar). */
function torchSizes(data: Value): number[] {
  const sizes: number[] = [];
  for (let v: Value | undefined = data; v; ) {
    // A string is a sequence of strings: PyTorch descends until it runs out of dimensions.
    if (v.kind === 'str') throw messages.tooManyDimensions('str', siteOf(v));
    if (v.kind !== 'list' && v.kind !== 'tuple') break;
    sizes.push(v.items.length);
    if (sizes.length > TORCH_MAX_LEVELS) throw messages.tooManyDimensions(v.kind, v.at);
    v = v.items[0];
  }
  return sizes;
}

/** The checks PyTorch's store makes, in its order: each level's length, then each scalar. */
function checkTorchStore(v: Value, sizes: readonly number[], dtype: DType, dim = 0, at = siteOf(v)): void {
  if (dim === sizes.length) {
    checkScalar(v, dtype, at);
    return;
  }
  if (v.kind === 'tensor') {
    if (v.shape?.[0] !== sizes[dim]) throw messages.raggedSequence(sizes[dim] ?? 0, dim, Number(v.shape?.[0] ?? 0));
    return;
  }
  if (v.kind !== 'list' && v.kind !== 'tuple') throw messages.notASequence(at);
  const expected = sizes[dim] ?? 0;
  if (v.items.length !== expected) throw messages.raggedSequence(expected, dim, v.items.length, at);
  v.items.forEach((item, i) => checkTorchStore(item, sizes, dtype, dim + 1, itemSite(v, i)));
}

/** One Python scalar stored as `dtype`: PyTorch's unpacking errors. */
function checkScalar(v: Value, dtype: DType, at: Site | undefined): void {
  const integral = dtype === 'int64' || dtype === 'int32' || dtype === 'bool';
  if (v.kind === 'tensor') {
    if (numel(v.shape as number[]) !== 1) throw messages.onlyOneElementTensors(at);
    if ((dtype === 'int64' || dtype === 'int32') && (v.dtype === 'float32' || v.dtype === 'float64')) throw messages.onlyIntegerTensorsToIndex(at);
    return;
  }
  if (v.kind !== 'int' && v.kind !== 'float' && v.kind !== 'bool') {
    if (integral) throw messages.notAnIntegerElement(pythonTypeName(v), at);
    throw messages.notARealNumber(pythonTypeName(v), at);
  }
  if (v.kind === 'int' && (dtype === 'int64' || dtype === 'int32')) {
    const n = bigIntOf(v) as bigint;
    if (n < INT64_MIN || n > INT64_MAX) throw messages.overflowUnpackingLong(at);
  }
}

/** The elements in row-major order, converted to `dtype` (checked already). */
function storeTorch(data: Value, sizes: readonly number[], dtype: DType, budget: WorkBudget): Buffer {
  const out = allocate(dtype, numel(sizes));
  let at = 0;
  const store = (v: Value, dim: number): void => {
    if (dim === sizes.length) {
      out[at++] = scalarAs(v, dtype, budget) as never;
      return;
    }
    if (v.kind === 'tensor') {
      const rows = materialize(v.elements as NonNullable<typeof v.elements>, budget, dtype).data;
      for (const x of rows) out[at++] = x as never;
      return;
    }
    for (const item of (v as Extract<Value, { kind: 'list' | 'tuple' }>).items) store(item, dim + 1);
  };
  store(data, 0);
  return out;
}

/** A checked Python scalar (or one-element tensor) as an element of `dtype`. */
function scalarAs(v: Value, dtype: DType, budget: WorkBudget): number | bigint {
  if (v.kind === 'tensor') return materialize(v.elements as NonNullable<typeof v.elements>, budget, dtype).data[0] ?? 0;
  const big = v.kind === 'int' ? bigIntOf(v) : undefined;
  const asNumber = big !== undefined ? Number(big) : v.kind === 'bool' ? Number(v.value) : (v as { value: number }).value;
  switch (dtype) {
    case 'float32':
    case 'float64': return asNumber;
    case 'bool': return asNumber !== 0 ? 1 : 0;
    case 'int64':
    case 'int32': {
      const n = big ?? BigInt(Math.trunc(asNumber));
      return dtype === 'int64' ? n : Number(BigInt.asIntN(32, n));
    }
  }
}

/** The tensors nested in the data: the result's values come from theirs. */
function tensorsIn(v: Value, found: TensorValue[] = []): TensorValue[] {
  if (v.kind === 'tensor') found.push(v);
  else if (v.kind === 'list' || v.kind === 'tuple') for (const item of v.items) tensorsIn(item, found);
  return found;
}

// ---------------------------------------------------------------------------------------------
// NumPy

function numpyArray(ctx: RuleContext, data: Value, dtype: DType | undefined): TensorValue {
  const sizes = numpySizes(data);
  const scalarType = dtype ?? inferNumpyDType(data);
  const n = numel(sizes);
  if (n <= ctx.maxElements) forEachScalar(data, (v, at) => checkScalar(v, scalarType, at));
  return freshTensor(ctx, sizes, scalarType, {
    library: 'numpy',
    compute: literalStore(n, n <= ctx.maxElements && tensorsIn(data).length === 0, (budget) => {
      const out = allocate(scalarType, n);
      let at = 0;
      forEachScalar(data, (v) => {
        out[at++] = scalarAs(v, scalarType, budget) as never;
      });
      return out;
    }),
  });
}

function forEachScalar(v: Value, visit: (scalar: Value, at: Site | undefined) => void, at = siteOf(v)): void {
  if (v.kind === 'list' || v.kind === 'tuple') v.items.forEach((item, i) => forEachScalar(item, visit, itemSite(v, i)));
  else visit(v, at);
}

/** Level by level, every sequence at a level must have the same length and nothing else may sit there. */
function numpySizes(data: Value): number[] {
  const sizes: number[] = [];
  let level: Value[] = [data];
  for (;;) {
    // NumPy's dimension discovery: a level of sequences all of one length is a dimension; a level of scalars ends it.
    let length = -1;
    for (const v of level) {
      if (v.kind === 'list' || v.kind === 'tuple') {
        length = v.items.length;
        break;
      }
    }
    if (length < 0) return sizes;
    const next: Value[] = [];
    for (const v of level) {
      if ((v.kind !== 'list' && v.kind !== 'tuple') || v.items.length !== length) throw messages.numpyInhomogeneous(sizes, siteOf(v));
      for (const item of v.items) next.push(item);
    }
    if (sizes.length === NUMPY_MAX_DIMS) throw messages.numpyTooManyDimensions(NUMPY_MAX_DIMS, siteOf(data));
    sizes.push(length);
    level = next;
  }
}

function inferNumpyDType(v: Value, at = siteOf(v)): DType {
  switch (v.kind) {
    case 'float': return 'float64';
    case 'int': return 'int64';
    case 'bool': return 'bool';
    case 'list':
    case 'tuple': {
      let dtype: DType | undefined;
      v.items.forEach((item, i) => {
        const t = inferNumpyDType(item, itemSite(v, i));
        dtype = dtype ? promoteTypes(dtype, t) : t;
      });
      return dtype ?? 'float64';
    }
    default:
      // NumPy would make a string or object array, which no convolution takes.
      throw messages.numpyNotANumber(pythonTypeName(v), at);
  }
}
