// The abstract interpreter: walks a whole file's syntax tree in execution order with abstract
// values (values.ts), the way Python would run it but with shapes for tensors. Module-level code
// runs once; a function or method body is analysed at each call with the argument values that
// reach it (so `netG(noise)` follows `forward` with noise's shape), and every function no call
// reached is analysed afterwards with unknown arguments, giving symbolic sizes. Branches whose
// condition is not static run both ways and merge; loops over statically known sequences unroll.
//
// Every step is counted against a budget, so any input, however hostile, ends in bounded time.
import type { SyntaxNode } from '@lezer/common';
import { isTorchError, type TorchError } from '../../core/errors';
import { DEFAULT_MAX_ELEMENTS } from '../../core/tensor';
import { DEFAULT_NAMES } from '../bindings';
import { evaluateTensorExpression } from '../evaluate';
import { assignmentParts, callArguments, meaningfulChildren, subscriptItems, type PythonDocument, type Span } from '../parse';
import { shapesEqual, dimsEqual, type Dim } from './dim';
import { applyConvLayer, applyLayer, convWeightShape, type Layer } from './layers';
import { binaryTensorOp, callLibrary, CONSTANTS, callTensorMethod, indexShape, intArithmetic, iterate, type CallArgs, type TensorIndex } from './library';
import { matmulShape, UNKNOWN_DIM } from './tensorShapes';
import { isImmutable, NeedsStatements, StatementRecord, statementIndexAt, topLevelStatements, type AnalysisState, type LayerSite } from './statements';
import { Frame, intOf, itemsOf, knownInt, knownNumber, NONE, tensorOf, tupleOf, UNKNOWN, type ClassValue, type FunctionValue, type InstanceValue, type Value } from './values';

export interface AnalysisOptions {
  /** Evaluation steps before the analysis stops (what it found so far is kept). */
  readonly maxSteps?: number;
  /** Largest tensor literal evaluated for its values. */
  readonly maxElements?: number;
  /** Wall-clock limit in milliseconds, checked every few thousand steps. */
  readonly timeBudgetMs?: number;
}

const MAX_CALL_DEPTH = 24;
const MAX_UNROLL = 512;

class BudgetExceeded extends Error {}

type Flow = 'next' | 'return' | 'break' | 'continue';

/** One function activation: its frame and the values its `return`s gave. */
interface Activation {
  readonly frame: Frame;
  readonly returns: Value[];
  readonly self: InstanceValue | undefined;
  readonly cls: ClassValue | undefined;
}

/** Python's `super()` inside a method: the instance and the class the method was defined in. */
interface SuperValue {
  readonly kind: 'super';
  readonly self: InstanceValue;
  readonly cls: ClassValue;
}

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

export class ShapeInterpreter {
  /** One per top-level statement: reused ones from the previous analysis, the others filled by this run. */
  readonly records: StatementRecord[];
  readonly statements: readonly SyntaxNode[];
  readonly starts: number[];
  readonly ends: number[];
  readonly layerSites: WeakMap<Layer, LayerSite>;
  readonly layerInputs: WeakMap<Layer, (readonly Dim[] | undefined)[]>;
  truncated = false;
  /** Errors this run found (their ranges in the text), by range and message: to report each once. */
  private readonly reported = new Map<string, { readonly from: number; readonly to: number; readonly message: string }>();
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
  readonly indexOf = new Map<StatementRecord, number>();
  /** The statement whose text holds the last offset looked up (most lookups repeat it). */
  private lastOwner = -1;

  private readonly text: string;
  private readonly maxSteps: number;
  private readonly maxElements: number;
  private steps = 0;
  private stepsAtSwitch = 0;
  private readonly deadline: number;
  private readonly callStack: SyntaxNode[] = [];
  private readonly analysed = new Set<number>();
  private readonly functions: FunctionValue[] = [];
  /** The statement each function was defined by (its analysis without a call is that statement's). */
  private readonly functionDefiners: number[] = [];
  private readonly classInstances = new Map<ClassValue, InstanceValue>();
  private readonly classes: ClassValue[] = [];

  constructor(private readonly doc: PythonDocument, options: AnalysisOptions = {}, reuse?: Reuse) {
    this.text = doc.text;
    this.maxSteps = options.maxSteps ?? 400_000;
    this.deadline = performance.now() + (options.timeBudgetMs ?? 2_000);
    this.maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
    this.statements = reuse?.statements ?? topLevelStatements(doc.tree.topNode);
    this.starts = this.statements.map((s) => s.from);
    this.ends = this.statements.map((s) => s.to);
    this.records = this.statements.map((s, i) => reuse?.records[i] ?? new StatementRecord(s.name, s.to - s.from));
    this.rerun = new Set(this.records.filter((r, i) => r !== reuse?.records[i]));
    this.layerSites = reuse?.previous.layerSites ?? new WeakMap();
    this.layerInputs = reuse?.previous.layerInputs ?? new WeakMap();
    this.records.forEach((record, i) => this.indexOf.set(record, i));
    this.reusedBinders = this.bindersByName(false);
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
    const top: Activation = { frame: module, returns: [], self: undefined, cls: undefined };
    try {
      for (let i = 0; i < this.statements.length; i++) {
        const record = this.records[i] as StatementRecord;
        if (!this.rerun.has(record)) continue;
        this.runAs(i, i);
        this.exec(this.statements[i] as SyntaxNode, top);
      }
      // Functions no call reached: analysed once with unknown arguments (symbolic sizes).
      for (let i = 0; i < this.functions.length; i++) {
        const fn = this.functions[i] as FunctionValue;
        if (this.analysed.has(fn.node.from)) continue;
        this.runAs(this.functionDefiners[i] as number, AFTER_ALL);
        const self = fn.self ?? this.instanceForUncalledMethod(fn);
        this.callFunction({ ...fn, self }, { positional: [], keywords: new Map(), spread: false }, true);
      }
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.truncated = true;
    } finally {
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

  /** The index of the top-level statement whose text holds `offset`, or -1. */
  private ownerIndex(offset: number): number {
    // Mostly the running statement, or the one whose function it calls (looked up last).
    if (this.holds(this.executingIndex, offset)) return this.executingIndex;
    if (this.holds(this.lastOwner, offset)) return this.lastOwner;
    const found = statementIndexAt(this.starts, this.ends, offset);
    if (found >= 0) this.lastOwner = found;
    return found;
  }

  private holds(index: number, offset: number): boolean {
    return index >= 0 && offset >= (this.starts[index] as number) && offset < (this.ends[index] as number);
  }

  /**
   * The record of statement `index`, which results found in its text go to. Writing into a
   * reused record would change the previous analysis: that statement must re-run instead.
   */
  private resultsOf(index: number): StatementRecord {
    const record = this.records[index] as StatementRecord;
    if (record !== this.executing) {
      if (!this.rerun.has(record)) throw new NeedsStatements([record]);
      if (this.executing) (this.executing.shares ??= new Set()).add(record);
    }
    return record;
  }

  private tick(): void {
    if (++this.steps > this.maxSteps || ((this.steps & 1023) === 0 && performance.now() > this.deadline)) throw new BudgetExceeded();
  }

  private src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  private execBlock(container: SyntaxNode, act: Activation): Flow {
    for (let child = container.firstChild; child; child = child.nextSibling) {
      if (!child.type.is('Statement') && child.name !== 'Body') continue;
      const flow = this.exec(child, act);
      if (flow !== 'next') return flow;
    }
    return 'next';
  }

  private exec(node: SyntaxNode, act: Activation): Flow {
    this.tick();
    switch (node.name) {
      case 'AssignStatement':
        this.assignStatement(node, act);
        return 'next';
      case 'UpdateStatement':
        this.updateStatement(node, act);
        return 'next';
      case 'ExpressionStatement':
        for (const e of meaningfulChildren(node)) this.evalSafely(e, act);
        return 'next';
      case 'ReturnStatement': {
        const parts = meaningfulChildren(node).filter((n) => n.name !== 'return');
        act.returns.push(parts.length === 0 ? NONE : parts.length === 1 ? this.evalSafely(parts[0] as SyntaxNode, act) : tupleOf(parts.map((p) => this.evalSafely(p, act))));
        return 'return';
      }
      case 'IfStatement':
        return this.ifStatement(node, act);
      case 'ForStatement':
        return this.forStatement(node, act);
      case 'WhileStatement':
        return this.unknownLoop(node.getChild('Body'), act, () => undefined);
      case 'FunctionDefinition':
        this.defineFunction(node, act);
        return 'next';
      case 'ClassDefinition':
        this.defineClass(node, act);
        return 'next';
      case 'DecoratedStatement': {
        const inner = node.lastChild;
        return inner ? this.exec(inner, act) : 'next';
      }
      case 'ImportStatement':
        this.importStatement(node, act.frame);
        return 'next';
      case 'WithStatement': {
        this.withTargets(node, act);
        const body = node.getChild('Body');
        return body ? this.execBlock(body, act) : 'next';
      }
      case 'TryStatement': {
        const body = node.getChild('Body');
        return body ? this.execBlock(body, act) : 'next';
      }
      case 'BreakStatement':
        return 'break';
      case 'ContinueStatement':
        return 'continue';
      case 'Body':
        return this.execBlock(node, act);
      default:
        return 'next';
    }
  }

  private assignStatement(node: SyntaxNode, act: Activation): void {
    const { targets, values } = assignmentParts(node);
    if (values.length === 0) return;
    const value = values.length === 1 ? this.evalSafely(values[0] as SyntaxNode, act) : tupleOf(values.map((v) => this.evalSafely(v, act)));
    for (const group of targets) {
      if (group.length === 1) this.assignTarget(group[0] as SyntaxNode, value, node, act);
      else this.unpack(group, value, node, act);
    }
  }

  private unpack(targets: readonly SyntaxNode[], value: Value, statement: SyntaxNode, act: Activation): void {
    const items = itemsOf(value) ?? (value.kind === 'tensor' ? iterate(value) : undefined);
    targets.forEach((t, i) => this.assignTarget(t, items && items.length === targets.length ? (items[i] as Value) : UNKNOWN, statement, act));
  }

  private assignTarget(target: SyntaxNode, value: Value, statement: SyntaxNode, act: Activation): void {
    if (target.name === 'VariableName') {
      const name = this.src(target);
      act.frame.names.set(name, value);
      this.recorded(target, value);
      // Loop variables are bindings too, but not assignments: hints and --json list assignments.
      const owner = statement.name === 'ForStatement' ? -1 : this.ownerIndex(statement.from);
      if (owner >= 0) {
        const record = this.resultsOf(owner);
        const start = this.starts[owner] as number;
        record.bindings.push({ statement: { from: statement.from - start, to: statement.to - start }, target: { from: target.from - start, to: target.to - start }, name, value });
      }
      return;
    }
    if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
      const parts = meaningfulChildren(target);
      if (target.name === 'ParenthesizedExpression' && parts.length === 1) this.assignTarget(parts[0] as SyntaxNode, value, statement, act);
      else this.unpack(parts, value, statement, act);
      return;
    }
    if (target.name === 'MemberExpression' && target.getChild('PropertyName') && !target.getChild('[')) {
      this.setAttribute(target, value, act);
    }
  }

  /** `obj.name = value`: module attributes, and a layer's weight replaced (`tconv.weight.data = K`). */
  private setAttribute(target: SyntaxNode, value: Value, act: Activation): void {
    const objectNode = target.firstChild;
    const property = target.getChild('PropertyName');
    if (!objectNode || !property) return;
    const name = this.src(property);
    // `layer.weight.data = K`: the weight's owner is two levels up.
    if (name === 'data' && objectNode.name === 'MemberExpression') {
      const weightProperty = objectNode.getChild('PropertyName');
      const owner = objectNode.firstChild;
      if (weightProperty && owner && this.src(weightProperty) === 'weight') {
        this.replaceWeight(this.evalSafely(owner, act), value);
        return;
      }
    }
    const object = this.evalSafely(objectNode, act);
    if (object.kind === 'instance') object.attributes.set(name, value);
    else if (object.kind === 'layer' && name === 'weight') this.replaceWeight(object, value);
  }

  private replaceWeight(owner: Value, weight: Value): void {
    if (owner.kind !== 'layer') return;
    const layer = owner.layer;
    if (layer.type !== 'conv' && layer.type !== 'linear') return;
    layer.weightOverride = weight.kind === 'tensor' ? weight.shape : undefined;
  }

  private updateStatement(node: SyntaxNode, act: Activation): void {
    const [target, op, valueNode] = meaningfulChildren(node);
    if (!target || !op || !valueNode) return;
    const operator = this.src(op).slice(0, -1);
    const current = this.evalSafely(target, act);
    const value = this.evalSafely(valueNode, act);
    const result = this.guard(node, () => this.binary(operator, current, value, true));
    this.assignTarget(target, result, node, act);
  }

  private ifStatement(node: SyntaxNode, act: Activation): Flow {
    // Clauses: (condition, body) pairs, then an optional else body.
    const clauses: { condition: SyntaxNode | undefined; body: SyntaxNode }[] = [];
    let pending: SyntaxNode | undefined;
    let sawElse = false;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'else') sawElse = true;
      else if (child.name === 'Body') {
        clauses.push({ condition: sawElse ? undefined : pending, body: child });
        pending = undefined;
      } else if (child.name !== 'if' && child.name !== 'elif' && child.name !== ':' && !child.type.isError) pending = child;
    }
    return this.runClauses(clauses, act);
  }

  private runClauses(clauses: readonly { condition: SyntaxNode | undefined; body: SyntaxNode }[], act: Activation): Flow {
    const first = clauses[0];
    if (!first) return 'next';
    const truth = first.condition ? this.truthOf(this.evalSafely(first.condition, act)) : true;
    if (truth === true) return this.execBlock(first.body, act);
    if (truth === false) return this.runClauses(clauses.slice(1), act);
    // Unknown condition: both ways, each on its own copy of the names, then merged.
    const thenAct = this.fork(act);
    const thenFlow = this.execBlock(first.body, thenAct);
    const elseAct = this.fork(act);
    const elseFlow = this.runClauses(clauses.slice(1), elseAct);
    return this.join(act, [[thenAct, thenFlow], [elseAct, elseFlow]]);
  }

  /** A branch's own names over `act`'s (which it reads through until it binds them itself). */
  private fork(act: Activation): Activation {
    return { ...act, frame: new Frame(act.frame), returns: act.returns };
  }

  /** Merges branches back into `act`: names from the branches that fall through; the flow all of them share. */
  private join(act: Activation, branches: readonly [Activation, Flow][]): Flow {
    const continuing = branches.filter(([, flow]) => flow === 'next');
    if (continuing.length === 0) {
      const flows = new Set(branches.map(([, f]) => f));
      return flows.size === 1 ? (branches[0]?.[1] ?? 'next') : 'return';
    }
    const names = new Set(continuing.flatMap(([a]) => [...a.frame.names.keys()]));
    for (const name of names) {
      const values = continuing.map(([a]) => a.frame.names.get(name) ?? act.frame.lookup(name) ?? UNKNOWN);
      act.frame.names.set(name, values.reduce((x, y) => mergeValues(x, y)));
    }
    return 'next';
  }

  private forStatement(node: SyntaxNode, act: Activation): Flow {
    const inIndex = childIndex(node, 'in');
    const children = meaningfulChildren(node);
    const targets = children.filter((c, i) => i > 0 && c.from < inIndex && c.name !== 'for');
    const iterableNode = children.find((c) => c.from > inIndex && c.name !== 'Body');
    const body = node.getChild('Body');
    if (!iterableNode || !body) return 'next';
    const iterable = this.evalSafely(iterableNode, act);
    const bindTarget = (item: Value | undefined, into: Activation): void => {
      const value = item ?? UNKNOWN;
      if (targets.length === 1) this.assignTarget(targets[0] as SyntaxNode, value, node, into);
      else this.unpack(targets, value, node, into);
    };
    const items = iterate(iterable);
    if (items && items.length <= MAX_UNROLL) {
      for (const item of items) {
        bindTarget(item, act);
        const flow = this.execBlock(body, act);
        if (flow === 'break') break;
        if (flow === 'return') return flow;
      }
      return 'next';
    }
    const element = iterable.kind === 'tensor' ? tensorOf(iterable.shape?.slice(1), iterable.dtype) : undefined;
    return this.unknownLoop(body, act, (pass) => bindTarget(element, pass));
  }

  /** A loop run an unknown number of times: zero passes or one (its variables bound in it), merged. */
  private unknownLoop(body: SyntaxNode | null, act: Activation, bindTargets: (pass: Activation) => void): Flow {
    if (!body) return 'next';
    const pass = this.fork(act);
    bindTargets(pass);
    const flow = this.execBlock(body, pass);
    this.join(act, [[this.fork(act), 'next'], [pass, flow === 'return' ? 'return' : 'next']]);
    return 'next';
  }

  private withTargets(node: SyntaxNode, act: Activation): void {
    for (let child = node.firstChild; child && child.name !== 'Body'; child = child.nextSibling) {
      if (child.name === 'as') {
        const target = child.nextSibling;
        if (target?.name === 'VariableName') act.frame.names.set(this.src(target), UNKNOWN);
      } else if (child.name !== 'with' && child.name !== ',' && child.nextSibling?.name !== 'as' && child.name !== 'VariableName') {
        this.evalSafely(child, act);
      }
    }
  }

  private importStatement(node: SyntaxNode, frame: Frame): void {
    const parts = meaningfulChildren(node);
    const isFrom = parts[0]?.name === 'from';
    if (isFrom) {
      const importAt = parts.findIndex((p) => p.name === 'import');
      const module = parts.slice(1, importAt).map((p) => this.src(p)).join('.');
      const names = parts.slice(importAt + 1);
      for (let i = 0; i < names.length; i++) {
        const n = names[i] as SyntaxNode;
        if (n.name !== 'VariableName') continue;
        const alias = names[i + 1]?.name === 'as' ? names[i + 2] : undefined;
        frame.names.set(this.src(alias ?? n), { kind: 'path', path: `${module}.${this.src(n)}` });
        if (alias) i += 2;
      }
      return;
    }
    // `import a.b as c, d`: dotted names are runs of VariableNames separated by `.` tokens.
    let dotted: string[] = [];
    let lastEnd = -1;
    const flush = (alias: string | undefined): void => {
      if (dotted.length === 0) return;
      const path = dotted.join('.');
      if (alias) frame.names.set(alias, { kind: 'path', path });
      else frame.names.set(dotted[0] as string, { kind: 'path', path: dotted[0] as string });
      dotted = [];
    };
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'VariableName') {
        if (c.prevSibling?.name === 'as') {
          flush(this.src(c));
          continue;
        }
        if (dotted.length > 0 && c.prevSibling?.name !== '.') flush(undefined);
        dotted.push(this.src(c));
        lastEnd = c.to;
      } else if (c.name === ',') flush(undefined);
    }
    if (lastEnd >= 0) flush(undefined);
  }

  private defineFunction(node: SyntaxNode, act: Activation): void {
    const nameNode = node.getChild('VariableName');
    if (!nameNode) return;
    const fn: FunctionValue = { kind: 'function', node, name: this.src(nameNode), closure: act.frame };
    act.frame.names.set(fn.name, fn);
    this.functions.push(fn);
    this.functionDefiners.push(this.executingIndex);
  }

  private defineClass(node: SyntaxNode, act: Activation): void {
    const nameNode = node.getChild('VariableName');
    const body = node.getChild('Body');
    if (!nameNode || !body) return;
    const argList = node.getChild('ArgList');
    const bases = argList ? callArguments(argList, this.text).positional.map((b) => this.evalSafely(b, act)) : [];
    const cls: ClassValue = { kind: 'class', node, name: this.src(nameNode), methods: new Map(), bases };
    // The class body runs once; its functions close over the enclosing scope, not the class.
    const classFrame = new Frame(act.frame);
    const classAct: Activation = { frame: classFrame, returns: [], self: undefined, cls };
    for (let child = body.firstChild; child; child = child.nextSibling) {
      if (!child.type.is('Statement')) continue;
      const def = child.name === 'DecoratedStatement' ? child.lastChild : child;
      if (def?.name === 'FunctionDefinition') {
        const fnName = def.getChild('VariableName');
        if (!fnName) continue;
        const fn: FunctionValue = { kind: 'function', node: def, name: this.src(fnName), closure: act.frame };
        cls.methods.set(fn.name, fn);
        this.functions.push(fn);
        this.functionDefiners.push(this.executingIndex);
      } else {
        this.exec(child, classAct);
      }
    }
    for (const [k, v] of classFrame.names) if (!cls.methods.has(k)) cls.methods.set(k, v);
    act.frame.names.set(cls.name, cls);
    this.classes.push(cls);
  }

  // -------------------------------------------------------------------------------------------
  // Calls into user code

  private findMethod(cls: ClassValue, name: string): { value: Value; owner: ClassValue } | undefined {
    const own = cls.methods.get(name);
    if (own) return { value: own, owner: cls };
    for (const base of cls.bases) {
      if (base.kind === 'class') {
        const found = this.findMethod(base, name);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The library class a user class derives from, e.g. `torch.nn.Sequential`. */
  private libraryBase(cls: ClassValue): string | undefined {
    for (const base of cls.bases) {
      if (base.kind === 'path') return base.path;
      if (base.kind === 'class') {
        const found = this.libraryBase(base);
        if (found) return found;
      }
    }
    return undefined;
  }

  private instantiate(cls: ClassValue, args: CallArgs): Value {
    const instance: InstanceValue = { kind: 'instance', cls, attributes: new Map() };
    const init = this.findMethod(cls, '__init__');
    if (init?.value.kind === 'function') this.callFunction({ ...init.value, self: instance }, args, false, init.owner);
    else if (this.libraryBase(cls) === 'torch.nn.Sequential') this.initLibraryBase(instance, 'torch.nn.Sequential', args);
    if (!this.classInstances.has(cls)) this.classInstances.set(cls, instance);
    return instance;
  }

  /** `super().__init__(*layers)` of a class deriving from nn.Sequential: the instance is that Sequential. */
  private initLibraryBase(instance: InstanceValue, path: string, args: CallArgs): void {
    if (path !== 'torch.nn.Sequential' && path !== 'torch.nn.ModuleList') return;
    const container = callLibrary(path, args, this.libraryContext(undefined, undefined));
    if (container) instance.attributes.set('__container__', container);
  }

  /**
   * `self` for a method no call reached: the class's first instance, else one whose `__init__`
   * ran with its parameters as named unknowns (so `nn.Conv2d(cin, cout, 3)` gives `cout` channels).
   */
  private instanceForUncalledMethod(fn: FunctionValue): InstanceValue | undefined {
    const cls = this.classes.find((c) => [...c.methods.values()].some((m) => m.kind === 'function' && m.node === fn.node));
    if (!cls) return undefined;
    const existing = this.classInstances.get(cls);
    if (existing) return existing;
    const instance: InstanceValue = { kind: 'instance', cls, attributes: new Map() };
    this.classInstances.set(cls, instance);
    const init = this.findMethod(cls, '__init__');
    if (init?.value.kind === 'function') this.callFunction({ ...init.value, self: instance }, { positional: [], keywords: new Map(), spread: false }, true, init.owner);
    return instance;
  }

  private callFunction(fn: FunctionValue, args: CallArgs, symbolic: boolean, owner?: ClassValue): Value {
    if (this.callStack.length >= MAX_CALL_DEPTH || this.callStack.includes(fn.node)) return UNKNOWN;
    this.analysed.add(fn.node.from);
    const frame = new Frame(fn.closure);
    const cls = owner ?? (fn.self ? this.ownerOf(fn.self.cls, fn.node) : undefined);
    const act: Activation = { frame, returns: [], self: fn.self, cls };
    this.bindParameters(fn, args, frame, symbolic);
    const body = fn.node.getChild('Body');
    this.callStack.push(fn.node);
    try {
      if (body) this.execBlock(body, act);
    } finally {
      this.callStack.pop();
    }
    if (act.returns.length === 0) return NONE;
    return act.returns.reduce((a, b) => mergeValues(a, b));
  }

  private ownerOf(cls: ClassValue, fnNode: SyntaxNode): ClassValue | undefined {
    if ([...cls.methods.values()].some((m) => m.kind === 'function' && m.node === fnNode)) return cls;
    for (const base of cls.bases) {
      if (base.kind === 'class') {
        const found = this.ownerOf(base, fnNode);
        if (found) return found;
      }
    }
    return undefined;
  }

  private bindParameters(fn: FunctionValue, args: CallArgs, frame: Frame, symbolic: boolean): void {
    const params = fn.node.getChild('ParamList');
    if (!params) return;
    const positional = fn.self ? [fn.self as Value, ...args.positional] : [...args.positional];
    let index = 0;
    let star: '' | '*' | '**' = '';
    let keywordOnly = false;
    for (let c = params.firstChild; c; c = c.nextSibling) {
      if (c.name === '*' || c.name === '**') {
        star = c.name;
        if (c.name === '*') keywordOnly = true;
        continue;
      }
      if (c.name !== 'VariableName') continue;
      const name = this.src(c);
      if (star === '*') {
        frame.names.set(name, args.spread ? UNKNOWN : tupleOf(positional.slice(index)));
        index = positional.length;
      } else if (star === '**') {
        frame.names.set(name, UNKNOWN);
      } else {
        const defaultNode = defaultOf(c);
        const given = !keywordOnly && index < positional.length ? positional[index] : args.keywords.get(name);
        if (!keywordOnly && index < positional.length) index++;
        // A function analysed without a call keeps its defaults (`stride=2`); a parameter without one
        // names the sizes it gives (`nn.Conv2d(cin, cout, 3)` makes `cout` channels).
        const fallback = defaultNode && !args.spread
          ? this.evalSafely(defaultNode, { frame: fn.closure, returns: [], self: undefined, cls: undefined })
          : symbolic ? { kind: 'unknown' as const, name } : UNKNOWN;
        frame.names.set(name, given ?? fallback);
      }
      star = '';
    }
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  /** Evaluates an expression; a PyTorch error becomes a diagnostic and the value unknown. */
  private evalSafely(node: SyntaxNode, act: Activation): Value {
    try {
      return this.eval(node, act);
    } catch (e) {
      return this.failed(node, e);
    }
  }

  private guard(node: SyntaxNode, run: () => Value, layer?: Layer, operands?: () => readonly Value[]): Value {
    try {
      return run();
    } catch (e) {
      return this.failed(node, e, layer, operands);
    }
  }

  /** What an evaluation that threw gives: PyTorch's errors are reported; budget exhaustion and bugs propagate. */
  private failed(node: SyntaxNode, e: unknown, layer?: Layer, operands?: () => readonly Value[]): Value {
    if (e instanceof BudgetExceeded) throw e;
    if (isTorchError(e)) {
      this.report(node, e, layer, operands?.());
      return UNKNOWN;
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) return UNKNOWN;
    throw e;
  }

  private report(node: SyntaxNode, e: TorchError, layer?: Layer, operands?: readonly Value[]): void {
    const key = `${node.from}:${node.to}:${e.message}`;
    if (this.reported.has(key)) return;
    // An error inside a callee is reported there, not again at each caller.
    for (const d of this.reported.values()) if (d.message === e.message && d.from >= node.from && d.to <= node.to) return;
    const owner = this.ownerIndex(node.from);
    if (owner < 0) return;
    const start = this.starts[owner] as number;
    const diagnostic = { from: node.from - start, to: node.to - start, code: e.code, message: e.message, kind: e.kind, layer, operands };
    const record = this.resultsOf(owner);
    (record.diagnostics ??= []).push(diagnostic);
    this.reported.set(key, { from: node.from, to: node.to, message: e.message });
  }

  private eval(node: SyntaxNode, act: Activation): Value {
    this.tick();
    switch (node.name) {
      case 'Number': {
        const text = this.src(node).replace(/_/g, '');
        if (/^[0-9]+$/.test(text)) return intOf(Number(text));
        if (/^0[xob]/i.test(text)) return intOf(Number(text));
        return /j$/i.test(text) ? UNKNOWN : { kind: 'float', value: Number(text) };
      }
      case 'String':
        return { kind: 'str', value: stringValue(this.src(node)) };
      case 'FormatString':
      case 'ContinuedString':
        return { kind: 'str', value: undefined };
      case 'Boolean':
        return { kind: 'bool', value: this.src(node) === 'True' };
      case 'None':
        return NONE;
      case 'VariableName':
        return this.recorded(node, this.lookup(this.src(node), act));
      case 'ParenthesizedExpression': {
        const inner = meaningfulChildren(node);
        return inner.length === 1 ? this.eval(inner[0] as SyntaxNode, act) : UNKNOWN;
      }
      case 'TupleExpression':
      case 'ArrayExpression':
        return this.sequence(node, act);
      case 'DictionaryExpression':
        return this.dictionary(node, act);
      case 'ArrayComprehensionExpression':
        return this.comprehension(node, act);
      case 'MemberExpression':
        return this.member(node, act);
      case 'CallExpression':
        return this.callExpression(node, act);
      case 'BinaryExpression':
        return this.binaryExpression(node, act);
      case 'UnaryExpression':
        return this.unary(node, act);
      case 'ConditionalExpression': {
        const [a, cond, b] = meaningfulChildren(node).filter((n) => n.name !== 'if' && n.name !== 'else');
        if (!a || !cond || !b) return UNKNOWN;
        const truth = this.truthOf(this.eval(cond, act));
        if (truth !== undefined) return this.eval(truth ? a : b, act);
        return mergeValues(this.evalSafely(a, act), this.evalSafely(b, act));
      }
      default:
        return UNKNOWN;
    }
  }

  private lookup(name: string, act: Activation): Value {
    const found = act.frame.lookup(name);
    if (found) return found;
    const builtin = DEFAULT_NAMES.get(name);
    if (builtin) return { kind: 'path', path: builtin };
    if (['enumerate', 'zip', 'print', 'isinstance', 'min', 'max', 'sum', 'abs', 'round', 'reversed', 'dict', 'str', 'hasattr', 'super'].includes(name)) return { kind: 'path', path: name };
    return UNKNOWN;
  }

  private sequence(node: SyntaxNode, act: Activation): Value {
    const items: Value[] = [];
    let spread = false;
    for (const child of meaningfulChildren(node)) {
      if (child.name === '*') {
        spread = true;
        continue;
      }
      const v = this.eval(child, act);
      if (spread) {
        const expanded = iterate(v);
        if (!expanded) return UNKNOWN;
        items.push(...expanded);
        spread = false;
      } else items.push(v);
    }
    return { kind: node.name === 'TupleExpression' ? 'tuple' : 'list', items };
  }

  private dictionary(node: SyntaxNode, act: Activation): Value {
    const parts = meaningfulChildren(node);
    const entries = new Map<string, Value>();
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const key = this.eval(parts[i] as SyntaxNode, act);
      if (parts[i]?.name === '**' || key.kind !== 'str' || key.value === undefined) return UNKNOWN;
      entries.set(key.value, this.eval(parts[i + 1] as SyntaxNode, act));
    }
    return { kind: 'dict', entries };
  }

  /** `[f(c) for c in xs if cond]` over a known sequence. */
  private comprehension(node: SyntaxNode, act: Activation): Value {
    const parts = meaningfulChildren(node);
    const forAt = parts.findIndex((p) => p.name === 'for');
    const inAt = parts.findIndex((p) => p.name === 'in');
    const element = parts[0];
    const iterableNode = parts[inAt + 1];
    if (!element || forAt < 0 || inAt < 0 || !iterableNode || parts.slice(inAt + 2).some((p) => p.name === 'for')) return UNKNOWN;
    const targets = parts.slice(forAt + 1, inAt);
    const ifAt = parts.findIndex((p, i) => i > inAt && p.name === 'if');
    const condition = ifAt >= 0 ? parts[ifAt + 1] : undefined;
    const items = iterate(this.eval(iterableNode, act));
    if (!items || items.length > MAX_UNROLL) return UNKNOWN;
    const inner = this.fork(act);
    const out: Value[] = [];
    for (const item of items) {
      if (targets.length === 1) inner.frame.names.set(this.src(targets[0] as SyntaxNode), item);
      else {
        const unpacked = itemsOf(item);
        targets.forEach((t, i) => inner.frame.names.set(this.src(t), unpacked?.[i] ?? UNKNOWN));
      }
      if (condition) {
        const truth = this.truthOf(this.eval(condition, inner));
        if (truth === undefined) return UNKNOWN;
        if (!truth) continue;
      }
      out.push(this.eval(element, inner));
    }
    return { kind: 'list', items: out };
  }

  private member(node: SyntaxNode, act: Activation): Value {
    const objectNode = node.firstChild;
    const last = node.lastChild;
    if (!objectNode || !last) return UNKNOWN;
    // `a[...]` ends with `]`, `a.b` with its property: no search through the children.
    if (last.name === ']') return this.subscript(node, this.eval(objectNode, act), act);
    if (last.name !== 'PropertyName') return UNKNOWN;
    return this.recorded(node, this.attribute(this.eval(objectNode, act), this.src(last)));
  }

  private attribute(object: Value | SuperValue, name: string): Value {
    switch (object.kind) {
      case 'path': {
        const path = `${object.path}.${name}`;
        return CONSTANTS.get(path) ?? { kind: 'path', path };
      }
      case 'instance': {
        const own = object.attributes.get(name);
        if (own) return own;
        const method = this.findMethod(object.cls, name);
        if (method?.value.kind === 'function') return { ...method.value, self: object };
        if (method) return method.value;
        const container = object.attributes.get('__container__');
        if (container) return this.attribute(container, name);
        return { kind: 'method', self: object, name };
      }
      case 'super': {
        for (const base of object.cls.bases) {
          if (base.kind === 'class') {
            const found = this.findMethod(base, name);
            if (found?.value.kind === 'function') return { ...found.value, self: object.self };
          } else if (base.kind === 'path' && name === '__init__') {
            return { kind: 'method', self: object.self, name: `__base_init__:${base.path}` };
          }
        }
        return UNKNOWN;
      }
      case 'tensor':
        return tensorAttribute(object, name);
      case 'layer': {
        const layer = object.layer;
        if (layer.type === 'container') {
          const at = layer.keys.indexOf(name);
          if (at >= 0) return (layer.children[at] as Value | undefined) ?? UNKNOWN;
        }
        return layerAttribute(layer, name) ?? { kind: 'method', self: object, name };
      }
      case 'class': {
        const found = this.findMethod(object, name);
        return found?.value ?? UNKNOWN;
      }
      case 'tuple':
        // The named tuples of max(dim), topk, sort: (values, indices).
        if (object.items.length === 2 && (name === 'values' || name === 'indices')) return object.items[name === 'values' ? 0 : 1] as Value;
        return { kind: 'method', self: object, name };
      case 'list':
      case 'dict':
      case 'str':
        return { kind: 'method', self: object, name };
      default:
        return UNKNOWN;
    }
  }

  private subscript(node: SyntaxNode, object: Value, act: Activation): Value {
    const items = subscriptItems(node);
    if (object.kind === 'tensor') {
      if (!object.shape) return tensorOf(undefined, object.dtype);
      const indices = items.map((item): TensorIndex => {
        if (item.kind === 'slice') {
          const [start, stop, step] = [item.start, item.stop, item.step].map((n) => (n ? this.eval(n, act) : undefined));
          const known = [start, stop, step].every((v) => v === undefined || v.kind === 'none' || knownInt(v) !== undefined);
          return { kind: 'slice', start: knownInt(start), stop: knownInt(stop), step: knownInt(step) ?? 1, known };
        }
        if (item.node.name === 'Ellipsis') return { kind: 'ellipsis' };
        const v = this.eval(item.node, act);
        if (v.kind === 'none') return { kind: 'none' };
        if (v.kind === 'int' || v.kind === 'bool') return { kind: 'int', value: knownInt(v) };
        return { kind: 'tensor' };
      });
      return tensorOf(indexShape(object.shape, indices), object.dtype);
    }
    const [first] = items;
    if (!first || items.length !== 1) return UNKNOWN;
    const sequence = itemsOf(object) ?? (object.kind === 'layer' && object.layer.type === 'container' ? (object.layer.children as Value[]) : undefined);
    if (object.kind === 'dict' || (object.kind === 'layer' && object.layer.type === 'container' && object.layer.name === 'ModuleDict')) {
      if (first.kind !== 'index') return UNKNOWN;
      const key = this.eval(first.node, act);
      if (key.kind !== 'str' || key.value === undefined) return UNKNOWN;
      if (object.kind === 'dict') return object.entries.get(key.value) ?? UNKNOWN;
      const at = object.layer.type === 'container' ? object.layer.keys.indexOf(key.value) : -1;
      return sequence?.[at] ?? UNKNOWN;
    }
    if (!sequence) return UNKNOWN;
    if (first.kind === 'index') {
      const i = knownInt(this.eval(first.node, act));
      if (i === undefined) return sequence.length > 0 && sequence.every((s) => s.kind === 'int') ? intOf(undefined) : UNKNOWN;
      return sequence[i < 0 ? i + sequence.length : i] ?? UNKNOWN;
    }
    const [start, stop, step] = [first.start, first.stop, first.step].map((n) => (n ? knownInt(this.eval(n, act)) : undefined));
    if ((first.start && start === undefined) || (first.stop && stop === undefined) || (first.step && step === undefined)) return UNKNOWN;
    const sliced = pySlice(sequence, start, stop, step ?? 1);
    if (object.kind === 'layer' && object.layer.type === 'container') {
      return { kind: 'layer', layer: { ...object.layer, children: sliced, keys: sliced.map(() => undefined) } };
    }
    return { kind: object.kind === 'tuple' ? 'tuple' : 'list', items: sliced };
  }

  private callExpression(node: SyntaxNode, act: Activation): Value {
    const calleeNode = node.firstChild;
    const argList = node.lastChild?.name === 'ArgList' ? node.lastChild : null;
    if (!calleeNode || !argList) return UNKNOWN;
    const callee = calleeNode.name === 'VariableName' && this.src(calleeNode) === 'super' ? undefined : this.eval(calleeNode, act);
    const parsed = callArguments(argList, this.text);
    const args: CallArgs = {
      positional: parsed.positional.map((a) => this.evalSafely(a, act)),
      keywords: new Map([...parsed.keywords].map(([k, { value }]) => [k, this.evalSafely(value, act)])),
      spread: parsed.spread.length > 0,
    };
    if (parsed.spread.length > 0) {
      // `f(*layers)`: expanded in place when the sequence is known (positional spreads only).
      const expanded = this.expandSpread(argList, act);
      if (expanded) Object.assign(args, { positional: expanded, spread: false });
    }
    if (callee === undefined) {
      if (act.self && act.cls) return { kind: 'super', self: act.self, cls: act.cls } as unknown as Value;
      return UNKNOWN;
    }
    // What the call received, for quick fixes: built only when it fails.
    const operands = (): Value[] => [...(callee.kind === 'method' ? [callee.self] : []), ...args.positional.flatMap((a) => itemsOf(a) ?? [a]), ...args.keywords.values()];
    const value = this.guard(node, () => this.call(callee, args, node), callee.kind === 'layer' ? callee.layer : undefined, operands);
    if (value.kind === 'layer' && !this.layerSites.has(value.layer)) {
      const owner = this.ownerIndex(node.from);
      if (owner >= 0) {
        const record = this.resultsOf(owner);
        const start = this.starts[owner] as number;
        const site = { record, from: node.from - start, to: node.to - start };
        this.layerSites.set(value.layer, site);
        (record.layers ??= new Map()).set(spanKey(site), value.layer);
      }
    }
    return this.recorded(node, value);
  }

  private expandSpread(argList: SyntaxNode, act: Activation): Value[] | undefined {
    const out: Value[] = [];
    let pending: 'none' | '*' | '**' = 'none';
    for (let c = argList.firstChild; c; c = c.nextSibling) {
      if (c.name === '*' || c.name === '**') {
        pending = c.name;
        continue;
      }
      if (c.name === '(' || c.name === ')' || c.name === ',') continue;
      if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') return undefined;
      if (c.name === 'AssignOp') continue;
      if (pending === '**') return undefined;
      const v = this.evalSafely(c, act);
      if (pending === '*') {
        const items = iterate(v);
        if (!items) return undefined;
        out.push(...items);
      } else out.push(v);
      pending = 'none';
    }
    return out;
  }

  /** Remembers the value an expression had (each distinct one, up to 8), for hovers and hints. */
  private recorded(node: SyntaxNode, value: Value): Value {
    const owner = this.ownerIndex(node.from);
    if (owner < 0) return value;
    const record = this.resultsOf(owner);
    const start = this.starts[owner] as number;
    const from = node.from - start;
    const to = node.to - start;
    const slots = record.values.get(from);
    if (!slots) {
      record.values.set(from, [{ to, values: [value] }]);
      return value;
    }
    for (const slot of slots) {
      if (slot.to !== to) continue;
      if (slot.values.length < 8 && !slot.values.some((v) => sameValue(v, value))) slot.values.push(value);
      return value;
    }
    slots.push({ to, values: [value] });
    return value;
  }

  private libraryContext(node: SyntaxNode | undefined, _act: Activation | undefined): { literalTensor: () => Value; call: (callee: Value, args: CallArgs) => Value } {
    return {
      literalTensor: () => {
        if (!node) return tensorOf(undefined);
        const evaluated = evaluateTensorExpression(this.doc, node, { maxElements: this.maxElements });
        return evaluated.ok ? tensorOf(evaluated.tensor.shape, evaluated.tensor.dtype) : tensorOf(undefined);
      },
      call: (callee, args) => this.call(callee, args, node),
    };
  }

  /** Calls a value: library functions, layers, user functions, classes and modules. */
  call(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value {
    this.tick();
    switch (callee.kind) {
      case 'path': {
        if (callee.path === 'torch.nn.Parameter' || callee.path === 'torch.nn.parameter.Parameter') return args.positional[0] ?? UNKNOWN;
        return callLibrary(callee.path, args, this.libraryContext(node, undefined)) ?? UNKNOWN;
      }
      case 'method':
        return this.callMethod(callee.self, callee.name, args, node);
      case 'function':
        return this.callFunction(callee, args, false);
      case 'class':
        return this.instantiate(callee, args);
      case 'instance': {
        const forward = this.findMethod(callee.cls, 'forward');
        if (forward?.value.kind === 'function') return this.callFunction({ ...forward.value, self: callee }, args, false, forward.owner);
        const container = callee.attributes.get('__container__');
        return container ? this.call(container, args, node) : UNKNOWN;
      }
      case 'layer':
        return this.callLayer(callee.layer, args, node);
      default:
        return UNKNOWN;
    }
  }

  private callLayer(layer: Layer, args: CallArgs, node: SyntaxNode | undefined): Value {
    const input = args.positional[0] ?? args.keywords.get('input') ?? UNKNOWN;
    if (layer.type === 'container') {
      if (layer.name !== 'Sequential') return UNKNOWN;
      let value = input;
      for (const child of layer.children as Value[]) value = this.call(child, { positional: [value], keywords: new Map(), spread: false }, node);
      return value;
    }
    if (layer.type === 'loss') {
      const keywords = new Map(args.keywords);
      if (layer.reduction !== undefined) keywords.set('reduction', { kind: 'str', value: layer.reduction });
      return callLibrary(`torch.nn.functional.${layer.functional}`, { ...args, keywords }, this.libraryContext(node, undefined)) ?? UNKNOWN;
    }
    if (input.kind !== 'tensor' && input.kind !== 'unknown') return UNKNOWN;
    const shape = input.kind === 'tensor' ? input.shape : undefined;
    const dtype = input.kind === 'tensor' ? input.dtype : undefined;
    const inputs = this.layerInputs.get(layer) ?? [];
    if (inputs.length < 8 && !inputs.some((s) => (s && shape ? shapesEqual(s, shape) : s === shape))) inputs.push(shape);
    this.layerInputs.set(layer, inputs);
    if (layer.type === 'conv') {
      const outputSize = args.keywords.get('output_size') ?? args.positional[1];
      const sizes = outputSize ? itemsOf(outputSize)?.map(knownInt) : undefined;
      if (outputSize && (!sizes || sizes.some((s) => s === undefined))) return tensorOf(undefined, dtype);
      return { kind: 'tensor', shape: applyConvLayer(layer, shape, dtype, sizes as number[] | undefined).shape, dtype, origin: { layer, input: shape } };
    }
    const output = applyLayer(layer, shape, dtype);
    // Norms, activations and dropout pass the conv they follow on to quick fixes.
    const origin = input.kind === 'tensor' && (layer.type === 'elementwise' || layer.type === 'batchNorm') ? input.origin : undefined;
    return { kind: 'tensor', shape: output, dtype: layer.type === 'embedding' ? 'float32' : dtype, origin };
  }

  private callMethod(self: Value, name: string, args: CallArgs, node: SyntaxNode | undefined): Value {
    if (self.kind === 'tensor') return callTensorMethod(self, name, args);
    if (self.kind === 'list' && name === 'pop') {
      const at = args.positional[0] ? knownInt(args.positional[0]) : -1;
      if (at === undefined || self.items.length === 0) return UNKNOWN;
      return self.items.splice(at < 0 ? at + self.items.length : at, 1)[0] ?? UNKNOWN;
    }
    if (self.kind === 'list' && (name === 'append' || name === 'extend' || name === 'insert')) {
      const v = name === 'insert' ? args.positional[1] : args.positional[0];
      if (!v) return NONE;
      if (name === 'extend') self.items.push(...(iterate(v) ?? []));
      else if (name === 'insert') self.items.splice(knownInt(args.positional[0]) ?? self.items.length, 0, v);
      else self.items.push(v);
      return NONE;
    }
    if (self.kind === 'dict') {
      if (name === 'items') return { kind: 'list', items: [...self.entries].map(([k, v]) => tupleOf([{ kind: 'str', value: k }, v])) };
      if (name === 'values') return { kind: 'list', items: [...self.entries.values()] };
      if (name === 'keys') return { kind: 'list', items: [...self.entries.keys()].map((k): Value => ({ kind: 'str', value: k })) };
      if (name === 'get') {
        const key = args.positional[0];
        return key?.kind === 'str' && key.value !== undefined ? (self.entries.get(key.value) ?? args.positional[1] ?? NONE) : UNKNOWN;
      }
    }
    if (self.kind === 'layer' && self.layer.type === 'container') {
      const c = self.layer;
      if (name === 'append' && args.positional[0]) {
        c.children.push(args.positional[0]);
        c.keys.push(undefined);
        return self;
      }
      if (name === 'add_module' && args.positional[1]) {
        c.children.push(args.positional[1]);
        const key = args.positional[0];
        c.keys.push(key?.kind === 'str' ? key.value : undefined);
        return NONE;
      }
      if (name === 'extend') {
        for (const item of iterate(args.positional[0] ?? UNKNOWN) ?? []) {
          c.children.push(item);
          c.keys.push(undefined);
        }
        return self;
      }
      if (name === 'forward') return this.callLayer(c, args, node);
    }
    if (self.kind === 'layer' && name === 'forward') return this.callLayer(self.layer, args, node);
    if (self.kind === 'instance') {
      if (name.startsWith('__base_init__:')) {
        this.initLibraryBase(self, name.slice('__base_init__:'.length), args);
        return NONE;
      }
      if (name === 'add_module' || name === 'register_module') {
        const key = args.positional[0];
        if (key?.kind === 'str' && key.value !== undefined && args.positional[1]) self.attributes.set(key.value, args.positional[1]);
        return NONE;
      }
      if (name === 'register_buffer' || name === 'register_parameter') {
        const key = args.positional[0];
        if (key?.kind === 'str' && key.value !== undefined) self.attributes.set(key.value, args.positional[1] ?? UNKNOWN);
        return NONE;
      }
      if (['to', 'cuda', 'cpu', 'train', 'eval', 'float', 'double', 'requires_grad_', 'apply'].includes(name)) return self;
    }
    if (self.kind === 'layer' && ['to', 'cuda', 'cpu', 'train', 'eval', 'float', 'requires_grad_'].includes(name)) return self;
    return UNKNOWN;
  }

  private binaryExpression(node: SyntaxNode, act: Activation): Value {
    const [left, op, right] = meaningfulChildren(node);
    if (!left || !op || !right) return UNKNOWN;
    const operator = this.src(op);
    if (operator === 'and' || operator === 'or') {
      const a = this.eval(left, act);
      const truth = this.truthOf(a);
      if (truth === undefined) {
        this.evalSafely(right, act);
        return { kind: 'bool', value: undefined };
      }
      return (operator === 'and') === truth ? this.eval(right, act) : a;
    }
    const a = this.eval(left, act);
    const b = this.eval(right, act);
    return this.guard(node, () => this.binary(operator, a, b, false), undefined, () => [a, b]);
  }

  private binary(operator: string, a: Value, b: Value, inPlace: boolean): Value {
    if (a.kind === 'unknown' || b.kind === 'unknown') return a.kind === 'tensor' || b.kind === 'tensor' ? tensorOf(undefined) : UNKNOWN;
    if (operator === '@') {
      if (a.kind !== 'tensor' || b.kind !== 'tensor') return UNKNOWN;
      return a.shape && b.shape ? tensorOf(matmulShape(a.shape, b.shape), a.dtype) : tensorOf(undefined, a.dtype);
    }
    if (a.kind === 'tensor' || b.kind === 'tensor') {
      const result = binaryTensorOp(a, b, inPlace, operator === '/');
      return COMPARISONS.has(operator) && result.kind === 'tensor' ? tensorOf(result.shape, 'bool') : result;
    }
    if (COMPARISONS.has(operator) || operator === 'is' || operator === 'in' || operator === 'not in' || operator === 'is not') return compare(operator, a, b);
    if ((a.kind === 'list' || a.kind === 'tuple') && operator === '+' && (b.kind === 'list' || b.kind === 'tuple')) return { kind: a.kind, items: [...a.items, ...b.items] };
    if ((a.kind === 'list' || a.kind === 'tuple') && operator === '*' && knownInt(b) !== undefined) {
      const n = Math.min(knownInt(b) as number, 10_000);
      return { kind: a.kind, items: Array.from({ length: n }, () => a.items).flat() };
    }
    if ((a.kind === 'int' || a.kind === 'float' || a.kind === 'bool') && (b.kind === 'int' || b.kind === 'float' || b.kind === 'bool')) return intArithmetic(operator, a, b);
    return UNKNOWN;
  }

  private unary(node: SyntaxNode, act: Activation): Value {
    const [op, operand] = meaningfulChildren(node);
    if (!op || !operand) return UNKNOWN;
    const v = this.eval(operand, act);
    const operator = this.src(op);
    if (operator === 'not') {
      const truth = this.truthOf(v);
      return { kind: 'bool', value: truth === undefined ? undefined : !truth };
    }
    if (v.kind === 'tensor') return v;
    if (operator === '-' && (v.kind === 'int' || v.kind === 'float')) return intArithmetic('-', intOf(0), v);
    return operator === '+' ? v : UNKNOWN;
  }

  /** Python truthiness when statically known. */
  private truthOf(v: Value): boolean | undefined {
    switch (v.kind) {
      case 'bool': return v.value;
      case 'int': return typeof v.value === 'number' ? v.value !== 0 : undefined;
      case 'float': return v.value === undefined ? undefined : v.value !== 0;
      case 'str': return v.value === undefined ? undefined : v.value.length > 0;
      case 'none': return false;
      case 'list':
      case 'tuple': return v.items.length > 0;
      case 'layer':
      case 'instance':
      case 'function':
      case 'class':
        return true;
      default: return undefined;
    }
  }
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

function compare(operator: string, a: Value, b: Value): Value {
  if (operator === 'is' || operator === 'is not') {
    if (a.kind === 'none' || b.kind === 'none') {
      const known = a.kind !== 'unknown' && b.kind !== 'unknown';
      const same = a.kind === b.kind;
      return { kind: 'bool', value: known ? (operator === 'is') === same : undefined };
    }
    return { kind: 'bool', value: undefined };
  }
  if (operator === 'in' || operator === 'not in') return { kind: 'bool', value: undefined };
  // `v == 'M'` with an int v: values of different types are never equal.
  const isNumber = (v: Value): boolean => v.kind === 'int' || v.kind === 'float' || v.kind === 'bool';
  if ((operator === '==' || operator === '!=') && ((isNumber(a) && (b.kind === 'str' || b.kind === 'none')) || (isNumber(b) && (a.kind === 'str' || a.kind === 'none')))) {
    return { kind: 'bool', value: operator === '!=' };
  }
  const [x, y] = [knownNumber(a), knownNumber(b)];
  if (x === undefined || y === undefined) {
    if (a.kind === 'str' && b.kind === 'str' && a.value !== undefined && b.value !== undefined && (operator === '==' || operator === '!=')) {
      return { kind: 'bool', value: (a.value === b.value) === (operator === '==') };
    }
    if ((operator === '==' || operator === '!=') && a.kind === 'int' && b.kind === 'int' && a.value !== undefined && b.value !== undefined && dimsEqual(a.value, b.value)) {
      return { kind: 'bool', value: operator === '==' };
    }
    return { kind: 'bool', value: undefined };
  }
  const result = operator === '==' ? x === y : operator === '!=' ? x !== y : operator === '<' ? x < y : operator === '<=' ? x <= y : operator === '>' ? x > y : x >= y;
  return { kind: 'bool', value: result };
}

/** The value after two paths meet: what they agree on; sizes they disagree on become unknown. */
export function mergeValues(a: Value, b: Value): Value {
  if (a === b) return a;
  if (a.kind === 'tensor' && b.kind === 'tensor') {
    const dtype = a.dtype === b.dtype ? a.dtype : undefined;
    if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return tensorOf(undefined, dtype);
    return tensorOf(a.shape.map((d, i) => (dimsEqual(d, b.shape?.[i] as Dim) ? d : UNKNOWN_DIM)), dtype);
  }
  if (a.kind === 'int' && b.kind === 'int') return a.value !== undefined && b.value !== undefined && dimsEqual(a.value, b.value) ? a : intOf(undefined);
  if ((a.kind === 'tuple' || a.kind === 'list') && b.kind === a.kind && a.items.length === b.items.length) {
    return { kind: a.kind, items: a.items.map((x, i) => mergeValues(x, b.items[i] as Value)) };
  }
  if (a.kind === 'none' || a.kind === 'unknown') return b.kind === 'tensor' ? b : a.kind === 'unknown' ? a : b;
  if (b.kind === 'none' || b.kind === 'unknown') return a.kind === 'tensor' ? a : b;
  return sameValue(a, b) ? a : UNKNOWN;
}

function sameValue(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.dtype === b.dtype && (a.shape && b.shape ? shapesEqual(a.shape, b.shape) : a.shape === b.shape);
  if ((a.kind === 'int' || a.kind === 'float' || a.kind === 'bool' || a.kind === 'str') && 'value' in b) return a.value === b.value;
  return a === b;
}

function tensorAttribute(t: Extract<Value, { kind: 'tensor' }>, name: string): Value {
  switch (name) {
    case 'shape':
      return t.shape ? tupleOf(t.shape.map(intOf)) : UNKNOWN;
    case 'T':
    case 'mT':
      return tensorOf(t.shape ? [...t.shape].reverse() : undefined, t.dtype);
    case 'data':
    case 'grad':
    case 'real':
      return t;
    case 'ndim':
      return intOf(t.shape?.length);
    case 'dtype':
      return t.dtype ? { kind: 'path', path: `torch.${t.dtype}` } : UNKNOWN;
    default:
      return { kind: 'method', self: t, name };
  }
}

/** `conv.weight`, `conv.out_channels`, `linear.in_features`... */
function layerAttribute(layer: Layer, name: string): Value | undefined {
  if (layer.type === 'conv') {
    switch (name) {
      case 'weight': return tensorOf(convWeightShape(layer), 'float32');
      case 'bias': return layer.bias ? tensorOf([layer.outChannels], 'float32') : NONE;
      case 'in_channels': return intOf(layer.inChannels);
      case 'out_channels': return intOf(layer.outChannels);
      case 'kernel_size': return tupleOf(layer.kernelSize.map(intOf));
      case 'groups': return intOf(layer.args.groups ?? 1);
    }
  }
  if (layer.type === 'linear') {
    switch (name) {
      case 'weight': return tensorOf(layer.weightOverride ?? [layer.outFeatures, layer.inFeatures ?? UNKNOWN_DIM], 'float32');
      case 'bias': return layer.bias ? tensorOf([layer.outFeatures], 'float32') : NONE;
      case 'in_features': return intOf(layer.inFeatures);
      case 'out_features': return intOf(layer.outFeatures);
    }
  }
  if (layer.type === 'batchNorm' && name === 'num_features') return intOf(layer.numFeatures);
  if (layer.type === 'embedding' && name === 'embedding_dim') return intOf(layer.embeddingDim);
  return undefined;
}

/** Python's `items[start:stop:step]`, negative steps included. */
function pySlice<T>(items: readonly T[], start: number | undefined, stop: number | undefined, step: number): T[] {
  const n = items.length;
  const out: T[] = [];
  if (step === 0) return out;
  if (step > 0) {
    const norm = (i: number): number => (i < 0 ? Math.max(0, i + n) : Math.min(i, n));
    for (let i = start === undefined ? 0 : norm(start); i < (stop === undefined ? n : norm(stop)); i += step) out.push(items[i] as T);
    return out;
  }
  const norm = (i: number): number => (i < 0 ? Math.max(-1, i + n) : Math.min(i, n - 1));
  for (let i = start === undefined ? n - 1 : norm(start); i > (stop === undefined ? -1 : norm(stop)); i += step) out.push(items[i] as T);
  return out;
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

function childIndex(node: SyntaxNode, name: string): number {
  return node.getChild(name)?.from ?? -1;
}

/** The default value expression of a parameter: the node after its `=`. */
function defaultOf(param: SyntaxNode): SyntaxNode | undefined {
  let next = param.nextSibling;
  if (next?.name === 'TypeDef') next = next.nextSibling;
  if (next?.name !== 'AssignOp') return undefined;
  return next.nextSibling ?? undefined;
}

function stringValue(text: string): string | undefined {
  const m = /^([rRbBuU]*)('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!m) return undefined;
  return (m[3] ?? '').includes('\\') && !/r/i.test(m[1] ?? '') ? undefined : m[3];
}

