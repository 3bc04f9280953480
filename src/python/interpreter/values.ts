// The one value domain of Conv Lab's Python interpreter: what is known of a Python value without
// running it. A tensor carries its dtype, a shape whose sizes are numbers or symbols, and, when
// statically known and small enough, its values (computed on first use, see tensorData.ts); when
// the values are not known, `why` says why. Ints keep their value (exactly, beyond 2^53 too),
// since sizes flow through them; modules keep what their forward needs. A value that cannot be
// known is `unknown`, with the reason when there is one to tell.
import type { SyntaxNode } from '@lezer/common';
import type { OpArgs, OpName, PaddingMode } from '../../core/vocabulary';
import type { DType } from '../../core/tensor';
import { symbol, type Dim } from './dim';
import type { Site } from './site';
import type { Storage, Elements, Layout } from './elements';

export type { Site } from './site';

/** The Python exceptions the interpreter reports with Python's or PyTorch's own message. */
export type PythonErrorKind = 'RuntimeError' | 'ValueError' | 'TypeError' | 'IndexError' | 'NotImplementedError' | 'NameError' | 'UnboundLocalError' | 'ZeroDivisionError';

/**
 * Why a value (or a tensor's values) is not known. `kind` is the exception Python would raise
 * with this message; without it the reason is Conv Lab's own (not static, too large).
 * `message` may be left out for `not-static`: it is then built from the text at `site`.
 */
export interface Why {
  readonly code: string;
  readonly message?: string | undefined;
  readonly kind?: PythonErrorKind | undefined;
  readonly site?: Site | undefined;
  /** The site whose line the message's `{line}` stands for (a line number in a message would go stale after an edit above it). */
  readonly lineOf?: Site | undefined;
}

/** Random or uninitialised values (`torch.rand`, `torch.empty`, a new layer's weight): only shape and dtype are real. */
export const PLACEHOLDER: Why = { code: 'placeholder', message: 'its values are random or uninitialised' };

export interface TensorValue {
  readonly kind: 'tensor';
  /** Undefined: a tensor of unknown rank. */
  readonly shape: readonly Dim[] | undefined;
  /** Undefined: not known. */
  readonly dtype?: DType | undefined;
  /** A NumPy array (its defaults and wording differ); torch tensors leave it out. */
  readonly library?: 'numpy' | undefined;
  /** The elements, when statically known. */
  readonly elements?: Elements | undefined;
  /**
   * Without elements: the strides of a view (permute, transpose, expand, narrow) whose sizes are
   * known, so a `view` PyTorch refuses is refused here too. Absent: taken to be contiguous, which
   * can only miss that error (an elementwise op keeps its input's strides in PyTorch; not followed).
   */
  readonly layout?: Layout | undefined;
  /** Why the values are not known, when that was worked out. */
  readonly why?: Why | undefined;
  /**
   * A parameter: `created` by `nn.Parameter(...)` (what a module's parameter count counts), or
   * `read` from a layer (`fc.weight`; assigned to another module, a tied weight).
   */
  readonly parameter?: 'created' | 'read' | undefined;
  /** PyTorch's `requires_grad`, when known (a few kernels, the 1-D max pool's, are chosen by it). */
  readonly requiresGrad?: boolean | undefined;
  /** The conv layer whose output this is (through shape-preserving ops), for quick fixes. */
  readonly origin?: TensorOrigin | undefined;
  /** The op this is the direct result of (a layer call, d2l's corr2d), for the panel. */
  readonly op?: ProducingOp | undefined;
}

export interface TensorOrigin {
  readonly layer: Layer;
  readonly input: readonly Dim[] | undefined;
}

/** The op a tensor came from: its operands (values known or not) and PyTorch's `grad_fn`. */
export interface ProducingOp {
  readonly op: OpName;
  readonly args: OpArgs;
  readonly input: TensorValue;
  readonly weight: TensorValue;
  readonly bias?: TensorValue | undefined;
  readonly gradFn?: string | undefined;
  /** The storage of the result, so a view of it is not taken for the result itself. */
  readonly output: Storage | undefined;
}

export interface IntValue {
  readonly kind: 'int';
  /** A number (a safe integer) or a symbolic size; undefined when unknown or beyond 2^53. */
  readonly value: Dim | undefined;
  /** The exact value of a known int beyond 2^53 in magnitude. */
  readonly exact?: bigint | undefined;
  readonly at?: Site | undefined;
}

export interface SequenceValue {
  readonly kind: 'list' | 'tuple';
  readonly items: Value[];
  /** A tensor's shape: a tuple that prints as `torch.Size([2, 2])`. */
  readonly torchSize?: boolean | undefined;
  readonly at?: Site | undefined;
  /** Where each item of a literal is written (errors about an item point at it). */
  readonly itemSites?: readonly (Site | undefined)[] | undefined;
}

export type Value =
  | TensorValue
  | IntValue
  | { readonly kind: 'float'; readonly value: number | undefined; readonly at?: Site | undefined }
  | { readonly kind: 'bool'; readonly value: boolean | undefined; readonly at?: Site | undefined }
  | { readonly kind: 'str'; readonly value: string | undefined; readonly at?: Site | undefined }
  | { readonly kind: 'none'; readonly at?: Site | undefined }
  | SequenceValue
  /** `argparse`: an ArgumentParser (its arguments kept by rules/argparse.ts) or the namespace parse_args gives. */
  | { readonly kind: 'dict'; readonly entries: Map<DictKey, Value>; readonly argparse?: 'parser' | 'namespace' | undefined }
  /** A dtype object: `torch.float64`, NumPy's `dtype('float64')`. */
  | { readonly kind: 'dtype'; readonly dtype: DType; readonly library: 'torch' | 'numpy' }
  /** A library object by dotted path: `torch`, `torch.nn.Conv2d`, `len`. */
  | { readonly kind: 'path'; readonly path: string }
  /** A library method bound to its receiver: `x.view`, `layers.append`. */
  | { readonly kind: 'method'; readonly self: Value; readonly name: string }
  | { readonly kind: 'layer'; readonly layer: Layer }
  | FunctionValue
  | ClassValue
  | InstanceValue
  | ModuleValue
  /**
   * `name`: a parameter of a function analysed without a call, whose size it stands for
   * (`cout`); `why`: why it is not known, when that can be told.
   */
  | { readonly kind: 'unknown'; readonly name?: string | undefined; readonly why?: Why | undefined };

/**
 * The project module a function or class was defined in (opaque here: the interpreter's loaded
 * module); undefined for the file analysed itself.
 */
export type ModuleRef = { readonly index: number } | undefined;

export interface FunctionValue {
  readonly kind: 'function';
  readonly node: SyntaxNode;
  readonly name: string;
  readonly closure: Frame;
  readonly module: ModuleRef;
  /** The instance a method is bound to. */
  readonly self?: InstanceValue | undefined;
  /** The class a classmethod is bound to: its first argument. */
  readonly boundClass?: ClassValue | undefined;
}

export interface ClassValue {
  readonly kind: 'class';
  readonly node: SyntaxNode;
  readonly name: string;
  readonly module: ModuleRef;
  readonly methods: Map<string, Value>;
  readonly bases: readonly Value[];
}

/** A module of the user's project, as `import models` binds it: its names, and the submodules imported so far. */
export interface ModuleValue {
  readonly kind: 'module';
  /** Python's dotted name (`models.resnet`). */
  readonly name: string;
  /** Its global names (empty for a namespace package). */
  readonly frame: Frame;
  readonly submodules: Map<string, ModuleValue>;
  readonly ref: ModuleRef;
}

/** An object of a user class, usually an `nn.Module`: its attributes as `__init__` set them. */
export interface InstanceValue {
  readonly kind: 'instance';
  readonly cls: ClassValue;
  readonly attributes: Map<string, Value>;
}

// ---------------------------------------------------------------------------------------------
// torch.nn layers: what the constructor was given (validated with its own errors), what forward needs.

export interface ConvLayer {
  readonly type: 'conv';
  /** `Conv2d`, `ConvTranspose1d`, `LazyConv3d`. */
  readonly name: string;
  readonly op: OpName;
  readonly transposed: boolean;
  readonly spatialDims: number;
  /** Undefined for a Lazy layer until its first call sets it; symbolic in a function analysed without a call. */
  inChannels: Dim | undefined;
  readonly outChannels: Dim;
  readonly kernelSize: readonly number[];
  /** Every op argument, per dim (what the geometry reads). */
  readonly args: OpArgs;
  /** The op arguments the constructor was given, as given (`stride=2` stays 2): what the panel and the argument prompt show. */
  readonly written: OpArgs;
  readonly bias: boolean;
  /** Set by `layer.weight = ...` / `layer.weight.data = K`: PyTorch computes with this tensor. */
  weight: TensorValue | undefined;
  /** Set by `layer.bias.data = b`. */
  biasValue: TensorValue | undefined;
}

export type Layer =
  | ConvLayer
  | { readonly type: 'linear'; inFeatures: Dim | undefined; readonly outFeatures: Dim; readonly bias: boolean; weight: TensorValue | undefined }
  /** `returnIndices`: the call gives `(output, indices)` (max pools). */
  | { readonly type: 'pool'; readonly name: string; readonly max: boolean; readonly spatialDims: number; readonly kernel: readonly number[]; readonly stride: readonly number[]; readonly padding: readonly number[]; readonly dilation: readonly number[]; readonly ceilMode: boolean; readonly returnIndices: boolean }
  /** nn.MaxUnpool1d/2d/3d: a max pool's inverse, given the pool's indices. */
  | { readonly type: 'unpool'; readonly spatialDims: number; readonly kernel: readonly number[]; readonly stride: readonly number[]; readonly padding: readonly number[] }
  | { readonly type: 'adaptivePool'; readonly spatialDims: number; readonly outputSize: readonly (number | undefined)[]; readonly returnIndices: boolean }
  /** nn.RNN / nn.LSTM / nn.GRU: `hiddenSize` per direction; `projSize` 0 without an LSTM projection. */
  | {
    readonly type: 'recurrent'; readonly mode: 'RNN' | 'LSTM' | 'GRU'; readonly inputSize: Dim; readonly hiddenSize: Dim;
    readonly numLayers: number; readonly batchFirst: boolean; readonly bidirectional: boolean; readonly projSize: number;
    /** Undefined when not known (only the parameter count needs it). */
    readonly bias: boolean | undefined;
  }
  | { readonly type: 'flatten'; readonly startDim: number; readonly endDim: number }
  | { readonly type: 'unflatten'; readonly dim: number; readonly sizes: readonly Dim[] }
  /** `parameters`: how many its constructor gives it (its affine weight and bias), when known. */
  | { readonly type: 'batchNorm'; readonly spatialDims: number; readonly numFeatures: Dim; readonly parameters: number | undefined }
  | { readonly type: 'layerNorm'; readonly normalizedShape: readonly number[]; readonly parameters: number | undefined }
  /**
   * Activations, dropout, identity, GroupNorm, InstanceNorm: output shape = input shape.
   * `instanceNormDims`: an InstanceNorm that computes its statistics from the input, which then needs more than one spatial element.
   */
  | { readonly type: 'elementwise'; readonly name: string; readonly instanceNormDims?: number | undefined; readonly parameters: number | undefined }
  | { readonly type: 'upsample'; readonly size: readonly number[] | undefined; readonly scale: readonly number[] | undefined }
  | { readonly type: 'pixelShuffle'; readonly factor: number; readonly inverse: boolean }
  | { readonly type: 'embedding'; readonly embeddingDim: Dim; readonly parameters: number | undefined }
  /** MSELoss, CrossEntropyLoss...: `functional` names the F.* form. */
  | { readonly type: 'loss'; readonly functional: string; readonly reduction: string | undefined }
  /** ZeroPad2d, ReflectionPad1d...: F.pad's pads, last dim first, and its mode (undefined: constant). */
  | { readonly type: 'pad'; readonly pads: readonly number[]; readonly mode?: PaddingMode | undefined }
  /** Sequential, ModuleList, ModuleDict: children are layers, user modules or unknown. */
  | { readonly type: 'container'; readonly name: 'Sequential' | 'ModuleList' | 'ModuleDict'; readonly children: Value[]; readonly keys: (string | undefined)[] };

// ---------------------------------------------------------------------------------------------
// Names.

/**
 * The names one scope sees, falling back to the enclosing one (closures see enclosing functions,
 * a branch its function's). A function's own frame lists the names its body assigns: reading
 * one of them before it is bound is Python's UnboundLocalError, not the enclosing scope's name.
 */
export class Frame {
  constructor(
    readonly parent: Frame | undefined,
    readonly names: Map<string, Value> = new Map(),
    readonly locals?: ReadonlySet<string>,
  ) {}

  /** The value, or UNBOUND for a local read before it is bound, or undefined when no scope binds it. */
  lookup(name: string): Value | typeof UNBOUND | undefined {
    const own = this.names.get(name);
    if (own) return own;
    if (this.locals?.has(name)) return UNBOUND;
    return this.parent?.lookup(name);
  }
}

/** A function's local name read before it is bound. */
export const UNBOUND = Symbol('unbound');

// ---------------------------------------------------------------------------------------------
// Constructors and readers.

/** A dict's key: a str, or a number (an int, a bool as its int, a float that is not integral). */
export type DictKey = string | number;

/** `v` as a dict key, or undefined when Conv Lab does not key dicts by it (1.0 would be the key 1 but print as 1.0). */
export function dictKeyOf(v: Value | undefined): DictKey | undefined {
  if (v?.kind === 'str') return v.value;
  if (v?.kind === 'int') return typeof v.value === 'number' ? v.value : undefined;
  if (v?.kind === 'bool') return v.value === undefined ? undefined : Number(v.value);
  if (v?.kind === 'float') return v.value !== undefined && Number.isFinite(v.value) && !Number.isInteger(v.value) ? v.value : undefined;
  return undefined;
}

/** A dict key as the value it was. */
export function keyValue(key: DictKey): Value {
  if (typeof key === 'string') return { kind: 'str', value: key };
  return Number.isInteger(key) ? { kind: 'int', value: key } : { kind: 'float', value: key };
}

export const UNKNOWN: Value = { kind: 'unknown' };
export const NONE: Value = { kind: 'none' };

export function unknownBecause(why: Why | undefined): Value {
  return why ? { kind: 'unknown', why } : UNKNOWN;
}

export function tensorOf(shape: readonly Dim[] | undefined, dtype?: DType, why?: Why): TensorValue {
  return { kind: 'tensor', shape, dtype, why };
}

export function intOf(value: Dim | undefined): IntValue {
  return { kind: 'int', value };
}

/** A Python int, exactly: past 2^53 it keeps the bigint and no size. */
export function exactInt(value: bigint, at?: Site): IntValue {
  if (value >= -MAX_SAFE && value <= MAX_SAFE) return { kind: 'int', value: Number(value), at };
  return { kind: 'int', value: undefined, exact: value, at };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function tupleOf(items: Value[]): Value {
  return { kind: 'tuple', items };
}

/** A known int as a bigint (bools count, as Python's ints). */
export function bigIntOf(v: Value | undefined): bigint | undefined {
  if (v?.kind === 'int') return v.exact ?? (typeof v.value === 'number' ? BigInt(v.value) : undefined);
  if (v?.kind === 'bool' && v.value !== undefined) return v.value ? 1n : 0n;
  return undefined;
}

/** A flag argument: `fallback` when not given, undefined when given but not known. */
export function knownFlag(v: Value | undefined, fallback: boolean): boolean | undefined {
  if (v === undefined) return fallback;
  // A symbolic int is some size: its truth is not known.
  if (v.kind === 'int') return typeof v.value === 'number' ? v.value !== 0 : undefined;
  return v.kind === 'bool' ? v.value : undefined;
}

/** A known int (or bool, which Python treats as one) within 2^53. */
export function knownInt(v: Value | undefined): number | undefined {
  if (v?.kind === 'int' && typeof v.value === 'number') return v.value;
  if (v?.kind === 'bool' && v.value !== undefined) return v.value ? 1 : 0;
  return undefined;
}

/** An int whose value may be symbolic. */
export function sizeOf(v: Value | undefined): Dim | undefined {
  if (v?.kind === 'int') return v.value;
  if (v?.kind === 'unknown' && v.name !== undefined) return symbol(v.name);
  if (v?.kind === 'bool' && v.value !== undefined) return v.value ? 1 : 0;
  return undefined;
}

/** A known Python number. */
export function knownNumber(v: Value | undefined): number | undefined {
  if (v?.kind === 'float') return v.value;
  if (v?.kind === 'int' && v.exact !== undefined) return Number(v.exact);
  return knownInt(v);
}

/** A list or tuple's items, or undefined for anything else. */
export function itemsOf(v: Value | undefined): Value[] | undefined {
  return v?.kind === 'list' || v?.kind === 'tuple' ? v.items : undefined;
}

/** An int or a sequence of ints (sizes given as `3` or `(3, 3)`), each possibly unknown. */
export function sizesOf(v: Value | undefined): (Dim | undefined)[] | undefined {
  const items = itemsOf(v);
  if (items) return items.map(sizeOf);
  if (v?.kind === 'int' || v?.kind === 'bool') return [sizeOf(v)];
  return undefined;
}

/** Python's name for a value's type, as its error messages print it. */
export function pythonTypeName(v: Value): string {
  switch (v.kind) {
    case 'none': return 'NoneType';
    case 'dtype': return v.library === 'torch' ? 'torch.dtype' : 'type';
    case 'path': return 'type';
    case 'tensor': return v.library === 'numpy' ? 'numpy.ndarray' : 'Tensor';
    case 'method': return 'builtin_function_or_method';
    case 'layer': return v.layer.type === 'conv' ? v.layer.name.replace(/^Lazy/, '') : 'Module';
    case 'instance': return v.cls.name;
    case 'class': return 'type';
    case 'module': return 'module';
    case 'unknown': return 'object';
    default: return v.kind;
  }
}

/** Why a value is not known, or its values are not: a tensor's `why`, an unknown's. */
export function whyOf(v: Value): Why | undefined {
  return v.kind === 'tensor' || v.kind === 'unknown' ? v.why : undefined;
}
