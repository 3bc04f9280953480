// Op arguments as a user types them in an input box, in Python keyword syntax:
//   stride=2, padding=(1, 0), output_padding=1, padding='same', padding_mode='reflect'
// Parsed by hand (a few tokens, no Python parser needed) so that every error names its column.
import { PADDING_MODES, type OpArgs, type PaddingMode } from './vocabulary';

export class OpArgsSyntaxError extends Error {
  override readonly name = 'OpArgsSyntaxError';
  constructor(message: string, readonly column: number) {
    super(`${message} (column ${column})`);
  }
}

type Value = number | number[] | string;

/** Python keyword → our OpArgs field, with the value kinds each accepts. */
const KEYWORDS: Readonly<Record<string, { field: keyof OpArgs; accepts: 'int' | 'ints' | 'padding' | 'mode' }>> = {
  stride: { field: 'stride', accepts: 'ints' },
  padding: { field: 'padding', accepts: 'padding' },
  dilation: { field: 'dilation', accepts: 'ints' },
  groups: { field: 'groups', accepts: 'int' },
  output_padding: { field: 'outputPadding', accepts: 'ints' },
  padding_mode: { field: 'paddingMode', accepts: 'mode' },
  output_size: { field: 'outputSize', accepts: 'ints' },
};

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Why the integer `digits` (`-?[0-9]+`) cannot be the value of op argument `argument` (Python's
 * name), or undefined when it can. PyTorch unpacks int arguments into 64 bits and says "Overflow
 * when unpacking long" past them, but for `output_size`, which it checks in Python first; Conv Lab
 * computes with JavaScript numbers, exact up to 2**53 - 1, and refuses what lies past them rather
 * than round it.
 */
export function integerRangeProblem(argument: string, digits: string): string | undefined {
  const n = BigInt(digits);
  if ((n > INT64_MAX || n < INT64_MIN) && argument !== 'output_size') return `Overflow when unpacking long (${digits} does not fit in 64 bits)`;
  if (!Number.isSafeInteger(Number(n))) return `${digits} is out of the range Conv Lab computes exactly (±${Number.MAX_SAFE_INTEGER})`;
  return undefined;
}

export function parseOpArgs(text: string): OpArgs {
  const scanner = new Scanner(text);
  const args: Record<string, unknown> = {};
  scanner.skipSpace();
  while (!scanner.atEnd()) {
    const nameColumn = scanner.column();
    const name = scanner.identifier();
    // Own keys only: `constructor`, `toString` and `__proto__` are no arguments.
    const keyword = Object.hasOwn(KEYWORDS, name) ? KEYWORDS[name] : undefined;
    if (keyword === undefined) {
      throw new OpArgsSyntaxError(`got an unexpected keyword argument '${name}'; expected one of ${Object.keys(KEYWORDS).join(', ')}`, nameColumn);
    }
    if (keyword.field in args) throw new OpArgsSyntaxError(`keyword argument repeated: ${name}`, nameColumn);
    scanner.expect('=');
    const valueColumn = scanner.column();
    args[keyword.field] = checkValue(name, keyword.accepts, scanner.value(name), valueColumn);
    scanner.skipSpace();
    if (!scanner.atEnd()) scanner.expect(',');
    scanner.skipSpace();
  }
  return args as OpArgs;
}

/** The inverse of `parseOpArgs`: `stride=2, padding=(1, 0), padding_mode='reflect'`. */
export function formatOpArgs(args: OpArgs): string {
  const parts: string[] = [];
  for (const [keyword, { field }] of Object.entries(KEYWORDS)) {
    const value = args[field];
    if (value === undefined) continue;
    const text = typeof value === 'number' ? String(value)
      : typeof value === 'string' ? `'${value}'`
      : `(${value.join(', ')}${value.length === 1 ? ',' : ''})`;
    parts.push(`${keyword}=${text}`);
  }
  return parts.join(', ');
}

function checkValue(name: string, accepts: 'int' | 'ints' | 'padding' | 'mode', value: Value, column: number): Value {
  const isInt = typeof value === 'number';
  const isInts = Array.isArray(value);
  const ok =
    accepts === 'int' ? isInt
    : accepts === 'ints' ? isInt || isInts
    : accepts === 'padding' ? isInt || isInts || value === 'same' || value === 'valid'
    : PADDING_MODES.includes(value as PaddingMode);
  if (ok) return value;
  const expected = {
    int: 'an integer',
    ints: 'an integer or a tuple of integers',
    padding: "an integer, a tuple of integers, 'same' or 'valid'",
    mode: PADDING_MODES.map((m) => `'${m}'`).join(', '),
  }[accepts];
  throw new OpArgsSyntaxError(`${name} must be ${expected}, got ${JSON.stringify(value)}`, column);
}

class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean { return this.pos >= this.text.length; }
  column(): number { return this.pos + 1; }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  expect(char: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== char) {
      throw new OpArgsSyntaxError(`expected '${char}' but found ${this.describeHere()}`, this.column());
    }
    this.pos++;
    this.skipSpace();
  }

  identifier(): string {
    const start = this.pos;
    while (!this.atEnd() && /[A-Za-z0-9_]/.test(this.text[this.pos] ?? '')) this.pos++;
    if (start === this.pos) throw new OpArgsSyntaxError(`expected an argument name but found ${this.describeHere()}`, this.column());
    return this.text.slice(start, this.pos);
  }

  /** The value of keyword argument `argument`, which range errors name. */
  value(argument: string): Value {
    const c = this.text[this.pos];
    if (c === '(' || c === '[') return this.tuple(c === '(' ? ')' : ']', argument);
    if (c === "'" || c === '"') return this.string(c);
    return this.integer(argument);
  }

  private tuple(close: string, argument: string): number[] {
    this.pos++;
    const items: number[] = [];
    this.skipSpace();
    while (this.text[this.pos] !== close) {
      items.push(this.integer(argument));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.skipSpace();
      } else if (this.text[this.pos] !== close) {
        throw new OpArgsSyntaxError(`expected ',' or '${close}' but found ${this.describeHere()}`, this.column());
      }
    }
    this.pos++;
    return items;
  }

  private string(quote: string): string {
    const start = ++this.pos;
    while (!this.atEnd() && this.text[this.pos] !== quote) this.pos++;
    // `start` is 0-based past the quote, so it is the quote's 1-based column.
    if (this.atEnd()) throw new OpArgsSyntaxError('unterminated string', start);
    return this.text.slice(start, this.pos++);
  }

  private integer(argument: string): number {
    const start = this.pos;
    if (this.text[this.pos] === '-') this.pos++;
    while (!this.atEnd() && /[0-9]/.test(this.text[this.pos] ?? '')) this.pos++;
    const digits = this.text.slice(start, this.pos);
    if (digits === '' || digits === '-') {
      this.pos = start;
      throw new OpArgsSyntaxError(`expected an integer but found ${this.describeHere()}`, this.column());
    }
    const problem = integerRangeProblem(argument, digits);
    if (problem !== undefined) throw new OpArgsSyntaxError(`${argument}: ${problem}`, start + 1);
    return Number(digits);
  }

  private describeHere(): string {
    return this.atEnd() ? 'the end of the text' : `'${this.text[this.pos]}'`;
  }
}
