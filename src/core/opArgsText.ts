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
const KEYWORDS: Record<string, { field: keyof OpArgs; accepts: 'int' | 'ints' | 'padding' | 'mode' }> = {
  stride: { field: 'stride', accepts: 'ints' },
  padding: { field: 'padding', accepts: 'padding' },
  dilation: { field: 'dilation', accepts: 'ints' },
  groups: { field: 'groups', accepts: 'int' },
  output_padding: { field: 'outputPadding', accepts: 'ints' },
  padding_mode: { field: 'paddingMode', accepts: 'mode' },
  output_size: { field: 'outputSize', accepts: 'ints' },
};

export function parseOpArgs(text: string): OpArgs {
  const scanner = new Scanner(text);
  const args: Record<string, unknown> = {};
  scanner.skipSpace();
  while (!scanner.atEnd()) {
    const nameColumn = scanner.column();
    const name = scanner.identifier();
    const keyword = KEYWORDS[name];
    if (keyword === undefined) {
      throw new OpArgsSyntaxError(`unknown argument '${name}'; expected one of ${Object.keys(KEYWORDS).join(', ')}`, nameColumn);
    }
    if (keyword.field in args) throw new OpArgsSyntaxError(`keyword argument repeated: ${name}`, nameColumn);
    scanner.expect('=');
    const valueColumn = scanner.column();
    args[keyword.field] = checkValue(name, keyword.accepts, scanner.value(), valueColumn);
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

  value(): Value {
    const c = this.text[this.pos];
    if (c === '(' || c === '[') return this.tuple(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string(c);
    return this.integer();
  }

  private tuple(close: string): number[] {
    this.pos++;
    const items: number[] = [];
    this.skipSpace();
    while (this.text[this.pos] !== close) {
      items.push(this.integer());
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

  private integer(): number {
    const start = this.pos;
    if (this.text[this.pos] === '-') this.pos++;
    while (!this.atEnd() && /[0-9]/.test(this.text[this.pos] ?? '')) this.pos++;
    const digits = this.text.slice(start, this.pos);
    if (digits === '' || digits === '-') {
      this.pos = start;
      throw new OpArgsSyntaxError(`expected an integer but found ${this.describeHere()}`, this.column());
    }
    return Number(digits);
  }

  private describeHere(): string {
    return this.atEnd() ? 'the end of the text' : `'${this.text[this.pos]}'`;
  }
}
