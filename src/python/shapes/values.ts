// The abstract values shape inference computes with: what is known of a Python value without
// running it. Tensors keep their shape (sizes possibly symbolic) and drop their data; ints keep
// their value when it is known, since sizes flow through them (`nz = 100; torch.randn(b, nz, 1, 1)`);
// modules keep what their forward needs.
import type { SyntaxNode } from '@lezer/common';
import type { DType } from '../../core/tensor';
import { symbol, type Dim } from './dim';
import type { Layer } from './layers';

export type Value =
  /**
   * `shape` undefined: a tensor of unknown rank. `origin`: the conv layer whose output this is
   * (through shape-preserving ops), so a quick fix can change that layer's arguments.
   */
  | { readonly kind: 'tensor'; readonly shape: readonly Dim[] | undefined; readonly dtype?: DType | undefined; readonly origin?: TensorOrigin | undefined }
  | { readonly kind: 'int'; readonly value: Dim | undefined }
  | { readonly kind: 'float'; readonly value: number | undefined }
  | { readonly kind: 'bool'; readonly value: boolean | undefined }
  | { readonly kind: 'str'; readonly value: string | undefined }
  | { readonly kind: 'none' }
  | { readonly kind: 'list' | 'tuple'; readonly items: Value[] }
  | { readonly kind: 'dict'; readonly entries: Map<string, Value> }
  /** A library object by dotted path: `torch`, `torch.nn.Conv2d`, `len`. */
  | { readonly kind: 'path'; readonly path: string }
  /** A library method bound to its receiver: `x.view`, `layers.append`. */
  | { readonly kind: 'method'; readonly self: Value; readonly name: string }
  | { readonly kind: 'layer'; readonly layer: Layer }
  | FunctionValue
  | ClassValue
  | InstanceValue
  /** `name`: a parameter of a function analysed without a call, whose size it stands for (`cout`). */
  | { readonly kind: 'unknown'; readonly name?: string | undefined };

export interface TensorOrigin {
  readonly layer: Layer;
  readonly input: readonly Dim[] | undefined;
}

export interface FunctionValue {
  readonly kind: 'function';
  readonly node: SyntaxNode;
  readonly name: string;
  readonly closure: Frame;
  /** The instance a method is bound to. */
  readonly self?: InstanceValue | undefined;
}

export interface ClassValue {
  readonly kind: 'class';
  readonly node: SyntaxNode;
  readonly name: string;
  readonly methods: Map<string, Value>;
  readonly bases: readonly Value[];
}

/** An object of a user class, usually an `nn.Module`: its attributes as `__init__` set them. */
export interface InstanceValue {
  readonly kind: 'instance';
  readonly cls: ClassValue;
  readonly attributes: Map<string, Value>;
}

/** A function's local names, falling back to the module's (closures see enclosing functions). */
export class Frame {
  constructor(
    readonly parent: Frame | undefined,
    readonly names: Map<string, Value> = new Map(),
  ) {}

  lookup(name: string): Value | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}

export const UNKNOWN: Value = { kind: 'unknown' };
export const NONE: Value = { kind: 'none' };

export function tensorOf(shape: readonly Dim[] | undefined, dtype?: DType): Value {
  return { kind: 'tensor', shape, dtype };
}

export function intOf(value: Dim | undefined): Value {
  return { kind: 'int', value };
}

export function tupleOf(items: Value[]): Value {
  return { kind: 'tuple', items };
}

/** A known int (or bool, which Python treats as one). */
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
