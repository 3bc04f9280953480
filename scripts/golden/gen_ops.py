#!/usr/bin/python3
"""Golden fixtures for the compute core (src/core/engine.ts), written by PyTorch itself.

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_ops.py
Writes (deterministic, seeded):
  test/fixtures/ops/cases.json   valid configurations with PyTorch's outputs: 320 random ones over
                                 every op, rank and argument, hand-picked corners (SPECIAL), and the
                                 perturbed ones PyTorch still accepts; tensors live in cases.bin
                                 (little-endian, byte offsets in the JSON)
  test/fixtures/ops/cases.bin
  test/fixtures/ops/errors.json  invalid requests with the exception class and message PyTorch
                                 raises: hand-written (ERRORS), the random configurations PyTorch
                                 rejected, and random perturbations of valid ones (fuzz_cases),
                                 which pin down the order of PyTorch's checks

A request means what src/core/geometry.ts says: F.convNd / F.conv_transposeNd, or the nn module
(weight and bias replaced) when paddingMode or outputSize is given; corr2d / trans_conv are d2l's.
"""
import json
import os
import random
import sys
import warnings

import torch
import torch.nn.functional as F
from torch import nn

warnings.simplefilter('ignore')  # padding='same' with even kernels warns once; irrelevant here
torch.use_deterministic_algorithms(True)
# PyTorch picks oneDNN for some 1x1 convolutions only with more than one thread, as on users'
# machines; geometry.ts models that, so the goldens must not depend on this machine's default.
torch.set_num_threads(2)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'ops')
DTYPES = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'int32': torch.int32, 'bool': torch.bool}
FUNCTIONAL = {
    'conv1d': F.conv1d, 'conv2d': F.conv2d, 'conv3d': F.conv3d,
    'conv_transpose1d': F.conv_transpose1d, 'conv_transpose2d': F.conv_transpose2d, 'conv_transpose3d': F.conv_transpose3d,
}
MODULES = {
    'conv1d': nn.Conv1d, 'conv2d': nn.Conv2d, 'conv3d': nn.Conv3d,
    'conv_transpose1d': nn.ConvTranspose1d, 'conv_transpose2d': nn.ConvTranspose2d, 'conv_transpose3d': nn.ConvTranspose3d,
}


# d2l's definitions (seed cells 87 and 93), verbatim: Y is float32 zeros whatever X and K are.
def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def trans_conv(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] + h - 1, X.shape[1] + w - 1)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i:i + h, j:j + w] += K * X[i, j]
    return Y


def call(op, args, x, w, b):
    """Runs one request the way geometry.ts interprets it."""
    if op == 'corr2d':
        return corr2d(x, w)
    if op == 'trans_conv':
        return trans_conv(x, w)
    transposed = op.startswith('conv_transpose')
    stride = args.get('stride', 1)
    padding = args.get('padding', 0)
    dilation = args.get('dilation', 1)
    groups = args.get('groups', 1)
    tup = lambda v: tuple(v) if isinstance(v, list) else v
    if 'paddingMode' not in args and 'outputSize' not in args:
        # Keyword arguments, as users write them (PyTorch's TypeErrors name positions otherwise).
        kw = dict(stride=tup(stride), padding=tup(padding), dilation=tup(dilation), groups=groups)
        if transposed:
            kw['output_padding'] = tup(args.get('outputPadding', 0))
        return FUNCTIONAL[op](x, w, b, **kw)
    dims = w.dim() - 2 if w.dim() > 2 else int(op[-2])
    kernel = tuple(w.shape[2:]) if w.dim() == dims + 2 else 1
    g = groups if groups > 0 else 1
    if transposed:
        cin, cout = (w.shape[0] if w.dim() > 0 else 1), (w.shape[1] * g if w.dim() > 1 else 1)
    else:
        cin, cout = (w.shape[1] * g if w.dim() > 1 else 1), (w.shape[0] if w.dim() > 0 else 1)
    kw = dict(stride=tup(stride), padding=tup(padding), dilation=tup(dilation), groups=groups, bias=b is not None,
              padding_mode=args.get('paddingMode', 'zeros'))
    if transposed:
        kw['output_padding'] = tup(args.get('outputPadding', 0))
    m = MODULES[op](cin, cout, kernel, **kw)
    m.weight.data = w
    if b is not None:
        m.bias.data = b
    if 'outputSize' in args:
        return m(x, output_size=args['outputSize'])
    return m(x)


class Blob:
    def __init__(self):
        self.parts = []
        self.size = 0

    def add(self, t):
        layout = {torch.float32: '<f4', torch.float64: '<f8', torch.int64: '<i8', torch.int32: '<i4'}[t.dtype]
        data = t.contiguous().numpy().astype(layout).tobytes()
        offset = self.size
        self.parts.append(data)
        self.size += len(data)
        return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''), 'offset': offset}


def maybe_list(rng, values):
    """An int when all values agree (half the time), else the list."""
    return values[0] if len(set(values)) == 1 and rng.random() < 0.5 else list(values)


def random_conv(rng, op):
    dims = int(op[-2])
    transposed = op.startswith('conv_transpose')
    groups = rng.choice([1, 1, 1, 2, 3])
    cin = groups * rng.randint(1, 2)
    cout = groups * rng.randint(1, 2)
    kmax = 2 if dims == 3 else 3
    k = [rng.randint(1, kmax) for _ in range(dims)]
    stride = [rng.choice([1, 1, 2, 3]) for _ in range(dims)]
    dilation = [rng.choice([1, 1, 2]) for _ in range(dims)]
    smax = {1: 12, 2: 7, 3: 4}[dims]
    size = [rng.randint(1 if transposed else 2, smax) for _ in range(dims)]
    args = {}
    if groups > 1 or rng.random() < 0.2:
        args['groups'] = groups
    if any(s != 1 for s in stride) or rng.random() < 0.3:
        args['stride'] = maybe_list(rng, stride)
    if any(d != 1 for d in dilation) or rng.random() < 0.3:
        args['dilation'] = maybe_list(rng, dilation)
    if transposed:
        padding = [rng.randint(0, 2) for _ in range(dims)]
        if any(padding) or rng.random() < 0.3:
            args['padding'] = maybe_list(rng, padding)
        op_pad = [rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)]
        choice = rng.random()
        if choice < 0.25:
            # nn.ConvTransposeNd(...)(x, output_size=...): pick a size in the valid range.
            mins = [(n - 1) * s - 2 * p + d * (kk - 1) + 1 for n, s, p, d, kk in zip(size, stride, padding, dilation, k)]
            args['outputSize'] = [m + rng.randint(0, s - 1) for m, s in zip(mins, stride)]
        elif choice < 0.6 and any(op_pad):
            args['outputPadding'] = maybe_list(rng, op_pad)
        if rng.random() < 0.15:
            args['paddingMode'] = 'zeros'
    else:
        mode = rng.choice([None, None, None, None, 'zeros', 'reflect', 'replicate', 'circular'])
        kind = rng.random()
        if kind < 0.2:
            args['padding'] = 'same'  # only stride 1 allowed
            args.pop('stride', None)
        elif kind < 0.3:
            args['padding'] = 'valid'
        else:
            padding = [rng.randint(0, 2) for _ in range(dims)]
            if any(padding) or rng.random() < 0.3:
                args['padding'] = maybe_list(rng, padding)
        if mode is not None:
            args['paddingMode'] = mode
    unbatched = rng.random() < 0.2
    shape = ([] if unbatched else [rng.randint(1, 2)]) + [cin] + size
    wshape = ([cin, cout // groups] if transposed else [cout, cin // groups]) + k
    return args, shape, wshape, cout if transposed else cout


def random_reference(rng):
    x = [rng.randint(1, 6), rng.randint(1, 6)]
    k = [rng.randint(1, x[0]), rng.randint(1, x[1])]
    return {}, x, k


def valid_case(blob, case_id, op, args, x, w, b, y):
    """A configuration PyTorch accepted, with its tensors in the blob and PyTorch's output."""
    case = {'id': case_id, 'op': op, 'args': args, 'input': blob.add(x), 'weight': blob.add(w)}
    if b is not None:
        case['bias'] = blob.add(b)
    case['expected'] = blob.add(y)
    return case


def error_record(case_id, op, args, x, w, b, e):
    record = {'id': case_id, 'op': op, 'args': args,
              'input': {'shape': list(x.shape), 'dtype': str(x.dtype).replace('torch.', '')},
              'weight': {'shape': list(w.shape), 'dtype': str(w.dtype).replace('torch.', '')},
              'kind': type(e).__name__, 'message': str(e).split('\nException raised from')[0]}
    if b is not None:
        record['bias'] = {'shape': list(b.shape), 'dtype': str(b.dtype).replace('torch.', '')}
    return record


def random_tensor(shape, dtype):
    """Normal values; small integers for integer dtypes."""
    return torch.randn(shape, dtype=dtype) if dtype.is_floating_point else torch.randn(shape).mul(3).round().to(dtype)


def valid_cases(rng, blob, count, rejected):
    """`count` random configurations PyTorch accepts; the ones it rejects go to `rejected`."""
    ops = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']
    cases = []
    while len(cases) < count:
        op = (ops + ['corr2d', 'trans_conv'])[len(cases) % 8]
        dtype = torch.float64 if rng.random() < 0.3 else torch.float32
        if op in ('corr2d', 'trans_conv'):
            args, shape, wshape = random_reference(rng)
            if op == 'trans_conv':
                wshape = [rng.randint(1, 3), rng.randint(1, 3)]
            bias_size = None
        else:
            args, shape, wshape, bias_size = random_conv(rng, op)
            if rng.random() < 0.4:
                bias_size = None
        if op not in ('corr2d', 'trans_conv') and 'paddingMode' not in args and 'outputSize' not in args and rng.random() < 0.25:
            # PyTorch's CPU kernels also convolve int64 (and int32 in the plain conv).
            dtype = rng.choice([torch.int64, torch.int64, torch.int32])
        x, w = random_tensor(shape, dtype), random_tensor(wshape, dtype)
        if op in ('corr2d', 'trans_conv'):
            # d2l's functions take any numeric X and K (torch.arange(9) is int64).
            x, w = (t.mul(3).round().to(rng.choice([torch.float32, torch.float64, torch.int64, torch.int32])) for t in (x, w))
        b = random_tensor(bias_size, dtype) if bias_size else None
        try:
            with torch.no_grad():
                y = call(op, args, x, w, b)
        except (RuntimeError, ValueError) as e:
            rejected.append(error_record(f'{op}-random-error-{len(rejected)}', op, args, x, w, b, e))
            continue
        case = valid_case(blob, f'{op}-{len(cases)}', op, args, x, w, b, y)
        cases.append(case)
    print(f'{len(cases)} valid cases, {len(rejected)} random configurations PyTorch rejected', file=sys.stderr)
    return cases


# Invalid requests: (op, args, input shape, weight shape, bias shape or None, dtypes (input, weight, bias)).
F32, F64 = 'float32', 'float64'
ERRORS = [
    # input rank
    ('conv2d', {}, [5, 5], [1, 1, 3, 3], None),
    ('conv2d', {}, [1, 1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv1d', {}, [5], [1, 1, 3], None),
    ('conv3d', {}, [5, 5, 5], [1, 1, 3, 3, 3], None),
    ('conv_transpose2d', {}, [5, 5], [1, 1, 3, 3], None),
    ('conv_transpose1d', {}, [1, 1, 1, 5], [1, 1, 3], None),
    # channels, groups, bias
    ('conv2d', {}, [8, 1, 64, 64], [16, 3, 3, 3], None),
    ('conv2d', {}, [2, 5, 5], [1, 1, 3, 3], None),
    ('conv1d', {}, [1, 2, 5], [1, 1, 3], None),
    ('conv3d', {}, [1, 2, 3, 3, 3], [4, 1, 1, 1, 1], None),
    ('conv2d', {'groups': 2}, [1, 4, 5, 5], [3, 2, 3, 3], None),
    ('conv2d', {'groups': 4}, [1, 4, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'groups': 0}, [1, 2, 5, 5], [2, 1, 3, 3], None),
    ('conv2d', {'groups': -1}, [1, 2, 5, 5], [2, 1, 3, 3], None),
    ('conv2d', {'groups': 2}, [1, 3, 5, 5], [4, 1, 3, 3], None),
    ('conv2d', {}, [1, 1, 5, 5], [2, 1, 3, 3], [3]),
    ('conv2d', {}, [1, 1, 5, 5], [2, 1, 3, 3], [1, 2]),
    ('conv_transpose2d', {}, [1, 3, 5, 5], [2, 1, 3, 3], None),
    ('conv_transpose2d', {}, [3, 5, 5], [2, 1, 3, 3], None),
    ('conv_transpose2d', {}, [1, 2, 5, 5], [2, 3, 3, 3], [2]),
    ('conv_transpose2d', {'groups': 2}, [1, 3, 5, 5], [3, 1, 3, 3], None),
    ('conv_transpose2d', {'groups': 2}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'groups': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    # kernel larger than the padded input
    ('conv2d', {}, [1, 1, 2, 2], [1, 1, 3, 3], None),
    ('conv1d', {'padding': 1}, [1, 1, 1], [1, 1, 5], None),
    ('conv3d', {}, [1, 1, 2, 2, 2], [1, 1, 3, 3, 3], None),
    ('conv2d', {'dilation': 2}, [1, 1, 4, 4], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'valid'}, [1, 1, 2, 2], [1, 1, 3, 3], None),
    ('conv2d', {}, [1, 1, 0, 5], [1, 1, 3, 3], None),
    # stride, padding, dilation values and lengths
    ('conv2d', {'padding': -1}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': [1, -1]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'stride': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'stride': -2}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'dilation': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv1d', {'dilation': -1}, [1, 1, 5], [1, 1, 3], None),
    ('conv3d', {'dilation': 0}, [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], None),
    ('conv2d', {'stride': [1, 2, 3]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': [1, 2, 3]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'dilation': [1, 2, 3]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': -1, 'stride': [1, 1, 1]}, [1, 2, 5, 5], [2, 3, 3, 3], None),
    ('conv2d', {'padding': -1}, [1, 2, 5, 5], [2, 3, 3, 3], None),
    ('conv2d', {'padding': -1, 'groups': 0}, [1, 2, 5, 5], [2, 3, 3, 3], None),
    ('conv2d', {'dilation': 0}, [1, 2, 5, 5], [1, 1, 3, 3], None),
    # weight rank
    ('conv2d', {}, [1, 1, 5, 5], [1, 3, 3], None),
    ('conv2d', {}, [1, 1, 5, 5], [3, 3], None),
    ('conv2d', {'stride': [1], 'padding': [0], 'dilation': [1]}, [1, 1, 5, 5], [1, 1, 3], None),
    ('conv_transpose2d', {'stride': [1, 1, 1], 'padding': [0, 0, 0], 'dilation': [1, 1, 1], 'outputPadding': [0, 0, 0]}, [1, 1, 5, 5], [1, 1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': [1, 1, 1], 'padding': [-1, 0, 0], 'dilation': [1, 1, 1], 'outputPadding': [0, 0, 0]}, [1, 1, 5, 5], [1, 1, 1, 3, 3], None),
    # empty kernels and inputs
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 0, 3], None),
    ('conv2d', {'dilation': 2}, [1, 1, 5, 5], [1, 1, 0, 3], None),
    ('conv1d', {}, [1, 1, 5], [1, 1, 0], None),
    ('conv3d', {}, [1, 1, 5, 5, 5], [1, 1, 0, 3, 3], None),
    ('conv3d', {'dilation': 2}, [1, 1, 5, 5, 5], [1, 1, 0, 3, 3], None),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 0, 3], None),
    ('conv_transpose3d', {}, [1, 1, 5, 5, 5], [1, 1, 0, 3, 3], None),
    ('conv2d', {'padding': 1}, [1, 1, 0, 0], [1, 1, 1, 1], None),
    ('conv1d', {'padding': 1}, [1, 1, 0], [1, 1, 1], None),
    ('conv_transpose2d', {}, [1, 1, 0, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {}, [1, 0, 5, 5], [0, 1, 3, 3], None),
    # padding='same'
    ('conv2d', {'padding': 'same', 'stride': 2}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'same', 'stride': [1, 0]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'same', 'stride': [1, 1, 1]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'same', 'dilation': [1, 1, 1]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'same'}, [1, 1, 5, 5], [1, 1, 3], None),
    ('conv2d', {'padding': 'same', 'dilation': -1}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'same', 'dilation': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 'same'}, [1, 3, 5, 5], [3, 2, 4, 4], None),
    ('conv2d', {'padding': 'same'}, [2, 5, 5], [1, 1, 4, 4], None),
    ('conv2d', {'padding': 'same'}, [1, 1, 5, 5], [1, 1, 0, 3], None),
    ('conv_transpose2d', {'padding': 'same'}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    # transposed: output_padding, output size
    ('conv_transpose2d', {'stride': 2, 'outputPadding': 2}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose1d', {'outputPadding': 1}, [1, 1, 5], [1, 1, 3], None),
    ('conv_transpose3d', {'outputPadding': 1}, [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'outputPadding': -1}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'padding': -1}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'padding': 2}, [1, 1, 2, 2], [1, 1, 2, 2], None),
    ('conv_transpose1d', {'padding': 2}, [1, 1, 2], [1, 1, 2], None),
    ('conv_transpose3d', {'padding': 2}, [1, 1, 2, 2, 2], [1, 1, 2, 2, 2], None),
    ('conv_transpose2d', {'padding': 1, 'stride': 2, 'outputPadding': 1}, [1, 1, 1, 1], [1, 1, 1, 1], None),
    ('conv_transpose2d', {'padding': 3, 'stride': 2, 'outputPadding': 2}, [1, 1, 2, 2], [1, 1, 2, 2], None),
    ('conv_transpose2d', {'dilation': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose1d', {'dilation': 0}, [1, 1, 5], [1, 1, 3], None),
    ('conv_transpose3d', {'dilation': 0}, [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], None),
    ('conv_transpose2d', {'dilation': 0, 'outputPadding': 1}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': [1, 1, 1]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'outputPadding': [1, 1, 1]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'padding': 9, 'outputPadding': 1}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    # nn.ConvTransposeNd output_size
    ('conv_transpose2d', {'stride': 2, 'outputSize': [20, 20]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'outputSize': [20, 20]}, [1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'outputSize': [11]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'outputSize': [11]}, [1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'outputSize': [1, 1, 10, 12]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'dilation': 3, 'outputSize': [20, 20]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'padding': 5, 'outputSize': [1, 1]}, [1, 1, 1, 1], [1, 1, 3, 3], None),
    ('conv_transpose1d', {'stride': 2, 'outputSize': [20]}, [1, 1, 5], [1, 1, 3], None),
    ('conv_transpose3d', {'stride': 2, 'outputSize': [20, 11, 11]}, [1, 5, 5, 5], [1, 1, 3, 3, 3], None),
    ('conv_transpose2d', {'stride': 2, 'outputSize': [11, -1]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'outputSize': [3, 3]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    # nn modules: constructor checks and padding modes
    ('conv_transpose2d', {'paddingMode': 'reflect'}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose1d', {'paddingMode': 'circular'}, [1, 1, 5], [1, 1, 3], None),
    ('conv_transpose2d', {'groups': 2, 'paddingMode': 'zeros'}, [1, 3, 5, 5], [3, 1, 3, 3], None),
    ('conv2d', {'groups': 0, 'paddingMode': 'zeros'}, [1, 4, 5, 5], [4, 1, 3, 3], None),
    ('conv2d', {'groups': 2, 'paddingMode': 'reflect'}, [1, 2, 5, 5], [3, 1, 3, 3], None),
    ('conv2d', {'padding': 'same', 'stride': 2, 'paddingMode': 'zeros'}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 3, 'paddingMode': 'reflect'}, [1, 1, 2, 2], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 2, 'paddingMode': 'reflect'}, [1, 1, 2, 2], [1, 1, 3, 3], None),
    ('conv2d', {'padding': [2, 0], 'paddingMode': 'reflect'}, [1, 1, 2, 3], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 2, 'paddingMode': 'reflect'}, [1, 2, 2], [1, 1, 3, 3], None),
    ('conv1d', {'padding': 3, 'paddingMode': 'reflect'}, [1, 1, 2], [1, 1, 3], None),
    ('conv1d', {'padding': 2, 'paddingMode': 'reflect'}, [1, 2], [1, 1, 3], None),
    ('conv3d', {'padding': [0, 0, 2], 'paddingMode': 'reflect'}, [1, 1, 2, 2, 2], [1, 1, 3, 3, 3], None),
    ('conv3d', {'padding': [2, 0, 0], 'paddingMode': 'reflect'}, [1, 1, 2, 4, 4], [1, 1, 3, 3, 3], None),
    ('conv3d', {'padding': 2, 'paddingMode': 'reflect'}, [1, 2, 2, 2], [1, 1, 3, 3, 3], None),
    ('conv2d', {'padding': 'same', 'paddingMode': 'reflect'}, [1, 1, 3, 3], [1, 1, 9, 9], None),
    ('conv2d', {'padding': 3, 'paddingMode': 'circular'}, [1, 1, 2, 2], [1, 1, 3, 3], None),
    ('conv1d', {'padding': 3, 'paddingMode': 'circular'}, [1, 1, 2], [1, 1, 3], None),
    ('conv3d', {'padding': 3, 'paddingMode': 'circular'}, [1, 1, 2, 2, 2], [1, 1, 3, 3, 3], None),
    ('conv2d', {'padding': 'same', 'paddingMode': 'circular'}, [1, 1, 3, 3], [1, 1, 9, 9], None),
    ('conv2d', {'padding': 1, 'paddingMode': 'circular'}, [1, 3, 3], [1, 1, 3, 3], None),
    ('conv1d', {'padding': 1, 'paddingMode': 'circular'}, [1, 3], [1, 1, 3], None),
    ('conv3d', {'padding': 1, 'paddingMode': 'circular'}, [1, 3, 3, 3], [1, 1, 3, 3, 3], None),
    ('conv2d', {'padding': 0, 'paddingMode': 'circular'}, [1, 3, 3], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 1, 'paddingMode': 'replicate'}, [1, 1, 0, 2], [1, 1, 1, 1], None),
    ('conv2d', {'padding': 1, 'paddingMode': 'reflect'}, [1, 2, 5, 5], [1, 1, 3, 3], None),
    ('conv2d', {'padding': 1, 'stride': 0, 'paddingMode': 'reflect'}, [1, 1, 5, 5], [1, 1, 1, 1], None),
    # dtypes
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F64, F32, None)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F32, F64, None)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F32, F32, F64)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F64, F64, F32)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F32, F32, 'int64')),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F32, 'int64', None)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, ('int64', F32, None)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, ('int32', 'int64', None)),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F64, F32, None)),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F32, F32, F64)),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F64, F64, F32)),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F32, F64, F64)),
    ('conv2d', {}, [1, 2, 5, 5], [2, 3, 3, 3], None, (F64, F32, None)),
    ('conv2d', {}, [1, 3, 2, 2], [2, 3, 3, 3], None, (F64, F32, None)),
    ('conv2d', {}, [1, 2, 5, 5], [2, 3, 3, 3], [2], (F32, F32, F64)),
    ('conv2d', {}, [5, 5], [1, 1, 3, 3], [1], (F32, F32, F64)),
    ('conv2d', {'dilation': 0}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F32, F64, None)),
    ('conv_transpose2d', {'outputPadding': 1}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F32, F64, None)),
    ('conv_transpose2d', {'padding': 9}, [1, 1, 5, 5], [1, 1, 3, 3], None, (F32, F64, None)),
    ('conv2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, ('bool', 'bool', None)),
    ('conv1d', {}, [1, 1, 5], [1, 1, 3], None, ('bool', F32, None)),
    ('conv3d', {}, [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], None, ('bool', 'bool', None)),
    ('conv2d', {'dilation': 2}, [1, 1, 5, 5], [1, 1, 3, 3], None, ('bool', 'bool', None)),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, ('bool', 'bool', None)),
    ('conv_transpose3d', {}, [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], None, ('bool', 'bool', None)),
    ('conv2d', {'padding': 1, 'paddingMode': 'reflect'}, [1, 1, 5, 5], [1, 1, 3, 3], [1], (F64, F64, F32)),
    ('conv_transpose2d', {}, [1, 1, 5, 5], [1, 1, 3, 3], None, ('int32', 'int32', None)),
    ('conv_transpose1d', {}, [1, 1, 5], [1, 1, 3], None, ('int32', 'int32', None)),
    ('conv_transpose3d', {}, [1, 1, 3, 3, 3], [1, 1, 2, 2, 2], None, ('int32', 'int32', None)),
    ('conv2d', {'dilation': 2}, [1, 1, 5, 5], [1, 1, 2, 2], None, ('int32', 'int32', None)),
    ('conv3d', {'dilation': [1, 1, 2]}, [1, 1, 5, 5, 5], [1, 1, 2, 2, 2], None, ('int32', 'int32', None)),
    # Python's argument parsing: non-integers where ints belong
    ('conv_transpose2d', {'outputPadding': 0.5}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose2d', {'groups': 1.5}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv_transpose1d', {'stride': [1.5]}, [1, 1, 5], [1, 1, 3], None),
    ('conv2d', {'stride': [1, 1.5]}, [1, 1, 5, 5], [1, 1, 3, 3], None),
    ('conv3d', {'padding': [0, 0, 2.5]}, [1, 1, 5, 5, 5], [1, 1, 3, 3, 3], None),
    # d2l's reference functions
    ('corr2d', {}, [2, 3], [4, 3], None),
    ('corr2d', {}, [3, 3], [2, 2, 2], None),
    ('corr2d', {}, [3, 3], [2], None),
    ('trans_conv', {}, [3, 3], [2, 2, 2], None),
]


# Valid corners the random generator rarely reaches: (op, args, input shape, weight shape, bias shape, dtype).
SPECIAL = [
    ('conv2d', {}, [0, 2, 4, 4], [3, 2, 2, 2], [3], F32),
    ('conv_transpose2d', {'stride': 2}, [0, 2, 3, 3], [2, 3, 2, 2], [3], F32),
    ('conv2d', {'groups': 4}, [1, 4, 5, 5], [8, 1, 3, 3], [8], F32),
    ('conv2d', {}, [2, 3, 4, 5], [2, 3, 4, 5], [2], F64),
    ('conv1d', {'padding': 'same'}, [1, 2, 7], [3, 2, 4], None, F32),
    ('conv2d', {'padding': 'same', 'dilation': [1, 3]}, [1, 1, 6, 9], [2, 1, 2, 4], [2], F64),
    ('conv3d', {'padding': 'same'}, [1, 1, 4, 5, 3], [1, 1, 2, 3, 2], None, F32),
    ('conv1d', {'padding': 'same', 'paddingMode': 'reflect'}, [1, 1, 6], [1, 1, 4], None, F32),
    ('conv2d', {'padding': 'same', 'paddingMode': 'replicate', 'dilation': 2}, [2, 1, 5, 6], [2, 1, 2, 3], [2], F32),
    ('conv2d', {'padding': 'same', 'paddingMode': 'circular'}, [1, 2, 5, 4], [1, 2, 4, 3], None, F64),
    ('conv3d', {'padding': 'same', 'paddingMode': 'reflect'}, [1, 1, 4, 4, 4], [1, 1, 2, 3, 2], None, F32),
    ('conv3d', {'padding': 'same', 'paddingMode': 'circular'}, [1, 1, 3, 4, 3], [1, 1, 3, 2, 2], None, F32),
    ('conv2d', {'padding': 'same', 'paddingMode': 'reflect'}, [1, 5, 5], [1, 1, 3, 3], None, F32),
    ('conv2d', {'padding': -1, 'paddingMode': 'reflect'}, [1, 1, 5, 5], [1, 1, 1, 1], None, F32),
    ('conv2d', {'padding': [-1, 1], 'paddingMode': 'circular'}, [1, 1, 5, 5], [1, 1, 2, 2], None, F32),
    ('conv2d', {'padding': 2, 'paddingMode': 'circular'}, [1, 1, 2, 2], [1, 1, 3, 3], None, F32),
    ('conv1d', {'padding': 4, 'paddingMode': 'replicate'}, [1, 2], [1, 1, 3], None, F32),
    ('conv2d', {'padding': 'valid', 'paddingMode': 'reflect'}, [1, 1, 4, 4], [1, 1, 2, 2], None, F32),
    ('conv_transpose2d', {'dilation': 3, 'outputPadding': 2}, [1, 1, 3, 3], [1, 1, 2, 2], None, F32),
    ('conv_transpose2d', {'stride': 2, 'outputSize': [1, 2, 8, 7]}, [1, 1, 4, 3], [1, 2, 2, 3], [2], F32),
    ('conv_transpose1d', {'stride': 3, 'outputSize': [1, 12]}, [1, 4], [1, 1, 3], None, F64),
    ('conv_transpose3d', {'stride': [2, 1, 2], 'padding': 1, 'outputSize': [5, 3, 6], 'groups': 2}, [1, 2, 3, 3, 3], [2, 1, 2, 3, 3], [2], F32),
    ('conv_transpose2d', {'padding': [1, 0], 'stride': 2}, [1, 1, 1, 1], [1, 1, 3, 1], None, F32),
    ('conv2d', {'stride': 5}, [1, 1, 4, 4], [1, 1, 2, 2], None, F32),
    ('conv2d', {'stride': 2, 'padding': 1}, [2, 0, 5, 5], [3, 0, 2, 2], [3], F32),
    ('conv1d', {}, [0, 4], [3, 0, 2], None, F64),
]


def special_cases(blob, start):
    cases = []
    for op, args, xs, ws, bs, dtype in SPECIAL:
        x, w = torch.randn(xs, dtype=DTYPES[dtype]), torch.randn(ws, dtype=DTYPES[dtype])
        b = torch.randn(bs, dtype=DTYPES[dtype]) if bs else None
        with torch.no_grad():
            y = call(op, args, x, w, b)
        case = valid_case(blob, f'{op}-special-{start + len(cases)}', op, args, x, w, b, y)
        cases.append(case)
    return cases


def dims_of(op):
    return int(op[-2])


def perturb(rng, op, args, shape, wshape, bias_size):
    """One or two random changes to a valid configuration, most of which PyTorch rejects."""
    args, shape, wshape = dict(args), list(shape), list(wshape)
    dtypes = [F32, F32, F32]
    transposed = op.startswith('conv_transpose')
    dims = int(op[-2])
    for _ in range(rng.randint(1, 2)):
        what = rng.randrange(14)
        d = rng.randrange(dims)
        if what == 0 and len(shape) > dims:
            shape[-dims - 1] = max(0, shape[-dims - 1] + rng.choice([-1, 1]))
        elif what == 1:
            args['groups'] = rng.choice([-1, 0, 2, 3, 4])
        elif what == 2:
            args['stride'] = [rng.choice([0, -1]) if i == d else 1 for i in range(dims)]
        elif what == 3:
            args['padding'] = rng.choice([-1, 5, 'same', 'valid', [1] * (dims + 1)])
        elif what == 4:
            args['dilation'] = rng.choice([0, -1, 3, [2] * (dims + 1)])
        elif what == 5 and transposed:
            args['outputPadding'] = [rng.randint(0, 3) for _ in range(dims)]
        elif what == 6:
            wshape = wshape[:-1] if rng.random() < 0.5 else wshape + [1]
        elif what == 7:
            shape = shape[1:] if rng.random() < 0.5 else [1] + shape
        elif what == 8:
            bias_size = rng.choice([[1], [7], [2, 2]])
        elif what == 9:
            dtypes[rng.randrange(3)] = rng.choice([F64, 'int64', 'int32', 'bool'])
        elif what == 10 and 2 + d < len(wshape):
            wshape[2 + d] += rng.randint(2, 6)
        elif what == 11:
            shape[len(shape) - dims + d] = rng.choice([0, 1])
        elif what == 12:
            args['paddingMode'] = rng.choice(['zeros', 'reflect', 'replicate', 'circular'])
            if rng.random() < 0.5:
                args['padding'] = rng.choice([1, 2, 3, 'same'])
        elif what == 13 and transposed:
            args['outputSize'] = [rng.randint(-1, 14) for _ in range(rng.choice([dims, dims, 1, dims + 2]))]
    return args, shape, wshape, bias_size, dtypes


def fuzz_cases(rng, blob, count):
    """Perturbed configurations: PyTorch's errors, and the corners it accepts as valid cases."""
    ops = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']
    errors, valid = [], []
    for n in range(count):
        op = ops[n % len(ops)]
        args, shape, wshape, bias_size, dtypes = perturb(rng, op, *random_conv(rng, op))
        x = torch.randn(shape).to(DTYPES[dtypes[0]])
        w = torch.randn(wshape).to(DTYPES[dtypes[1]])
        b = torch.randn(bias_size).to(DTYPES[dtypes[2]]) if bias_size else None
        if ('paddingMode' in args or 'outputSize' in args) and (
                w.dim() != dims_of(op) + 2 or any(t is not None and not t.is_floating_point() for t in (x, w, b))):
            continue  # a module's weight has the module's rank and a float dtype
        try:
            with torch.no_grad():
                y = call(op, args, x, w, b)
        except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError) as e:
            errors.append(error_record(f'{op}-fuzz-error-{n}', op, args, x, w, b, e))
            continue
        if y.dtype in (torch.float32, torch.float64) and w.dtype == y.dtype and (b is None or b.dtype == y.dtype):
            case = valid_case(blob, f'{op}-fuzz-{n}', op, args, x, w, b, y)
            valid.append(case)
    print(f'{len(errors)} fuzz errors, {len(valid)} fuzz configurations PyTorch accepted', file=sys.stderr)
    return errors, valid


def error_cases():
    cases = []
    for entry in ERRORS:
        op, args, xs, ws, bs = entry[:5]
        dtypes = entry[5] if len(entry) > 5 else (F32, F32, F32)
        x = torch.zeros(xs, dtype=DTYPES[dtypes[0]])
        w = torch.zeros(ws, dtype=DTYPES[dtypes[1]])
        b = torch.zeros(bs, dtype=DTYPES[dtypes[2] or F32]) if bs is not None else None
        try:
            with torch.no_grad():
                y = call(op, args, x, w, b)
        except Exception as e:  # noqa: BLE001 - recording whatever PyTorch raises is the point
            cases.append(error_record(f'{op}-error-{len(cases)}', op, args, x, w, b, e))
            continue
        raise SystemExit(f'expected an error from {entry}, PyTorch returned shape {list(y.shape)}')
    print(f'{len(cases)} error cases', file=sys.stderr)
    return cases


def main():
    rng = random.Random(20240601)
    torch.manual_seed(20240601)
    blob = Blob()
    rejected = []
    cases = valid_cases(rng, blob, 320, rejected)
    cases += special_cases(blob, len(cases))
    fuzz_errors, fuzz_valid = fuzz_cases(rng, blob, 900)
    cases += fuzz_valid
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'cases.bin'), 'wb') as f:
        for part in blob.parts:
            f.write(part)
    meta = {'generator': 'scripts/golden/gen_ops.py', 'torch': torch.__version__, 'cases': cases}
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(meta, f, separators=(',', ':'))
        f.write('\n')
    with open(os.path.join(OUT, 'errors.json'), 'w') as f:
        json.dump({'generator': 'scripts/golden/gen_ops.py', 'torch': torch.__version__, 'cases': error_cases() + rejected + fuzz_errors}, f, indent=1)
        f.write('\n')
    print(f'cases.bin: {blob.size} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
