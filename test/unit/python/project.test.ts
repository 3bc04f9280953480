import * as assert from 'node:assert/strict';
import { analysisJson } from '../../../src/python';
import { Project, type ProjectFiles } from '../../../src/python/project/project';
import { PythonDocument } from '../../../src/python/syntax/document';

// Whole projects (issue #15): imports of the user's own modules resolved as Python resolves them,
// each module run once per script, and what a script's calls do in an imported file shown there.
// Shapes in comments are worked out by hand from PyTorch's formulas.

/** A project in memory: file paths to texts (folders are implied by the paths). */
function memoryFiles(files: Record<string, string>): ProjectFiles {
  const folders = new Set<string>();
  for (const file of Object.keys(files)) for (let at = file.lastIndexOf('/'); at > 0; at = file.lastIndexOf('/', at - 1)) folders.add(file.slice(0, at));
  return {
    isFile: (p) => Object.hasOwn(files, p),
    isDirectory: (p) => folders.has(p),
    readText: (p) => files[p],
  };
}

function shapes(project: Project, file: string, scripts: string[] = [file]): string[] {
  const view = project.view(file, scripts);
  assert.ok(view, `${file} is read`);
  return analysisJson(view).bindings.map((b) => `${b.line} ${b.name}: ${b.shape ? JSON.stringify(b.shape) : '?'}`);
}

function messages(project: Project, file: string, scripts: string[] = [file]): string[] {
  return analysisJson(project.view(file, scripts) as NonNullable<ReturnType<Project['view']>>).diagnostics.map((d) => `${d.line}: ${d.message}`);
}

const BLOCK = [
  'import torch.nn as nn', //                                                         1
  'class Block(nn.Module):', //                                                       2
  '    def __init__(self, cin, cout):', //                                            3
  '        super().__init__()', //                                                    4
  '        self.conv = nn.Conv2d(cin, cout, 3, padding=1)', //                        5
  '    def forward(self, x):', //                                                     6
  '        y = self.conv(x)', //                                                      7
  '        return y', //                                                              8
].join('\n');

describe('python: projects (imports followed across files)', () => {
  it('follows a package __init__ re-export through a relative star import into the script\'s call', () => {
    const project = new Project(memoryFiles({
      '/p/models/__init__.py': 'from .blocks import *\n',
      '/p/models/blocks.py': BLOCK,
      '/p/train.py': 'import torch\nfrom models import Block\nnet = Block(3, 8)\nx = torch.randn(2, 3, 16, 16)\nout = net(x)\n',
    }), { roots: ['/p'] });
    // padding 1, kernel 3: 16 stays 16; 8 out channels.
    assert.deepEqual(shapes(project, '/p/train.py'), ['4 x: [2,3,16,16]', '5 out: [2,8,16,16]']);
    // In blocks.py, forward's y is the script's shape; alone, it would be symbolic.
    assert.deepEqual(shapes(project, '/p/models/blocks.py', ['/p/train.py', '/p/models/blocks.py']), ['7 y: [2,8,16,16]']);
    assert.deepEqual(shapes(project, '/p/models/blocks.py'), ['7 y: ["N","cout","H","W"]']);
  });

  it('reports an error raised in an imported file there, with the calls that led to it', () => {
    const project = new Project(memoryFiles({
      '/p/blocks.py': BLOCK,
      '/p/train.py': 'import torch\nimport blocks as b\nnet = b.Block(4, 8)\nout = net(torch.randn(1, 3, 8, 8))\n',
    }), { roots: ['/p'] });
    const scripts = ['/p/train.py', '/p/blocks.py'];
    const error = 'Given groups=1, weight of size [8, 4, 3, 3], expected input[1, 3, 8, 8] to have 4 channels, but got 3 channels instead';
    assert.deepEqual(messages(project, '/p/blocks.py', scripts), [`7: ${error}`]);
    assert.deepEqual(messages(project, '/p/train.py', scripts), []);
    const diagnostic = project.view('/p/blocks.py', scripts)?.diagnostics[0];
    assert.deepEqual(diagnostic?.chain?.map((c) => `${c.path}:${c.line}`), ['/p/train.py:4']);
    // The function's callers, for its hover.
    const view = project.view('/p/blocks.py', scripts);
    const offset = view?.doc.text.indexOf('y = self.conv') ?? -1;
    assert.deepEqual(view?.callers(offset).map((c) => `${c.path}:${c.line}`), ['/p/train.py:4']);
  });

  it('honours __all__, `import a.b as c`, `from . import m`, namespace packages and a cycle', () => {
    const project = new Project(memoryFiles({
      '/p/pkg/__init__.py': '',
      '/p/pkg/sizes.py': 'from . import helpers\n__all__ = ["WIDTH"]\nWIDTH = helpers.twice(4)\nHIDDEN = 99\n',
      '/p/pkg/helpers.py': 'from pkg import sizes\ndef twice(n):\n    return 2 * n\n',
      '/p/ns/tools.py': 'DEPTH = 5\n',
      '/p/main.py': [
        'import torch', 'from pkg.sizes import *', 'import pkg.sizes as s', 'from ns.tools import DEPTH',
        'a = torch.zeros(WIDTH)', 'b = torch.zeros(s.HIDDEN)', 'c = torch.zeros(DEPTH)', 'd = torch.zeros(HIDDEN)',
      ].join('\n'),
    }), { roots: ['/p'] });
    // WIDTH = 2 * 4 through the helper (whose `from pkg import sizes` sees the half-run module); HIDDEN is not in __all__.
    assert.deepEqual(shapes(project, '/p/main.py'), ['5 a: [8]', '6 b: [99]', '7 c: [5]', '8 d: ?']);
  });

  it('leaves an import it cannot find unknown, never an error', () => {
    const project = new Project(memoryFiles({ '/p/main.py': 'import torch\nfrom nowhere import thing\nimport elsewhere.deep as e\nx = thing(torch.zeros(2))\ny = e.f(x)\n' }), { roots: ['/p'] });
    assert.deepEqual(messages(project, '/p/main.py'), []);
    assert.deepEqual(shapes(project, '/p/main.py'), ['4 x: ?', '5 y: ?']);
  });

  it('searches the extra roots after the script\'s folder, and the script\'s folder first', () => {
    const project = new Project(memoryFiles({
      '/lib/shared.py': 'N = 3\n',
      '/p/app/shared.py': 'N = 7\n',
      '/p/app/main.py': 'import torch\nimport shared\nx = torch.zeros(shared.N)\n',
      '/p/other/main.py': 'import torch\nimport shared\nx = torch.zeros(shared.N)\n',
    }), { roots: ['/lib', '/p'] });
    assert.deepEqual(shapes(project, '/p/app/main.py'), ['3 x: [7]']);
    assert.deepEqual(shapes(project, '/p/other/main.py'), ['3 x: [3]']);
  });

  it('re-analyses only what read a changed file, and sees an editor\'s unsaved text', () => {
    const files: Record<string, string> = {
      '/p/sizes.py': 'N = 3\n',
      '/p/a.py': 'import torch\nfrom sizes import N\nx = torch.zeros(N)\n',
      '/p/b.py': 'import torch\ny = torch.zeros(4)\n',
    };
    const project = new Project(memoryFiles(files), { roots: ['/p'] });
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: [3]']);
    assert.deepEqual(shapes(project, '/p/b.py'), ['2 y: [4]']);
    project.setOpen('/p/sizes.py', new PythonDocument('N = 5\n'));
    assert.deepEqual(project.analysed, ['/p/b.py'], 'only a.py read sizes.py');
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: [5]']);
    project.close('/p/sizes.py');
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: [3]']);
    // A file deleted on disk: the import no longer finds it.
    delete files['/p/sizes.py'];
    project.filesChanged();
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: ?']);
  });

  it('runs `if __name__ == "__main__":` in the script only, not when the file is imported', () => {
    const project = new Project(memoryFiles({
      '/p/lib.py': 'import torch\nK = 2\nif __name__ == "__main__":\n    K = 9\n    t = torch.zeros(K)\n',
      '/p/main.py': 'import torch\nfrom lib import K\nu = torch.zeros(K)\n',
    }), { roots: ['/p'] });
    assert.deepEqual(shapes(project, '/p/main.py'), ['3 u: [2]']);
    assert.deepEqual(shapes(project, '/p/lib.py'), ['5 t: [9]']);
  });

  it('keeps a file\'s own symbolic results only where no other file\'s call ran the function', () => {
    const project = new Project(memoryFiles({
      '/p/net.py': `${BLOCK}\n    def unused(self, z):\n        w = self.conv(z)\n        return w\n`,
      '/p/train.py': 'import torch\nfrom net import Block\nout = Block(3, 4)(torch.randn(1, 3, 5, 5))\n',
    }), { roots: ['/p'] });
    // forward ran from train.py (its symbolic entry gives way); `unused` did not: it keeps its symbols.
    assert.deepEqual(shapes(project, '/p/net.py', ['/p/train.py', '/p/net.py']), ['7 y: [1,4,5,5]', '10 w: ["N","cout","H","W"]']);
    // So do the values a hover shows.
    const view = project.view('/p/net.py', ['/p/train.py', '/p/net.py']);
    const at = view?.doc.text.indexOf('y = self.conv') ?? -1;
    const values = view?.valuesAt({ from: at, to: at + 1 }) ?? [];
    assert.deepEqual(values.map((v) => (v.kind === 'tensor' ? JSON.stringify(v.shape) : v.kind)), ['[1,4,5,5]']);
  });

  it('stays bounded on a chain of 300 modules each importing the next, and on 500 modules imported by one file', () => {
    const files: Record<string, string> = { '/p/main.py': 'import torch\nimport m0\nx = torch.zeros(m0.N)\n' };
    for (let i = 0; i < 300; i++) files[`/p/m${i}.py`] = i < 299 ? `import m${i + 1}\nN = m${i + 1}.N\n` : 'N = 3\n';
    const chain = new Project(memoryFiles(files), { roots: ['/p'] });
    // Imports nested past 48 levels are not followed: N is not known, and nothing is reported.
    assert.deepEqual(shapes(chain, '/p/main.py'), ['3 x: ?']);
    const wide: Record<string, string> = { '/p/main.py': `import torch\n${Array.from({ length: 500 }, (_, i) => `import w${i}`).join('\n')}\nx = torch.zeros(w499.N)\ny = torch.zeros(w0.N)\n` };
    for (let i = 0; i < 500; i++) wide[`/p/w${i}.py`] = 'N = 2\n';
    // At most 400 modules run: w499 is past them, w0 is not.
    assert.deepEqual(shapes(new Project(memoryFiles(wide), { roots: ['/p'] }), '/p/main.py'), ['502 x: ?', '503 y: [2]']);
  });

  it('leaves out, past its time budget, the scripts not analysed yet (until asked again)', () => {
    const project = new Project(memoryFiles({
      '/p/blocks.py': BLOCK,
      '/p/train.py': 'import torch\nfrom blocks import Block\nout = Block(3, 8)(torch.randn(1, 3, 4, 4))\n',
    }), { roots: ['/p'] });
    const scripts = ['/p/blocks.py', '/p/train.py'];
    // No time left: blocks.py alone (its symbolic shape), train.py not run.
    assert.deepEqual(analysisJson(project.view('/p/blocks.py', scripts, 0) as NonNullable<ReturnType<Project['view']>>).bindings.map((b) => JSON.stringify(b.shape)), ['["N","cout","H","W"]']);
    assert.equal(project.isAnalysed('/p/train.py'), false);
    // Without a budget, train.py runs and its call's shape shows.
    assert.deepEqual(shapes(project, '/p/blocks.py', scripts), ['7 y: [1,8,4,4]']);
  });

  it('sees a file changed, created or deleted on disk without being told, when a script that reads it runs again', () => {
    const files: Record<string, string> = { '/p/sizes.py': 'N = 3\n', '/p/a.py': 'import torch\nfrom sizes import N\nx = torch.zeros(N)\n' };
    // The disk's version of a file: its text here (the worker's is its modification time and size).
    const project = new Project({ ...memoryFiles(files), version: (p) => files[p] }, { roots: ['/p'] });
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: [3]']);
    // A watcher that missed the change: only the script's own edit is reported.
    files['/p/sizes.py'] = 'N = 4\n';
    project.changed('/p/a.py');
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: [4]']);
    delete files['/p/sizes.py'];
    files['/p/other.py'] = 'N = 6\n';
    files['/p/a.py'] = 'import torch\nfrom other import N\nx = torch.zeros(N)\n';
    project.changed('/p/a.py');
    assert.deepEqual(shapes(project, '/p/a.py'), ['3 x: [6]']);
  });
});
