// Flag values of the CLI, parsed strictly: a bad value is a usage error naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { integerRangeProblem } from '../core/opArgsText';

/** A problem with how the CLI was called or with its input files; printed without a stack, exit 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * node:util parseArgs in strict mode, its errors turned into one-line CliErrors. A negative number
 * after a string option is its value (`--padding -1`, which parseArgs calls ambiguous), so that
 * the op, not the parser, judges it.
 */
export function parseFlags(args: readonly string[], options: FlagSpec): ParsedArgs {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(options, name) && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: joined, options, strict: true, allowPositionals: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    throw new CliError((e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' '));
  }
}

export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredFlag(parsed: ParsedArgs, name: string): string {
  const value = stringFlag(parsed, name);
  if (value === undefined) throw new CliError(`--${name} is required`);
  return value;
}

/** An integer flag value; its range is the op's to judge (PyTorch's messages), but for what no int64 or exact double holds. */
export function integer(flag: string, text: string): number {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new CliError(`--${flag} expects integers, got '${text}'`);
  const problem = integerRangeProblem(flag.replaceAll('-', '_'), trimmed);
  if (problem !== undefined) throw new CliError(`--${flag}: ${problem}`);
  return Number(trimmed);
}

/** `2` or `2,1`: one int for every spatial dim, or one per dim. */
export function intOrList(flag: string, text: string): number | number[] {
  const parts = text.split(',');
  return parts.length === 1 ? integer(flag, text) : parts.map((p) => integer(flag, p));
}

export function intList(flag: string, text: string): number[] {
  return text.split(',').map((p) => integer(flag, p));
}

export function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === text);
  if (found === undefined) throw new CliError(`--${flag} must be one of ${allowed.join(', ')}; got '${text}'`);
  return found;
}
