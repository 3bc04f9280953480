// Reading a .ipynb as Python: nbformat 4's code cells in order; anything else refused with a
// message naming the problem and the cell.
import * as assert from 'node:assert/strict';
import { NotebookError, notebookCodeCells, notebookSource } from '../../../src/python/notebook';

const notebook = (cells: unknown): string => JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });

describe('notebookSource', () => {
  it('joins the code cells in order, each followed by a newline, skipping the others', () => {
    const ipynb = notebook([
      { cell_type: 'markdown', source: ['# Title\n'], metadata: {} },
      { cell_type: 'code', source: ['import torch\n', 'X = torch.ones(2)'], metadata: {}, outputs: [], execution_count: 1 },
      { cell_type: 'raw', source: 'not python', metadata: {} },
      { cell_type: 'code', source: 'Y = X + 1', metadata: {}, outputs: [], execution_count: 2 },
      { cell_type: 'code', source: [], metadata: {}, outputs: [], execution_count: null },
    ]);
    assert.deepEqual(notebookCodeCells(ipynb), ['import torch\nX = torch.ones(2)', 'Y = X + 1', '']);
    assert.deepEqual(notebookSource(ipynb), { text: 'import torch\nX = torch.ones(2)\nY = X + 1\n\n', cellStarts: [0, 31, 41] });
  });

  it('reads past a byte-order mark, as Jupyter does', () => {
    assert.deepEqual(notebookSource(`\ufeff${notebook([{ cell_type: 'code', source: 'x = 1' }])}`), { text: 'x = 1\n', cellStarts: [0] });
  });

  it('reads a notebook without cells as an empty program', () => {
    assert.deepEqual(notebookSource(notebook([])), { text: '', cellStarts: [] });
  });

  // JSON.parse's own wording differs between Node versions: only its prefix is ours.
  it('refuses text that is not JSON, with JSON.parse\'s message', () => {
    assert.throws(() => notebookSource('{"cells": ['), (e: unknown) => e instanceof NotebookError && /^not JSON: ./.test(e.message));
  });

  const refusals: Array<[string, string, string]> = [
    ['a JSON list', '[1, 2]', 'the file is a list, not a notebook object'],
    ['JSON null', 'null', 'the file is null, not a notebook object'],
    ['no cells', '{"metadata": {}}', "no 'cells' list"],
    ['nbformat 3', '{"worksheets": [{"cells": []}], "nbformat": 3}', "no 'cells' list: an nbformat 3 notebook (with 'worksheets'); save it as nbformat 4"],
    ['cells a string', notebook('import torch'), "'cells' is a string, not a list of cells"],
    ['cells a number', notebook(5), "'cells' is a number, not a list of cells"],
    ['cells an object', notebook({ 0: { cell_type: 'code', source: 'x = 1' } }), "'cells' is an object, not a list of cells"],
    ['a cell that is a string', notebook([{ cell_type: 'code', source: '' }, 'x = 1']), 'cells[1] is a string, not a cell object'],
    ['a cell that is null', notebook([null]), 'cells[0] is null, not a cell object'],
    ['a cell without cell_type', notebook([{ source: 'x = 1' }]), "cells[0]: 'cell_type' is missing, not a string"],
    ['a cell_type that is a list', notebook([{ cell_type: ['code'], source: 'x = 1' }]), "cells[0]: 'cell_type' is a list, not a string"],
    ['a source that is an object', notebook([{ cell_type: 'markdown', source: 'a' }, { cell_type: 'code', source: { text: 'x = 1' } }]), "cells[1]: 'source' is an object, not a string or a list of strings"],
    ['a source that is a number', notebook([{ cell_type: 'code', source: 5 }]), "cells[0]: 'source' is a number, not a string or a list of strings"],
    ['a source line that is not a string', notebook([{ cell_type: 'code', source: ['x = 1\n', 2] }]), "cells[0]: 'source'[1] is a number, not a string"],
    ['a code cell without source', notebook([{ cell_type: 'code', outputs: [] }]), "cells[0]: no 'source'"],
    ['a markdown cell whose source is a number', notebook([{ cell_type: 'markdown', source: 42 }, { cell_type: 'code', source: 'x = 1' }]),
      "cells[0]: 'source' is a number, not a string or a list of strings"],
    // JSON.parse makes `__proto__` an ordinary key: the cells inside it are not the notebook's.
    ['cells under a __proto__ key', '{"__proto__": {"cells": []}}', "no 'cells' list"],
  ];
  for (const [what, ipynb, message] of refusals) {
    it(`refuses ${what}: ${message}`, () => {
      assert.throws(() => notebookSource(ipynb), (e: unknown) => e instanceof NotebookError && e.message === message);
    });
  }
});
