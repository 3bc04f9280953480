// What a rule sees of the interpreter while one expression is evaluated (rules/context.ts's
// RuleContext): the analysis's settings, the expression's site and its arguments' sites, worked
// out only when a rule asks (most never do), and calls back into the interpreter.
import type { SyntaxNode } from '@lezer/common';
import type { FloatDType, Tensor } from '../../core/tensor';
import type { CallArgs, RuleContext } from '../rules/context';
import type { SyntaxMemo } from '../syntax/memo';
import { callArguments, type CallArguments } from '../syntax/nodes';
import type { Site, TensorValue, Value } from './values';

/** The interpreter, as a rule scope asks it. */
export interface RuleHost {
  readonly text: string;
  readonly syntax: SyntaxMemo;
  readonly defaultDtype: FloatDType;
  readonly maxElements: number;
  readonly gradEnabled: boolean | undefined;
  siteOf(node: SyntaxNode): Site | undefined;
  now(): number;
  call(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value;
  read(t: TensorValue): Tensor | undefined;
}

/** What the rules get while the expression at `node` is evaluated: its site worked out only when asked for. */
export class RuleScope implements RuleContext {
  /** The call's arguments as written, read at the first question about them (rules ask several: sizes, dtype). */
  private parsedArguments: CallArguments | null | undefined;

  constructor(private readonly interpreter: RuleHost, private readonly node: SyntaxNode | undefined) {}

  private callArguments(): CallArguments | null {
    if (this.parsedArguments === undefined) {
      const argList = this.node?.lastChild?.name === 'ArgList' ? this.node.lastChild : undefined;
      this.parsedArguments = argList ? this.interpreter.syntax.of(callArguments, argList) : null;
    }
    return this.parsedArguments;
  }

  get defaultDtype(): FloatDType {
    return this.interpreter.defaultDtype;
  }

  get gradEnabled(): boolean | undefined {
    return this.interpreter.gradEnabled;
  }

  get maxElements(): number {
    return this.interpreter.maxElements;
  }

  get site(): Site | undefined {
    return this.node && this.interpreter.siteOf(this.node);
  }

  argumentSite(index: number | string): Site | undefined {
    const parsed = this.callArguments();
    if (!parsed) return undefined;
    const found = typeof index === 'number' ? parsed.positional[index] : parsed.keywords.get(index)?.value;
    return found && this.interpreter.siteOf(found);
  }

  now(): number {
    return this.interpreter.now();
  }

  call(callee: Value, args: CallArgs): Value {
    return this.interpreter.call(callee, args, this.node);
  }

  read(t: TensorValue): Tensor | undefined {
    return this.interpreter.read(t);
  }
}
