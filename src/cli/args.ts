// Flag values of the CLI, parsed strictly: a bad value is a usage error naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A problem with how the CLI was called or with its input files; printed without a stack, exit 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** node:util parseArgs in strict mode, its errors turned into CliErrors. */
export function parseFlags(args: readonly string[], options: FlagSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
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

export function integer(flag: string, text: string, min: number): number {
  const trimmed = text.trim();
  const n = Number(trimmed);
  if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(n) || n < min) {
    throw new CliError(`--${flag} expects ${min > 0 ? 'positive' : 'non-negative'} integers, got '${text}'`);
  }
  return n;
}

/** `2` or `2,1`: one int for every spatial dim, or one per dim. */
export function intOrList(flag: string, text: string, min: number): number | number[] {
  const parts = text.split(',');
  return parts.length === 1 ? integer(flag, text, min) : parts.map((p) => integer(flag, p, min));
}

export function intList(flag: string, text: string, min: number): number[] {
  return text.split(',').map((p) => integer(flag, p, min));
}

export function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === text);
  if (found === undefined) throw new CliError(`--${flag} must be one of ${allowed.join(', ')}; got '${text}'`);
  return found;
}
