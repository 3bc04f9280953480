// What each top-level statement did in one analysis run, kept so that the analysis after an
// edit re-runs only the statements the edit can affect and reuses the results of the others.
//
// A statement's run depends on the module-level names it reads. A record keeps, per statement:
// the names it read and which statement had last bound each (its inputs), the names it bound
// (its outputs), the statements whose objects it used (functions, classes, modules, lists: they
// carry code or can be changed, so statements sharing one always re-run together), and the
// results found in its own text (values of expressions, bindings, errors, layers), with offsets
// relative to its start, so a record stays valid wherever the statement moves.
//
// After an edit, the statements it touched re-run, with every statement that shares objects
// with them or read a name one of them bound, transitively. A re-run statement reading a name
// bound by a statement that is not re-run gets the value that statement bound, when that value
// is immutable (a tensor's shape, a number, a library path); anything else makes the other
// statement re-run too (the run restarts with it). Afterwards, a statement that is not re-run
// but would now read a name a re-run statement binds is added the same way.
import type { SyntaxNode } from '@lezer/common';
import type { ChangedRange } from '../syntax/document';
import type { Dim } from './dim';
import type { CallLink } from './site';
import type { Layer, PythonErrorKind, Site, Value } from './values';

/** An error found by the analysis, its range relative to its statement's start. */
export interface RecordedDiagnostic {
  readonly from: number;
  readonly to: number;
  readonly code: string;
  readonly message: string;
  /** The Python exception PyTorch raises with this message. */
  readonly kind: PythonErrorKind;
  /** The layer whose call failed (its construction site is related information). */
  readonly layer?: Layer | undefined;
  /** The tensors and sizes the failing call received, for quick fixes. */
  readonly operands?: readonly Value[] | undefined;
  /** In another file than the one analysed: the calls that led there, outermost first. */
  readonly chain?: readonly CallLink[] | undefined;
  /** Found analysing the function whose def starts here without a call (symbolic arguments). */
  readonly symbolicEntry?: number | undefined;
}

/** A name bound by an assignment, its ranges relative to its statement's start. */
export interface RecordedBinding {
  readonly statement: { readonly from: number; readonly to: number };
  readonly target: { readonly from: number; readonly to: number };
  readonly name: string;
  readonly value: Value;
  /** Found analysing the function whose def starts here without a call (symbolic arguments). */
  readonly symbolicEntry?: number | undefined;
}

/**
 * The values one expression had: by its relative end and, for a function analysed without a call,
 * where its def starts (`entry`). One value alone is kept as itself, then up to 8 distinct ones in
 * an array: most expressions run once, and a hover reads few (one object per expression run).
 */
export interface ValueSlot {
  readonly to: number;
  readonly entry: number | undefined;
  values: Value | Value[];
  /** Another expression starting at the same offset, or this one reached from another entry. */
  next: ValueSlot | undefined;
}

/** A slot's values as a list. */
export function slotValues(slot: ValueSlot): readonly Value[] {
  return Array.isArray(slot.values) ? slot.values : [slot.values];
}

export class StatementRecord {
  /** Evaluation steps spent running it (the budget counts every statement, reused or not). */
  steps = 0;
  /** Module-level names it bound, with the last value of each. */
  readonly writes = new Map<string, Value>();
  /** Module-level names it read, with the statement that had bound each then (null: none had). */
  readonly reads = new Map<string, StatementRecord | null>();
  // The collections below stay undefined until used: most statements have none of them, and a
  // 5,000-line file has over a thousand statements, all kept while their analysis lives.
  /** The same for the names read by its functions analysed after the file ran (with no call). */
  endReads: Map<string, StatementRecord | null> | undefined;
  /** Statements whose objects (functions, classes, modules, containers) it used. */
  shares: Set<StatementRecord> | undefined;
  /** The values of expressions in its text, by relative start (then a chain of slots). */
  readonly values = new Map<number, ValueSlot>();
  readonly bindings: RecordedBinding[] = [];
  diagnostics: RecordedDiagnostic[] | undefined;
  /** Layers constructed by calls in its text, by the call's relative range (`spanKey`). */
  layers: Map<number, Layer> | undefined;

  constructor(
    /** The statement's syntax type and length: a statement the edit left alone keeps both. */
    readonly type: string,
    readonly length: number,
  ) {}
}

/** What one analysis leaves for the next. */
export interface AnalysisState {
  readonly revision: number;
  /** Top-level statements in order, with their ranges in that revision's text. */
  readonly records: readonly StatementRecord[];
  readonly starts: readonly number[];
  /** Where each layer was constructed (its constructor call). */
  readonly layerSites: WeakMap<Layer, Site>;
  readonly layerInputs: WeakMap<Layer, (readonly Dim[] | undefined)[]>;
  /** The run imported project modules: a later one must run whole (they may have changed). */
  readonly importedModules: boolean;
}

/** A run that needs these statements re-run too (their objects were used, or a name they read changed). */
export class NeedsStatements extends Error {
  constructor(readonly records: readonly StatementRecord[]) {
    super('the analysis needs more statements re-run');
  }
}

/** The top-level statements of a parsed file, in order. */
export function topLevelStatements(top: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = top.firstChild; child; child = child.nextSibling) if (child.type.is('Statement')) out.push(child);
  return out;
}

/** The index of the statement whose range (`starts[i]`..`ends[i]`, ascending) holds `offset`, or -1. */
export function statementIndexAt(starts: readonly number[], ends: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return offset >= (starts[lo] ?? Infinity) && offset < (ends[lo] ?? -Infinity) ? lo : -1;
}

/**
 * Which of the new statements keep their previous record: those outside the changed range,
 * unchanged in type and length, that neither depend on nor share objects with a statement
 * in `rerun` (old records, typically those the edit touched). Undefined when the statements
 * before the edit do not line up (the previous state is not a base for this text).
 */
export function reusedRecords(previous: AnalysisState, statements: readonly SyntaxNode[], change: ChangedRange, rerun: Iterable<StatementRecord>): (StatementRecord | undefined)[] | undefined {
  const old = previous.records;
  const delta = change.newTo - change.oldTo;
  const matched: (StatementRecord | undefined)[] = statements.map(() => undefined);
  const touched = new Set(rerun);
  // The same text (a probe re-running some statements): every statement keeps its place.
  if (change.from === change.oldTo && change.oldTo === change.newTo && delta === 0 && old.length === statements.length) {
    const aligned = statements.every((node, i) => node.from === previous.starts[i] && node.to - node.from === old[i]?.length && node.name === old[i]?.type);
    if (aligned) {
      const affected = affectedBy(old, touched);
      return old.map((record) => (affected.has(record) ? undefined : record));
    }
  }
  // Before the change: same positions. The statements must line up one to one.
  let i = 0;
  while (i < old.length && i < statements.length) {
    const record = old[i] as StatementRecord;
    const start = previous.starts[i] as number;
    const node = statements[i] as SyntaxNode;
    if (start + record.length >= change.from || node.to >= change.from) break;
    if (node.from !== start || node.to - node.from !== record.length || node.name !== record.type) return undefined;
    matched[i] = record;
    i++;
  }
  // After it: shifted by the change's length difference, matched from the end.
  let j = old.length - 1;
  let k = statements.length - 1;
  while (j >= i && k >= i) {
    const record = old[j] as StatementRecord;
    const start = previous.starts[j] as number;
    const node = statements[k] as SyntaxNode;
    if (start <= change.oldTo || node.from <= change.newTo) break;
    if (node.from !== start + delta || node.to - node.from !== record.length || node.name !== record.type) break;
    matched[k] = record;
    j--;
    k--;
  }
  for (let m = i; m <= j; m++) touched.add(old[m] as StatementRecord);
  const affected = affectedBy(old, touched);
  return matched.map((record) => (record && !affected.has(record) ? record : undefined));
}

/** `seeds`, the statements sharing objects with them, and the readers of names they bound, transitively. */
function affectedBy(records: readonly StatementRecord[], seeds: Set<StatementRecord>): Set<StatementRecord> {
  // Edges both ways for shared objects; from the binder to the reader for names.
  const neighbours = new Map<StatementRecord, StatementRecord[]>();
  const link = (a: StatementRecord, b: StatementRecord): void => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (const record of records) {
    for (const other of record.shares ?? []) {
      link(record, other);
      link(other, record);
    }
    for (const reads of [record.reads, record.endReads]) for (const binder of reads?.values() ?? []) if (binder) link(binder, record);
  }
  const affected = new Set(seeds);
  const queue = [...seeds];
  for (let next = queue.pop(); next; next = queue.pop()) {
    for (const other of neighbours.get(next) ?? []) {
      if (affected.has(other)) continue;
      affected.add(other);
      queue.push(other);
    }
  }
  return affected;
}

/**
 * Values a statement can take from another without sharing anything that runs or changes. A
 * tensor whose elements are known is not one: changing it in place elsewhere changes what its
 * readers see.
 */
export function isImmutable(value: Value, depth = 0): boolean {
  switch (value.kind) {
    case 'tensor':
      return value.elements === undefined;
    case 'int':
    case 'float':
    case 'bool':
    case 'str':
    case 'none':
    case 'path':
    case 'dtype':
    case 'unknown':
      return true;
    case 'tuple':
      return depth < 8 && value.items.every((item) => isImmutable(item, depth + 1));
    default:
      return false;
  }
}
