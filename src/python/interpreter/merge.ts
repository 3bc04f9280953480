// What a value is after paths meet (branches, loops run an unknown number of times, a function's
// returns): what every path allows. Sizes the paths disagree on become unknown, and a value known
// on one path and not on another is not known.
import { UNKNOWN_DIM } from '../rules/shapes';
import { dimsEqual, type Dim } from './dim';
import type { Value, Why } from './values';

/**
 * The value after two paths meet: what they agree on; sizes they disagree on become unknown, and
 * a value known on one path and not on the other is not known (`why` says where the paths met).
 */
export function mergeValues(a: Value, b: Value, why?: Why): Value {
  if (a === b) return a;
  if (a.kind === 'tensor' && b.kind === 'tensor') {
    const dtype = a.dtype === b.dtype ? a.dtype : undefined;
    const library = a.library === b.library ? a.library : undefined;
    const elements = a.elements && a.elements === b.elements ? a.elements : undefined;
    // A side whose elements were never known keeps its reason; elements lost at the join say where the paths met.
    const specific = (t: typeof a): boolean => !t.elements && t.why !== undefined && !(t.why.code === 'not-static' && t.why.message === undefined);
    const noElements = elements ? undefined : specific(a) ? a.why : specific(b) ? b.why : (why ?? a.why ?? b.why);
    if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return { kind: 'tensor', shape: undefined, dtype, library, why: noElements };
    return { kind: 'tensor', shape: a.shape.map((d, i) => (dimsEqual(d, b.shape?.[i] as Dim) ? d : UNKNOWN_DIM)), dtype, library, elements, why: noElements };
  }
  if (a.kind === 'int' && b.kind === 'int') {
    if (a.value !== undefined && b.value !== undefined && dimsEqual(a.value, b.value)) return a;
    if (a.exact !== undefined && a.exact === b.exact) return a;
    return { kind: 'int', value: undefined };
  }
  if ((a.kind === 'tuple' || a.kind === 'list') && b.kind === a.kind && a.items.length === b.items.length) {
    return { kind: a.kind, items: a.items.map((x, i) => mergeValues(x, b.items[i] as Value, why)) };
  }
  if (sameValue(a, b)) return a;
  // `torch.cuda.FloatTensor if cuda else torch.FloatTensor`: both make the same tensor (where it lives is not followed).
  if (a.kind === 'path' && b.kind === 'path' && hostTensorType(a.path) === hostTensorType(b.path)) return { kind: 'path', path: hostTensorType(a.path) };
  // A path where the name is unbound or unknown: the name is not known after the join.
  return { kind: 'unknown', why: (a.kind === 'unknown' ? a.why : undefined) ?? (b.kind === 'unknown' ? b.why : undefined) ?? why };
}


export function sameValue(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tensor' && b.kind === 'tensor') {
    return a.dtype === b.dtype && a.elements === b.elements && (a.shape && b.shape ? a.shape.length === b.shape.length && a.shape.every((d, i) => dimsEqual(d, b.shape?.[i] as Dim)) : a.shape === b.shape);
  }
  if (a.kind === 'int' && b.kind === 'int') return a.value === b.value && a.exact === b.exact;
  if ((a.kind === 'float' || a.kind === 'bool' || a.kind === 'str') && 'value' in b) return a.value === b.value;
  if (a.kind === 'none') return true;
  if (a.kind === 'path' && b.kind === 'path') return a.path === b.path;
  if (a.kind === 'dtype' && b.kind === 'dtype') return a.dtype === b.dtype && a.library === b.library;
  return a === b;
}

/** A legacy tensor type's CPU name (`torch.cuda.FloatTensor` → `torch.FloatTensor`); any other path as it is. */
function hostTensorType(path: string): string {
  return /^torch\.cuda\.[A-Z]\w*Tensor$/.test(path) ? `torch.${path.slice('torch.cuda.'.length)}` : path;
}
