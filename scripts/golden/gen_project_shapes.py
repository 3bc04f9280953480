#!/usr/bin/python3
"""Writes PyTorch's ground truth for the multi-file project corpus in test/fixtures/python/projects:
for every project folder valid/<project>/ and buggy/<project>-<bug>/, and for each driver at its
root (conv_lab_driver.py, conv_lab_driver.ipynb), a truth file next to it:
conv_lab_truth.json for the .py driver, conv_lab_truth.ipynb.json for the notebook.

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_project_shapes.py
Exits non-zero when a valid project raises or a buggy one does not. Output is byte-identical on
re-runs.

Format:
  {"driver": "conv_lab_driver.py",
   "error": null | {"chain": [{"file": "conv_lab_driver.py", "line": 9}, ..., {"file": "models/resnet.py", "line": 40}],
                    "file": "models/resnet.py", "line": 40, "message": "...", "type": "RuntimeError"},
   "files": {"conv_lab_driver.py": {"bindings": [{"line": 12, "name": "y", "shape": [1, 10]}, ...]},
             "models/__init__.py": {"bindings": []}, ...}}

The driver runs as `python conv_lab_driver.py` would from the project folder: that folder is the
working directory and sys.path[0], __name__ is '__main__' for the driver only. Every module imported
from a .py file inside the project folder (packages' __init__.py included; implicit namespace
packages have no file) is loaded by an instrumenting loader: the same `ast` instrumentation as
gen_shapes.py (after every Assign / AnnAssign / AugAssign at any depth, the shape of each plain name
bound when it is a torch.Tensor), compiled under the module's real file name so that lines, in the
bindings and in the traceback, are the original ones. A notebook driver is its code cells joined as in
gen_shapes.notebook_source.

`files` lists every project .py file that ran (paths relative to the project folder, '/'), with its
bindings: identical (line, name, shape) entries once, different shapes at one line kept, in line order
and, within a line, in the order first seen. `error.chain` is the traceback's frames inside the
project, outermost first; `error.file`/`error.line` is the innermost of them.
Each driver runs in this one process; between runs the project's modules are dropped from sys.modules.
"""
import ast
import builtins
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import os
import sys
import traceback
import warnings

sys.dont_write_bytecode = True  # no __pycache__ in the fixtures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_shapes import Instrument, RECORD, notebook_source  # noqa: E402

import torch  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures',
                                         'python', 'projects'))
DRIVERS = (('conv_lab_driver.py', 'conv_lab_truth.json'), ('conv_lab_driver.ipynb', 'conv_lab_truth.ipynb.json'))


class Recorder:
    """The bindings of one run, per project file."""

    def __init__(self, root):
        self.root = root
        self.files = {}  # relative path -> list of (line, name, shape), first seen order
        self.seen = set()

    def relative(self, path):
        path = os.path.realpath(path)
        if path != self.root and not path.startswith(self.root + os.sep):
            return None
        return os.path.relpath(path, self.root).replace(os.sep, '/')

    def ran(self, relative):
        self.files.setdefault(relative, [])

    def record_for(self, relative):
        self.ran(relative)

        def record(line, name, value):
            if isinstance(value, torch.Tensor):
                key = (relative, line, name, tuple(value.shape))
                if key not in self.seen:
                    self.seen.add(key)
                    self.files[relative].append((line, name, tuple(value.shape)))
        return record

    def result(self):
        return {relative: {'bindings': [{'line': line, 'name': name, 'shape': list(shape)}
                                        for line, name, shape in sorted(entries, key=lambda e: e[0])]}
                for relative, entries in sorted(self.files.items())}


def instrumented_code(source, path):
    tree = Instrument().visit(ast.parse(source, path))
    return compile(tree, path, 'exec', dont_inherit=True)


class InstrumentingLoader(importlib.machinery.SourceFileLoader):
    """A source loader that never uses bytecode caches and instruments the module."""

    recorder = None

    def get_code(self, fullname):
        return instrumented_code(self.get_source(fullname), self.path)

    def exec_module(self, module):
        relative = self.recorder.relative(self.path)
        setattr(module, RECORD, self.recorder.record_for(relative))
        super().exec_module(module)


class ProjectFinder(importlib.abc.MetaPathFinder):
    """Finds modules as the path finder does; those whose file lies in the project get the instrumenting loader."""

    def __init__(self, recorder):
        self.recorder = recorder

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.has_location or not isinstance(spec.origin, str) or not spec.origin.endswith('.py'):
            return spec
        if self.recorder.relative(spec.origin) is None:
            return None  # not ours: let the usual finders do it
        loader = InstrumentingLoader(fullname, spec.origin)
        loader.recorder = self.recorder
        spec.loader = loader
        return spec


def inside(path, root):
    path = os.path.realpath(path)
    return path == root or path.startswith(root + os.sep)


def forget_project_modules(root):
    for name, module in list(sys.modules.items()):
        file = getattr(module, '__file__', None)
        paths = list(getattr(module, '__path__', None) or [])
        if (isinstance(file, str) and inside(file, root)) or any(inside(p, root) for p in paths):
            del sys.modules[name]
    for key in list(sys.path_importer_cache):
        if inside(key, root):
            del sys.path_importer_cache[key]
    importlib.invalidate_caches()


def run_driver(root, driver):
    """Runs the driver `driver` (a file name in the project folder `root`): (files, error)."""
    root = os.path.realpath(root)
    path = os.path.join(root, driver)
    source = notebook_source(path) if driver.endswith('.ipynb') else open(path).read()
    recorder = Recorder(root)
    finder = ProjectFinder(recorder)
    saved = (list(sys.path), list(sys.argv), os.getcwd())
    forget_project_modules(root)
    sys.path[0:1] = [root]
    sys.argv[:] = [path]
    sys.meta_path.insert(0, finder)
    os.chdir(root)
    namespace = {'__name__': '__main__', '__file__': path, '__builtins__': builtins,
                 RECORD: recorder.record_for(driver)}
    error = None
    torch.manual_seed(0)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter('ignore')
            exec(instrumented_code(source, path), namespace)
    except Exception as e:  # the buggy project's exception is the expected outcome
        chain = []
        for frame in traceback.extract_tb(e.__traceback__):
            relative = recorder.relative(frame.filename) if os.path.isabs(frame.filename) else None
            if relative is not None:
                chain.append({'file': relative, 'line': frame.lineno})
        innermost = chain[-1] if chain else {'file': None, 'line': None}  # e.g. a syntax error in a module
        error = {'file': innermost['file'], 'line': innermost['line'], 'type': type(e).__name__,
                 'message': str(e), 'chain': chain}
    finally:
        sys.meta_path.remove(finder)
        sys.path[:], sys.argv[:] = saved[0], saved[1]
        os.chdir(saved[2])
        forget_project_modules(root)
    return recorder.result(), error


def encode(truth):
    """Sorted keys, indent 1, but one binding a line, so that a diff shows which binding changed."""
    files = []
    for relative, entry in sorted(truth['files'].items()):
        rows = ',\n'.join('   ' + json.dumps(b, sort_keys=True) for b in entry['bindings'])
        files.append(f'  {json.dumps(relative)}: {{"bindings": [' + ('\n' + rows + '\n  ' if rows else '') + ']}')
    error = json.dumps(truth['error'], indent=1, sort_keys=True).replace('\n', '\n ')
    return ('{\n "driver": ' + json.dumps(truth['driver']) + ',\n "error": ' + error + ',\n "files": {\n'
            + ',\n'.join(files) + '\n }\n}\n')


def projects():
    for kind in ('valid', 'buggy'):
        folder = os.path.join(FIXTURES, kind)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if os.path.isdir(os.path.join(folder, name)):
                yield kind, os.path.join(folder, name)


def main():
    failures = []
    total = 0
    for kind, root in projects():
        for driver, truth_name in DRIVERS:
            if not os.path.exists(os.path.join(root, driver)):
                continue
            files, error = run_driver(root, driver)
            truth = {'driver': driver, 'files': files, 'error': error}
            with open(os.path.join(root, truth_name), 'w') as f:
                f.write(encode(truth))
            count = sum(len(f['bindings']) for f in files.values())
            total += count
            name = os.path.relpath(os.path.join(root, driver), FIXTURES)
            print(f'{name}: {len(files)} files, {count} bindings'
                  + (f', {error["type"]} at {error["file"]}:{error["line"]}' if error else ''))
            if kind == 'valid' and error:
                failures.append(f'{name} raised {error["type"]} at {error["file"]}:{error["line"]}: {error["message"]}')
            if kind == 'buggy' and not error:
                failures.append(f'{name} did not raise')
    print(f'total: {total} bindings')
    for failure in failures:
        print('FAIL', failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
