// Tensor sizes that may be symbolic. A size the analysis cannot pin to a number (the batch of a
// function analysed without a call site, an `H` read from an unknown input) is an affine
// combination of named atoms with integer coefficients: `2*H - 1`. Floor division by a number
// that does not divide it exactly, or a product of two symbols, becomes a new atom named by its
// own text (`(H - 1)//2`), so every size prints the way a user would write it and two sizes are
// equal exactly when they print the same.

export type Dim = number | SymbolicDim;

export interface SymbolicDim {
  readonly kind: 'sym';
  /** Coefficient per atom, atoms in the order they first appeared. */
  readonly terms: ReadonlyMap<string, number>;
  readonly constant: number;
}

export function symbol(name: string): SymbolicDim {
  return { kind: 'sym', terms: new Map([[name, 1]]), constant: 0 };
}

export function isKnown(d: Dim): d is number {
  return typeof d === 'number';
}

export function allKnown(dims: readonly Dim[]): dims is readonly number[] {
  return dims.every(isKnown);
}

function affine(terms: Map<string, number>, constant: number): Dim {
  for (const [atom, c] of terms) if (c === 0) terms.delete(atom);
  return terms.size === 0 ? constant : { kind: 'sym', terms, constant };
}

function termsOf(d: Dim): Map<string, number> {
  return typeof d === 'number' ? new Map() : new Map(d.terms);
}

function constantOf(d: Dim): number {
  return typeof d === 'number' ? d : d.constant;
}

export function addDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const terms = termsOf(a);
  for (const [atom, c] of termsOf(b)) terms.set(atom, (terms.get(atom) ?? 0) + c);
  return affine(terms, constantOf(a) + constantOf(b));
}

export function scaleDim(a: Dim, k: number): Dim {
  if (typeof a === 'number') return a * k;
  const terms = new Map<string, number>();
  for (const [atom, c] of a.terms) terms.set(atom, c * k);
  return affine(terms, a.constant * k);
}

export function subDims(a: Dim, b: Dim): Dim {
  return addDims(a, scaleDim(b, -1));
}

export function mulDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return scaleDim(b, a);
  if (typeof b === 'number') return scaleDim(a, b);
  // (c·A)·(d·B) = c·d·(A*B): coefficients stay outside the product atom.
  const [termA] = a.terms;
  const [termB] = b.terms;
  if (a.terms.size === 1 && a.constant === 0 && b.terms.size === 1 && b.constant === 0 && termA && termB) {
    return scaleDim(symbol(`${factorText(termA[0])}*${factorText(termB[0])}`), termA[1] * termB[1]);
  }
  return symbol(`${atomText(a)}*${atomText(b)}`);
}

/** An atom as a factor of a product: bare when it is a name or itself a product, else parenthesised. */
function factorText(atom: string): string {
  let depth = 0;
  for (let i = 0; i < atom.length; i++) {
    const c = atom[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === '+' || c === '-' || c === '/')) return `(${atom})`;
  }
  return atom;
}

/** Python's `a // b` for a positive divisor `b`. */
export function floorDivDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return Math.floor(a / b);
  if (typeof b === 'number') {
    if (b === 1) return a;
    const sym = a as SymbolicDim;
    if ([...sym.terms.values()].every((c) => c % b === 0) && sym.constant % b === 0) return scaleDim(sym, 1 / b);
    // (2*H + 3)//2 = H + 1 + (1)//2: pull out the exactly divisible part of the constant first.
    const whole = Math.floor(sym.constant / b);
    if ([...sym.terms.values()].every((c) => c % b === 0)) return addDims(scaleDim({ ...sym, constant: 0 }, 1 / b), whole);
    return addDims(symbol(`${atomText({ ...sym, constant: sym.constant - whole * b })}//${b}`), whole);
  }
  return symbol(`${atomText(a)}//${atomText(b)}`);
}

/** The product of sizes, as `numel()` gives it. */
export function productOfDims(dims: readonly Dim[]): Dim {
  return dims.reduce<Dim>((p, d) => mulDims(p, d), 1);
}

export function dimsEqual(a: Dim, b: Dim): boolean {
  // Two sizes: no text to build (shapes are compared at every recorded value).
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return dimText(a) === dimText(b);
}

export function shapesEqual(a: readonly Dim[], b: readonly Dim[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!dimsEqual(a[i] as Dim, b[i] as Dim)) return false;
  return true;
}

/** `2*H - 1`, `N`, `(H - 1)//2 + 1`. */
export function dimText(d: Dim): string {
  if (typeof d === 'number') return String(d);
  let text = '';
  for (const [atom, c] of d.terms) {
    const magnitude = Math.abs(c);
    const term = magnitude === 1 ? atom : `${magnitude}*${factorText(atom)}`;
    if (text === '') text = c < 0 ? `-${term}` : term;
    else text += c < 0 ? ` - ${term}` : ` + ${term}`;
  }
  if (d.constant > 0) text += ` + ${d.constant}`;
  else if (d.constant < 0) text += ` - ${-d.constant}`;
  return text;
}

/** The text of `d` as an operand: a bare atom or number as is, anything else parenthesised. */
function atomText(d: Dim): string {
  if (typeof d === 'number') return String(d);
  const [first] = d.terms;
  return d.terms.size === 1 && d.constant === 0 && first?.[1] === 1 ? first[0] : `(${dimText(d)})`;
}

/** `(1, 10, 16, 16)`, or `(N, 64, (H - 1)//2 + 1)` with symbols. */
export function shapeText(shape: readonly Dim[]): string {
  return shape.length === 1 ? `(${dimText(shape[0] as Dim)},)` : `(${shape.map(dimText).join(', ')})`;
}

/** What `--json` prints for a size: the number, or the symbolic size as a string. */
export function dimJson(d: Dim): number | string {
  return typeof d === 'number' ? d : dimText(d);
}
