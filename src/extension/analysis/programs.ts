// The Python program a document belongs to: a .py file is one program; a notebook's code cells,
// joined in order with a newline after each (as `conv-lab shapes` reads an .ipynb), are one, so
// a name bound in cell 3 is known in cell 5. Offsets into the program map back to cells. The
// program's text is only joined when the analysis worker needs it whole.
import * as vscode from 'vscode';

export interface ProgramPart {
  readonly document: vscode.TextDocument;
  /** 1-based cell number in the notebook; undefined for a plain file. */
  readonly cell: number | undefined;
  /** Where this document's text starts in the program, and its length then. */
  readonly offset: number;
  readonly length: number;
}

export interface Program {
  /** The file's or the notebook's URI. */
  readonly key: string;
  readonly parts: readonly ProgramPart[];
  readonly notebook: vscode.NotebookDocument | undefined;
  /** The program's length, without joining its text. */
  readonly length: number;
}

export function isPython(document: vscode.TextDocument): boolean {
  return document.languageId === 'python';
}

export function notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  if (document.uri.scheme !== 'vscode-notebook-cell') return undefined;
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
}

/** A document's length, without copying its text. */
export function lengthOf(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}

export function programOf(document: vscode.TextDocument): Program | undefined {
  if (!isPython(document)) return undefined;
  const notebook = notebookOf(document);
  if (!notebook) {
    const length = lengthOf(document);
    return { key: document.uri.toString(), parts: [{ document, cell: undefined, offset: 0, length }], notebook: undefined, length };
  }
  let offset = 0;
  const parts: ProgramPart[] = [];
  for (const cell of notebook.getCells()) {
    if (cell.kind !== vscode.NotebookCellKind.Code || !isPython(cell.document)) continue;
    const length = lengthOf(cell.document);
    parts.push({ document: cell.document, cell: cell.index + 1, offset, length });
    offset += length + 1;
  }
  return { key: notebook.uri.toString(), parts, notebook, length: offset };
}

/** The program's text, each notebook cell followed by a newline. */
export function programText(program: Program): string {
  return program.notebook ? program.parts.map((p) => `${p.document.getText()}\n`).join('') : (program.parts[0]?.document.getText() ?? '');
}

/** The program offset of a position in one of its documents. */
export function offsetIn(program: Program, document: vscode.TextDocument, position: vscode.Position): number | undefined {
  const part = program.parts.find((p) => p.document === document);
  return part ? part.offset + document.offsetAt(position) : undefined;
}

export function partAt(program: Program, offset: number): ProgramPart | undefined {
  let found: ProgramPart | undefined;
  for (const part of program.parts) if (part.offset <= offset) found = part;
  return found;
}

/** A program range as a range of the document its start lies in (clamped to that document). */
export function locate(program: Program, from: number, to: number): { document: vscode.TextDocument; range: vscode.Range } | undefined {
  const part = partAt(program, from);
  if (!part) return undefined;
  const clamp = (o: number): number => Math.max(0, Math.min(part.length, o - part.offset));
  return { document: part.document, range: new vscode.Range(part.document.positionAt(clamp(from)), part.document.positionAt(clamp(to))) };
}

/** `line 3, column 5`, or `cell 4, line 3, column 5` in a notebook (1-based, as editors show them). */
export function describeOffset(program: Program, offset: number): string {
  const place = locate(program, offset, offset);
  const part = partAt(program, offset);
  if (!place || !part) return `offset ${offset}`;
  const where = `line ${place.range.start.line + 1}, column ${place.range.start.character + 1}`;
  return part.cell === undefined ? where : `cell ${part.cell}, ${where}`;
}
