// A Python list's and dict's methods. A list value is shared by every name bound to it, so a
// method that changes it in place changes it for all of them. A change Conv Lab cannot work out (a sort by a
// key, removing an unknown item) keeps what is sure, the length, and makes the items unknown:
// never the old order, which is how `dims.reverse()` once gave layers built in the wrong order.
// When even the length is lost (`extend` of an unknown iterable), the method's result says so and
// the name it was called through becomes unknown.
import { pythonComparison } from './arithmetic';
import { dictKeyOf, itemsOf, keyValue, knownInt, NONE, tupleOf, UNKNOWN, type SequenceValue, type Value } from '../interpreter/values';
import type { CallArgs } from './context';

/** The code of the result of a list method after which the list's length is not known. */
export const LIST_LENGTH_LOST = 'list-length-lost';

/** `list.method(...)`'s result after its change to `list`; undefined for a method this module does not know. */
export function callListMethod(list: SequenceValue, name: string, args: CallArgs): Value | undefined {
  const items = list.items;
  const [first, second] = args.positional;
  switch (name) {
    case 'index': {
      // The first equal item's position; not found, Python raises ValueError (not reported; nothing after it is known).
      const key = dictKeyOf(first);
      if (key === undefined || args.positional.length !== 1) return { kind: 'int', value: undefined };
      for (let i = 0; i < items.length; i++) {
        const item = dictKeyOf(items[i]);
        if (item === undefined) return { kind: 'int', value: undefined };
        if (item === key) return { kind: 'int', value: i };
      }
      return UNKNOWN;
    }
    case 'append':
      if (first) items.push(first);
      return NONE;
    case 'extend': {
      const added = first ? itemsOf(first) : [];
      if (added) {
        items.push(...added);
        return NONE;
      }
      items.length = 0;
      return { kind: 'unknown', why: { code: LIST_LENGTH_LOST, message: 'the list was extended by something whose length is not known statically' } };
    }
    case 'insert': {
      if (!second) return NONE;
      const at = knownInt(first);
      if (at === undefined) {
        forgetItems(list, items.length + 1);
        return NONE;
      }
      // Python clamps the index into the list, negative ones counted from its end.
      items.splice(Math.max(0, Math.min(items.length, at < 0 ? at + items.length : at)), 0, second);
      return NONE;
    }
    case 'pop': {
      const at = first ? knownInt(first) : -1;
      if (items.length === 0) return UNKNOWN;
      if (at === undefined) {
        forgetItems(list, items.length - 1);
        return UNKNOWN;
      }
      return items.splice(at < 0 ? at + items.length : at, 1)[0] ?? UNKNOWN;
    }
    case 'clear':
      items.length = 0;
      return NONE;
    case 'reverse':
      items.reverse();
      return NONE;
    case 'sort': {
      const reverse = args.keywords.get('reverse');
      const descending = reverse === undefined ? false : reverse.kind === 'bool' ? reverse.value : undefined;
      const sorted = args.keywords.has('key') || descending === undefined ? undefined : sortedItems(items);
      if (!sorted) forgetItems(list, items.length);
      else items.splice(0, items.length, ...(descending ? sorted.reverse() : sorted));
      return NONE;
    }
    case 'remove': {
      const at = first ? items.findIndex((item) => pythonComparison('==', item, first) !== false) : -1;
      // Python removes the first equal item: known only when every item before it is known to differ.
      if (at >= 0 && first && pythonComparison('==', items[at] as Value, first) === true) items.splice(at, 1);
      else forgetItems(list, items.length - 1);
      return NONE;
    }
    case 'copy':
      return { kind: 'list', items: [...items] };
    default:
      return undefined;
  }
}

/**
 * Python's stable sort of known numbers or known strings (one kind), or undefined. Sorting is
 * stable and `reverse=True` is not the reverse of the ascending order for equal items, but equal
 * numbers or strings are indistinguishable, so reversing the ascending result is exact here.
 */
function sortedItems(items: readonly Value[]): Value[] | undefined {
  const numbers = items.every((v) => (v.kind === 'int' && typeof v.value === 'number') || (v.kind === 'float' && v.value !== undefined));
  const strings = items.every((v) => v.kind === 'str' && v.value !== undefined);
  if (!numbers && !strings) return undefined;
  const key = (v: Value): number | string => (v as { value: number | string }).value;
  return [...items].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** After a change Conv Lab cannot follow that keeps the length sure: that many unknown items. */
function forgetItems(list: SequenceValue, length: number): void {
  list.items.splice(0, list.items.length, ...Array.from({ length: Math.max(0, length) }, () => UNKNOWN));
}

/** `d.items()`, `d.values()`, `d.keys()`, `d.get(key, default)`; undefined for another method. */
export function callDictMethod(dict: Extract<Value, { kind: 'dict' }>, name: string, args: CallArgs): Value | undefined {
  switch (name) {
    case 'items': return { kind: 'list', items: [...dict.entries].map(([k, v]) => tupleOf([keyValue(k), v])) };
    case 'values': return { kind: 'list', items: [...dict.entries.values()] };
    case 'keys': return { kind: 'list', items: [...dict.entries.keys()].map(keyValue) };
    case 'get': {
      const key = dictKeyOf(args.positional[0]);
      return key !== undefined ? (dict.entries.get(key) ?? args.positional[1] ?? NONE) : UNKNOWN;
    }
    case 'pop': {
      // `d.pop(key[, default])`: the key's value, and the key is gone (Python's KeyError without a default is not reported).
      const key = dictKeyOf(args.positional[0]);
      if (key === undefined || args.positional.length === 0) return undefined;
      const found = dict.entries.get(key);
      dict.entries.delete(key);
      return found ?? args.positional[1] ?? UNKNOWN;
    }
    case 'update': {
      const other = args.positional[0];
      if (args.positional.length > 1 || (other && other.kind !== 'dict')) return undefined;
      if (other?.kind === 'dict') for (const [k, v] of other.entries) dict.entries.set(k, v);
      for (const [k, v] of args.keywords) dict.entries.set(k, v);
      return NONE;
    }
    case 'setdefault': {
      const key = dictKeyOf(args.positional[0]);
      if (key === undefined) return undefined;
      if (!dict.entries.has(key)) dict.entries.set(key, args.positional[1] ?? NONE);
      return dict.entries.get(key) ?? UNKNOWN;
    }
    case 'clear':
      dict.entries.clear();
      return NONE;
    default: return undefined;
  }
}
