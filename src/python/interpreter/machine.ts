// What the interpreter's parts (statements.ts, expressions.ts, calls.ts) ask of each other and of
// the run they belong to (interpreter.ts), so each part is its own file and none imports another.
import type { SyntaxNode } from '@lezer/common';
import type { CallArgs, RuleContext } from '../rules/context';
import type { SyntaxMemo } from '../syntax/memo';
import type { Dim } from './dim';
import { Frame, type ClassValue, type FunctionValue, type InstanceValue, type Layer, type ModuleRef, type ModuleValue, type Site, type TensorValue, type Value, type Why } from './values';
import type { CallTrace } from './callTrace';

/** How a statement ends: on to the next, or the path stops (`raise`: Python raised, here or in a call). */
export type Flow = 'next' | 'return' | 'break' | 'continue' | 'raise';

/** One function activation: its frame and the values its `return`s gave. */
export interface Activation {
  readonly frame: Frame;
  readonly returns: Value[];
  readonly self: InstanceValue | undefined;
  readonly cls: ClassValue | undefined;
}

/** Python's `super()` inside a method: the instance and the class the method was defined in. */
export interface SuperValue {
  readonly kind: 'super';
  readonly self: InstanceValue;
  readonly cls: ClassValue;
}

export interface Machine {
  /** The document's text. */
  readonly text: string;
  /** `torch.get_default_dtype()` for this analysis. */
  readonly defaultDtype: 'float32' | 'float64';
  /** Autograd inside the `with` blocks being run (see Interpreter.gradEnabled). */
  gradMode: 'on' | 'off' | 'unknown';
  /** The source text of a node of the file whose code runs. */
  src(node: SyntaxNode): string;
  /** What is remembered of the running file's syntax (its nodes' parts, read once per tree). */
  readonly syntax: SyntaxMemo;
  /** The source text of a node of a module's file (undefined: the file analysed). */
  srcIn(module: ModuleRef, node: SyntaxNode): string;
  /** Counts one evaluation step against the budget (throws when it is spent). */
  tick(): void;
  /** How many times Python would have raised so far (PyTorch's errors, and calls every path of which raised). */
  readonly raised: number;
  /** The last of those errors. */
  lastRaisedError(): Raised | undefined;
  /** A `raise` statement of the file's: what it raises. */
  noteRaised(raised: { kind: string; message: string }, statement: SyntaxNode): void;

  // Statements (statements.ts).
  exec(node: SyntaxNode, act: Activation): Flow;
  execBlock(container: SyntaxNode, act: Activation): Flow;
  /** Binds a value to an assignment target (a name, a tuple of targets, an item, an attribute). */
  assignTarget(target: SyntaxNode, value: Value, statement: SyntaxNode, act: Activation): void;
  /**
   * A tensor changed in place through `receiver` (a name or an attribute): it gets `after`; its
   * other views go stale unless only its flags changed (`requires_grad_()`: `valuesChanged` false).
   */
  changeInPlace(receiver: SyntaxNode, before: Value, after: Value, statement: SyntaxNode, act: Activation, valuesChanged?: boolean): void;

  // Expressions (expressions.ts).
  /** An expression's value; PyTorch's errors propagate. */
  eval(node: SyntaxNode, act: Activation): Value;
  /** An expression's value; an error becomes a diagnostic (when certain) and an unknown value saying why. */
  evalSafely(node: SyntaxNode, act: Activation): Value;
  /** Python truthiness when statically known. */
  truthOf(v: Value): boolean | undefined;

  // Calls (calls.ts).
  call(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value;
  /** An attribute of a value (`x.shape`, `self.conv`, `super().__init__`). */
  attribute(object: Value | SuperValue, name: string, node: SyntaxNode | undefined): Value;
  /** A name as the running code sees it (`torch`, a local, a builtin), checked for stale elements. */
  lookup(name: string, act: Activation, node: SyntaxNode): Value;
  /** A function or method defined (by a `def` now running). */
  defineFunction(node: SyntaxNode, act: Activation): void;
  defineClass(node: SyntaxNode, act: Activation): void;

  // The run (interpreter.ts).
  /** Runs `run`, turning an error into a diagnostic (when certain) and an unknown value. */
  guard(node: SyntaxNode, run: () => Value, layer?: Layer, operands?: () => readonly Value[]): Value;
  /** Records the binding an assignment makes, for hints and `conv-lab shapes`. */
  recordBinding(target: SyntaxNode, statement: SyntaxNode, value: Value): void;
  /** Remembers an expression's value for hovers and hints. */
  recorded(node: SyntaxNode, value: Value): Value;
  /** Keeps the value a probed expression had (the run commands' selections ask for them). */
  probe(node: SyntaxNode, value: Value): void;
  /** A node's range relative to its top-level statement. */
  siteOf(node: SyntaxNode): Site | undefined;
  /** What the rules get while `node` is evaluated. */
  rules(node: SyntaxNode | undefined): RuleContext;
  /** Marks `before`'s storage changed in place now by `statement` (through `name`): its other views become stale. */
  storageChanged(before: Value, name: string, statement: SyntaxNode): void;
  /** `value`, or `value` without its elements when its storage was changed in place after it was made. */
  fresh(value: Value, node: SyntaxNode): Value;
  // Files (interpreter.ts, imports.ts).
  /** The project module whose code runs now (undefined: the file analysed). */
  readonly currentModule: ModuleRef;
  /** What identifies a function's body in this run (its file and where its def starts). */
  functionKey(fn: FunctionValue): number;
  /** A call of `fn` (from `call`) begins: its body runs in its own file. Returns what ends the call. */
  enterFunction(fn: FunctionValue, call: SyntaxNode | undefined): () => void;
  /**
   * The project module an import names, run on its first import (`level`: the leading dots of a
   * relative import); undefined when it is not a module of the project.
   */
  importModule(dotted: string, level: number): { top: ModuleValue; leaf: ModuleValue } | undefined;
  /** `from module import name`. */
  importedName(module: ModuleValue, name: string, node: SyntaxNode): Value;
  /** The names `from module import *` binds. */
  starNames(module: ModuleValue): [string, Value][];

  /** The module calls of the run, when its options asked for them (the model summary). */
  readonly trace: CallTrace | undefined;
  /** Records where a layer was constructed and which inputs reached it. */
  layerBuilt(layer: Layer, node: SyntaxNode): void;
  layerCalled(layer: Layer, input: readonly Dim[] | undefined): void;
}

/** A branch's own names over `act`'s (which it reads through until it binds them itself). */
export function fork(act: Activation): Activation {
  return { ...act, frame: new Frame(act.frame), returns: act.returns };
}

/** A value made unknown by a statement Conv Lab cannot follow, with why. */
export function unknownWith(why: Why | undefined): Value {
  return why ? { kind: 'unknown', why } : { kind: 'unknown' };
}

/** Whether a value is a tensor whose elements are known. */
export function hasElements(v: Value): v is TensorValue & { elements: NonNullable<TensorValue['elements']> } {
  return v.kind === 'tensor' && v.elements !== undefined;
}

/** What Python raised, and where: carried out of a call that raised on every path. */
export interface Raised {
  readonly kind: string;
  readonly message: string;
  readonly site: Site | undefined;
}

/**
 * Thrown out of a call of the file's own function when every path of it raised: the call raises
 * too, so the caller's statement stops as well. The error was reported where it was raised.
 */
export class RaisedInCall extends Error {
  constructor(readonly raised: Raised, readonly callee: string) {
    super(`${callee} raises ${raised.kind}`);
  }
}
