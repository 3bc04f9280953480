// The program a selection is read in, and the questions the run commands ask the analysis worker
// about it. A `.py` file is its own program; a notebook cell is read in its notebook's (the code
// cells joined in order), because the notebook's names are bound in the cells above (cell 89's `X`
// comes from cell 88). Positions are told back in the editor's terms: line and column in the
// file, or cell number, line and column in the notebook.
import * as vscode from 'vscode';
import type { WireEvaluation, WireKernelChoice, WireReplayStep } from '../../protocol/analysis';
import type { Span } from '../../python';
import type { AnalysisService, Answer } from '../analysis/service';
import { describeOffset, programOf, type Program, type ProgramPart } from '../analysis/programs';

export class SelectionSource {
  readonly program: Program;
  /** The part of the editor's own document. */
  private readonly own: ProgramPart;

  constructor(private readonly analysis: AnalysisService, readonly document: vscode.TextDocument) {
    const program = programOf(document);
    const own = program?.parts.find((p) => p.document === document);
    if (!program || !own) throw new Error('select a tensor in a Python file or notebook cell first');
    this.program = program;
    this.own = own;
  }

  /** The span of the editor's own notebook cell in the program; undefined for a plain file. */
  ownCell(): Span | undefined {
    return this.own.cell === undefined ? undefined : { from: this.own.offset, to: this.own.offset + this.own.length };
  }

  /** A range of the editor's document as a span of the program. */
  spanOf(range: vscode.Range): Span {
    return { from: this.own.offset + this.document.offsetAt(range.start), to: this.own.offset + this.document.offsetAt(range.end) };
  }

  /** `line 3, column 5`, or `cell 4, line 3, column 5` in a notebook (1-based, as editors show them). */
  describe(offset: number): string {
    return describeOffset(this.program, offset);
  }

  /** The tensors the expressions at `spans` denote (each, or why not). */
  async evaluate(spans: readonly Span[]): Promise<readonly WireEvaluation[]> {
    const program = this.program;
    const answer = await this.analysis.ask(program, (at) => ({ type: 'evaluate', ...at, spans }), 'evaluate');
    return answer.results;
  }

  /** The tensor an expression typed in a prompt denotes, read after the line `anchor` is on. */
  async evaluateTyped(anchor: number, expression: string): Promise<WireEvaluation> {
    const program = this.program;
    const answer = await this.analysis.ask(program, (at) => ({ type: 'evaluateTyped', ...at, anchor, expression }), 'evaluate');
    const [result] = answer.results;
    if (!result) throw new Error('the analysis worker gave no result for the typed expression');
    return result;
  }

  /** The replay of the cells `selection` covers whole, or undefined when it covers none. */
  async replay(selection: Span, precision: number, keepsExpression: boolean): Promise<readonly WireReplayStep[] | undefined> {
    const program = this.program;
    const cell = this.ownCell();
    const answer = await this.analysis.ask(program, (at) => ({ type: 'replay', ...at, selection, precision, keepsExpression, ...(cell ? { cell } : {}) }), 'replay');
    return answer.steps;
  }

  async kernelChoices(before: number, limit: number): Promise<readonly WireKernelChoice[]> {
    const program = this.program;
    return (await this.analysis.ask(program, (at) => ({ type: 'kernelChoices', ...at, before, limit }), 'kernelChoices')).choices;
  }

  async layerArguments(offset: number, kind: 'conv' | 'convTranspose', spatialDims: number): Promise<Answer<'layerArguments'>['found']> {
    const program = this.program;
    return (await this.analysis.ask(program, (at) => ({ type: 'layerArguments', ...at, offset, kind, spatialDims }), 'layerArguments')).found;
  }
}
