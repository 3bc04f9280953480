#!/usr/bin/python3
"""Writes PyTorch's ground truth for the shape-inference accuracy corpora in
test/fixtures/python/shapes (our own files) and test/fixtures/python/realworld (public model
code): for every valid/*.py|ipynb and buggy/*.py|ipynb of each, FILE.json next to it with the
shape of every tensor bound by an assignment and, for buggy files, the exception.

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_shapes.py
Exits non-zero when a valid file raises or a buggy file does not. Output is byte-identical on
re-runs.

Format (see test/fixtures/python/shapes/README.md):
  {"bindings": [{"line": 12, "name": "y", "shape": [1, 10, 16, 16]}, ...],
   "error": null | {"line": 9, "lines": [30, 9], "type": "RuntimeError", "message": "..."}}

Each file runs once, instrumented with `ast`: after every Assign / AnnAssign / AugAssign statement
(at any depth: functions, methods, branches, loops) a call records the shape of each plain name it
binds (tuple/list unpacking included) when the value is a torch.Tensor. `line` is the statement's
first line in the original source; the instrumented tree is compiled under the file's own name so
that traceback lines are the original ones too. A notebook is its code cells joined in order,
each followed by "\n", and lines are counted in that text.
"""
import ast
import builtins
import contextlib
import glob
import io
import json
import os
import sys
import traceback
import warnings

import torch

FIXTURES = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'python'))
# The corpus roots, each with valid/ and buggy/.
DIRS = [os.path.join(FIXTURES, 'shapes'), os.path.join(FIXTURES, 'realworld')]
RECORD = '__conv_lab_record_shape__'


def notebook_source(path):
    with open(path) as f:
        notebook = json.load(f)
    cells = [c['source'] for c in notebook['cells'] if c['cell_type'] == 'code']
    return ''.join((''.join(s) if isinstance(s, list) else s) + '\n' for s in cells)


def bound_names(target):
    """The plain names an assignment target binds, in source order (subscripts and attributes bind none)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in bound_names(element)]
    if isinstance(target, ast.Starred):
        return bound_names(target.value)
    return []


class Instrument(ast.NodeTransformer):
    """Appends `RECORD(line, 'name', name)` after each assignment, in every statement list."""

    def generic_visit(self, node):
        super().generic_visit(node)
        for field in ('body', 'orelse', 'finalbody'):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                setattr(node, field, [s for statement in statements for s in self.recorded(statement)])
        return node

    @staticmethod
    def recorded(statement):
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AugAssign) or (isinstance(statement, ast.AnnAssign) and statement.value is not None):
            targets = [statement.target]
        else:
            return [statement]
        calls = []
        for name in (n for target in targets for n in bound_names(target)):
            call = ast.Expr(ast.Call(
                func=ast.Name(RECORD, ast.Load()),
                args=[ast.Constant(statement.lineno), ast.Constant(name), ast.Name(name, ast.Load())],
                keywords=[]))
            calls.append(ast.fix_missing_locations(ast.copy_location(call, statement)))
        return [statement] + calls


def run(path):
    source = notebook_source(path) if path.endswith('.ipynb') else open(path).read()
    return run_source(source, path)


def run_source(source, path):
    """Runs `source` instrumented, compiled under the file name `path`: (bindings, error) as in run()."""
    tree = Instrument().visit(ast.parse(source, path))
    seen = set()

    def record(line, name, value):
        if isinstance(value, torch.Tensor):
            seen.add((line, name, tuple(value.shape)))

    namespace = {'__name__': '__main__', '__file__': path, '__builtins__': builtins, RECORD: record}
    error = None
    torch.manual_seed(0)
    try:
        # Notebooks print shapes as they go (d2l does); that output is not the ground truth.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter('ignore')  # LazyConv2d's "new feature" warning and the like
            exec(compile(tree, path, 'exec'), namespace)
    except Exception as e:  # the buggy file's exception is the expected outcome
        lines = [frame.lineno for frame in traceback.extract_tb(e.__traceback__) if frame.filename == path]
        error = {'line': lines[-1], 'lines': lines, 'type': type(e).__name__, 'message': str(e)}
    bindings = [{'line': line, 'name': name, 'shape': list(shape)} for line, name, shape in sorted(seen)]
    return bindings, error


def encode(bindings, error):
    """One binding per line, so that a diff shows which binding changed."""
    rows = ',\n'.join('  ' + json.dumps(b) for b in bindings)
    fields = ',\n'.join(f'  {json.dumps(key)}: {json.dumps(value)}' for key, value in (error or {}).items())
    return '{\n "bindings": [\n' + rows + ('\n' if rows else '') + ' ],\n "error": ' + \
        ('{\n' + fields + '\n }' if error else 'null') + '\n}\n'


def main():
    failures = []
    for root, kind in ((root, kind) for root in DIRS for kind in ('valid', 'buggy')):
        paths = sorted(glob.glob(os.path.join(root, kind, '*.py')) + glob.glob(os.path.join(root, kind, '*.ipynb')))
        for path in paths:
            bindings, error = run(path)
            with open(path + '.json', 'w') as f:
                f.write(encode(bindings, error))
            name = os.path.relpath(path, FIXTURES)
            print(f'{name}: {len(bindings)} bindings' + (f', {error["type"]} at line {error["line"]}' if error else ''))
            if kind == 'valid' and error:
                failures.append(f'{name} raised {error["type"]} at line {error["line"]}: {error["message"]}')
            if kind == 'buggy' and not error:
                failures.append(f'{name} did not raise')
    for failure in failures:
        print('FAIL', failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
