#!/usr/bin/python3
"""Writes the small .npy inputs of the hostile-input corpus (test/hostile/inputs/*.npy) with NumPy:
valid tensors the argument cases run on, and hand-made malformed files. Then checks the corpus's
PyTorch messages: every argument case (test/hostile/cases/args.txt) whose expected stderr is a
PyTorch exception line is run in PyTorch, and its message must be the one recorded.

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_hostile.py
"""
import io
import os
import re
import shlex

import warnings

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
INPUTS = os.path.join(ROOT, 'test', 'hostile', 'inputs')
ARGS_CASES = os.path.join(ROOT, 'test', 'hostile', 'cases', 'args.txt')


def npy_bytes(a, version=None):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, version=version, allow_pickle=True)
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(INPUTS, name), 'wb') as f:
        f.write(data)


def prefix(major, minor, header_length, length_bytes=None):
    size = length_bytes if length_bytes is not None else (2 if major == 1 else 4)
    return b'\x93NUMPY' + bytes([major, minor]) + header_length.to_bytes(size, 'little')


def with_header(text, data=bytes(24), major=1, encoding='latin1'):
    """A file around a hand-written header (padded to 64 bytes as np.save pads), then `data`."""
    header = text.encode(encoding) if isinstance(text, str) else text
    lead = 10 if major == 1 else 12
    header += b' ' * (63 - (lead + len(header)) % 64) + b'\n'
    return prefix(major, 0, len(header)) + header + data


def valid_inputs():
    f4 = lambda shape: np.arange(int(np.prod(shape)), dtype='<f4').reshape(shape)
    write('x.npy', npy_bytes(f4((1, 1, 4, 4))))
    write('k.npy', npy_bytes(np.ones((1, 1, 2, 2), dtype='<f4')))
    write('x3.npy', npy_bytes(f4((1, 3, 4, 4))))
    write('k3.npy', npy_bytes(np.ones((2, 3, 2, 2), dtype='<f4')))
    write('kt3.npy', npy_bytes(np.ones((3, 2, 2, 2), dtype='<f4')))
    write('b1.npy', npy_bytes(np.ones(1, dtype='<f4')))
    write('b2.npy', npy_bytes(np.ones(2, dtype='<f4')))
    write('x1d.npy', npy_bytes(f4((1, 1, 5))))
    write('k1d.npy', npy_bytes(np.ones((1, 1, 2), dtype='<f4')))
    write('x3d.npy', npy_bytes(f4((1, 1, 3, 3, 3))))
    write('k3d.npy', npy_bytes(np.ones((1, 1, 2, 2, 2), dtype='<f4')))
    write('m.npy', npy_bytes(f4((3, 3))))
    write('mk.npy', npy_bytes(np.ones((2, 2), dtype='<f4')))
    write('x-f8.npy', npy_bytes(f4((1, 1, 4, 4)).astype('<f8')))
    write('x-i8.npy', npy_bytes(np.arange(16, dtype='<i8').reshape(1, 1, 4, 4)))
    write('x-bool.npy', npy_bytes(np.ones((1, 1, 4, 4), dtype=bool)))
    write('x-be.npy', npy_bytes(f4((1, 1, 4, 4)).astype('>f4')))
    write('x-fortran.npy', npy_bytes(np.asfortranarray(f4((1, 1, 4, 4)))))
    write('x-empty.npy', npy_bytes(np.zeros((1, 1, 0, 4), dtype='<f4')))
    write('k-empty.npy', npy_bytes(np.zeros((1, 1, 0, 2), dtype='<f4')))
    write('scalar.npy', npy_bytes(np.array(2.0, dtype='<f4')))
    write('vector.npy', npy_bytes(f4((4,))))
    write('x-v2.npy', npy_bytes(f4((1, 1, 4, 4)), version=(2, 0)))
    write('x-v3.npy', npy_bytes(f4((1, 1, 4, 4)), version=(3, 0)))
    # np.save pads the header to a multiple of 64: this one is exactly NumPy's 10,000-byte limit.
    dict_text = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2), }"
    write('header-10000.npy', prefix(1, 0, 10000) + dict_text.ljust(9999).encode() + b'\n' + np.ones(4, '<f4').tobytes())
    write('header-10001.npy', prefix(1, 0, 10001) + dict_text.ljust(10000).encode() + b'\n' + np.ones(4, '<f4').tobytes())
    write('trailing-bytes.npy', npy_bytes(np.ones((1, 1, 2, 2), dtype='<f4')) + b'trailing garbage')
    write('python2-long.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 1L, 2L, 2L), }", np.ones(4, '<f4').tobytes()))


def malformed_inputs():
    good = npy_bytes(np.ones((1, 1, 2, 2), dtype='<f4'))
    write('empty.npy', b'')
    write('one-byte.npy', b'\x93')
    write('magic-only.npy', b'\x93NUMPY')
    write('magic-version.npy', b'\x93NUMPY\x01\x00')
    write('magic-version-1-byte-length.npy', b'\x93NUMPY\x01\x00\x76')
    write('text.npy', b'x,y\n1,2\n')
    write('npz.npy', b'PK\x03\x04' + bytes(60))
    write('pickle.npy', b'\x80\x04\x95' + bytes(40))
    write('magic-lowercase.npy', b'\x93numpy' + good[6:])
    write('version-0.0.npy', good[:6] + b'\x00\x00' + good[8:])
    write('version-1.1.npy', good[:6] + b'\x01\x01' + good[8:])
    write('version-4.0.npy', good[:6] + b'\x04\x00' + good[8:])
    write('version-255.255.npy', good[:6] + b'\xff\xff' + good[8:])
    write('header-length-0.npy', prefix(1, 0, 0) + bytes(16))
    write('header-length-past-end.npy', prefix(1, 0, 9000) + good[10:])
    write('header-empty-dict.npy', with_header('{}'))
    write('header-spaces.npy', with_header(''))
    write('header-not-dict.npy', with_header("('<f4', False, (2, 3))"))
    write('header-list.npy', with_header("['descr', '<f4']"))
    write('header-unterminated.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "))
    write('header-unterminated-string.npy', with_header("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }"))
    write('header-missing-key.npy', with_header("{'descr': '<f4', 'shape': (2, 3), }"))
    write('header-extra-key.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1, }"))
    write('header-int-key.npy', with_header("{1: '<f4', 'fortran_order': False, 'shape': (6,), }"))
    write('header-expression.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1+1, 3), }"))
    write('header-import.npy', with_header("__import__('os').system('echo pwned')"))
    write('header-call.npy', with_header("{'descr': str('<f4'), 'fortran_order': False, 'shape': (6,), }"))
    write('header-deep-nesting.npy', with_header("{'descr': " + '(' * 4000 + ')' * 4000 + ", 'fortran_order': False, 'shape': (6,), }"))
    write('header-nul.npy', with_header("{'descr': '<f4',\0 'fortran_order': False, 'shape': (6,), }"))
    write('header-v3-invalid-utf8.npy', with_header(b"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), '\xff\xfe': 1}", major=3))
    write('header-v3-unicode.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'ключ': 1}", major=3, encoding='utf-8'))
    write('descr-object.npy', npy_bytes(np.array([1, 'a', None], dtype=object)))
    write('descr-complex.npy', npy_bytes(np.zeros(2, dtype='<c8')))
    write('descr-float16.npy', npy_bytes(np.zeros(2, dtype='<f2')))
    write('descr-uint8.npy', npy_bytes(np.zeros(2, dtype='u1')))
    write('descr-unicode.npy', npy_bytes(np.array(['ab', 'c'])))
    write('descr-bytes.npy', npy_bytes(np.array([b'ab', b'c'])))
    write('descr-datetime.npy', npy_bytes(np.array(['2024-01-01'], dtype='datetime64[D]')))
    write('descr-structured.npy', npy_bytes(np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')])))
    write('descr-garbage.npy', with_header("{'descr': 'xyz', 'fortran_order': False, 'shape': (6,), }"))
    write('descr-number.npy', with_header("{'descr': 4, 'fortran_order': False, 'shape': (6,), }"))
    write('descr-f4-space.npy', with_header("{'descr': '<f4 ', 'fortran_order': False, 'shape': (6,), }"))
    write('descr-f3.npy', with_header("{'descr': '<f3', 'fortran_order': False, 'shape': (6,), }"))
    write('fortran-yes.npy', with_header("{'descr': '<f4', 'fortran_order': 'yes', 'shape': (6,), }"))
    write('fortran-none.npy', with_header("{'descr': '<f4', 'fortran_order': None, 'shape': (6,), }"))
    write('shape-negative.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }"))
    write('shape-float.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3), }"))
    write('shape-list.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }"))
    write('shape-int.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': 6, }"))
    write('shape-string.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': ('2', 3), }"))
    write('shape-huge-dim.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000000000000000000,), }"))
    write('shape-2-53.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (9007199254740993,), }"))
    write('shape-product-overflow.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }"))
    write('shape-1000-dims.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + '1, ' * 1000 + '), }', np.ones(1, '<f4').tobytes()))
    write('shape-lying-1e9.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", bytes(16)))
    write('shape-lying-10x.npy', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 40, 4), }", np.ones(16, '<f4').tobytes()))
    write('data-truncated.npy', good[:-3])
    write('data-missing.npy', good[:128])
    write('fortran-lying.npy', with_header("{'descr': '<f8', 'fortran_order': True, 'shape': (3000, 3000), }", bytes(8)))


ERROR_LINE = re.compile(r'^(RuntimeError|ValueError|TypeError): (.*)$')
OVERFLOW = re.compile(r'^conv-lab: --[a-z-]+: Overflow when unpacking long \(')
# Past exact doubles, where PyTorch goes on: for output_size, a range error naming the number.
INEXACT = re.compile(r'^conv-lab: --output-size: (-?\d+) is out of the range Conv Lab computes exactly')


def tensor_of(word):
    name = re.fullmatch(r'\{in:(.+)\}', word)
    assert name, word
    a = np.load(os.path.join(INPUTS, name.group(1)))
    return torch.from_numpy(a.astype(a.dtype.newbyteorder('=')).copy())


def int_or_list(text):
    parts = [int(p) for p in text.split(',')]
    return parts[0] if len(parts) == 1 else parts


def run_in_pytorch(words):
    """Runs the op the CLI words describe in PyTorch: ('ok', printed result) or ('error', 'Kind: message')."""
    op, rest = words[1], words[2:]
    flags = {}
    i = 0
    while i < len(rest):
        name = rest[i][2:]
        if name == 'print':
            i += 1
        elif '=' in name:
            name, value = name.split('=', 1)
            i += 1
        else:
            value = rest[i + 1]
            i += 2
        flags[name] = value
    flags.pop('out', None)
    flags.pop('print', None)
    x, w = tensor_of(flags.pop('input')), tensor_of(flags.pop('weight'))
    kwargs = {}
    if 'bias' in flags:
        kwargs['bias'] = tensor_of(flags.pop('bias'))
    for name, value in flags.items():
        key = name.replace('-', '_')
        kwargs[key] = value if value in ('same', 'valid') or key == 'padding_mode' else [int(v) for v in value.split(',')] if key == 'output_size' else int_or_list(value)
    dims = int(op[-2])
    try:
        with torch.no_grad():
            if 'output_size' in kwargs or kwargs.get('padding_mode', 'zeros') != 'zeros':
                # The module forms: ConvTranspose*d.forward(x, output_size), Conv*d(padding_mode=...).
                output_size = kwargs.pop('output_size', None)
                transposed = op.startswith('conv_transpose')
                groups = kwargs.get('groups', 1)
                channels = (w.shape[0], w.shape[1] * groups) if transposed else (w.shape[1] * groups, w.shape[0])
                layer = getattr(torch.nn, ('ConvTranspose%dd' if transposed else 'Conv%dd') % dims)(
                    *channels, tuple(w.shape[2:]), bias='bias' in kwargs, **{k: v for k, v in kwargs.items() if k != 'bias'})
                layer.weight.data = w
                if 'bias' in kwargs:
                    layer.bias.data = kwargs['bias']
                result = layer(x, output_size=output_size) if output_size is not None else layer(x)
            else:
                result = getattr(F, op)(x, w, **kwargs)
    except (RuntimeError, ValueError, TypeError) as e:
        return 'error', '%s: %s' % (type(e).__name__, str(e).split('\n')[0])
    return 'ok', str(result)


def cases_of(path):
    """(line, words, exit, stdout lines, stderr lines) per case of a corpus file."""
    case = None
    with open(path) as f:
        for n, line in enumerate(f.read().split('\n'), 1):
            if line.startswith('# '):
                if case:
                    yield case
                case = {'line': n, 'words': None, 'exit': None, 'stdout': [], 'stderr': []}
            elif case and case['words'] is None and re.match(r'^conv-lab( |$)', line):
                case['words'] = shlex.split(line)[1:]
            elif case and line.startswith('==> exit '):
                case['exit'] = int(line.split()[-1])
            elif case and re.match(r'^(stdout|stderr): ', line):
                case[line[:6]].append(line[8:])
    if case:
        yield case


def check_args_cases():
    """Every conv* case of args.txt whose expected outcome is PyTorch's (a printed result, an
    exception, an int64 overflow) is run in PyTorch, which must say the same."""
    checked = 0
    mismatches = []
    for case in cases_of(ARGS_CASES):
        words = case['words']
        if len(words) < 2 or words[0] != 'run' or not words[1].startswith('conv') or '--input' not in ' '.join(words):
            continue
        stderr = case['stderr'][0] if len(case['stderr']) == 1 else None
        if case['exit'] == 0 and case['stdout']:
            expected = ('ok', '\n'.join(case['stdout']))
        elif stderr and ERROR_LINE.match(stderr):
            expected = ('error', stderr)
        elif stderr and OVERFLOW.match(stderr):
            expected = ('error', 'RuntimeError: Overflow when unpacking long')
        elif stderr and INEXACT.match(stderr):
            said = run_in_pytorch(words)
            if not (said[0] == 'error' and INEXACT.match(stderr).group(1) in said[1]):
                mismatches.append('args.txt:%d: PyTorch says %r, which does not name %s' % (case['line'], said, INEXACT.match(stderr).group(1)))
            checked += 1
            continue
        else:
            continue
        said = run_in_pytorch(words)
        if said != expected:
            mismatches.append('args.txt:%d: PyTorch says %r, the case expects %r' % (case['line'], said, expected))
        checked += 1
    assert not mismatches, '\n'.join(mismatches)
    return checked


def main():
    warnings.simplefilter('ignore')
    os.makedirs(INPUTS, exist_ok=True)
    for f in os.listdir(INPUTS):
        if f.endswith('.npy'):
            os.remove(os.path.join(INPUTS, f))
    valid_inputs()
    malformed_inputs()
    print('wrote {} .npy inputs to {}'.format(len([f for f in os.listdir(INPUTS) if f.endswith('.npy')]), os.path.relpath(INPUTS)))
    if os.path.exists(ARGS_CASES):
        print('PyTorch says what {} argument cases expect'.format(check_args_cases()))


if __name__ == '__main__':
    main()
