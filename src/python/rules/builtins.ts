// Python's builtins (`len`, `range`, `list`, `zip`, `min`...) and the `math` module on the
// interpreter's values: exact where the values are known, sizes kept symbolic where they are not,
// with CPython's errors for what CPython refuses.
import { addDims, isKnown, productOfDims, type Dim } from '../interpreter/dim';
import {
  bigIntOf, dictKeyOf, exactInt, intOf, itemsOf, keyValue, knownNumber, NONE, pythonTypeName, sizeOf, tupleOf, UNKNOWN, type DictKey, type Value,
} from '../interpreter/values';
import type { Call, RuleContext } from './context';
import { messages } from './messages';
import { narrow } from './views';

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';

/** Library constants: `math.pi` and friends, and the `string` module's alphabets (char-level models size their one-hot inputs by them). */
export const CONSTANTS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['math.pi', { kind: 'float', value: Math.PI }], ['math.e', { kind: 'float', value: Math.E }], ['math.tau', { kind: 'float', value: 2 * Math.PI }],
  ['math.inf', { kind: 'float', value: Infinity }], ['torch.pi', { kind: 'float', value: Math.PI }], ['numpy.pi', { kind: 'float', value: Math.PI }],
  ['string.ascii_lowercase', { kind: 'str', value: LOWERCASE }], ['string.ascii_uppercase', { kind: 'str', value: LOWERCASE.toUpperCase() }],
  ['string.ascii_letters', { kind: 'str', value: LOWERCASE + LOWERCASE.toUpperCase() }], ['string.digits', { kind: 'str', value: '0123456789' }],
  ['string.punctuation', { kind: 'str', value: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~' }],
]);

/** What names a file uses without binding them mean: Python's builtins, and the imports notebooks and snippets assume. */
export const DEFAULT_NAMES: ReadonlyMap<string, string> = new Map([
  ['torch', 'torch'], ['np', 'numpy'], ['numpy', 'numpy'], ['nn', 'torch.nn'], ['F', 'torch.nn.functional'],
  ...['enumerate', 'zip', 'print', 'isinstance', 'min', 'max', 'sum', 'abs', 'round', 'reversed', 'dict', 'str', 'hasattr', 'float', 'int', 'bool', 'range', 'len', 'list', 'tuple', 'next', 'iter', 'getattr'].map((b) => [b, b] as const),
]);

/** Why `module.parameters()` is not a known sequence; `next()` of it is still a tensor. */
export const MODULE_PARAMETERS = { code: 'module-parameters', message: "cannot evaluate a module's parameters statically" } as const;

/** Longest `range` made into a list of values (each an object, unlike a tensor's elements). */
const MAX_RANGE = 100_000;

/** The items a `for` loop over `v` sees, when their count is known (a tensor's rows are views of it). */
export function iterate(ctx: RuleContext, v: Value): Value[] | undefined {
  if (v.kind === 'list' || v.kind === 'tuple') return v.items;
  if (v.kind === 'dict') return [...v.entries.keys()].map(keyValue);
  if (v.kind === 'layer' && v.layer.type === 'container') return v.layer.children;
  if (v.kind === 'tensor' && v.shape && v.shape.length > 0 && isKnown(v.shape[0] as Dim) && (v.shape[0] as number) <= 4096) {
    const rows = v.shape[0] as number;
    return Array.from({ length: rows }, (_, i) => narrow(ctx, v, 0, i, 1, false));
  }
  return undefined;
}

/** `builtin(...)`, or undefined when it is not one Conv Lab knows. */
export function callBuiltin(call: Call, path: string): Value | undefined {
  const p = call.positional;
  const first = p[0];
  switch (path) {
    case 'len':
      return len(call, first);
    case 'iter':
      return first?.kind === 'list' || first?.kind === 'tuple' || first?.kind === 'unknown' ? first : UNKNOWN;
    case 'next':
      // `next(iter(seq))` is its first item; `next(model.parameters())` a parameter: a tensor of sizes not known.
      if (first?.kind === 'list' || first?.kind === 'tuple') return first.items[0] ?? p[1] ?? UNKNOWN;
      return first?.kind === 'unknown' && first.why?.code === MODULE_PARAMETERS.code ? { kind: 'tensor', shape: undefined } : UNKNOWN;
    case 'int': {
      if (first === undefined) return intOf(0);
      if (first.kind === 'int') return first;
      if (first.kind === 'bool') return intOf(first.value === undefined ? undefined : Number(first.value));
      const n = knownNumber(first);
      return n === undefined || !Number.isFinite(n) ? intOf(undefined) : exactInt(BigInt(Math.trunc(n)));
    }
    case 'float':
      return { kind: 'float', value: first === undefined ? 0 : knownNumber(first) };
    case 'bool':
      return { kind: 'bool', value: undefined };
    case 'str':
      return { kind: 'str', value: first?.kind === 'str' ? first.value : undefined };
    case 'list':
    case 'tuple': {
      const items = first === undefined ? [] : iterate(call.ctx, first);
      return items ? { kind: path, items: [...items] } : UNKNOWN;
    }
    case 'range':
      return range(call);
    case 'enumerate': {
      const items = first ? iterate(call.ctx, first) : undefined;
      const start = bigIntOf(p[1] ?? call.keywords.get('start')) ?? 0n;
      return items ? { kind: 'list', items: items.map((v, i) => tupleOf([exactInt(start + BigInt(i)), v])) } : UNKNOWN;
    }
    case 'zip': {
      const lists = p.map((v) => iterate(call.ctx, v));
      if (lists.some((l) => l === undefined) || lists.length === 0) return UNKNOWN;
      const known = lists as Value[][];
      const n = Math.min(...known.map((l) => l.length));
      return { kind: 'list', items: Array.from({ length: n }, (_, i) => tupleOf(known.map((l) => l[i] as Value))) };
    }
    case 'reversed': {
      const items = first ? iterate(call.ctx, first) : undefined;
      return items ? { kind: 'list', items: [...items].reverse() } : UNKNOWN;
    }
    case 'min':
    case 'max':
    case 'sum':
    case 'abs':
    case 'round':
    case 'math.floor':
    case 'math.ceil':
    case 'math.sqrt':
    case 'math.prod':
    case 'math.log':
    case 'math.exp':
    case 'math.gcd':
      return numericBuiltin(path, p);
    case 'print':
      return NONE;
    case 'isinstance':
    case 'hasattr':
      return { kind: 'bool', value: undefined };
    case 'collections.OrderedDict':
    case 'dict':
      return dict(first);
  }
  return undefined;
}

/** `len(x)` of a list, tuple, dict, container module or tensor. */
function len(call: Call, v: Value | undefined): Value {
  if (!v) throw messages.missingPositional('len', ['obj'], call.ctx.site);
  switch (v.kind) {
    case 'tensor':
      if (v.shape?.length === 0) throw messages.lenZeroDim(v.library === 'numpy', call.argSite(0, 'obj'));
      return intOf(v.shape ? v.shape[0] : undefined);
    case 'list':
    case 'tuple': return intOf(v.items.length);
    case 'dict': return intOf(v.entries.size);
    case 'str': return intOf(v.value?.length);
    case 'layer': return intOf(v.layer.type === 'container' ? v.layer.children.length : undefined);
    case 'int':
    case 'float':
    case 'bool':
    case 'none':
      throw messages.noLen(pythonTypeName(v), call.argSite(0, 'obj'));
    default: return intOf(undefined);
  }
}

/** Python's `range`, as the list of ints it iterates over (what `torch.tensor(range(n))` reads). */
function range(call: Call): Value {
  if (call.positional.length === 0) throw messages.rangeNoArguments(call.ctx.site);
  const small = smallRange(call.positional);
  if (small) return small;
  const ints = call.positional.map((v, i) => {
    if (v.kind === 'int' || v.kind === 'bool') return bigIntOf(v);
    if (v.kind === 'unknown' || v.kind === 'tensor') return undefined;
    throw messages.notAnInteger(pythonTypeName(v), call.argSite(i, ''));
  });
  if (ints.some((n) => n === undefined)) return UNKNOWN;
  const known = ints as bigint[];
  const [start, stop, step] = known.length === 1 ? [0n, known[0] ?? 0n, 1n] : [known[0] ?? 0n, known[1] ?? 0n, known[2] ?? 1n];
  if (step === 0n) throw messages.rangeZeroStep(call.ctx.site);
  const span = step > 0n ? stop - start : start - stop;
  const magnitude = step > 0n ? step : -step;
  const length = span <= 0n ? 0 : Number((span + magnitude - 1n) / magnitude);
  if (length > MAX_RANGE) {
    return { kind: 'unknown', why: { code: 'too-many-elements', message: `range of ${length.toLocaleString('en-US')} numbers is too long to evaluate statically (at most ${MAX_RANGE.toLocaleString('en-US')})`, site: call.ctx.site } };
  }
  // Within 2^53 the items are plain numbers (most ranges): no bigint per item.
  const [first, by] = [Number(start), Number(step)];
  const safe = Math.abs(first) + Math.abs(by) * length <= Number.MAX_SAFE_INTEGER;
  return { kind: 'list', items: Array.from({ length }, (_, i) => (safe ? intOf(first + i * by) : exactInt(start + BigInt(i) * step))) };
}

/** `range(2)`, `range(1, n, 2)` of plain ints (most loops): the list without bigint arithmetic; undefined otherwise. */
function smallRange(args: readonly Value[]): Value | undefined {
  const ints: number[] = [];
  for (const v of args) {
    if (v.kind !== 'int' || typeof v.value !== 'number' || Math.abs(v.value) > MAX_RANGE) return undefined;
    ints.push(v.value);
  }
  const [start, stop, step] = ints.length === 1 ? [0, ints[0] as number, 1] : [ints[0] as number, ints[1] as number, ints[2] ?? 1];
  if (step === 0 || ints.length > 3) return undefined;
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > MAX_RANGE) return undefined;
  const items: Value[] = new Array<Value>(length);
  for (let i = 0; i < length; i++) items[i] = intOf(start + i * step);
  return { kind: 'list', items };
}

function dict(first: Value | undefined): Value {
  if (first === undefined) return { kind: 'dict', entries: new Map() };
  if (first.kind === 'dict') return { kind: 'dict', entries: new Map(first.entries) };
  const items = itemsOf(first);
  if (!items) return UNKNOWN;
  const entries = new Map<DictKey, Value>();
  for (const item of items) {
    const pair = itemsOf(item);
    const key = dictKeyOf(pair?.[0]);
    if (!pair || pair.length !== 2 || key === undefined) return UNKNOWN;
    entries.set(key, pair[1] as Value);
  }
  return { kind: 'dict', entries };
}

function numericBuiltin(path: string, p: readonly Value[]): Value {
  const list = p.length === 1 && itemsOf(p[0]) ? (itemsOf(p[0]) as Value[]) : [...p];
  if ((path === 'sum' || path === 'math.prod') && list.every((v) => v.kind === 'int')) {
    const exact = list.map(bigIntOf);
    if (exact.every((n): n is bigint => n !== undefined)) return exactInt(exact.reduce((a, b) => (path === 'sum' ? a + b : a * b), path === 'sum' ? 0n : 1n));
    const dims = list.map(sizeOf);
    if (!dims.every((d): d is Dim => d !== undefined)) return intOf(undefined);
    return intOf(path === 'sum' ? dims.reduce<Dim>((a, b) => addDims(a, b), 0) : productOfDims(dims));
  }
  const numbers = list.map(knownNumber);
  const allInts = list.every((v) => v.kind === 'int' || v.kind === 'bool');
  if (numbers.some((n) => n === undefined) || numbers.length === 0) return allInts || path.startsWith('math.f') || path === 'math.ceil' || path === 'round' ? intOf(undefined) : UNKNOWN;
  const ns = numbers as number[];
  switch (path) {
    case 'min': return allInts ? intOf(Math.min(...ns)) : { kind: 'float', value: Math.min(...ns) };
    case 'max': return allInts ? intOf(Math.max(...ns)) : { kind: 'float', value: Math.max(...ns) };
    case 'sum': return { kind: 'float', value: ns.reduce((a, b) => a + b, 0) };
    case 'abs': return allInts ? intOf(Math.abs(ns[0] as number)) : { kind: 'float', value: Math.abs(ns[0] as number) };
    case 'round': return p.length > 1 ? { kind: 'float', value: undefined } : intOf(roundHalfEven(ns[0] as number));
    case 'math.floor': return intOf(Math.floor(ns[0] as number));
    case 'math.ceil': return intOf(Math.ceil(ns[0] as number));
    // Outside their domain Python raises ValueError (OverflowError for exp): not reported, the value is not known.
    case 'math.sqrt': return { kind: 'float', value: (ns[0] as number) >= 0 ? Math.sqrt(ns[0] as number) : undefined };
    case 'math.log': return { kind: 'float', value: logarithm(ns) };
    case 'math.exp': return { kind: 'float', value: Number.isFinite(Math.exp(ns[0] as number)) ? Math.exp(ns[0] as number) : undefined };
    case 'math.gcd': return allInts ? intOf(ns.reduce((a, b) => gcd(Math.abs(a), Math.abs(b)), 0)) : UNKNOWN;
    default: return { kind: 'float', value: ns.reduce((a, b) => a * b, 1) };
  }
}

/** `math.log(x[, base])`, or undefined where Python raises (x ≤ 0, a base ≤ 0 or 1). */
function logarithm([x, base]: readonly number[]): number | undefined {
  if (x === undefined || x <= 0) return undefined;
  if (base === undefined) return Math.log(x);
  return base > 0 && base !== 1 ? Math.log(x) / Math.log(base) : undefined;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
