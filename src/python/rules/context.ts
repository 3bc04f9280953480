// What every rule works with: the call being evaluated (its arguments, read the way PyTorch's
// argument parser reads them), what the interpreter lends the rules (the default dtype, the
// element limit, calls into user code, reading known values), and the builders of result
// tensors, which compute values only when all their operands' values are known.
import { numel, stridesOf, type DType, type FloatDType, type Tensor } from '../../core/tensor';
import { allKnown, type Dim } from '../interpreter/dim';
import { contiguousLayout, isContiguous, Storage, viewOf, type Buffer, type Elements, type Layout, type WorkBudget } from '../interpreter/elements';
import {
  bigIntOf, itemsOf, knownInt, pythonTypeName, sizeOf, type Site, type TensorOrigin, type TensorValue, type Value, type Why,
} from '../interpreter/values';
import { messages } from './messages';

export interface CallArgs {
  readonly positional: readonly Value[];
  readonly keywords: ReadonlyMap<string, Value>;
  /** `*xs` / `**kw` were passed: positions and keywords are not all known. */
  readonly spread: boolean;
}

/** What the interpreter lends the rules. */
export interface RuleContext {
  /** `torch.get_default_dtype()`: what Python floats and float factories give. */
  readonly defaultDtype: FloatDType;
  /** The largest tensor whose values are computed (`convLab.maxElements`). */
  readonly maxElements: number;
  /** Where the expression being evaluated is. */
  readonly site: Site | undefined;
  /** Where argument `index` (a position, or a keyword's name) of the call being evaluated is written. */
  argumentSite(index: number | string): Site | undefined;
  /** The interpreter's clock, for when values are made. */
  now(): number;
  /** Calls any callable value (a layer, a user module, a function). */
  call(callee: Value, args: CallArgs): Value;
  /** A tensor's elements when they are known and within the analysis's budget. */
  read(t: TensorValue): Tensor | undefined;
  /** Whether autograd records ops here: known at a file's top level outside `with torch.no_grad()`, else undefined. */
  readonly gradEnabled: boolean | undefined;
}

/** What a result's `requires_grad` is from its operands': false when none needs a gradient, true when one does and autograd is on. */
export function requiresGradOf(ctx: RuleContext, operands: readonly TensorValue[]): boolean | undefined {
  if (operands.length === 0) return undefined;
  // An operand that needs a gradient (a parameter does) makes the result need one exactly when autograd is on.
  if (operands.some((t) => t.requiresGrad === true)) return ctx.gradEnabled;
  return operands.every((t) => t.requiresGrad === false) ? false : undefined;
}

/** One call of a library function: its arguments, read the way PyTorch's argument parser reads them. */
export class Call implements CallArgs {
  readonly positional: readonly Value[];
  readonly keywords: ReadonlyMap<string, Value>;
  readonly spread: boolean;

  constructor(
    /** The function's name as PyTorch prints it in messages (`zeros`, `view`). */
    readonly name: string,
    args: CallArgs,
    readonly ctx: RuleContext,
  ) {
    this.positional = args.positional;
    this.keywords = args.keywords;
    this.spread = args.spread;
  }

  /** The same arguments seen by another function (`torch.flatten(x)` read as `x.flatten()`). */
  as(name: string, args: CallArgs = this): Call {
    return new Call(name, args, this.ctx);
  }

  /** The arguments after the first `n` positional ones. */
  dropping(n: number): CallArgs {
    return { positional: this.positional.slice(n), keywords: this.keywords, spread: this.spread };
  }

  /** Positional argument `index`, or the keyword `name`. */
  arg(index: number, name: string): Value | undefined {
    return this.positional[index] ?? this.keywords.get(name);
  }

  /** Where argument `index` (or keyword `name`) is written; the call itself when unknown. */
  argSite(index: number, name: string): Site | undefined {
    return (this.positional[index] ? this.ctx.argumentSite(index) : this.keywords.has(name) ? this.ctx.argumentSite(name) : undefined) ?? this.ctx.site;
  }

  /** The arguments bound to a signature's parameter names (positional first, then keywords). */
  bind(names: readonly string[]): Map<string, Value> {
    const bound = new Map<string, Value>();
    this.positional.forEach((v, i) => {
      const name = names[i];
      if (name !== undefined) bound.set(name, v);
    });
    for (const [k, v] of this.keywords) bound.set(k, v);
    return bound;
  }

  /** Refuses keywords the function does not take and more positionals than it takes, as Python does. */
  expect(maxPositional: number, keywords: readonly string[]): void {
    if (this.spread) return;
    for (const k of this.keywords.keys()) if (!keywords.includes(k)) throw messages.unexpectedKeyword(this.name, k, this.ctx.site);
    if (this.positional.length > maxPositional) throw messages.tooManyPositional(this.name, maxPositional, this.positional.length, this.ctx.site);
  }

  /** Argument `index` (or keyword `name`), which the function cannot do without. */
  required(index: number, name: string): Value {
    const v = this.arg(index, name);
    if (v === undefined) throw messages.missingArgument(this.name, name, index + 1, this.ctx.site);
    return v;
  }

  /** An int argument (bools count, as for PyTorch's int parameters); undefined when left out or not known. */
  int(index: number, name: string): number | undefined {
    const v = this.arg(index, name);
    if (!v || v.kind === 'unknown') return undefined;
    if (v.kind === 'int' || v.kind === 'bool') return knownInt(v);
    if (v.kind === 'tensor') return undefined;
    throw this.typeError(index, name, 'int', v);
  }

  /** An int or float argument (ranges, fill values); undefined when left out or not known. */
  number(index: number, name: string): { value: number; isFloat: boolean } | undefined {
    const v = this.arg(index, name);
    if (!v || v.kind === 'unknown') return undefined;
    if (v.kind === 'int' || v.kind === 'bool') {
      const n = bigIntOf(v);
      return n === undefined ? undefined : { value: Number(n), isFloat: false };
    }
    if (v.kind === 'float') return v.value === undefined ? undefined : { value: v.value, isFloat: true };
    if (v.kind === 'tensor') return undefined;
    throw this.typeError(index, name, 'Number', v);
  }

  /** PyTorch's argument parser's wording for an argument of the wrong type. */
  typeError(index: number, name: string, expected: string, v: Value): Error {
    return messages.argumentType(this.name, name, this.positional[index] === v ? index + 1 : undefined, expected, pythonTypeName(v), this.argSite(index, name));
  }

  /**
   * A size given as varargs (`zeros(2, 3)`), one tuple or list (`zeros((2, 3))`) or the keyword
   * (`size=`), with PyTorch's errors for an element known not to be an int; undefined when a size
   * is not known. `listType` is how PyTorch 1.13's signature names the list in its errors.
   */
  sizes(first = 0, keyword = 'size', listType: 'ints' | 'SymInts' = 'ints'): Dim[] | undefined {
    const rest = this.positional.slice(first);
    const only = rest[0];
    if (rest.length === 0) {
      const named = this.keywords.get(keyword);
      return named ? this.sizeList(named, first, keyword, listType) : [];
    }
    if (this.keywords.has(keyword) && !this.spread) throw messages.multipleValues(this.name, keyword, this.ctx.site);
    if (rest.length === 1 && only && only.kind !== 'int' && only.kind !== 'bool') return this.sizeList(only, first, keyword, listType);
    return allSizes(rest.map((v, i) => this.sizeElement(v, i + 1, keyword, listType, this.ctx.argumentSite(first + i))));
  }

  /** One tuple or list of sizes (a torch.Size too). */
  sizeList(v: Value, index: number, keyword: string, listType: 'ints' | 'SymInts'): Dim[] | undefined {
    if (v.kind === 'unknown') return undefined;
    const items = itemsOf(v);
    if (!items) throw messages.argumentType(this.name, keyword, this.positional[index] === v ? index + 1 : undefined, `tuple of ${listType}`, pythonTypeName(v), this.argSite(index, keyword));
    const itemSites = v.kind === 'list' || v.kind === 'tuple' ? v.itemSites : undefined;
    return allSizes(items.map((item, i) => this.sizeElement(item, i + 1, keyword, listType, itemSites?.[i])));
  }

  private sizeElement(v: Value, position: number, keyword: string, listType: string, at: Site | undefined): Dim | undefined {
    if (v.kind === 'int' || v.kind === 'unknown' || v.kind === 'bool') return sizeOf(v);
    if (v.kind === 'tensor') return undefined;
    throw messages.sizeElementType(this.name, keyword, listType, pythonTypeName(v), position, at ?? this.ctx.site);
  }
}

function allSizes(sizes: (Dim | undefined)[]): Dim[] | undefined {
  return sizes.every((s): s is Dim => s !== undefined) ? sizes : undefined;
}

// ---------------------------------------------------------------------------------------------
// Result tensors.

/** Why a value cannot be worked out statically: the text at `site` says what. */
export function notStatic(site: Site | undefined): Why {
  return { code: 'not-static', site };
}

/** The first operand whose values are not known: its reason is the result's. */
export function missingValues(operands: readonly TensorValue[]): Why | undefined {
  for (const t of operands) if (!t.elements) return t.why ?? { code: 'not-static' };
  return undefined;
}

export interface TensorOptions {
  readonly library?: 'numpy' | undefined;
  readonly origin?: TensorOrigin | undefined;
  /** The tensors the values are computed from: when one's values are not known, neither are these. */
  readonly operands?: readonly TensorValue[] | undefined;
  /** How the values are computed (given when the rule can compute them), and what that costs. */
  readonly compute?: { readonly cost: number; readonly run: (budget: WorkBudget) => Buffer } | undefined;
  /** Why the values are not known, when the rule says (otherwise: an operand's reason, or not static). */
  readonly why?: Why | undefined;
}

/**
 * A new tensor of `shape` (a fresh storage): with its values when `compute` is given, every
 * operand's values are known, the shape and dtype are known and it fits the element limit.
 */
export function freshTensor(ctx: RuleContext, shape: readonly Dim[] | undefined, dtype: DType | undefined, options: TensorOptions = {}): TensorValue {
  const { library, origin } = options;
  const missing = options.why ?? missingValues(options.operands ?? []);
  const requiresGrad = requiresGradOf(ctx, options.operands ?? []);
  if (missing || !options.compute || !shape || !allKnown(shape) || !dtype) return { kind: 'tensor', shape, dtype, library, origin, why: missing ?? notStatic(ctx.site), requiresGrad };
  const limit = elementLimit(ctx, shape);
  if (limit) return { kind: 'tensor', shape, dtype, library, origin, why: limit, requiresGrad };
  const storage = new Storage(dtype, numel(shape), options.compute.cost, options.compute.run, () => `a tensor of shape [${shape.join(', ')}]`);
  const elements: Elements = { storage, shape, strides: stridesOf(shape), offset: 0, born: ctx.now() };
  return { kind: 'tensor', shape, dtype, library, origin, elements, requiresGrad };
}

/** A view of `self` (same storage) with another layout; without `self`'s values, just the shape. */
export function viewTensor(ctx: RuleContext, self: TensorValue, shape: readonly Dim[] | undefined, layout: (before: Layout) => Layout): TensorValue {
  const origin = shape === self.shape ? self.origin : undefined;
  if (!self.elements) {
    const before = self.layout ?? (self.shape && allKnown(self.shape) ? contiguousLayout(self.shape) : undefined);
    const after = before && shape && allKnown(shape) ? layout(before) : undefined;
    return { kind: 'tensor', shape, dtype: self.dtype, library: self.library, origin, why: self.why, requiresGrad: self.requiresGrad, ...(after && !isContiguous(after) ? { layout: after } : {}) };
  }
  return { kind: 'tensor', shape, dtype: self.dtype, library: self.library, origin, elements: viewOf(self.elements, layout(self.elements), ctx.now()), requiresGrad: self.requiresGrad };
}

/** Conv Lab's refusal to compute a tensor larger than `convLab.maxElements`, before allocating it. */
export function elementLimit(ctx: RuleContext, shape: readonly number[]): Why | undefined {
  const n = numel(shape);
  if (n <= ctx.maxElements) return undefined;
  return {
    code: 'too-many-elements',
    message: `a tensor of shape [${shape.join(', ')}] has ${n.toLocaleString('en-US')} elements, more than the limit of ${ctx.maxElements.toLocaleString('en-US')} (convLab.maxElements); refused before allocating it`,
    site: ctx.site,
  };
}

/**
 * A result with `shape`, values not computed: `self`'s dtype unless one is given (undefined for
 * not known), `self`'s origin kept when the shape is its very shape.
 */
export function shapedLike(self: Value | undefined, shape: readonly Dim[] | undefined, ...given: [dtype?: DType | undefined, why?: Why]): TensorValue {
  const t = self?.kind === 'tensor' ? self : undefined;
  const dtype = given.length > 0 ? given[0] : t?.dtype;
  const why = given[1];
  const origin = t && shape !== undefined && shape === t.shape ? t.origin : undefined;
  return { kind: 'tensor', shape, dtype, library: t?.library, origin, why: why ?? (t && !t.elements ? t.why : undefined), requiresGrad: t?.requiresGrad };
}
