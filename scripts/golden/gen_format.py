#!/usr/bin/python3
"""Writes the golden cases for src/core/format.ts: what PyTorch 1.13's repr(tensor) and NumPy's
repr(ndarray) print, with the input values stored exactly (raw little-endian bytes, base64).

Run with the interpreter that has torch and numpy:  /usr/bin/python3 scripts/golden/gen_format.py
Deterministic: fixed seeds, no dependence on the clock.
"""
import base64
import json
import math
import os
import random

import numpy as np
import torch
from torch import nn

OUT_DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'format')

TORCH_DTYPES = {
    torch.float32: 'float32',
    torch.float64: 'float64',
    torch.int64: 'int64',
    torch.int32: 'int32',
    torch.bool: 'bool',
}
NUMPY_DTYPES = {
    np.dtype('float32'): 'float32',
    np.dtype('float64'): 'float64',
    np.dtype('int64'): 'int64',
    np.dtype('int32'): 'int32',
    np.dtype('bool'): 'bool',
}
# Our option names for torch.set_printoptions' keywords.
TORCH_OPTION_NAMES = {'precision': 'precision', 'threshold': 'threshold', 'edgeitems': 'edgeitems',
                      'linewidth': 'linewidth', 'sci_mode': 'sciMode'}
NUMPY_OPTION_NAMES = {'precision': 'precision', 'threshold': 'threshold', 'edgeitems': 'edgeitems',
                      'linewidth': 'linewidth', 'suppress': 'suppress'}


def encode(array):
    """The values as little-endian bytes, base64: exact for every dtype (bool as one byte)."""
    array = np.ascontiguousarray(array)
    if array.dtype != np.bool_:
        array = array.astype(array.dtype.newbyteorder('<'))
    return base64.b64encode(array.tobytes()).decode('ascii')


def torch_case(name, t, **options):
    """repr(t) under torch.set_printoptions(**options), with grad suffixes when t has them."""
    suffixes = []
    if t.grad_fn is not None:
        suffixes.append('grad_fn=<{}>'.format(type(t.grad_fn).__name__))
    elif t.requires_grad:
        suffixes.append('requires_grad=True')
    torch.set_printoptions(profile='default')
    torch.set_printoptions(**options)
    expected = repr(t)
    torch.set_printoptions(profile='default', sci_mode=None)
    data = t.detach()
    case = {
        'name': name,
        'dtype': TORCH_DTYPES[data.dtype],
        'shape': list(data.shape),
        'data': encode(data.numpy()),
        'expected': expected,
    }
    if options:
        # JSON has no infinity: an unbounded threshold is stored as the string 'inf'.
        case['options'] = {TORCH_OPTION_NAMES[k]: ('inf' if v == math.inf else v) for k, v in options.items()}
    if suffixes:
        case['suffixes'] = suffixes
    return case


def numpy_case(name, a, **options):
    saved = np.get_printoptions()
    np.set_printoptions(**options)
    expected = repr(a)
    np.set_printoptions(**saved)
    case = {
        'name': name,
        'dtype': NUMPY_DTYPES[a.dtype],
        'shape': list(a.shape),
        'data': encode(a),
        'expected': expected,
    }
    if options:
        case['options'] = {NUMPY_OPTION_NAMES[k]: v for k, v in options.items()}
    return case


def f32(values):
    return torch.tensor(values, dtype=torch.float32)


def f64(values):
    return torch.tensor(values, dtype=torch.float64)


def seed_cases():
    """The d2l transposed-convolution notebook's printed tensors, computed as the notebook does."""
    X = f32([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)
    K = f32([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)
    cases = []
    for name, kwargs in [('seed cell 89', dict(kernel_size=2)),
                         ('seed cell 90', dict(kernel_size=2, padding=1)),
                         ('seed cell 91', dict(kernel_size=3, stride=2))]:
        tconv = nn.ConvTranspose2d(1, 1, bias=False, **kwargs)
        tconv.weight.data = K
        cases.append(torch_case(name, tconv(X)))
    X = torch.arange(9.0).reshape(3, 3)
    K = f32([[1., 2.], [3., 4.]])
    Y = torch.stack([torch.stack([(X[i:i + 2, j:j + 2] * K).sum() for j in range(2)]) for i in range(2)])
    cases.append(torch_case('seed cell 93', Y))
    k, W = torch.zeros(5), torch.zeros(4, 9)
    k[:2], k[3:5] = K[0, :], K[1, :]
    for i in range(4):
        if i < 2:
            W[i, i:i + 5] = k
        else:
            W[i, i + 1:i + 6] = k
    cases.append(torch_case('seed cell 95', W))
    cases.append(torch_case('seed cell 96', Y == torch.matmul(W, X.reshape(-1)).reshape(2, 2)))
    cases.append(torch_case('seed cell 97', torch.ones(3, 3, dtype=torch.bool)))
    return cases


def torch_cases():
    gen = torch.Generator().manual_seed(1234)

    def randn(*shape, dtype=torch.float32):
        return torch.randn(*shape, generator=gen, dtype=dtype)

    def spread(*shape, low=-3, high=3, dtype=torch.float32):
        """Random signs and magnitudes across 10**low .. 10**high."""
        mags = 10.0 ** (torch.rand(*shape, generator=gen, dtype=torch.float64) * (high - low) + low)
        return (randn(*shape, dtype=torch.float64).sign() * mags).to(dtype)

    cases = seed_cases()
    cases += [
        torch_case('float32 2-D', randn(3, 4)),
        torch_case('float64 2-D', randn(2, 3, dtype=torch.float64)),
        torch_case('int64 2-D', torch.randint(-50, 50, (3, 5), generator=gen)),
        torch_case('int32 2-D', torch.randint(-1000, 1000, (2, 4), generator=gen, dtype=torch.int32)),
        torch_case('bool 2-D', torch.rand(3, 4, generator=gen) > 0.5),
        torch_case('bool 1-D mixed', torch.tensor([True, False, True])),
        torch_case('int64 extremes', torch.tensor([2 ** 63 - 1, -2 ** 63, 0, 7])),
        torch_case('int32 extremes', torch.tensor([2 ** 31 - 1, -2 ** 31, 5], dtype=torch.int32)),
        torch_case('float integral', f32([1., 2., -3., 40.])),
        torch_case('negatives', f32([-1.5, 2.25, -0.125, 3.0])),
        torch_case('rank 3', randn(2, 3, 4)),
        torch_case('rank 4', randn(2, 2, 2, 3)),
        torch_case('rank 5', torch.arange(48.).reshape(2, 2, 2, 3, 2)),
        # The switch to scientific notation and its boundaries.
        torch_case('sci small min', f32([1e-5, 1.0, 2.5])),
        torch_case('sci ratio', f32([1.5, 2000.25])),
        torch_case('sci large max', f32([1.5e9, 1.25])),
        torch_case('sci int ratio', f32([1., 5000.])),
        torch_case('int no sci at ratio 1000', f32([1., 1000.])),
        torch_case('sci int above 1e8', f64([123456789012., 1.])),
        torch_case('float32 1e-4 is below 1e-4', f32([1e-4, 0.5])),
        torch_case('float64 1e-4 is not below', f64([1e-4, 0.5])),
        torch_case('sci with zeros', f32([0., 1e-6, -2.5e-3, 0.])),
        torch_case('large and small', f64([1e20, -1e-20, 3.])),
        torch_case('float32 max', f32([3.4028234663852886e38, 1.0])),
        torch_case('float32 subnormal', f32([1e-45, 1.0])),
        torch_case('float64 huge and tiny', f64([1e300, 5e-324])),
        torch_case('random magnitudes float32', spread(4, 5)),
        torch_case('random magnitudes float64', spread(3, 6, low=-6, high=9, dtype=torch.float64)),
        torch_case('random magnitudes narrow', spread(5, 4, low=-1, high=1)),
        # Ties at the printed precision: Python rounds the exact binary value half to even.
        torch_case('ties at 4 decimals', f32([0.03125, 0.09375, 0.15625, 0.21875, -0.28125])),
        torch_case('ties at 0 decimals', f32([0.5, 1.5, 2.5, 3.5, -4.5]), precision=0),
        torch_case('ties in sci', f64([1.03125e-5, 2.5, 1.5]), precision=4),
        # Summarisation past the threshold.
        torch_case('summarised 1-D', torch.arange(2000.)),
        torch_case('summarised 2-D', randn(40, 40)),
        torch_case('summarised 3-D', randn(12, 10, 11)),
        torch_case('summarised partly', randn(2, 3, 200)),
        torch_case('summarised int64', torch.arange(1001)),
        torch_case('summarised bool', torch.rand(1500, generator=gen) > 0.3),
        torch_case('summarised sci', spread(50, 30, low=-6, high=2)),
        torch_case('summarised threshold 5 edgeitems 2', torch.arange(10.), threshold=5, edgeitems=2),
        torch_case('summarised edgeitems 1', randn(5, 6, 7), threshold=20, edgeitems=1),
        torch_case('no summary with threshold inf', torch.arange(1200).reshape(30, 40), threshold=math.inf),
        # Wrapping at the line width.
        torch_case('wrap 1-D', randn(30)),
        torch_case('wrap last dim', randn(3, 25)),
        torch_case('wrap 3-D', randn(2, 2, 17)),
        torch_case('linewidth 40', randn(4, 9), linewidth=40),
        torch_case('linewidth 120', randn(3, 20), linewidth=120),
        torch_case('linewidth tiny', f32([1.5, 2.5, 3.5]), linewidth=5),
        torch_case('wrap int64', torch.arange(100)),
        # 0-d tensors.
        torch_case('0-d float', torch.tensor(3.)),
        torch_case('0-d negative', torch.tensor(-2.5)),
        torch_case('0-d int', torch.tensor(7)),
        torch_case('0-d bool', torch.tensor(True)),
        torch_case('0-d float64', torch.tensor(0.1, dtype=torch.float64)),
        torch_case('0-d small', torch.tensor(1e-7)),
        torch_case('0-d nan', torch.tensor(float('nan'))),
        torch_case('0-d int32', torch.tensor(-12, dtype=torch.int32)),
        # Empty tensors.
        torch_case('empty', torch.tensor([])),
        torch_case('empty 0x3', torch.zeros(0, 3)),
        torch_case('empty int64', torch.tensor([], dtype=torch.int64)),
        torch_case('empty bool 3-D', torch.zeros(2, 0, 3, dtype=torch.bool)),
        torch_case('empty float64', torch.zeros(0, dtype=torch.float64)),
        # Non-finite values and negative zero.
        torch_case('inf nan mixed', f32([math.inf, -math.inf, math.nan, 1.5])),
        torch_case('inf nan only', f32([math.inf, math.nan])),
        torch_case('inf with integers', f32([math.inf, 1., -2.])),
        torch_case('nan with sci', f32([math.nan, 1e-6, 1.])),
        torch_case('negative zero int mode', f32([-0., 1.])),
        torch_case('negative zero fixed', f32([-0., 0.5])),
        torch_case('negative zero only', f32([-0.])),
        torch_case('negative zero sci', f32([-0., 1e-7])),
        torch_case('all zeros', torch.zeros(2, 3)),
        # Print options.
        torch_case('precision 2', randn(3, 3), precision=2),
        torch_case('precision 10 float64', randn(2, 2, dtype=torch.float64), precision=10),
        torch_case('sci_mode False large', f64([1e30, 1.5]), sci_mode=False),
        torch_case('sci_mode False small', f32([1e-6, 1.5]), sci_mode=False),
        torch_case('sci_mode True', f32([1.5, 2.25]), sci_mode=True),
        torch_case('sci_mode True integral', f32([1., 20.]), sci_mode=True),
        torch_case('sci_mode True zeros', torch.zeros(3), sci_mode=True),
        torch_case('precision 2 sci', f32([1e-6, 1.]), precision=2),
        # Suffixes: dtype, autograd, and the line-width rule that moves them to a new line.
        torch_case('requires_grad', randn(4).requires_grad_()),
        torch_case('grad_fn float64 long line', (randn(6, dtype=torch.float64).requires_grad_() * 2)),
        torch_case('grad_fn wraps', (randn(3, 7).requires_grad_() + 1)),
    ]
    return cases


def numpy_cases():
    rng = np.random.default_rng(4321)

    def spread(shape, low, high, dtype):
        mags = 10.0 ** rng.uniform(low, high, shape)
        return (np.where(rng.random(shape) < 0.5, -1.0, 1.0) * mags).astype(dtype)

    cases = [
        numpy_case('seed cell 91 result', np.array([[0., 0., 0., 1.], [0., 0., 2., 3.],
                                                    [0., 2., 0., 3.], [4., 6., 6., 9.]], dtype=np.float32)),
        numpy_case('float64 2-D', rng.standard_normal((3, 4))),
        numpy_case('float32 2-D', rng.standard_normal((3, 4)).astype(np.float32)),
        numpy_case('float32 short values', np.array([0.1, 0.2, 0.3, 1.5], dtype=np.float32)),
        numpy_case('float64 short values', np.array([0.1, 0.2, 0.3, 1.5])),
        numpy_case('mixed digits', np.array([1., 2.5, 3.125])),
        numpy_case('maxprec cut', np.array([0.123456789, 1.0])),
        numpy_case('int64', rng.integers(-100, 100, (3, 5))),
        numpy_case('int32', rng.integers(-100, 100, (2, 4)).astype(np.int32)),
        numpy_case('bool', rng.random((2, 3)) > 0.5),
        numpy_case('0-d float64', np.array(3.0)),
        numpy_case('0-d float32', np.array(0.1, dtype=np.float32)),
        numpy_case('0-d int', np.array(7)),
        numpy_case('0-d bool', np.array(True)),
        numpy_case('empty float32', np.zeros(0, dtype=np.float32)),
        numpy_case('empty float64 0x3', np.zeros((0, 3))),
        numpy_case('empty int64', np.zeros(0, dtype=np.int64)),
        numpy_case('exp small', np.array([1e-5, 1.0, 2.5])),
        numpy_case('exp large', np.array([1e10, 1.0])),
        numpy_case('exp float32 min digits', np.array([0.1, 1.2345678e-7], dtype=np.float32)),
        numpy_case('exp random', spread((3, 4), -8, 8, np.float64)),
        numpy_case('exp random float32', spread((3, 4), -8, 8, np.float32)),
        numpy_case('random float32 narrow', spread((4, 4), -2, 2, np.float32)),
        numpy_case('inf nan', np.array([np.inf, -np.inf, np.nan, 1.5])),
        numpy_case('inf nan only', np.array([np.inf, np.nan], dtype=np.float32)),
        numpy_case('negative zero', np.array([-0., 1.5])),
        numpy_case('powers of two float32', np.array([2.0 ** -10, 2.0 ** 20, 0.5, 2.0 ** -3], dtype=np.float32)),
        numpy_case('summarised 1-D', np.arange(2000.)),
        numpy_case('summarised 3-D', rng.standard_normal((12, 10, 11)).astype(np.float32)),
        numpy_case('summarised int', np.arange(1200).reshape(30, 40)),
        numpy_case('wrap 1-D', rng.standard_normal(30)),
        numpy_case('wrap int32 dtype line', np.arange(20, dtype=np.int32)),
        numpy_case('rank 3', np.arange(24.).reshape(2, 3, 4)),
        numpy_case('precision 3', rng.standard_normal(5), precision=3),
        numpy_case('suppress', np.array([1e-6, 1.5, 2.0]), suppress=True),
        numpy_case('linewidth 40', rng.standard_normal((2, 8)), linewidth=40),
        numpy_case('threshold 5', np.arange(10.), threshold=5, edgeitems=2),
    ]
    return cases


def random_values(rnd, shape, dtype):
    """Values of a random character: plain, integral, wide-ranging, tiny or huge; sometimes with
    zeros, -0., inf and nan mixed in."""
    n = int(np.prod(shape))
    if dtype == 'bool':
        return np.array([rnd.random() < 0.5 for _ in range(n)], dtype=bool).reshape(shape)
    if dtype in ('int64', 'int32'):
        bound = 10 ** rnd.choice([1, 3, 6, 9 if dtype == 'int32' else 18])
        return np.array([rnd.randint(-bound, bound) for _ in range(n)], dtype=dtype).reshape(shape)
    character = rnd.choice(['plain', 'integral', 'wide', 'tiny', 'huge'])
    low, high = {'plain': (-1, 1), 'integral': (0, 4), 'wide': (-8, 8), 'tiny': (-12, -5), 'huge': (7, 30)}[character]
    values = [rnd.choice([-1, 1]) * 10 ** rnd.uniform(low, high) for _ in range(n)]
    if character == 'integral':
        values = [float(round(v)) for v in values]
    for i in range(n):
        if rnd.random() < 0.08:
            values[i] = rnd.choice([0.0, -0.0, math.inf, -math.inf, math.nan])
    return np.array(values, dtype=dtype).reshape(shape)


def random_shape(rnd):
    rank = rnd.choice([0, 1, 1, 2, 2, 3, 4])
    return tuple(rnd.choice([0, 1, 2, 3, 4, 5, 7]) if rnd.random() < 0.05 else rnd.randint(1, 7) for _ in range(rank))


def random_torch_cases(count):
    rnd = random.Random(31337)
    cases = []
    for i in range(count):
        dtype = rnd.choice(['float32', 'float32', 'float64', 'int64', 'int32', 'bool'])
        t = torch.from_numpy(random_values(rnd, random_shape(rnd), dtype))
        options = {}
        if rnd.random() < 0.5:
            options['precision'] = rnd.randint(0, 8)
        if rnd.random() < 0.4:
            options['linewidth'] = rnd.randint(20, 120)
        if rnd.random() < 0.4:
            options['threshold'] = rnd.choice([5, 20, 50])
            options['edgeitems'] = rnd.randint(1, 3)
        if rnd.random() < 0.3:
            options['sci_mode'] = rnd.choice([True, False])
        cases.append(torch_case('random {}'.format(i), t, **options))
    return cases


def random_numpy_cases(count):
    rnd = random.Random(4242)
    cases = []
    for i in range(count):
        dtype = rnd.choice(['float32', 'float32', 'float64', 'float64', 'int64', 'int32', 'bool'])
        a = random_values(rnd, random_shape(rnd), dtype)
        options = {}
        if rnd.random() < 0.3:
            options['precision'] = rnd.randint(0, 10)
        if rnd.random() < 0.4:
            options['linewidth'] = rnd.randint(20, 120)
        if rnd.random() < 0.4:
            options['threshold'] = rnd.choice([5, 20, 50])
            options['edgeitems'] = rnd.randint(1, 3)
        if rnd.random() < 0.2:
            options['suppress'] = True
        cases.append(numpy_case('random {}'.format(i), a, **options))
    return cases


def scalar_cases():
    """Single values through the digit machinery both printers rest on: Python's '{:.Nf}' and
    '{:.Ne}' (what PyTorch prints with) and NumPy's Dragon4 (format_float_positional and
    format_float_scientific) for float64 and float32, on random and adversarial values."""
    rng = np.random.default_rng(77)
    values = list(rng.standard_normal(400) * 10.0 ** rng.uniform(-12, 12, 400))
    values += [2.0 ** k for k in range(-149, 128, 3)]  # powers of two: unequal neighbour gaps
    values += [k / 32 for k in range(-40, 41, 3)]  # exact ties at 4 decimals
    values += [k + 0.5 for k in range(-4, 5)]  # exact ties at 0 decimals
    values += [9.99995, 0.99995, 99999.99999, 9.9999999e-5, 1e-4, 1e8, 99999999.5, 1e16, 1e22, 123456789012345678.0]
    values += [1e-45, 1.17549435e-38, 3.4028234663852886e38, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]
    values += [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 16777217.0, 33554436.0]
    rows = []
    for v in values:
        v = float(v)
        with np.errstate(over='ignore'):
            v32 = float(np.float32(v))
        if not math.isfinite(v32):  # past float32's range: use its largest value instead
            v32 = float(np.finfo(np.float32).max)
        rows.append({
            'x': v,
            'python': [format(v, spec) for spec in ('.0f', '.2f', '.4f', '.4e', '.0e', '.10e')],
            'x32': v32,
            'numpy64': dragon4_strings(np.float64(v)),
            'numpy32': dragon4_strings(np.float32(v32)),
        })
    return rows


# The Dragon4 calls arrayprint makes: positional maxprec (first pass, then with min_digits=0),
# scientific first pass (trim '.'), and scientific with min_digits (trim 'k').
SCALAR_DRAGON4_CALLS = [
    ('positional', dict(precision=8, unique=True, fractional=True, trim='.')),
    ('positional', dict(precision=8, min_digits=0, unique=True, fractional=True, trim='.')),
    ('positional', dict(precision=3, unique=True, fractional=True, trim='.')),
    ('scientific', dict(precision=8, unique=True, trim='.')),
    ('scientific', dict(precision=4, min_digits=4, unique=True, trim='k')),
    ('scientific', dict(precision=8, min_digits=8, unique=True, trim='k')),
]


def dragon4_strings(x):
    return [np.format_float_positional(x, **kw) if kind == 'positional' else np.format_float_scientific(x, **kw)
            for kind, kw in SCALAR_DRAGON4_CALLS]


def write(name, cases):
    path = os.path.join(OUT_DIR, name)
    with open(path, 'w') as f:
        f.write('[\n' + ',\n'.join(json.dumps(c, sort_keys=True) for c in cases) + '\n]\n')
    print('wrote {} cases to {}'.format(len(cases), os.path.relpath(path)))


if __name__ == '__main__':
    os.makedirs(OUT_DIR, exist_ok=True)
    write('torch.json', torch_cases() + random_torch_cases(80))
    write('numpy.json', numpy_cases() + random_numpy_cases(80))
    write('scalars.json', scalar_cases())
