// A Jupyter notebook file (.ipynb, nbformat 4) read as Python: its code cells in order. Strict:
// a file that does not have nbformat 4's shape is refused with a message naming the problem and
// the cell, never read as an empty program or passed on half-read.

/** A notebook file that cannot be read as code cells. */
export class NotebookError extends Error {
  override readonly name = 'NotebookError';
}

export interface NotebookSource {
  /** The code cells joined, each followed by a newline. */
  readonly text: string;
  /** Where each code cell starts in `text`. */
  readonly cellStarts: readonly number[];
}

/** How a JSON value is described in messages: JSON's names for its kinds. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The source of every code cell, in order. */
export function notebookCodeCells(ipynb: string): string[] {
  let notebook: unknown;
  try {
    // A byte-order mark is no JSON, but editors write one and Jupyter reads past it.
    notebook = JSON.parse(ipynb.startsWith('\ufeff') ? ipynb.slice(1) : ipynb);
  } catch (e) {
    throw new NotebookError(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(notebook)) throw new NotebookError(`the file is ${kindOf(notebook)}, not a notebook object`);
  const cells = Object.hasOwn(notebook, 'cells') ? notebook['cells'] : undefined;
  if (cells === undefined) {
    throw new NotebookError(Object.hasOwn(notebook, 'worksheets')
      ? "no 'cells' list: an nbformat 3 notebook (with 'worksheets'); save it as nbformat 4"
      : "no 'cells' list");
  }
  if (!Array.isArray(cells)) throw new NotebookError(`'cells' is ${kindOf(cells)}, not a list of cells`);
  const sources: string[] = [];
  cells.forEach((cell: unknown, index) => {
    if (!isObject(cell)) throw new NotebookError(`cells[${index}] is ${kindOf(cell)}, not a cell object`);
    const type = Object.hasOwn(cell, 'cell_type') ? cell['cell_type'] : undefined;
    if (typeof type !== 'string') throw new NotebookError(`cells[${index}]: 'cell_type' is ${type === undefined ? 'missing' : kindOf(type)}, not a string`);
    // Every cell has a source in nbformat 4; only code cells' are read, but all must be well formed.
    const source = cellSource(Object.hasOwn(cell, 'source') ? cell['source'] : undefined, index);
    if (type === 'code') sources.push(source);
  });
  return sources;
}

/** nbformat's multiline string: one string, or a list of strings (lines) to join. */
function cellSource(source: unknown, index: number): string {
  if (typeof source === 'string') return source;
  if (source === undefined) throw new NotebookError(`cells[${index}]: no 'source'`);
  if (!Array.isArray(source)) throw new NotebookError(`cells[${index}]: 'source' is ${kindOf(source)}, not a string or a list of strings`);
  const bad = source.findIndex((line) => typeof line !== 'string');
  if (bad >= 0) throw new NotebookError(`cells[${index}]: 'source'[${bad}] is ${kindOf(source[bad])}, not a string`);
  return source.join('');
}

/** A notebook's code as one program: code cells in order, each followed by a newline. */
export function notebookSource(ipynb: string): NotebookSource {
  let text = '';
  const cellStarts: number[] = [];
  for (const source of notebookCodeCells(ipynb)) {
    cellStarts.push(text.length);
    text += `${source}\n`;
  }
  return { text, cellStarts };
}
