// A notebook's code as one program: code cells in order, each followed by a newline (how
// `conv-lab shapes` and the editor read an .ipynb, so a name bound in cell 3 is known in cell 5).

/** A notebook's code as one program: code cells in order, each followed by a newline. */
export function notebookSource(ipynb: string): { text: string; cellStarts: number[] } {
  const notebook = JSON.parse(ipynb) as { cells?: { cell_type?: string; source?: string | string[] }[] };
  let text = '';
  const cellStarts: number[] = [];
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== 'code') continue;
    cellStarts.push(text.length);
    text += `${Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '')}\n`;
  }
  return { text, cellStarts };
}
