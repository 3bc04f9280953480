#!/usr/bin/python3
"""Writes the expected result of every tensor-literal snippet in test/fixtures/python/literals:
for NAME.py, NAME.json with what PyTorch 1.13 / NumPy make of it (shape, dtype, values) or the
exception they raise (class and message). src/python/features/evaluation.ts must reproduce each one.

A snippet is a few lines of Python; its LAST line is the expression that is selected and
evaluated (the lines before it are run first, like a notebook cell). `torch`, `np`/`numpy` and
`nn` are predefined. Header comments steer the test, and are copied into the JSON:
  # error-at: TEXT       the source text the error's range must cover
  # conv-lab: MESSAGE    Conv Lab's own message, where PyTorch has none (not static, limits, syntax)
  # max-elements: N      the element limit the evaluation runs with
  # placeholder          random/uninitialised values: only shape and dtype are recorded and compared
  # ulp: N               float tolerance in units in the last place (arange, linspace)
A bare Python value (list, tuple, number) is recorded as torch.tensor(value), which is how Conv Lab
reads a selected literal.

Run with the interpreter that has torch and numpy:  /usr/bin/python3 scripts/golden/gen_literals.py
"""
import glob
import json
import math
import os
import warnings

import numpy as np
import torch

DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'python', 'literals')

DTYPES = {
    torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int64', torch.int32: 'int32', torch.bool: 'bool',
    np.dtype('float32'): 'float32', np.dtype('float64'): 'float64', np.dtype('int64'): 'int64',
    np.dtype('int32'): 'int32', np.dtype('bool'): 'bool',
}


def directives(source):
    found = {}
    for line in source.split('\n'):
        if not line.startswith('# '):
            continue
        key, _, value = line[2:].partition(':')
        key = key.strip()
        if key == 'error-at':
            found['errorAt'] = value[1:]
        elif key == 'conv-lab':
            found['convLab'] = value.strip()
        elif key == 'max-elements':
            found['maxElements'] = int(value)
        elif key == 'placeholder':
            found['placeholder'] = True
        elif key == 'ulp':
            found['ulp'] = int(value)
    return found


def encode(x, dtype):
    if dtype == 'bool':
        return bool(x)
    if dtype in ('int64', 'int32'):
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return 'nan'
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return x


def describe(value):
    if isinstance(value, (list, tuple, int, float, bool)):
        value = torch.tensor(value)
    if isinstance(value, torch.Tensor):
        library, dtype, flat = 'torch', DTYPES[value.dtype], value.reshape(-1).tolist()
    elif isinstance(value, np.ndarray):
        library, dtype, flat = 'numpy', DTYPES[value.dtype], value.reshape(-1).tolist()
    else:
        raise TypeError(f'snippet value of type {type(value).__name__} is not a tensor')
    return {'library': library, 'shape': list(value.shape), 'dtype': dtype, 'values': [encode(x, dtype) for x in flat]}


def run(path):
    source = open(path).read()
    lines = source.rstrip('\n').split('\n')
    body, selected = '\n'.join(lines[:-1]), lines[-1].strip()
    env = {'torch': torch, 'np': np, 'numpy': np, 'nn': torch.nn}
    case = {'selected': selected, **directives(source)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            exec(compile(body, path, 'exec'), env)
            case['result'] = describe(eval(compile(selected, path, 'eval'), env))
        if case.get('placeholder'):
            # Random or uninitialised memory: only shape and dtype are meaningful (and reproducible).
            del case['result']['values']
    except Exception as e:  # the snippet's own exception is the expected outcome
        case['error'] = {'kind': type(e).__name__, 'message': str(e)}
    return case


def main():
    paths = sorted(glob.glob(os.path.join(DIR, '*.py')))
    for path in paths:
        case = run(path)
        with open(path[:-3] + '.json', 'w') as f:
            json.dump(case, f, indent=1)
            f.write('\n')
    print(f'{len(paths)} cases written to {os.path.normpath(DIR)}')


if __name__ == '__main__':
    main()
