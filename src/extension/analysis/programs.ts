// The Python program a document belongs to: a .py file is one program; a notebook's code cells,
// joined in order with a newline after each (as `conv-lab shapes` reads an .ipynb), are one, so
// a name bound in cell 3 is known in cell 5. Offsets into the program map back to cells.
import * as vscode from 'vscode';

export interface ProgramPart {
  readonly document: vscode.TextDocument;
  /** Where this document's text starts in the program, and its length then. */
  readonly offset: number;
  readonly length: number;
}

export interface Program {
  /** The file's or the notebook's URI. */
  readonly key: string;
  readonly text: string;
  readonly parts: readonly ProgramPart[];
  readonly notebook: vscode.NotebookDocument | undefined;
}

export function isPython(document: vscode.TextDocument): boolean {
  return document.languageId === 'python';
}

export function notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  if (document.uri.scheme !== 'vscode-notebook-cell') return undefined;
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
}

export function programOf(document: vscode.TextDocument): Program | undefined {
  if (!isPython(document)) return undefined;
  const notebook = notebookOf(document);
  if (!notebook) {
    const text = document.getText();
    return { key: document.uri.toString(), text, parts: [{ document, offset: 0, length: text.length }], notebook: undefined };
  }
  let text = '';
  const parts: ProgramPart[] = [];
  for (const cell of notebook.getCells()) {
    if (cell.kind !== vscode.NotebookCellKind.Code || !isPython(cell.document)) continue;
    const source = cell.document.getText();
    parts.push({ document: cell.document, offset: text.length, length: source.length });
    text += `${source}\n`;
  }
  return { key: notebook.uri.toString(), text, parts, notebook };
}

/** The program offset of a position in one of its documents. */
export function offsetIn(program: Program, document: vscode.TextDocument, position: vscode.Position): number | undefined {
  const part = program.parts.find((p) => p.document === document);
  return part ? part.offset + document.offsetAt(position) : undefined;
}

function partAt(program: Program, offset: number): ProgramPart | undefined {
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
