// The one interpreter of Conv Lab's Python: it walks a whole file's syntax tree in execution order
// with abstract values (values.ts), the way Python would run it but with shapes for tensors (and
// their elements, when known). Module-level code runs once; a function or method body is analysed
// at each call with the argument values that reach it (so `netG(noise)` follows `forward` with
// noise's shape), and every function no call reached is analysed afterwards with unknown
// arguments, giving symbolic sizes. Every client asks it: hovers, hints, diagnostics, quick fixes,
// the CLI, and the run commands' selections (through probes: the values an expression had).
//
// This file is the run: the module's names and the incremental bookkeeping (incremental.ts), the
// results each statement records, errors turned into diagnostics, changes in place, and the
// budget. Statements, expressions and calls are their own files, wired together here.
//
// Every step is counted against a budget, so any input, however hostile, ends in bounded time;
// so is every element computed while the file is read.
import type { SyntaxNode } from '@lezer/common';
import { DEFAULT_MAX_ELEMENTS, type FloatDType, type Tensor } from '../../core/tensor';
import type { CallArgs, RuleContext } from '../rules/context';
import type { SyntaxMemo } from '../syntax/memo';
import { asPythonError, type PythonError } from '../rules/messages';
import type { PythonDocument, Span } from '../syntax/document';
import { CallRunner } from './calls';
import type { Dim } from './dim';
import { DataRefusal, materialize, WorkBudget, type Storage } from './elements';
import { ExpressionEvaluator } from './expressions';
import { isImmutable, NeedsStatements, StatementRecord, topLevelStatements, type AnalysisState, type ValueSlot } from './incremental';
import { ModuleImports } from './imports';
import { ModuleContext, type CallLink, type LoadedModule, type ModuleLoader } from './modules';
import { RaisedInCall, type Activation, type Flow, type Machine, type Raised, type SuperValue } from './machine';
import type { CallTrace } from './callTrace';
import { shapesEqual } from './dim';
import { RuleScope } from './ruleScope';
import { excerpt, StatementRunner } from './statements';
import { Frame, type FunctionValue, type Layer, type ModuleRef, type ModuleValue, type Site, type TensorValue, type Value } from './values';

export interface AnalysisOptions {
  /** Evaluation steps before the analysis stops (what it found so far is kept). */
  readonly maxSteps?: number;
  /** Largest tensor whose elements are computed (`convLab.maxElements`). */
  readonly maxElements?: number;
  /**
   * Wall-clock limit in milliseconds, checked every thousand steps; none by default, so that the
   * result depends on the steps alone (the CLI gives the same answer on any machine). The editor's
   * worker sets one.
   */
  readonly timeBudgetMs?: number;
  /** PyTorch's default dtype (`convLab.defaultDtype`, `torch.set_default_dtype`). */
  readonly defaultDtype?: FloatDType;
  /** The project the file is part of: its imports of the project's modules are followed. */
  readonly modules?: ModuleLoader | undefined;
  /** Where the run records its module calls (the model summary); the editor's analyses leave it out. */
  readonly trace?: CallTrace | undefined;
}

/** Element operations the analysis itself may spend reading elements (`.item()`, a condition on a tensor). */
const READ_BUDGET = 2_000_000;

class BudgetExceeded extends Error {}

/** The module's names: every read and write is reported, so each statement's inputs and outputs are known. */
class ModuleNames extends Map<string, Value> {
  constructor(private readonly onRead: (name: string, own: Value | undefined) => Value | undefined, private readonly onWrite: (name: string, value: Value) => void) {
    super();
  }

  override get(name: string): Value | undefined {
    return this.onRead(name, super.get(name));
  }

  override set(name: string, value: Value): this {
    this.onWrite(name, value);
    return super.set(name, value);
  }
}

/** When a name is read by the functions analysed after the file ran: after every statement. */
const AFTER_ALL = Number.POSITIVE_INFINITY;

/** A previous analysis to build on: its state, the new top-level statements, and which of them keep their records. */
export interface Reuse {
  readonly previous: AnalysisState;
  readonly statements: readonly SyntaxNode[];
  readonly records: readonly (StatementRecord | undefined)[];
}

/** A change in place: when, through which name, by which statement. */
interface Change {
  readonly time: number;
  readonly name: string;
  readonly statement: Site | undefined;
  readonly text: string;
}

export class Interpreter implements Machine {
  /** One per top-level statement: reused ones from the previous analysis, the others filled by this run. */
  readonly records: StatementRecord[];
  readonly statements: readonly SyntaxNode[];
  readonly starts: number[];
  readonly ends: number[];
  readonly layerSites: WeakMap<Layer, Site>;
  readonly layerInputs: WeakMap<Layer, (readonly Dim[] | undefined)[]>;
  truncated = false;
  readonly trace: CallTrace | undefined;
  /** The values each probed range had (every time it ran), by `from:to`. */
  readonly probed = new Map<string, Value[]>();
  /** The file analysed, and the file whose code runs now (another one's while one of its functions runs). */
  readonly root: ModuleContext;
  private current: ModuleContext;
  /** The project's modules this run imported, and the call sites on the way to what runs now. */
  readonly imports: ModuleImports;
  private readonly callSites: { readonly context: ModuleContext; readonly from: number; readonly to: number }[] = [];
  /**
   * While a function no call reached is analysed with unknown arguments: where its def starts.
   * What that pass finds is tagged with it: a project drops it where another file's call ran the
   * function with real arguments.
   */
  private symbolicEntry: number | undefined;
  /** Errors this run found (their ranges in their file), by file, range and message: to report each once. */
  private readonly reported = new Map<string, { readonly context: ModuleContext; readonly from: number; readonly to: number; readonly message: string }>();
  private readonly rerun: Set<StatementRecord>;
  /** The statement running (or whose function is analysed), its index, and the time names are read at. */
  private executing: StatementRecord | undefined;
  private executingIndex = -1;
  private time = 0;
  /** For each module name, the index of the statement of this run that last bound it. */
  private readonly binderIndex = new Map<string, number>();
  /** For each module name, the indices of the reused statements that bind it, ascending. */
  private readonly reusedBinders: Map<string, number[]>;
  /** Each record's statement index in this run. */
  readonly indexOf: Map<StatementRecord, number>;

  private readonly maxSteps: number;
  readonly maxElements: number;
  readonly defaultDtype: FloatDType;
  private steps = 0;
  private raisedCount = 0;
  /** The last error Python would have raised (what a call that raised on every path passes on). */
  private lastRaised: Raised | undefined;
  private stepsAtSwitch = 0;
  private readonly deadline: number;
  /** The clock values are born on: it ticks at every change in place. */
  private clock = 0;
  private readonly changes = new Map<Storage, Change>();
  private readonly readBudget = new WorkBudget(READ_BUDGET);
  private readonly probes: ReadonlySet<string> | undefined;

  /** Autograd inside the `with` blocks being run: 'off' in `torch.no_grad()`, 'unknown' in a context manager not known. */
  gradMode: 'on' | 'off' | 'unknown' = 'on';

  private readonly statementRunner: StatementRunner;
  private readonly expressions: ExpressionEvaluator;
  private readonly calls: CallRunner;

  constructor(doc: PythonDocument, options: AnalysisOptions = {}, reuse?: Reuse, probes?: readonly Span[]) {
    this.maxSteps = options.maxSteps ?? 400_000;
    this.deadline = performance.now() + (options.timeBudgetMs ?? Infinity);
    this.maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
    this.defaultDtype = options.defaultDtype ?? 'float32';
    this.trace = options.trace;
    this.probes = probes && probes.length > 0 ? new Set(probes.map(probeKey)) : undefined;
    this.statements = reuse?.statements ?? topLevelStatements(doc.tree.topNode);
    const root = new ModuleContext(undefined, options.modules?.path, doc, this.statements, this.statements.map((s, i) => reuse?.records[i] ?? new StatementRecord(s.name, s.to - s.from)));
    this.root = this.current = root;
    ({ starts: this.starts, ends: this.ends, records: this.records, indexOf: this.indexOf } = root);
    this.rerun = new Set(this.records.filter((r, i) => r !== reuse?.records[i]));
    this.layerSites = reuse?.previous.layerSites ?? new WeakMap();
    this.layerInputs = reuse?.previous.layerInputs ?? new WeakMap();
    this.imports = new ModuleImports(this, options.modules);
    this.reusedBinders = this.bindersByName(false);
    this.statementRunner = new StatementRunner(this);
    this.expressions = new ExpressionEvaluator(this);
    this.calls = new CallRunner(this, () => this.executingIndex);
  }

  /** Whether autograd records ops: known off in `torch.no_grad()`, on at the file's top level; in a function it depends on its callers. */
  get gradEnabled(): boolean | undefined {
    if (this.gradMode !== 'on') return this.gradMode === 'off' ? false : undefined;
    return this.calls.depth === 0 ? true : undefined;
  }

  /** For each module name, the indices of the statements (re-run ones, or reused ones) binding it, ascending. */
  private bindersByName(rerun: boolean): Map<string, number[]> {
    const byName = new Map<string, number[]>();
    this.records.forEach((record, i) => {
      if (this.rerun.has(record) !== rerun) return;
      for (const name of record.writes.keys()) {
        const binders = byName.get(name);
        if (binders) binders.push(i);
        else byName.set(name, [i]);
      }
    });
    return byName;
  }

  /**
   * Runs the statements that have no reused record, then analyses the functions they defined
   * that no call reached. Throws NeedsStatements when a reused statement must re-run too.
   */
  run(): void {
    const module = new Frame(undefined, new ModuleNames((name, own) => this.readModuleName(name, own), (name, value) => this.bindModuleName(name, value)));
    module.names.set('__name__', { kind: 'str', value: '__main__' });
    const top: Activation = { frame: module, returns: [], self: undefined, cls: undefined };
    let tracePaused = false;
    try {
      for (let i = 0; i < this.statements.length; i++) {
        const record = this.records[i] as StatementRecord;
        if (!this.rerun.has(record)) continue;
        this.runAs(i, i);
        this.exec(this.statements[i] as SyntaxNode, top);
      }
      // Functions no call reached: analysed once with unknown arguments (symbolic sizes).
      if (this.trace) {
        this.trace.paused++;
        tracePaused = true;
      }
      for (let i = 0; i < this.calls.functions.length; i++) {
        const { fn, definer } = this.calls.functions[i] as { fn: FunctionValue; definer: number };
        // Another file's functions are analysed in that file's own analysis.
        if (fn.module !== undefined || this.calls.analysed.has(this.functionKey(fn))) continue;
        this.runAs(definer, AFTER_ALL);
        this.symbolicEntry = fn.node.from;
        const self = fn.self ?? this.calls.instanceForUncalledMethod(fn);
        this.calls.callFunction({ ...fn, self }, { positional: [], keywords: new Map(), spread: false }, true);
      }
      this.symbolicEntry = undefined;
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.truncated = true;
    } finally {
      if (this.trace && tracePaused) this.trace.paused--;
      this.runAs(-1, 0);
    }
  }

  /** Whether every statement's steps, reused ones included, are more than the budget allows. */
  exceedsBudget(): boolean {
    return this.records.reduce((sum, r) => sum + r.steps, 0) > this.maxSteps;
  }

  /**
   * Reused statements that read a name a re-run statement now binds after the statement they
   * had read it from (they would see a different value).
   */
  staleReaders(): StatementRecord[] {
    const rerunBinders = this.bindersByName(true);
    const stale: StatementRecord[] = [];
    this.records.forEach((record, i) => {
      if (this.rerun.has(record)) return;
      for (const [reads, time] of [[record.reads, i], [record.endReads, AFTER_ALL]] as const) {
        for (const [name, binder] of reads ?? []) {
          const binderAt = binder ? (this.indexOf.get(binder) ?? Number.NaN) : -1;
          const rebound = latestBefore(rerunBinders.get(name), time);
          if (Number.isNaN(binderAt) || rebound > binderAt) {
            stale.push(record);
            return;
          }
        }
      }
    });
    return stale;
  }

  /** Attributes what follows to statement `index` (-1: none), reading module names as at `time`. */
  private runAs(index: number, time: number): void {
    if (this.executing) this.executing.steps += this.steps - this.stepsAtSwitch;
    this.stepsAtSwitch = this.steps;
    this.executing = index >= 0 ? this.records[index] : undefined;
    this.executingIndex = index;
    this.time = time;
  }

  private readModuleName(name: string, own: Value | undefined): Value | undefined {
    const reader = this.executing;
    let binderAt = this.binderIndex.get(name) ?? -1;
    let value = own;
    const reusedAt = latestBefore(this.reusedBinders.get(name), this.time);
    if (reusedAt > binderAt) {
      const binder = this.records[reusedAt] as StatementRecord;
      value = binder.writes.get(name);
      if (value && !isImmutable(value)) throw new NeedsStatements([binder]);
      binderAt = reusedAt;
    }
    const binder = binderAt >= 0 ? (this.records[binderAt] as StatementRecord) : null;
    if (reader && binder !== reader) {
      const reads = this.time === AFTER_ALL ? (reader.endReads ??= new Map()) : reader.reads;
      if (!reads.has(name)) reads.set(name, binder);
      if (binder && value && !isImmutable(value)) (reader.shares ??= new Set()).add(binder);
    }
    return value;
  }

  private bindModuleName(name: string, value: Value): void {
    this.executing?.writes.set(name, value);
    this.binderIndex.set(name, this.executingIndex);
  }

  /** The index of the top-level statement of the running file whose text holds `offset`, or -1. */
  private ownerIndex(offset: number): number {
    // Mostly the running statement, or the one whose function it calls (looked up last).
    return this.current.ownerIndex(offset, this.current === this.root ? this.executingIndex : -1);
  }

  /**
   * The record of statement `index` of the running file, which results found in its text go to.
   * Writing into a reused record would change the previous analysis: that statement must re-run instead.
   */
  private resultsOf(index: number): StatementRecord {
    const record = this.current.records[index] as StatementRecord;
    if (this.current !== this.root) return record;
    if (record !== this.executing) {
      if (!this.rerun.has(record)) throw new NeedsStatements([record]);
      if (this.executing) (this.executing.shares ??= new Set()).add(record);
    }
    return record;
  }

  get raised(): number {
    return this.raisedCount;
  }

  /** What the last error Python would raise was, for a call that ends by it. */
  lastRaisedError(): Raised | undefined {
    return this.lastRaised;
  }

  noteRaised(raised: { kind: string; message: string }, statement: SyntaxNode): void {
    this.lastRaised = { ...raised, site: this.siteOf(statement) };
  }

  tick(): void {
    if (++this.steps > this.maxSteps || ((this.steps & 1023) === 0 && performance.now() > this.deadline)) throw new BudgetExceeded();
  }

  /** The text of the file whose code runs now. */
  get text(): string {
    return this.current.text;
  }

  get syntax(): SyntaxMemo {
    return this.current.doc.memo;
  }

  src(node: SyntaxNode): string {
    return this.current.text.slice(node.from, node.to);
  }

  srcIn(module: ModuleRef, node: SyntaxNode): string {
    const doc = module ? (module as LoadedModule).doc : this.root.doc;
    return doc ? doc.text.slice(node.from, node.to) : '';
  }

  siteOf(node: SyntaxNode): Site | undefined {
    const owner = this.ownerIndex(node.from);
    if (owner < 0) return undefined;
    const start = this.current.starts[owner] as number;
    return { statement: this.current.records[owner] as StatementRecord, from: node.from - start, to: node.to - start };
  }

  // -------------------------------------------------------------------------------------------
  // Files: the project's modules, and the file whose code runs.

  get currentModule(): ModuleRef {
    return this.current.module;
  }

  /** What identifies a function's body in this run (its file and where its def starts). */
  functionKey(fn: FunctionValue): number {
    return (fn.module?.index ?? 0) * 2 ** 32 + fn.node.from;
  }

  importModule(dotted: string, level: number): { top: ModuleValue; leaf: ModuleValue } | undefined {
    return this.imports.importModule(this.current, dotted, level);
  }

  importedName(module: ModuleValue, name: string, node: SyntaxNode): Value {
    return this.imports.importedName(module, name, this.siteOf(node));
  }

  starNames(module: ModuleValue): [string, Value][] {
    return this.imports.starNames(module);
  }

  /** Runs `run` with `context` as the running file (a module's top level as it is imported). */
  within<T>(context: ModuleContext, run: () => T): T {
    const outer = this.current;
    this.current = context;
    try {
      return run();
    } finally {
      this.current = outer;
    }
  }

  /**
   * A call of `fn` from `call` begins: its body runs in its own file (when that is another file,
   * in the context where calls from other files leave their results). Returns what ends the call.
   */
  enterFunction(fn: FunctionValue, call: SyntaxNode | undefined): () => void {
    const caller = this.current;
    this.callSites.push({ context: caller, from: call?.from ?? -1, to: call?.to ?? -1 });
    const module = fn.module as LoadedModule | undefined;
    if (caller.module !== module) {
      // A call from a function analysed without a call gives another file nothing to show.
      const target = module ? (this.symbolicEntry === undefined ? module.calledContext() : module.loading) : this.root;
      if (target) {
        if (module && call && caller.path !== undefined) {
          const callers = module.callers.get(fn.node.from) ?? [];
          if (callers.length < 8 && !callers.some((c) => c.path === caller.path && c.from === call.from)) callers.push({ path: caller.path, from: call.from, to: call.to });
          module.callers.set(fn.node.from, callers);
        }
        this.current = target;
      }
    }
    if (this.current.module && this.current === this.current.module.called) this.current.module.ran.add(fn.node.from);
    return () => {
      this.callSites.pop();
      this.current = caller;
    };
  }

  /** The call sites that led to what runs now, outermost first (for an error in another file). */
  private callChain(): CallLink[] {
    return this.callSites.filter((s) => s.from >= 0 && s.context.path !== undefined).map((s) => ({ path: s.context.path as string, from: s.from, to: s.to }));
  }

  /** The file a site of this run is in, and its range there. */
  locate(site: Site | undefined): { context: ModuleContext; from: number; to: number } | undefined {
    if (!site) return undefined;
    const record = site.statement as StatementRecord;
    const context = this.root.indexOf.has(record) ? this.root : this.imports.contextOf(record);
    const index = context?.indexOf.get(record);
    if (!context || index === undefined) return undefined;
    const start = context.starts[index] as number;
    return { context, from: start + site.from, to: start + site.to };
  }

  // -------------------------------------------------------------------------------------------
  // The parts, wired together.

  exec(node: SyntaxNode, act: Activation): Flow {
    return this.statementRunner.exec(node, act);
  }

  execBlock(container: SyntaxNode, act: Activation): Flow {
    return this.statementRunner.execBlock(container, act);
  }

  assignTarget(target: SyntaxNode, value: Value, statement: SyntaxNode, act: Activation): void {
    this.statementRunner.assignTarget(target, value, statement, act);
  }

  changeInPlace(receiver: SyntaxNode, before: Value, after: Value, statement: SyntaxNode, act: Activation, valuesChanged = true): void {
    this.statementRunner.changeInPlace(receiver, before, after, statement, act, valuesChanged);
  }

  eval(node: SyntaxNode, act: Activation): Value {
    return this.expressions.eval(node, act);
  }

  /** Evaluates an expression; an error becomes a diagnostic (when certain) and the value unknown, saying why. */
  evalSafely(node: SyntaxNode, act: Activation): Value {
    try {
      return this.eval(node, act);
    } catch (e) {
      const value = this.failed(node, e);
      this.probe(node, value);
      return value;
    }
  }

  truthOf(v: Value): boolean | undefined {
    return this.expressions.truthOf(v);
  }

  lookup(name: string, act: Activation, node: SyntaxNode): Value {
    return this.expressions.lookup(name, act, node);
  }

  call(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value {
    return this.calls.call(callee, args, node);
  }

  attribute(object: Value | SuperValue, name: string, node: SyntaxNode | undefined): Value {
    return this.calls.attribute(object, name, node);
  }

  defineFunction(node: SyntaxNode, act: Activation): void {
    this.calls.defineFunction(node, act);
  }

  defineClass(node: SyntaxNode, act: Activation): void {
    this.calls.defineClass(node, act);
  }

  rules(node: SyntaxNode | undefined): RuleContext {
    return new RuleScope(this, node);
  }

  /** The interpreter's clock, for when values are made. */
  now(): number {
    return this.clock;
  }

  /** A tensor's elements, within what the analysis may spend reading them. */
  read(t: TensorValue): Tensor | undefined {
    if (!t.elements) return undefined;
    try {
      return materialize(t.elements, this.readBudget);
    } catch (e) {
      if (e instanceof DataRefusal) return undefined;
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Results: values, bindings, errors, layers, changes in place.

  guard(node: SyntaxNode, run: () => Value, layer?: Layer, operands?: () => readonly Value[]): Value {
    try {
      return run();
    } catch (e) {
      const value = this.failed(node, e, layer, operands);
      this.probe(node, value);
      return value;
    }
  }

  /** What an evaluation that threw gives: Python's and PyTorch's errors are reported; budget exhaustion and bugs propagate. */
  private failed(node: SyntaxNode, e: unknown, layer?: Layer, operands?: () => readonly Value[]): Value {
    if (e instanceof BudgetExceeded || e instanceof NeedsStatements) throw e;
    const error = asPythonError(e);
    if (error) {
      const site = error.at ?? this.siteOf(node);
      if (error.diagnostic) {
        // Only the errors Conv Lab is sure PyTorch raises stop a path (an unknown name may be an import it does not follow).
        this.raisedCount++;
        this.lastRaised = { kind: error.kind, message: error.message, site };
        this.report(node, error, layer, operands?.());
      }
      return { kind: 'unknown', why: { code: error.code, message: error.message, kind: error.kind, site } };
    }
    if (e instanceof RaisedInCall) {
      this.raisedCount++;
      const { kind, message, site } = e.raised;
      return { kind: 'unknown', why: { code: 'raises', message: `'${e.callee}(...)' raises ${kind}: ${message} (line {line})`, site: this.siteOf(node), lineOf: site } };
    }
    if (e instanceof DataRefusal) return { kind: 'unknown', why: { code: e.code, message: e.message, site: e.at ?? this.siteOf(node) } };
    // `includes`, not a regular expression: compiling one so close to the stack's end overflows again.
    if (e instanceof RangeError && e.message.includes('call stack')) {
      return { kind: 'unknown', why: { code: 'too-deep', message: 'the expression is nested too deeply to evaluate', site: this.siteOf(node) } };
    }
    throw e;
  }

  private report(node: SyntaxNode, e: PythonError, layer?: Layer, operands?: readonly Value[]): void {
    const context = this.current;
    const key = `${context.module?.index ?? 0}:${node.from}:${node.to}:${e.message}`;
    if (this.reported.has(key)) return;
    // An error inside a callee is reported there, not again at each caller.
    for (const d of this.reported.values()) if (d.context === context && d.message === e.message && d.from >= node.from && d.to <= node.to) return;
    const owner = this.ownerIndex(node.from);
    if (owner < 0) return;
    const start = context.starts[owner] as number;
    // An error in another file than the one analysed says how the run got there.
    const chain = context === this.root ? undefined : this.callChain();
    const diagnostic = { from: node.from - start, to: node.to - start, code: e.code, message: e.message, kind: e.kind, layer, operands, chain, symbolicEntry: this.symbolicEntry };
    const record = this.resultsOf(owner);
    (record.diagnostics ??= []).push(diagnostic);
    this.reported.set(key, { context, from: node.from, to: node.to, message: e.message });
  }

  recordBinding(target: SyntaxNode, statement: SyntaxNode, value: Value): void {
    if (this.current.loading) return;
    const owner = this.ownerIndex(statement.from);
    if (owner < 0) return;
    const record = this.resultsOf(owner);
    const start = this.current.starts[owner] as number;
    record.bindings.push({ statement: { from: statement.from - start, to: statement.to - start }, target: { from: target.from - start, to: target.to - start }, name: this.src(target), value, symbolicEntry: this.symbolicEntry });
  }

  /** Remembers the value an expression had (each distinct one, up to 8), for hovers and hints. */
  recorded(node: SyntaxNode, value: Value): Value {
    if (this.current.loading) return value;
    const owner = this.ownerIndex(node.from);
    if (owner < 0) return value;
    const record = this.resultsOf(owner);
    const start = this.current.starts[owner] as number;
    const from = node.from - start;
    const to = node.to - start;
    const entry = this.symbolicEntry;
    let last: ValueSlot | undefined;
    for (let slot = record.values.get(from); slot; slot = slot.next) {
      last = slot;
      if (slot.to !== to || slot.entry !== entry) continue;
      const values = slot.values;
      if (!Array.isArray(values)) {
        if (!sameShape(values, value)) slot.values = [values, value];
      } else if (values.length < 8 && !values.some((v) => sameShape(v, value))) values.push(value);
      return value;
    }
    const added: ValueSlot = { to, entry, values: value, next: undefined };
    if (last) last.next = added;
    else record.values.set(from, added);
    return value;
  }

  /** Keeps every value a probed range had. */
  probe(node: SyntaxNode, value: Value): void {
    if (!this.probes || this.current !== this.root) return;
    const key = probeKey(node);
    if (!this.probes.has(key)) return;
    const values = this.probed.get(key);
    if (values) values.push(value);
    else this.probed.set(key, [value]);
  }

  layerBuilt(layer: Layer, node: SyntaxNode): void {
    if (this.layerSites.has(layer)) return;
    const owner = this.ownerIndex(node.from);
    if (owner < 0) return;
    const record = this.resultsOf(owner);
    const start = this.current.starts[owner] as number;
    const site = { statement: record, from: node.from - start, to: node.to - start };
    this.layerSites.set(layer, site);
    (record.layers ??= new Map()).set(spanKey(site), layer);
  }

  layerCalled(layer: Layer, input: readonly Dim[] | undefined): void {
    const inputs = this.layerInputs.get(layer) ?? [];
    if (inputs.length < 8 && !inputs.some((s) => (s && input ? shapesEqual(s, input) : s === input))) inputs.push(input);
    this.layerInputs.set(layer, inputs);
  }

  storageChanged(before: Value, name: string, statement: SyntaxNode): void {
    if (before.kind !== 'tensor' || !before.elements) return;
    this.clock++;
    this.changes.set(before.elements.storage, { time: this.clock, name, statement: this.siteOf(statement), text: excerpt(this.src(statement)) });
  }

  fresh(value: Value, node: SyntaxNode): Value {
    if (value.kind !== 'tensor' || !value.elements) return value;
    const change = this.changes.get(value.elements.storage);
    if (!change || change.time <= value.elements.born) return value;
    const name = this.src(node);
    return {
      ...value,
      elements: undefined,
      why: {
        code: 'changed-in-place',
        message: `cannot evaluate '${name}' statically: '${change.name}' is changed in place by '${change.text}' on line {line} after '${name}' was computed from it, and they may share memory`,
        site: this.siteOf(node),
        lineOf: change.statement,
      },
    };
  }
}

/** Whether two values would show the same in a hover (a tensor's shape and dtype, a number's value). */
export function sameShape(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.dtype === b.dtype && (a.shape && b.shape ? shapesEqual(a.shape, b.shape) : a.shape === b.shape);
  if ((a.kind === 'int' || a.kind === 'float' || a.kind === 'bool' || a.kind === 'str') && 'value' in b) return a.value === b.value;
  return a === b;
}

function probeKey(span: Span): string {
  return `${span.from}:${span.to}`;
}

/** The largest of the ascending `indices` below `time`, or -1. */
function latestBefore(indices: readonly number[] | undefined, time: number): number {
  if (!indices) return -1;
  let found = -1;
  for (let lo = 0, hi = indices.length - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if ((indices[mid] as number) < time) {
      found = indices[mid] as number;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** One number per range (a call and the call it is part of may share a start). */
export function spanKey(span: Span): number {
  return span.from * 0x100000 + Math.min(span.to - span.from, 0xfffff);
}
