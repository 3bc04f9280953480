// argparse, read as a script runs with no command-line arguments: `parser.parse_args()` gives each
// option its default, a static fact of the file (`--nz` with `default=100` makes `opt.nz` 100);
// `parse_args([...])` reads the list it is given. A required argument, or one Conv Lab cannot read
// (a custom `type`, `nargs`), is unknown; it is never guessed.
import { NONE, tupleOf, UNKNOWN, type Value } from '../interpreter/values';
import type { Call, CallArgs } from './context';

type DictValue = Extract<Value, { kind: 'dict' }>;

/** One `add_argument(...)`: what parse_args needs to give its destination a value. */
interface Argument {
  readonly dest: string;
  readonly options: readonly string[];
  /** The value without the argument on the command line; undefined when not known. */
  readonly fallback: Value | undefined;
  /** `store_true` and friends take no value: what they store when given. */
  readonly flagValue: Value | undefined;
  /** Converts a command-line string; undefined when the type is not one Conv Lab reads. */
  readonly convert: ((text: string) => Value | undefined) | undefined;
  readonly required: boolean;
}

/** The arguments each parser was given (a parser's value is a dict marked `argparse: 'parser'`). */
const PARSERS = new WeakMap<DictValue, Argument[]>();

/** Where each value of a namespace came from, for hovers: `the default of --nz`. */
const SOURCES = new WeakMap<DictValue, Map<string, string>>();

/** Where `namespace.dest` came from, when parse_args gave it. */
export function namespaceSource(namespace: DictValue, dest: string): string | undefined {
  return SOURCES.get(namespace)?.get(dest);
}

/** `argparse.ArgumentParser(...)` and `argparse.Namespace(**kw)`; undefined for the rest of argparse. */
export function callArgparse(call: Call, name: string): Value | undefined {
  if (name === 'ArgumentParser') {
    const parser: DictValue = { kind: 'dict', entries: new Map(), argparse: 'parser' };
    PARSERS.set(parser, []);
    return parser;
  }
  if (name === 'Namespace') return { kind: 'dict', entries: new Map(call.keywords), argparse: 'namespace' };
  return undefined;
}

/** A parser's method; undefined when not one Conv Lab follows. */
export function callParserMethod(parser: DictValue, name: string, args: CallArgs): Value | undefined {
  const known = PARSERS.get(parser);
  if (!known) return undefined;
  switch (name) {
    case 'add_argument': {
      const argument = argumentOf(args);
      // An argument Conv Lab cannot read makes what parse_args gives unknown (its dest is not even known).
      if (argument) known.push(argument);
      else PARSERS.delete(parser);
      return NONE;
    }
    case 'add_argument_group':
    case 'add_mutually_exclusive_group':
      // Arguments added to a group are the parser's.
      return parser;
    case 'set_defaults': {
      for (const [dest, value] of args.keywords) {
        const at = known.findIndex((a) => a.dest === dest);
        const argument: Argument = at >= 0 ? { ...(known[at] as Argument), fallback: value, required: false } : { dest, options: [], fallback: value, flagValue: undefined, convert: undefined, required: false };
        if (at >= 0) known[at] = argument;
        else known.push(argument);
      }
      return NONE;
    }
    case 'parse_args':
      return parse(known, args);
    case 'parse_known_args': {
      const namespace = parse(known, args);
      return namespace.kind === 'unknown' ? namespace : tupleOf([namespace, { kind: 'list', items: [] }]);
    }
    default:
      return undefined;
  }
}

/** `opt.nz`: a namespace's attribute (a dict marked `argparse: 'namespace'`). */
export function namespaceAttribute(namespace: DictValue, name: string): Value {
  return namespace.entries.get(name) ?? UNKNOWN;
}

function argumentOf(args: CallArgs): Argument | undefined {
  const names = args.positional.map((v) => (v.kind === 'str' ? v.value : undefined));
  if (args.spread || names.length === 0 || names.some((n) => n === undefined)) return undefined;
  const options = names as string[];
  const keyword = (k: string): Value | undefined => args.keywords.get(k);
  const optional = options[0]?.startsWith('-') === true;
  const long = options.find((o) => o.startsWith('--')) ?? options[0] as string;
  const destGiven = keyword('dest');
  const dest = destGiven?.kind === 'str' ? destGiven.value : destGiven === undefined ? (optional ? long.replace(/^-+/, '').replace(/-/g, '_') : long) : undefined;
  if (dest === undefined || keyword('nargs') !== undefined) return undefined;
  const action = keyword('action');
  const actionName = action === undefined ? 'store' : action.kind === 'str' ? action.value : undefined;
  const given = keyword('default');
  const convert = converter(keyword('type'));
  const required = keyword('required');
  if (required !== undefined && required.kind !== 'bool') return undefined;
  const isRequired = !optional || required?.value === true;
  switch (actionName) {
    case 'store': {
      // argparse passes a string default through `type`, as if it came from the command line.
      const fallback = given?.kind === 'str' && given.value !== undefined && convert ? convert(given.value) : given ?? NONE;
      return { dest, options, fallback, flagValue: undefined, convert, required: isRequired };
    }
    case 'store_true':
    case 'store_false': {
      const stores = actionName === 'store_true';
      return { dest, options, fallback: given ?? { kind: 'bool', value: !stores }, flagValue: { kind: 'bool', value: stores }, convert: undefined, required: isRequired };
    }
    case 'store_const':
      return { dest, options, fallback: given ?? NONE, flagValue: keyword('const') ?? UNKNOWN, convert: undefined, required: isRequired };
    case 'help':
    case 'version':
      return { dest: '', options, fallback: undefined, flagValue: undefined, convert: undefined, required: false };
    default:
      return undefined;
  }
}

/** `type=int` / `float` / `str` (or none): how a command-line string becomes a value. */
function converter(type: Value | undefined): ((text: string) => Value | undefined) | undefined {
  const path = type === undefined ? 'str' : type.kind === 'path' ? type.path : undefined;
  switch (path) {
    case 'str': return (text) => ({ kind: 'str', value: text });
    case 'int': return (text) => (/^\s*[-+]?\d+\s*$/.test(text) ? { kind: 'int', value: Number.parseInt(text, 10) } : undefined);
    case 'float': {
      return (text) => {
        const n = Number(text);
        return text.trim() !== '' && !Number.isNaN(n) ? { kind: 'float', value: n } : undefined;
      };
    }
    default: return undefined;
  }
}

/** What parse_args gives: a namespace, or unknown when some destination's value is not known. */
function parse(known: readonly Argument[], args: CallArgs): Value {
  const given = args.positional[0] ?? args.keywords.get('args');
  const tokens = given === undefined || given.kind === 'none' ? [] : given.kind === 'list' || given.kind === 'tuple' ? given.items.map((v) => (v.kind === 'str' ? v.value : undefined)) : undefined;
  if (!tokens || tokens.some((t) => t === undefined) || args.keywords.has('namespace')) return UNKNOWN;
  const values = new Map<string, Value | undefined>();
  const positionals = known.filter((a) => a.options.length > 0 && !(a.options[0] as string).startsWith('-'));
  const list = tokens as string[];
  for (let i = 0; i < list.length; i++) {
    const token = list[i] as string;
    const [option, inline] = token.startsWith('-') && token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    const argument = token.startsWith('-') ? known.find((a) => a.options.includes(option)) : positionals.shift();
    if (!argument) return UNKNOWN;
    if (argument.flagValue !== undefined && token.startsWith('-')) {
      values.set(argument.dest, argument.flagValue);
      continue;
    }
    const text = !token.startsWith('-') ? token : inline ?? list[++i];
    if (text === undefined) return UNKNOWN;
    values.set(argument.dest, argument.convert?.(text));
  }
  // A list without a required argument makes argparse exit; with none given (sys.argv), the script's
  // own command line would have it: unknown.
  const explicit = given !== undefined && given.kind !== 'none';
  if (explicit && known.some((a) => a.required && !values.has(a.dest))) return UNKNOWN;
  const entries = new Map<string, Value>();
  const sources = new Map<string, string>();
  for (const a of known) {
    if (a.dest === '') continue;
    const option = a.options.find((o) => o.startsWith('--')) ?? a.options[0] ?? a.dest;
    const value = values.has(a.dest) ? values.get(a.dest) : a.required ? undefined : a.fallback;
    entries.set(a.dest, value ?? UNKNOWN);
    if (values.has(a.dest)) sources.set(a.dest, `${option} as given to parse_args`);
    else if (!a.required) sources.set(a.dest, explicit ? `the default of ${option}` : `the default of ${option}, as the script runs without command-line arguments`);
  }
  const namespace: DictValue = { kind: 'dict', entries, argparse: 'namespace' };
  SOURCES.set(namespace, sources);
  return namespace;
}
