#!/usr/bin/python3
"""Writes the .npy fixtures for src/core/npy.ts with NumPy itself.

  test/fixtures/npy/read/*.npy    files to read: every supported version, byte order, dtype, memory
                                  order, 0-d and empty arrays, and files we must refuse
  test/fixtures/npy/write/*.npy   what np.save writes, to compare our serializer with byte for byte
  test/fixtures/npy/cases.json    per file: dtype, shape and the values in C order, or the
                                  problem the file has

Run with the interpreter that has numpy:  /usr/bin/python3 scripts/golden/gen_npy.py
"""
import io
import json
import os
import shutil

import numpy as np

OUT_DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'npy')
OUR_DTYPES = {'f4': 'float32', 'f8': 'float64', 'i4': 'int32', 'i8': 'int64', 'b1': 'bool'}


def c_order_values(a):
    """The values in C order as JSON: floats by their exact repr (non-finite ones as strings),
    int64 as strings (JSON numbers lose precision past 2**53), booleans as true/false."""
    def value(x):
        if a.dtype.kind == 'f':
            return float(x) if np.isfinite(x) else str(float(x))
        if a.dtype.kind == 'i':
            return str(int(x)) if a.dtype.itemsize == 8 else int(x)
        return bool(x)
    return [value(x) for x in np.ravel(a, order='C')]


def npy_bytes(a, version=None):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, version=version, allow_pickle=True)
    return buf.getvalue()


def aligned_header_array():
    """An empty array whose header is already 64-byte aligned before padding: numpy still pads a
    full 64 spaces, the corner case of its padding rule."""
    shapes = ((3,) + (0,) * zeros + (10 ** digits,) for zeros in range(1, 20) for digits in range(6))
    for shape in shapes:
        a = np.zeros(shape, dtype='<f4')
        data = npy_bytes(a)
        header_length = int.from_bytes(data[8:10], 'little')
        header_dict = data[10:10 + header_length - 1].rstrip(b" ")
        growth = 21 - len(repr(a.shape[0]))
        padding = header_length - 1 - len(header_dict) - growth
        if padding == 64:
            return a
    raise AssertionError('no shape with an aligned header')


def main():
    rng = np.random.default_rng(2024)
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    os.makedirs(os.path.join(OUT_DIR, 'read'))
    os.makedirs(os.path.join(OUT_DIR, 'write'))
    cases = {'read': [], 'write': []}

    def readable(name, a, version=None, fortran=False):
        if fortran:
            a = np.asfortranarray(a)
        data = npy_bytes(a, version)
        # Check the file says what we claim it tests.
        header = data[:200]
        assert (b"'fortran_order': True" in header) == fortran, name
        with open(os.path.join(OUT_DIR, 'read', name + '.npy'), 'wb') as f:
            f.write(data)
        cases['read'].append({
            'file': name + '.npy',
            'dtype': OUR_DTYPES[a.dtype.str[1:]],
            'shape': list(a.shape),
            'values': c_order_values(a),
        })

    def refused(name, data, problem, numpy_says=False):
        """A file we refuse; with numpy_says, NumPy refuses it too and its message's first line is
        recorded for ours to start with."""
        with open(os.path.join(OUT_DIR, 'read', name + '.npy'), 'wb') as f:
            f.write(data)
        case = {'file': name + '.npy', 'problem': problem}
        if numpy_says:
            try:
                np.load(io.BytesIO(data))
                raise AssertionError(name + ': NumPy reads it')
            except ValueError as e:
                case['numpy_message'] = str(e).split('\n')[0]
        cases['read'].append(case)

    def written(name, a):
        with open(os.path.join(OUT_DIR, 'write', name + '.npy'), 'wb') as f:
            np.save(f, a)
        cases['write'].append({
            'file': name + '.npy',
            'dtype': OUR_DTYPES[a.dtype.str[1:]],
            'shape': list(a.shape),
            'values': c_order_values(a),
        })

    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 1.5, -2.25], dtype='<f4')
    readable('f4-le', rng.standard_normal((2, 3)).astype('<f4'))
    readable('f8-le', rng.standard_normal((3, 2)).astype('<f8'))
    readable('i4-le', rng.integers(-2 ** 31, 2 ** 31, (4,)).astype('<i4'))
    readable('i8-le', np.array([2 ** 63 - 1, -2 ** 63, 0, -1, 12345678901234], dtype='<i8'))
    readable('b1', rng.random((2, 2, 2)) > 0.5)
    readable('f4-be', rng.standard_normal((2, 3)).astype('>f4'))
    readable('f8-be', rng.standard_normal((2, 2)).astype('>f8'))
    readable('i4-be', rng.integers(-1000, 1000, (3, 3)).astype('>i4'))
    readable('i8-be', np.array([[2 ** 40, -7], [3, -2 ** 62]], dtype='>i8'))
    readable('f4-specials', specials)
    readable('f8-fortran', rng.standard_normal((2, 3, 4)), fortran=True)
    readable('i4-be-fortran', np.arange(6, dtype='>i4').reshape(3, 2), fortran=True)
    readable('b1-fortran', rng.random((3, 4)) > 0.5, fortran=True)
    readable('f8-0d', np.array(3.25))
    readable('i8-0d', np.array(-9, dtype='<i8'))
    readable('f4-empty', np.zeros((0,), dtype='<f4'))
    readable('f8-empty-0x3', np.zeros((0, 3)))
    readable('i8-empty-2x0', np.zeros((2, 0), dtype='<i8'))
    readable('f4-fortran-4d', rng.standard_normal((2, 1, 3, 2)).astype('<f4'), fortran=True)
    readable('f4-v2', np.arange(6, dtype='<f4').reshape(2, 3), version=(2, 0))
    readable('f8-v3', np.arange(4, dtype='>f8'), version=(3, 0))

    f4 = npy_bytes(np.arange(6, dtype='<f4').reshape(2, 3))
    refused('not-npy', b'x,y\n1,2\n', 'magic')
    refused('empty-file', b'', 'truncated')
    refused('magic-only', b'\x93NUM', 'truncated')
    refused('truncated-header', f4[:40], 'truncated')
    refused('truncated-data', f4[:-5], 'truncated')
    refused('version-4', f4[:6] + b'\x04\x00' + f4[8:], 'version')
    refused('complex64', npy_bytes(np.zeros(2, dtype='<c8')), 'dtype')
    refused('object', npy_bytes(np.array([1, 'a', None], dtype=object)), 'dtype')
    refused('float16', npy_bytes(np.zeros(2, dtype='<f2')), 'dtype')
    refused('uint8', npy_bytes(np.zeros(2, dtype='u1')), 'dtype')
    refused('structured', npy_bytes(np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')])), 'dtype')
    # Past NumPy's default max_header_size (10000): a 20,000-character field name.
    refused('header-too-long', npy_bytes(np.zeros(1, dtype=[('x' * 20000, '<f4')])), 'header size', numpy_says=True)
    # A version 2.0 prefix announcing a 4 GB header, and nothing after it.
    refused('header-length-4g', b'\x93NUMPY\x02\x00\xff\xff\xff\xff', 'header size')

    def with_header(text):
        """A version 1.0 file around a hand-written header, with room for six float32 values."""
        header = text.encode('latin1')
        header += b' ' * (63 - (10 + len(header)) % 64) + b'\n'
        return b'\x93NUMPY\x01\x00' + len(header).to_bytes(2, 'little') + header + bytes(24)

    refused('header-not-dict', with_header("('<f4', False, (2, 3))"), 'header')
    refused('header-syntax', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}"), 'header')
    refused('header-missing-key', with_header("{'descr': '<f4', 'shape': (2, 3), }"), 'keys')
    refused('header-extra-key', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1, }"), 'keys')
    refused('header-bad-shape', with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }"), 'shape')
    refused('header-deep-nesting', with_header("{'descr': " + '[' * 1000 + ']' * 1000 + ", 'fortran_order': False, 'shape': (6,), }"), 'header')
    refused('header-bad-order', with_header("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }"), 'fortran_order')

    written('f4-2x3', rng.standard_normal((2, 3)).astype('<f4'))
    written('f8-0d', np.array(-0.5))
    written('i8-1d', np.arange(5, dtype='<i8') - 2)
    written('i4-empty-0x3', np.zeros((0, 3), dtype='<i4'))
    written('b1-2x2', np.array([[True, False], [False, True]]))
    written('f4-big-first-axis-empty', np.zeros((1234567, 0), dtype='<f4'))
    written('f8-rank-6', np.zeros((1, 2, 1, 2, 1, 2)))
    written('f4-aligned-header', aligned_header_array())

    with open(os.path.join(OUT_DIR, 'cases.json'), 'w') as f:
        # One case per line: small diffs when a case changes.
        f.write('{\n' + ',\n'.join(
            '"{}": [\n'.format(group) + ',\n'.join(json.dumps(c, sort_keys=True) for c in group_cases) + '\n]'
            for group, group_cases in cases.items()) + '\n}\n')
    print('wrote {} read and {} write cases to {}'.format(
        len(cases['read']), len(cases['write']), os.path.relpath(OUT_DIR)))


if __name__ == '__main__':
    main()
