// One evaluated call: its positional and keyword argument values and where the call is, with
// the argument readers every library function shares (ints, dims, shapes, keyword checks).
import type { Span } from './parse';
import { EvaluationFailure, pythonTypeName, type PyValue } from './values';

export class CallSite {
  constructor(
    /** The function's name as PyTorch prints it in messages (`zeros`, `view`). */
    readonly name: string,
    readonly positional: readonly PyValue[],
    readonly keywords: ReadonlyMap<string, PyValue>,
    readonly at: Span,
    readonly maxElements: number,
  ) {}

  /** Positional argument `index`, or the keyword `name`, or undefined. */
  arg(index: number, name: string): PyValue | undefined {
    return this.positional[index] ?? this.keywords.get(name);
  }

  /** Refuses keywords the function does not take and more positionals than it does, as Python does. */
  expect(maxPositional: number, keywords: readonly string[]): void {
    for (const k of this.keywords.keys()) {
      if (!keywords.includes(k)) {
        throw new EvaluationFailure(`${this.name}() got an unexpected keyword argument '${k}'`, 'invalid-argument', this.at, 'TypeError');
      }
    }
    if (this.positional.length > maxPositional) {
      throw new EvaluationFailure(`${this.name}() takes at most ${maxPositional} positional arguments (${this.positional.length} given)`, 'invalid-argument', this.at, 'TypeError');
    }
  }

  /** Argument `index` (or keyword `name`) as a Python int, if given; bools count, as for PyTorch's int arguments. */
  intArg(index: number, name: string): number | undefined {
    const v = this.arg(index, name);
    if (!v) return undefined;
    if (v.kind === 'int') return Number(v.value);
    if (v.kind === 'bool') return v.value ? 1 : 0;
    throw this.argumentTypeError(index, name, 'int', v);
  }

  /** Argument `index` (or keyword `name`) as an int or float, for ranges and fill values. */
  numberArg(index: number, name: string): { value: number; isFloat: boolean } | undefined {
    const v = this.arg(index, name);
    if (!v) return undefined;
    if (v.kind === 'int') return { value: Number(v.value), isFloat: false };
    if (v.kind === 'bool') return { value: v.value ? 1 : 0, isFloat: false };
    if (v.kind === 'float') return { value: v.value, isFloat: true };
    throw this.argumentTypeError(index, name, 'Number', v);
  }

  /** Argument `index` (or keyword `name`), which the function cannot do without. */
  required<T>(value: T | undefined, index: number, name: string): T {
    if (value === undefined) {
      throw new EvaluationFailure(`${this.name}() missing required argument '${name}' (pos ${index + 1})`, 'invalid-argument', this.at, 'TypeError');
    }
    return value;
  }

  /** PyTorch's argument parser's wording for an argument of the wrong type. */
  private argumentTypeError(index: number, name: string, expected: string, v: PyValue): EvaluationFailure {
    const where = this.positional[index] === v ? ` (position ${index + 1})` : '';
    return new EvaluationFailure(`${this.name}(): argument '${name}'${where} must be ${expected}, not ${pythonTypeName(v)}`, 'invalid-argument', v.at, 'TypeError');
  }

  /**
   * A size given as varargs (`zeros(2, 3)`), one tuple or list (`zeros((2, 3))`), or the keyword
   * (`size=`), with PyTorch's errors for a non-int element. `listType` is how PyTorch 1.13's
   * signature names the list in those errors (`SymInts` for factories and views, `ints` for others).
   */
  sizes(first = 0, keyword = 'size', listType: ListType = 'ints'): number[] {
    const rest = this.positional.slice(first);
    const only = rest[0];
    if (rest.length === 0) {
      const named = this.keywords.get(keyword);
      return named ? this.sizeList(named, first, keyword, listType) : [];
    }
    if (this.keywords.has(keyword)) {
      throw new EvaluationFailure(`${this.name}() got multiple values for argument '${keyword}'`, 'invalid-argument', this.at, 'TypeError');
    }
    if (rest.length === 1 && only && only.kind !== 'int') return this.sizeList(only, first, keyword, listType);
    return rest.map((v, i) => this.sizeElement(v, i + 1, keyword, listType));
  }

  /** Argument `index` (or `keyword`) as one tuple or list of ints. */
  sizeList(v: PyValue, index: number, keyword: string, listType: ListType): number[] {
    if (v.kind !== 'list' && v.kind !== 'tuple') {
      throw new EvaluationFailure(`${this.name}(): argument '${keyword}' (position ${index + 1}) must be tuple of ${listType}, not ${pythonTypeName(v)}`, 'invalid-argument', v.at, 'TypeError');
    }
    return v.items.map((item, i) => this.sizeElement(item, i + 1, keyword, listType));
  }

  private sizeElement(v: PyValue, position: number, keyword: string, listType: ListType): number {
    if (v.kind === 'int') return Number(v.value);
    throw new EvaluationFailure(`${this.name}(): argument '${keyword}' must be tuple of ${listType}, but found element of type ${pythonTypeName(v)} at pos ${position}`, 'invalid-argument', v.at, 'TypeError');
  }
}

/** How PyTorch's signatures name an int list argument, which its type errors print. */
export type ListType = 'ints' | 'SymInts';
