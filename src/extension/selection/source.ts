// The Python source a selection is read in. A `.py` file is itself; a notebook cell is read
// after the code cells above it (joined in order), because the notebook's names are bound there
// (cell 89's `X` comes from cell 88). Positions are told back in the editor's terms: line and
// column in the file, or cell number, line and column in the notebook.
import * as vscode from 'vscode';
import { PythonDocument, type Span } from '../../python';

interface Part {
  /** 1-based cell number in the notebook; undefined for a plain file. */
  readonly cell: number | undefined;
  readonly document: vscode.TextDocument;
  /** Where the part starts in the joined text, and on which 0-based line. */
  readonly offset: number;
  readonly line: number;
}

export class SelectionSource {
  readonly doc: PythonDocument;
  private readonly parts: readonly Part[];
  /** The part of the editor's own document (the last one). */
  private readonly own: Part;
  /** The document a prompt's typed expression is read in, and where that expression starts. */
  private typedLine: { offset: number; from: number; doc: PythonDocument } | undefined;

  constructor(readonly document: vscode.TextDocument) {
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
    const documents = notebook ? cellsUpTo(notebook, document) : [{ cell: undefined, document }];
    const parts: Part[] = [];
    let text = '';
    let line = 0;
    for (const { cell, document: d } of documents) {
      if (parts.length > 0) {
        text += '\n';
        line++;
      }
      parts.push({ cell, document: d, offset: text.length, line });
      text += d.getText();
      line += d.lineCount - 1;
    }
    this.parts = parts;
    this.own = parts[parts.length - 1] ?? { cell: undefined, document, offset: 0, line: 0 };
    this.doc = new PythonDocument(text);
  }

  /** The span of the editor's own notebook cell in the joined text; undefined for a plain file. */
  ownCell(): Span | undefined {
    return this.own.cell === undefined ? undefined : { from: this.own.offset, to: this.own.offset + this.document.getText().length };
  }

  /** A range of the editor's document as a span of the joined text. */
  spanOf(range: vscode.Range): Span {
    return { from: this.own.offset + this.document.offsetAt(range.start), to: this.own.offset + this.document.offsetAt(range.end) };
  }

  /** A joined-text offset as a position in the editor's document (clamped into it). */
  positionOf(offset: number): vscode.Position {
    return this.document.positionAt(Math.max(0, offset - this.own.offset));
  }

  /** `line 3, column 5`, or `cell 4, line 3, column 5` in a notebook (1-based, as editors show them). */
  describe(offset: number): string {
    const part = [...this.parts].reverse().find((p) => p.offset <= offset) ?? this.own;
    const { line, column } = this.doc.lineColumnAt(offset);
    const where = `line ${line - part.line}, column ${column}`;
    return part.cell === undefined ? where : `cell ${part.cell}, ${where}`;
  }

  /**
   * Text from a prompt, read as an expression on a line of its own after the line `offset` is on.
   * The prompt validates on every keystroke, so the document holding the typed line is kept and
   * edited incrementally rather than parsed again from the top of the file.
   */
  withExpressionAfter(offset: number, expression: string): { doc: PythonDocument; span: Span } {
    const typed = this.typedLine?.offset === offset ? this.typedLine : this.startTypedLine(offset);
    const from = typed.from;
    typed.doc.edit([{ from, to: typed.doc.text.length, insert: expression }]);
    return { doc: typed.doc, span: { from, to: from + expression.length } };
  }

  private startTypedLine(offset: number): { offset: number; from: number; doc: PythonDocument } {
    const lineEnd = this.doc.text.indexOf('\n', offset);
    const head = lineEnd < 0 ? this.doc.text : this.doc.text.slice(0, lineEnd);
    this.typedLine = { offset, from: head.length + 1, doc: new PythonDocument(`${head}\n`) };
    return this.typedLine;
  }
}

function cellsUpTo(notebook: vscode.NotebookDocument, document: vscode.TextDocument): { cell: number; document: vscode.TextDocument }[] {
  const cells: { cell: number; document: vscode.TextDocument }[] = [];
  for (const cell of notebook.getCells()) {
    const own = cell.document === document;
    if (own || (cell.kind === vscode.NotebookCellKind.Code && cell.document.languageId === 'python')) {
      cells.push({ cell: cell.index + 1, document: cell.document });
    }
    if (own) break;
  }
  return cells;
}
