#!/usr/bin/python3
"""Writes test/fixtures/python/generated/programs.json: random small PyTorch programs drawn from a
grammar, each with what PyTorch 1.13 says about it, recorded through gen_shapes' instrumentation
(the shape of every tensor an assignment binds, and the exception if it raises).

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_programs.py
Deterministic: a fixed seed for the grammar, `random.seed(index)` before program `index` runs (for
programs whose branches depend on `random.random()`), torch.manual_seed(0) by gen_shapes. Output
is byte-identical on re-runs.

The grammar: a program is a chain of steps on one tensor (Conv1d/2d/3d and ConvTranspose with
every argument, F.conv with explicit weights, pools incl. return_indices and MaxUnpool2d,
BatchNorm, Linear, flatten/view/reshape, permute/transpose, cat/stack, broadcasting, chunk and
tuple unpacking, LSTM/GRU, lists built by loops and mutated in place, ModuleList loops), written
in one of four contexts (module level, an nn.Module subclass's forward, one nn.Sequential, helper
functions forwarding *args/**kwargs), with sizes written as literals, constants, dict entries or
argparse defaults, some steps inside `if`/`else` (known or random conditions) or `for` loops,
and some statements joined by `;`. Every third program carries one shape bug, placed in one step;
a program is kept only when PyTorch agrees: the valid ones run, the buggy ones raise a shape error
(RuntimeError, ValueError or IndexError). Any other exception is a grammar bug and stops the run.

Format:
  {"seed": S, "programs": [{"index": 0, "tags": [...], "source": ["import torch", ...],
    "bindings": [{"line": 7, "name": "y", "shape": [2, 8, 6, 6]}, ...],
    "error": null | {"line": 9, "lines": [12, 9], "type": "RuntimeError", "message": "..."}}, ...]}
`source` is the program's lines (joined with "\\n" plus a final "\\n"); lines are 1-based.
"""
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_shapes  # noqa: E402

OUT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'python', 'generated', 'programs.json'))
SEED = 20261203
COUNT = 600
SHAPE_ERRORS = ('RuntimeError', 'ValueError', 'IndexError')
FILENAME = 'generated.py'


def conv_out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def tconv_out(n, k, s, p, d, op):
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def pool_out(n, k, s, p, ceil):
    span = n + 2 * p - (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


class Step:
    """One step of the chain. Exactly one of module (a constructor applied as `y = m(x)`), expr
    (x -> expression) or lines (x, y, ref -> statements, ref(key) naming a module in `mods`)."""

    def __init__(self, out, tag, module=None, expr=None, lines=None, mods=()):
        self.out, self.tag, self.module, self.expr, self.lines, self.mods = tuple(out), tag, module, expr, lines, list(mods)


class Program:
    def __init__(self, rng, index, buggy):
        self.rng = rng
        self.index = index
        self.buggy = buggy
        self.style = rng.choice(['lit', 'lit', 'const', 'dict', 'args'])
        self.imports = ['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F']
        self.config = []  # (name, value)
        self.defs = []
        self.body = []
        self.tags = set()
        self.counter = 0

    # -- sizes as literals, constants, dict entries or argparse defaults
    def num(self, value, hint):
        if self.style == 'lit' or self.rng.random() < 0.5:
            return str(value)
        self.counter += 1
        name = f'{hint}{self.counter}'
        self.config.append((name, value))
        if self.style == 'const':
            return name.upper()
        if self.style == 'dict':
            return f"cfg['{name}']"
        return f'opt.{name}'

    def fresh(self, prefix):
        self.counter += 1
        return f'{prefix}{self.counter}'

    def preamble(self):
        lines = []
        if self.style == 'const':
            lines += [f'{name.upper()} = {value}' for name, value in self.config]
        elif self.style == 'dict' and self.config:
            items = ', '.join(f"'{name}': {value}" for name, value in self.config)
            lines.append(f'cfg = {{{items}}}')
        elif self.style == 'args' and self.config:
            lines.append('parser = argparse.ArgumentParser()')
            lines += [f"parser.add_argument('--{name}', type=int, default={value})" for name, value in self.config]
            lines.append('opt = parser.parse_args([])')
        return lines

    def source(self):
        imports = list(self.imports)
        if self.style == 'args' and self.config:
            imports.insert(0, 'import argparse')
        return imports + self.preamble() + self.defs + self.body


# ---------------------------------------------------------------- steps

def spatial_dims(shape):
    return len(shape) - 2


def conv_step(g, shape, bug, ctx):
    n = spatial_dims(shape)
    if n not in (1, 2, 3):
        return None
    r = g.rng
    c = shape[1]
    spatial = shape[2:]
    out_c = r.choice([2, 4, 6, 8, 12, 16])
    divisors = [d for d in range(1, c + 1) if c % d == 0 and out_c % d == 0]
    groups = r.choice(divisors) if r.random() < 0.3 else 1
    k = r.choice([1, 2, 3, 3, 3, 5])
    s = r.choice([1, 1, 2, 3])
    d = r.choice([1, 1, 1, 2])
    padding = r.choice(['int', 'int', 'int', 'same', 'valid'])
    if padding == 'same' and s != 1:
        padding = 'int'
    p = r.randint(0, k // 2 + 1) if padding == 'int' else 0
    kinds = ['in_channels', 'too_small', 'groups'] + (['same_stride'] if n < 3 else [])
    kind = r.choice(kinds) if bug else None
    cin = c
    if kind == 'in_channels':
        cin = c + r.choice([1, 2, -1]) if c > 1 else c + 1
        groups = 1
    elif kind == 'too_small':
        padding, p, s, d = 'int', 0, 1, 1
        k = min(spatial) + r.randint(1, 2)
    elif kind == 'groups':
        bad = [q for q in range(2, 5) if c % q or out_c % q]
        if not bad:
            return None
        groups = r.choice(bad)
    elif kind == 'same_stride':
        padding, s = 'same', 2
    out = []
    for L in spatial:
        if padding == 'same':
            out.append(L)
        else:
            out.append(conv_out(L, k, s, p, d))
    if not bug and min(out) < 1:
        return None
    args = [g.num(cin, 'cin'), g.num(out_c, 'cout'), g.num(k, 'k')]
    if n == 2 and k > 1 and r.random() < 0.2 and kind != 'too_small':
        args[2] = f'({k}, {k})'
    kw = []
    if s != 1 or r.random() < 0.2:
        kw.append(f'stride={s}')
    if padding != 'int':
        kw.append(f"padding='{padding}'")
    elif p or r.random() < 0.2:
        kw.append(f'padding={g.num(p, "p")}')
    if d != 1 or r.random() < 0.1:
        kw.append(f'dilation={d}')
    if groups != 1 or r.random() < 0.1:
        kw.append(f'groups={groups}')
    if r.random() < 0.3:
        kw.append(f'bias={r.choice(["True", "False"])}')
    if r.random() < 0.25:
        kw = [f'in_channels={args[0]}', f'out_channels={args[1]}', f'kernel_size={args[2]}'] + kw
        args = []
    tag = f'conv{n}d' + (f' bug:{kind}' if kind else '')
    if ctx != 'seq' and padding == 'int' and kind != 'groups' and r.random() < 0.2:
        # functional form with explicit weights
        w_shape = ', '.join(str(v) for v in [out_c, cin // groups] + [k] * n)
        fkw = [f'stride={s}', f'padding={p}', f'dilation={d}', f'groups={groups}']
        w = g.fresh('w')

        def lines(x, y, ref):
            return [f'{w} = torch.randn({w_shape})', f'{y} = F.conv{n}d({x}, {w}, {", ".join(fkw)})']
        return Step([shape[0], out_c] + out, f'F.conv{n}d' + (f' bug:{kind}' if kind else ''), lines=lines)
    return Step([shape[0], out_c] + out, tag, module=f'nn.Conv{n}d({", ".join(args + kw)})')


def tconv_step(g, shape, bug, ctx):
    n = spatial_dims(shape)
    if n not in (1, 2, 3):
        return None
    r = g.rng
    c = shape[1]
    out_c = r.choice([2, 4, 6, 8])
    k = r.choice([2, 3, 4])
    s = r.choice([1, 2, 2, 3])
    d = r.choice([1, 1, 2])
    p = r.randint(0, (k - 1) // 2)
    op = r.randint(0, max(s, d) - 1)
    divisors = [q for q in range(1, c + 1) if c % q == 0 and out_c % q == 0]
    groups = r.choice(divisors) if r.random() < 0.25 else 1
    kind = r.choice(['output_padding', 'in_channels', 'groups']) if bug else None
    cin = c
    if kind == 'output_padding':
        op = max(s, d) + r.randint(0, 1)
    elif kind == 'in_channels':
        cin = c * 2 if r.random() < 0.5 else c + 1
        groups = 1
    elif kind == 'groups':
        bad = [q for q in range(2, 5) if c % q or out_c % q]
        if not bad:
            return None
        groups = r.choice(bad)
    out = [tconv_out(L, k, s, p, d, op) for L in shape[2:]]
    if min(out) < 1:
        return None
    kw = []
    if s != 1 or r.random() < 0.3:
        kw.append(f'stride={g.num(s, "s")}')
    if p or r.random() < 0.3:
        kw.append(f'padding={p}')
    if op or r.random() < 0.3:
        kw.append(f'output_padding={op}')
    if groups != 1 or r.random() < 0.2:
        kw.append(f'groups={groups}')
    if r.random() < 0.2:
        kw.append(f'bias={r.choice(["True", "False"])}')
    if d != 1 or r.random() < 0.2:
        kw.append(f'dilation={d}')
    r.shuffle(kw)
    ctor = f'nn.ConvTranspose{n}d({g.num(cin, "cin")}, {g.num(out_c, "cout")}, {g.num(k, "k")}, {", ".join(kw)})'.replace(', )', ')')
    return Step([shape[0], out_c] + out, f'convtranspose{n}d' + (f' bug:{kind}' if kind else ''), module=ctor)


def pool_step(g, shape, bug, ctx):
    n = spatial_dims(shape)
    if n not in (1, 2, 3):
        return None
    r = g.rng
    kind = r.choice(['too_small', 'padding']) if bug else None
    k = r.choice([2, 2, 3])
    s = r.choice([None, 1, 2, k])
    p = r.randint(0, k // 2)
    ceil = r.random() < 0.15
    if kind == 'too_small':
        k, s, p, ceil = min(shape[2:]) + r.randint(1, 2), None, 0, False
    elif kind == 'padding':
        p = k // 2 + 1
    stride = s or k
    out = [pool_out(L, k, stride, p, ceil) for L in shape[2:]]
    if not bug and min(out) < 1:
        return None
    typ = r.choice(['Max', 'Max', 'Avg'])
    kw = []
    if s is not None:
        kw.append(f'stride={s}')
    if p:
        kw.append(f'padding={p}')
    if ceil:
        kw.append('ceil_mode=True')
    tag = f'{typ.lower()}pool{n}d' + (f' bug:{kind}' if kind else '')
    if typ == 'Max' and n == 2 and ctx != 'seq' and not ceil and r.random() < 0.4:
        # return_indices=True: the pair unpacked, or indexed, and maybe unpooled back
        # unpooled back only where the windows tile the input exactly: elsewhere MaxUnpool2d's
        # output is smaller than the input and a max index can fall outside it (a value error)
        unpool = r.random() < 0.6 and not bug and all((L + 2 * p - k) % stride == 0 for L in shape[2:])
        form = r.choice(['module', 'functional'])
        back = [(L - 1) * stride - 2 * p + k for L in out]
        ctor = f'nn.MaxPool2d({", ".join([str(k)] + kw + ["return_indices=True"])})'

        def lines(x, y, ref):
            idx = g.fresh('idx')
            call = f'{ref("pool")}({x})' if form == 'module' else f'F.max_pool2d({x}, {", ".join([str(k)] + kw + ["return_indices=True"])})'
            if unpool:
                m = g.fresh('m')
                return [f'{m}, {idx} = {call}', f'{y} = {ref("unpool")}({m}, {idx})']
            if r.random() < 0.5:
                return [f'{y}, {idx} = {call}']
            return [f'{y} = {call}[0]']
        mods = [('pool', ctor)] if form == 'module' else []
        if unpool:
            ukw = [str(k)] + ([f'stride={s}'] if s is not None else []) + ([f'padding={p}'] if p else [])
            mods.append(('unpool', f'nn.MaxUnpool2d({", ".join(ukw)})'))
        return Step(shape[:2] + (back if unpool else out), tag + ' return_indices' + (' maxunpool2d' if unpool else ''), lines=lines, mods=mods)
    if ctx != 'seq' and r.random() < 0.3 and not ceil:
        fn = f'F.{typ.lower()}_pool{n}d'
        return Step(shape[:2] + out, tag, expr=lambda x: f'{fn}({x}, {", ".join([str(k)] + kw)})')
    return Step(shape[:2] + out, tag, module=f'nn.{typ}Pool{n}d({", ".join([g.num(k, "k")] + kw)})')


def adaptive_step(g, shape, bug, ctx):
    n = spatial_dims(shape)
    if n not in (1, 2, 3) or bug:
        return None
    r = g.rng
    size = [r.randint(1, 4) for _ in range(n)]
    arg = str(size[0]) if n == 1 or (len(set(size)) == 1 and r.random() < 0.5) else f'({", ".join(map(str, size))})'
    if n > 1 and arg.isdigit():
        size = [size[0]] * n
    return Step(shape[:2] + size, f'adaptiveavgpool{n}d', module=f'nn.AdaptiveAvgPool{n}d({arg})')


def bn_step(g, shape, bug, ctx):
    n = len(shape) - 2
    if n < 0 or n > 3:
        return None
    r = g.rng
    c = shape[1]
    cin = c + r.choice([1, 2]) if bug else c
    dim = max(n, 1)
    if len(shape) == 2 and shape[0] < 2:
        return None
    extra = r.choice(['', '', ', eps=1e-3', ', momentum=0.1', ', affine=False'])
    return Step(shape, f'batchnorm{dim}d' + (' bug:num_features' if bug else ''), module=f'nn.BatchNorm{dim}d({g.num(cin, "c")}{extra})')


def act_step(g, shape, bug, ctx):
    if bug:
        return None
    r = g.rng
    if ctx == 'seq' or r.random() < 0.5:
        return Step(shape, 'activation', module=r.choice(['nn.ReLU()', 'nn.ReLU(inplace=True)', 'nn.LeakyReLU(0.2)', 'nn.Tanh()', 'nn.Sigmoid()', 'nn.Dropout(0.5)', 'nn.GELU()']))
    form = r.choice(['F.relu({})', 'torch.tanh({})', '{}.sigmoid()', 'F.leaky_relu({}, 0.1)', 'torch.relu({})', 'F.dropout({}, 0.2)'])
    return Step(shape, 'activation', expr=lambda x: form.format(x))


def flatten_linear_step(g, shape, bug, ctx):
    if len(shape) < 2:
        return None
    r = g.rng
    feats = math.prod(shape[1:])
    if feats > 4096:
        return None
    out_f = r.choice([3, 5, 10, 16, 32])
    kind = r.choice(['in_features', 'view']) if bug else None
    in_f = feats + r.choice([1, -1, feats]) if kind == 'in_features' else feats
    n = shape[0]
    if ctx == 'seq':
        if kind == 'view':
            return None
        return _seq_pair(g, shape, [] if len(shape) == 2 else ['nn.Flatten()'], in_f, out_f, kind)
    view_n = str(n)
    forms = ['{}.flatten(1)', 'torch.flatten({}, 1)', '{}.view({}.size(0), -1)', '{}.view(%s, -1)' % view_n, '{}.reshape(%s, -1)' % view_n,
             '{}.view(-1, %d)' % feats]
    if kind == 'view':
        forms = ['{}.view(%s, %d)' % (view_n, feats + 1), '{}.view(-1, %d)' % (feats + 1 if feats > 2 else 7), '{}.reshape(%s, %d)' % (view_n, feats * 2)]
    form = r.choice(forms)
    flat = g.fresh('f')
    bias = r.choice(['', '', ', bias=False'])

    def lines(x, y, ref):
        out = [f'{flat} = {form.format(x, x)}']
        if len(shape) == 2 and kind != 'view':
            out = []
            src = x
        else:
            src = flat
        out.append(f'{y} = {ref("fc")}({src})')
        return out
    return Step([n, out_f], 'flatten linear' + (f' bug:{kind}' if kind else ''), lines=lines, mods=[('fc', f'nn.Linear({g.num(in_f, "f")}, {g.num(out_f, "o")}{bias})')])


def _seq_pair(g, shape, flat, in_f, out_f, kind):
    # In an nn.Sequential: [nn.Flatten(),] nn.Linear — returned as one module step of a Sequential.
    layers = flat + [f'nn.Linear({g.num(in_f, "f")}, {g.num(out_f, "o")})']
    ctor = layers[0] if len(layers) == 1 else f'nn.Sequential({", ".join(layers)})'
    return Step([shape[0], out_f], 'flatten linear' + (f' bug:{kind}' if kind else ''), module=ctor)


def linear_last_step(g, shape, bug, ctx):
    """nn.Linear on the last dimension of a 3-d tensor (a sequence)."""
    if len(shape) != 3:
        return None
    r = g.rng
    out_f = r.choice([4, 6, 8])
    in_f = shape[-1] + (r.choice([1, 2]) if bug else 0)
    return Step(shape[:-1] + [out_f], 'linear3d' + (' bug:in_features' if bug else ''), module=f'nn.Linear({g.num(in_f, "f")}, {out_f})')


def reshape_step(g, shape, bug, ctx):
    if ctx == 'seq' or len(shape) < 3:
        return None
    r = g.rng
    n, c = shape[0], shape[1]
    rest = math.prod(shape[2:])
    method = r.choice(['view', 'reshape'])
    if bug:
        bad = c + 1
        while (c * rest) % bad == 0:
            bad += 1
        return Step(shape, 'reshape bug:numel', expr=lambda x: f'{x}.{method}({n}, {bad}, -1).{method}({", ".join(map(str, shape))})')
    # merge spatial dims and split them back, sometimes through -1
    forms = [
        (f'{{}}.{method}({n}, {c}, -1)', (n, c, rest)),
        (f'{{}}.{method}(-1, {c}, {rest})', (n, c, rest)),
        (f'{{}}.{method}({n}, -1, {rest})', (n, c, rest)),
    ]
    form, out = r.choice(forms)
    if len(shape) == 3 or r.random() < 0.5:
        # back to the original layout right away, with -1 somewhere
        i = r.randrange(len(shape))
        back = ', '.join('-1' if j == i else str(v) for j, v in enumerate(shape))
        return Step(shape, f'{method} -1', expr=lambda x: f'{form.format(x)}.{method}({back})')
    return Step(out, f'{method} -1', expr=lambda x: form.format(x))


def permute_step(g, shape, bug, ctx):
    if ctx == 'seq' or len(shape) < 3:
        return None
    r = g.rng
    rank = len(shape)
    if bug:
        kind = r.choice(['permute_rank', 'dim_range'])
        if kind == 'permute_rank':
            perm = list(range(rank - 1))
            return Step(shape, 'permute bug:dims', expr=lambda x: f'{x}.permute({", ".join(map(str, perm))})')
        return Step(shape, 'transpose bug:dim_range', expr=lambda x: f'{x}.transpose(1, {rank + r.randint(0, 1)})')
    if r.random() < 0.5 and rank >= 4:
        a, b = r.sample(range(2, rank), 2)
        out = list(shape)
        out[a], out[b] = out[b], out[a]
        return Step(out, 'transpose', expr=lambda x: f'{x}.transpose({a}, {b})')
    perm = list(range(rank))
    rest = perm[1:]
    r.shuffle(rest)
    perm = [0] + rest
    inverse = [perm.index(i) for i in range(rank)]
    mid = g.fresh('p')

    def lines(x, y, ref):
        tail = r.choice(['', '.contiguous()'])
        return [f'{mid} = {x}.permute({", ".join(map(str, perm))}){tail}', f'{y} = {mid}.permute({", ".join(map(str, inverse))})']
    return Step(shape, 'permute', lines=lines)


def cat_step(g, shape, bug, ctx):
    if ctx == 'seq' or len(shape) < 2:
        return None
    r = g.rng
    n, c = shape[0], shape[1]
    extra = r.choice([1, 2, 4])
    form = r.choice(['cat_self', 'cat_new', 'stack'])
    other = list(shape)
    other[1] = extra
    kind = None
    if bug:
        kind = 'cat' if form != 'stack' else 'stack'
        if form == 'cat_self':
            form = 'cat_new'
        if len(shape) > 2 and r.random() < 0.7:
            other[-1] += r.choice([1, 2])
        else:
            other[0] += 1
        if form == 'stack':
            other = list(shape)
            other[-1] += 1
    dim = r.choice(['1', 'dim=1'])
    tag = 'cat' if form != 'stack' else 'stack'
    if form == 'cat_self':
        return Step([n, 2 * c] + list(shape[2:]), tag, expr=lambda x: f'torch.cat([{x}, {x}], {dim})')
    if form == 'cat_new':
        t = g.fresh('t')
        return Step([n, c + extra] + list(shape[2:]), tag + (f' bug:{kind}' if kind else ''), lines=lambda x, y, ref: [
            f'{t} = torch.randn({", ".join(map(str, other))})', f'{y} = torch.cat(({x}, {t}), {dim})'])
    t = g.fresh('s')
    how = r.choice(['flatten', 'sum'])
    if how == 'flatten':
        return Step([n, 2 * c] + list(shape[2:]), tag + (f' bug:{kind}' if kind else ''), lines=lambda x, y, ref: [
            f'{t} = torch.stack([{x}, {x if not bug else "torch.randn(" + ", ".join(map(str, other)) + ")"}], dim=1)', f'{y} = {t}.flatten(1, 2)'])
    return Step(shape, tag + (f' bug:{kind}' if kind else ''), lines=lambda x, y, ref: [
        f'{t} = torch.stack([{x}, {x if not bug else "torch.randn(" + ", ".join(map(str, other)) + ")"}])', f'{y} = {t}.sum(0)'])


def broadcast_step(g, shape, bug, ctx):
    if ctx == 'seq' or len(shape) < 2:
        return None
    r = g.rng
    c = shape[1]
    rank = len(shape)
    b = [1, c + (r.choice([1, 2]) if bug else 0)] + [1] * (rank - 2)
    form = r.choice(['randn', 'ones', 'mean', 'scalar'])
    if bug:
        form = r.choice(['randn', 'ones'])
    op = r.choice(['+', '*', '-'])
    tag = 'broadcast' + (' bug:broadcast' if bug else '')
    if form == 'randn':
        return Step(shape, tag, expr=lambda x: f'{x} {op} torch.randn({", ".join(map(str, b))})')
    if form == 'ones':
        return Step(shape, tag, expr=lambda x: f'{x} {op} torch.ones({", ".join(map(str, b[1:]))})')
    if form == 'mean':
        return Step(shape, tag, expr=lambda x: f'{x} {op} {x}.mean(dim=1, keepdim=True)')
    return Step(shape, tag, expr=lambda x: f'{x} * 0.5 + 1')


def chunk_step(g, shape, bug, ctx):
    if ctx == 'seq' or len(shape) < 3 or shape[1] % 2 or bug:
        return None
    r = g.rng
    a, b = g.fresh('a'), g.fresh('b')
    half = [shape[0], shape[1] // 2] + list(shape[2:])
    if r.random() < 0.5:
        return Step(half, 'chunk unpack', lines=lambda x, y, ref: [f'{a}, {b} = {x}.chunk(2, dim=1)', f'{y} = {a} + {b}'])
    return Step(shape, 'chunk unpack', lines=lambda x, y, ref: [f'{a}, {b} = {x}.split({shape[1] // 2}, 1)', f'{y} = torch.cat([{b}, {a}], 1)'])


def rnn_step(g, shape, bug, ctx):
    if len(shape) != 3 or ctx == 'seq':
        return None
    r = g.rng
    typ = r.choice(['LSTM', 'GRU'])
    hidden = r.choice([4, 6, 8])
    layers = r.choice([1, 2])
    bi = r.random() < 0.4
    bf = r.random() < 0.6
    feat = shape[2] + (r.choice([1, 2]) if bug else 0)
    kw = [f'num_layers={layers}'] if layers > 1 or r.random() < 0.3 else []
    if bf or r.random() < 0.3:
        kw.append(f'batch_first={bf}')
    if bi:
        kw.append('bidirectional=True')
    ctor = f'nn.{typ}({g.num(feat, "f")}, {g.num(hidden, "h")}{"".join(", " + k for k in kw)})'
    form = r.choice(['unpack', 'index', 'underscore'])
    h, c = g.fresh('h'), g.fresh('c')

    def lines(x, y, ref):
        if form == 'index':
            return [f'{y} = {ref("rnn")}({x})[0]']
        if form == 'underscore':
            return [f'{y}, _ = {ref("rnn")}({x})']
        if typ == 'LSTM':
            return [f'{y}, ({h}, {c}) = {ref("rnn")}({x})']
        return [f'{y}, {h} = {ref("rnn")}({x})']
    return Step([shape[0], shape[1], hidden * (2 if bi else 1)], typ.lower() + ' ' + form + (' bug:input_size' if bug else ''), lines=lines, mods=[('rnn', ctor)])


def to_seq_step(g, shape, bug, ctx):
    """(N, C, L) <-> (N, L, C): a conv1d layout to a sequence one, or back."""
    if len(shape) != 3 or ctx == 'seq' or bug:
        return None
    return Step([shape[0], shape[2], shape[1]], 'transpose', expr=lambda x: f'{x}.transpose(1, 2)')


def listnet_step(g, shape, bug, ctx):
    """Channels in a list built by a loop and mutated in place, then convs made from it in a loop."""
    n = spatial_dims(shape)
    if ctx != 'inline' or n not in (1, 2, 3):
        return None
    r = g.rng
    chs = [r.choice([2, 4])]
    base = r.choice([2, 4])
    count = r.randint(1, 3)
    lines_ = []
    name = g.fresh('chs')
    lines_.append(f'{name} = []')
    lines_.append(f'for i in range({count}):')
    lines_.append(f'    {name}.append({base} * 2 ** i)')
    chs = [base * 2 ** i for i in range(count)]
    mutation = r.choice(['reverse', 'sort', 'insert', 'append', 'none'])
    if mutation == 'reverse':
        lines_.append(f'{name}.reverse()')
        chs.reverse()
    elif mutation == 'sort':
        lines_.append(f'{name}.sort(reverse=True)')
        chs.sort(reverse=True)
    elif mutation == 'insert':
        lines_.append(f'{name}.insert(0, {shape[1]})')
        chs.insert(0, shape[1])
    elif mutation == 'append':
        lines_.append(f'{name}.append({chs[-1]})')
        chs.append(chs[-1])
    if chs[0] != shape[1] and not bug:
        lines_.append(f'{name}.insert(0, {shape[1]})')
        chs.insert(0, shape[1])
    if bug and chs[0] == shape[1]:
        lines_.append(f'{name}.insert(0, {shape[1] + 1})')
        chs.insert(0, shape[1] + 1)
    if len(chs) < 2:
        lines_.append(f'{name}.append({base})')
        chs.append(base)
    layers = g.fresh('layers')
    k = r.choice([1, 3])
    lines_.append(f'{layers} = []')
    if r.random() < 0.5:
        lines_.append(f'for cin, cout in zip({name}, {name}[1:]):')
        lines_.append(f'    {layers}.append(nn.Conv{n}d(cin, cout, {k}, padding={k // 2}))')
    else:
        lines_.append(f'for i in range(len({name}) - 1):')
        lines_.append(f'    {layers}.append(nn.Conv{n}d({name}[i], {name}[i + 1], {k}, padding={k // 2}))')
    lines_.append(f'    {layers}.append(nn.ReLU())')
    net = g.fresh('net')
    lines_.append(f'{net} = nn.Sequential(*{layers})')
    return Step([shape[0], chs[-1]] + list(shape[2:]), f'list {mutation} sequential(*list)' + (' bug:in_channels' if bug else ''),
                lines=lambda x, y, ref: lines_ + [f'{y} = {net}({x})'])


def modulelist_step(g, shape, bug, ctx):
    n = spatial_dims(shape)
    if ctx == 'seq' or n not in (1, 2, 3) or bug:
        return None
    r = g.rng
    reps = r.randint(1, 3)
    c = shape[1]
    ctor = f'nn.ModuleList([nn.Conv{n}d({c}, {c}, 3, padding=1) for _ in range({reps})])'
    form = r.choice(['index', 'iter'])

    def lines(x, y, ref):
        if form == 'index':
            return [f'{y} = {x}', f'for i in range({reps}):', f'    {y} = {ref("blocks")}[i]({y})']
        return [f'{y} = {x}', f'for block in {ref("blocks")}:', f'    {y} = F.relu(block({y}))']
    return Step(shape, 'modulelist for', lines=lines, mods=[('blocks', ctor)])


def loop_pool_step(g, shape, bug, ctx):
    n = spatial_dims(shape)
    if ctx == 'seq' or n not in (1, 2, 3) or bug:
        return None
    r = g.rng
    reps = r.randint(1, 3)
    if min(shape[2:]) < 2 ** reps:
        return None
    out = list(shape[:2]) + [L // 2 ** reps for L in shape[2:]]
    return Step(out, 'for range pool', lines=lambda x, y, ref: [f'{y} = {x}', f'for _ in range({reps}):', f'    {y} = F.max_pool{n}d({y}, 2)'])


STEPS = [conv_step, conv_step, conv_step, tconv_step, tconv_step, pool_step, pool_step, adaptive_step, bn_step, act_step,
         flatten_linear_step, linear_last_step, reshape_step, permute_step, cat_step, broadcast_step, chunk_step,
         rnn_step, to_seq_step, listnet_step, modulelist_step, loop_pool_step]
BUGGY_STEPS = [conv_step, conv_step, tconv_step, pool_step, bn_step, flatten_linear_step, linear_last_step, reshape_step,
               permute_step, cat_step, broadcast_step, rnn_step, listnet_step]


# ---------------------------------------------------------------- programs

def start_shape(r):
    kind = r.choice(['1d', '2d', '2d', '2d', '3d', 'seq', 'flat'])
    n = r.choice([1, 2, 2, 3, 4])
    if kind == '1d':
        return (n, r.choice([1, 2, 3, 4]), r.randint(8, 32))
    if kind == '2d':
        return (n, r.choice([1, 3, 4]), r.randint(6, 20), r.randint(6, 20))
    if kind == '3d':
        return (n, r.choice([1, 2, 3]), r.randint(4, 8), r.randint(4, 8), r.randint(4, 8))
    if kind == 'seq':
        return (max(n, 2), r.randint(3, 7), r.choice([4, 5, 8]))
    return (max(n, 2), r.choice([8, 10, 16, 20]))


def draw_steps(g, shape, count, bug_at, ctx):
    steps = []
    for i in range(count):
        bug = i == bug_at
        step = None
        for _ in range(50):
            make = g.rng.choice(BUGGY_STEPS if bug else STEPS)
            step = make(g, list(shape), bug, ctx)
            if step is not None and (ctx != 'seq' or step.module is not None) and \
                    all(v <= 48 for v in step.out[2:]) and math.prod(step.out) <= 20000:
                break
            step = None
        if step is None:
            if bug:
                return None
            break
        if bug:
            # the steps after the bug never run, but their layers may be built first (in a
            # Sequential, in __init__): keep their sizes positive so that building them works
            step.out = tuple(max(1, v) for v in step.out)
        steps.append(step)
        shape = step.out
    return steps


def condition(g, known):
    r = g.rng
    if known is None:
        g.tags.add('if unknown')
        if 'import random' not in g.imports:
            g.imports.insert(0, 'import random')
        return r.choice(['random.random() > 0.5', 'random.randint(0, 1) == 1', 'random.random() < 0.3']), None
    g.tags.add('if known')
    if g.style == 'lit' or r.random() < 0.3:
        v = r.randint(1, 5)
        name = g.fresh('depth').upper()
        g.defs.insert(0, f'{name} = {v}')
        return (f'{name} > 2', v > 2)
    ref = g.num(r.randint(1, 5), 'n')
    value = next(v for name, v in g.config[::-1]) if not ref.isdigit() else int(ref)
    return (f'{ref} >= 3', value >= 3)


def emit_chain(g, steps, x, indent, ref, out_name, module_lines, single_name):
    """Statements applying `steps` to `x`; returns (lines, final name)."""
    lines = []
    pad = ' ' * indent
    for i, step in enumerate(steps):
        y = x if single_name else out_name()
        if step.module is not None:
            key = g.fresh(step.tag.split()[0].replace('.', '_').lower()[:6])
            if g.rng.random() < 0.7:
                module_lines.append((key, step.module))
                stmt = [f'{y} = {ref(key)}({x})']
            else:
                stmt = [f'{y} = {step.module}({x})']
        elif step.expr is not None:
            stmt = [f'{y} = {step.expr(x)}']
        else:
            keys = {}
            for key, ctor in step.mods:
                keys[key] = g.fresh(key)
                module_lines.append((keys[key], ctor))
            stmt = step.lines(x, y, lambda k: ref(keys[k]))
        lines += [pad + s for s in stmt]
        x = y
    return lines, x


def make_program(index, rng):
    buggy = index % 3 == 2
    g = Program(rng, index, buggy)
    shape = start_shape(rng)
    ctx = rng.choice(['inline', 'inline', 'inline', 'class', 'class', 'seq', 'helper'])
    count = rng.randint(2, 6)
    bug_at = rng.randrange(count) if buggy else -1
    steps = draw_steps(g, shape, count, bug_at, ctx)
    if not steps:
        return None
    g.tags.add(ctx)
    for s in steps:
        g.tags.update(s.tag.split())
    x0 = 'x'
    size = ', '.join(g.num(v, 'd') if i else str(v) for i, v in enumerate(shape))
    start = [f'{x0} = torch.randn({size})']
    counter = iter(range(1, 100))

    if ctx == 'seq':
        layers = [s.module for s in steps]
        net = rng.choice(['net', 'model', 'features'])
        multi = rng.random() < 0.6
        if multi:
            g.body += start + [f'{net} = nn.Sequential('] + [f'    {layer},' for layer in layers] + [')']
        else:
            g.body += start + [f'{net} = nn.Sequential({", ".join(layers)})']
        g.body.append(f'y = {net}({x0})')
        if not buggy and rng.random() < 0.5:
            g.body.append(f'z = y {rng.choice(["+", "*"])} y')
        return g

    if ctx == 'helper':
        # modules built by helper functions that forward *args/**kwargs into constructors
        helper = rng.choice(['make', 'layer', 'wrap', 'wrap'])
        if helper == 'make':
            g.defs += ['def make(cls, *args, **kwargs):', '    return cls(*args, **kwargs)', '']
        elif helper == 'layer':
            g.defs += ['def layer(cls, *args, **kwargs):', '    return nn.Sequential(cls(*args, **kwargs), nn.Identity())', '']
        wrappers = set()
        g.tags.add('*args/**kwargs')
        body = list(start)
        x = x0
        for step in steps:
            y = f'y{next(counter)}'
            if step.module is not None and '(' in step.module:
                cls, _, args = step.module.partition('(')
                if helper == 'wrap':
                    # one wrapper per layer class: def conv2d(*args, **kwargs): return nn.Conv2d(*args, **kwargs)
                    fn = cls.split('.')[-1].lower()
                    if fn not in wrappers:
                        wrappers.add(fn)
                        g.defs += [f'def {fn}(*args, **kwargs):', f'    return {cls}(*args, **kwargs)', '']
                    call = f'{fn}({args}'
                else:
                    call = f'{helper}({cls}, {args}' if args != ')' else f'{helper}({cls})'
                key = g.fresh('m')
                body += [f'{key} = {call}', f'{y} = {key}({x})']
            elif step.expr is not None:
                fn = g.fresh('op')
                g.defs += [f'def {fn}(t):', f'    out = {step.expr("t")}', '    return out', '']
                body.append(f'{y} = {fn}({x})')
            else:
                mods = {}
                for key, ctor in step.mods:
                    mods[key] = g.fresh(key)
                    body.append(f'{mods[key]} = {ctor}')
                body += step.lines(x, y, lambda k: mods[k])
            x = y
        g.body += body
        return g

    if ctx == 'class':
        init, forward = [], []
        module_lines = []
        single = rng.random() < 0.5
        names = iter(f'h{i}' for i in range(1, 100))
        lines, last = emit_chain(g, steps, 'x', 8, lambda k: f'self.{k}', lambda: next(names), module_lines, single)
        init = [f'        self.{k} = {ctor}' for k, ctor in module_lines]
        cls = rng.choice(['Net', 'Model', 'Block', 'Encoder'])
        g.defs += [f'class {cls}(nn.Module):', '    def __init__(self):', '        super().__init__()'] + init + \
            ['', '    def forward(self, x):'] + lines + [f'        return {last}', '']
        net = rng.choice(['net', 'model'])
        g.body += start + [f'{net} = {cls}()', f'out = {net}({x0})']
        if not buggy and rng.random() < 0.3:
            g.body.append(f'out2 = {net}(torch.randn({", ".join(map(str, shape))}))')
        return g

    # inline, at module level: maybe one step in an if/else, maybe statements joined by `;`
    module_lines = []
    names = iter(f'y{i}' for i in range(1, 100))
    single = rng.random() < 0.3
    body = list(start)
    x = x0
    branch_at = rng.randrange(len(steps)) if rng.random() < 0.35 else -1
    for i, step in enumerate(steps):
        if i == branch_at and (step.module is not None or step.expr is not None):
            # PyTorch raises in the branch it takes; a bug goes only under a known condition
            known = rng.random() < 0.5 or i == bug_at
            cond, value = condition(g, True if known else None)
            y = next(names)
            alt = act_step(g, step.out, False, 'inline') if rng.random() < 0.5 or not known else None
            taken = f'{y} = {step.module + "(" + x + ")" if step.module else step.expr(x)}'
            if known:
                other = f'{y} = {x}' if alt is None else f'{y} = {alt.module + "(" + x + ")" if alt.module else alt.expr(x)}'
                if value:
                    body += [f'if {cond}:', '    ' + taken, 'else:', '    ' + other]
                else:
                    body += [f'if {cond}:', '    ' + other, 'else:', '    ' + taken]
                x = y
                continue
            # unknown condition: the other branch makes the same shape another way
            other_expr = act_step(g, step.out, False, 'inline')
            other = f'{y} = {other_expr.module + "(" if other_expr.module else ""}{taken.split(" = ", 1)[1]}{")" if other_expr.module else ""}' \
                if other_expr.module else f'{y} = {other_expr.expr("(" + taken.split(" = ", 1)[1] + ")")}'
            body += [f'if {cond}:', '    ' + taken, 'else:', '    ' + other]
            x = y
            continue
        lines, x = emit_chain(g, [step], x, 0, lambda k: k, lambda: next(names), module_lines, single)
        decls = [f'{k} = {ctor}' for k, ctor in module_lines]
        module_lines.clear()
        body += decls + lines
    # an unknown branch whose shapes differ, used only by an elementwise op after it
    if not buggy and rng.random() < 0.15:
        cond, _ = condition(g, None)
        body += [f'if {cond}:', f'    u = {x}.mean(0, keepdim=True)', 'else:', f'    u = {x}', 'v = torch.tanh(u)']
    g.body += join_semicolons(g, body)
    return g


def join_semicolons(g, body):
    out = []
    for line in body:
        simple = not line.startswith((' ', 'if ', 'else', 'for ', 'def ', 'class ')) and not line.endswith((':', '(', ','))
        if out and simple and out[-1] is not None and g.rng.random() < 0.15 and not out[-1].startswith((' ', 'if ', 'else', 'for ')) \
                and not out[-1].endswith((':', '(', ',')) and len(out[-1]) + len(line) < 110:
            out[-1] = out[-1] + '; ' + line
            g.tags.add(';')
        else:
            out.append(line)
    return out


def main():
    rng = random.Random(SEED)
    programs = []
    index = 0
    drawn = discarded = 0
    while len(programs) < COUNT:
        drawn += 1
        g = make_program(index, rng)
        if g is None:
            continue
        lines = g.source()
        source = '\n'.join(lines) + '\n'
        random.seed(index)
        bindings, error = gen_shapes.run_source(source, FILENAME)
        if error is not None and error['type'] not in SHAPE_ERRORS:
            sys.exit(f'grammar bug: {error["type"]} {error["message"]} at line {error["line"]} in\n{source}')
        if (error is None) == g.buggy:
            discarded += 1  # PyTorch disagrees with the grammar's intent: draw again
            continue
        programs.append({'index': index, 'tags': sorted(g.tags), 'source': lines, 'bindings': bindings, 'error': error})
        index += 1
    with open(OUT, 'w') as f:
        f.write(encode(programs))
    rejected = sum(1 for p in programs if p['error'])
    print(f'{len(programs)} programs ({len(programs) - rejected} valid, {rejected} rejected), '
          f'{sum(len(p["bindings"]) for p in programs)} bindings; {discarded} drawn programs discarded')


def encode(programs):
    """One source line and one binding per line, so that a diff shows what changed."""
    out = ['{', f' "seed": {SEED},', ' "programs": [']
    for i, p in enumerate(programs):
        out.append('  {')
        out.append(f'   "index": {p["index"]},')
        out.append(f'   "tags": {json.dumps(p["tags"])},')
        out.append('   "source": [')
        out.append(',\n'.join('    ' + json.dumps(line) for line in p['source']))
        out.append('   ],')
        out.append('   "bindings": [' + ('' if p['bindings'] else '],'))
        if p['bindings']:
            out.append(',\n'.join('    ' + json.dumps(b) for b in p['bindings']))
            out.append('   ],')
        out.append('   "error": ' + json.dumps(p['error']))
        out.append('  }' + (',' if i < len(programs) - 1 else ''))
    out += [' ]', '}']
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    main()
