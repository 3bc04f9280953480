#!/usr/bin/python3
"""Golden fixtures for the model summary (src/python/features/summary.ts), written by PyTorch.

Each test/fixtures/python/summary/*.py file builds `model` and an input `x` (or `inputs`, a tuple)
at its top level and calls the model, as a user's script does; Conv Lab analyses the same file.
This script runs each file, then calls its model again with forward pre-hooks and hooks on every
module, and with the functional ops wrapped, and records one row per call in call order (a
module's row when its call begins, as the summary lists them):

  name     the module's name in model.named_modules() ('' for the model), or the op for a
           functional call (conv2d, conv_transpose2d, linear, matmul, @, bmm, mm; torch.bmm and x.bmm alike)
  kind     'module' or 'op'
  output   the output's shape (a list of shapes for a tuple), as PyTorch gives it
  params   sum(p.numel() for p in module.parameters(recurse=False)); 0 for an op
  macs     multiply-accumulates by definition, per call, batch included:
             Conv1d/2d/3d, F.conv*d:     output.numel() * (in_channels / groups) * prod(kernel_size)
             ConvTranspose*d, F.conv_transpose*d:
                                         input.numel() * (out_channels / groups) * prod(kernel_size)
             Linear, F.linear:           output.numel() * in_features
             matmul, @, mm, bmm:         output.numel() * a.shape[-1]  (the contracted size)
             RNN, GRU, LSTM:             the weights' elements (weight_ih, weight_hh, weight_hr;
                                         not the biases) * time steps * batch, i.e. the input's
                                         elements over its feature size (a PackedSequence's data)
             every other module:         0
A functional call made by a torch.nn layer's own forward (nn.Conv2d calls F.conv2d) is the
layer's row, not another one. Totals: parameters and trainable parameters of model.parameters()
(a shared parameter counted once), and the MACs of every row.

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_summary.py
Writes test/fixtures/python/summary/summary.json.
"""
import glob
import json
import math
import os
import runpy

import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'python', 'summary')
# Public model files kept verbatim, each with the driver that calls its model (see their CHANGES.md).
REALWORLD = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'python', 'realworld', 'valid')

CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
TRANSPOSED = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


def shape_of(value):
    if isinstance(value, torch.Tensor):
        return list(value.shape)
    if isinstance(value, (tuple, list)):
        return [shape_of(v) for v in value]
    return None


def module_macs(module, inputs, output):
    if isinstance(module, CONVS):
        return output.numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, TRANSPOSED):
        return inputs[0].numel() * (module.out_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    if isinstance(module, nn.RNNBase):
        data = inputs[0].data if isinstance(inputs[0], nn.utils.rnn.PackedSequence) else inputs[0]
        weights = sum(p.numel() for name, p in module.named_parameters() if name.startswith('weight'))
        return weights * (data.numel() // data.shape[-1])
    return 0


def op_macs(kind, args, output):
    if kind.startswith('conv_transpose'):
        weight = args[1]
        return args[0].numel() * weight.shape[1] * math.prod(weight.shape[2:])
    if kind.startswith('conv'):
        weight = args[1]
        return output.numel() * weight.shape[1] * math.prod(weight.shape[2:])
    if kind == 'linear':
        return output.numel() * args[1].shape[1]
    return output.numel() * args[0].shape[-1]


class Recorder:
    """Records every outermost module call made while it is active (a model the code calls), with
    one row per module call and per functional op inside it, in call order."""

    def __init__(self):
        self.calls = []
        self.open_rows = []
        self.names = {}
        self.builtin_depth = 0

    def pre_hook(self, module, args):
        if not self.open_rows:
            self.names = {}
            for name, sub in module.named_modules():
                self.names.setdefault(sub, name)
            self.calls.append({'model': type(module).__name__, 'input': shape_of(args[0]) if args else None, 'module': module, 'rows': []})
        row = {'name': self.names.get(module, '(not registered)'), 'kind': 'module', 'type': type(module).__name__,
               'params': sum(p.numel() for p in module.parameters(recurse=False))}
        self.calls[-1]['rows'].append(row)
        self.open_rows.append(row)
        if type(module).__module__.startswith('torch.nn'):
            self.builtin_depth += 1

    def hook(self, module, args, output):
        row = self.open_rows.pop()
        row['output'] = shape_of(output)
        row['macs'] = module_macs(module, args, output)
        if type(module).__module__.startswith('torch.nn'):
            self.builtin_depth -= 1

    def wrapped(self, kind, original):
        def op(*args, **kwargs):
            output = original(*args, **kwargs)
            if self.open_rows and self.builtin_depth == 0:
                self.calls[-1]['rows'].append({'name': kind, 'kind': 'op', 'type': kind, 'params': 0, 'output': shape_of(output), 'macs': op_macs(kind, args, output)})
            return output
        return op

    def run(self, work):
        """Calls `work()` with the hooks on every module and the functional ops wrapped."""
        handles = [torch.nn.modules.module.register_module_forward_pre_hook(self.pre_hook),
                   torch.nn.modules.module.register_module_forward_hook(self.hook)]
        patched = [(F, n) for n in ('conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'linear')]
        patched += [(owner, n) for owner in (torch, torch.Tensor) for n in ('matmul', 'mm', 'bmm')]
        saved = [(owner, n, getattr(owner, n)) for owner, n in patched]
        for owner, n, original in saved:
            setattr(owner, n, self.wrapped(n, original))
        matmul_operator = torch.Tensor.__matmul__
        torch.Tensor.__matmul__ = self.wrapped('@', matmul_operator)
        try:
            return work()
        finally:
            torch.Tensor.__matmul__ = matmul_operator
            for owner, n, original in saved:
                setattr(owner, n, original)
            for h in handles:
                h.remove()


def summary_of(call, path):
    parameters = list(call['module'].parameters())
    rows = call['rows']
    return {
        'file': os.path.basename(path),
        'model': call['model'],
        'input': call['input'],
        'rows': rows,
        'totals': {
            'params': sum(p.numel() for p in parameters),
            'trainable': sum(p.numel() for p in parameters if p.requires_grad),
            'macs': sum(r['macs'] for r in rows),
        },
    }


def record(path):
    """A fixture: the file's `model`, called again on its `x` (or `inputs`) with the hooks on."""
    torch.manual_seed(0)
    scope = runpy.run_path(path)
    model = scope['model']
    inputs = scope.get('inputs', (scope['x'],))
    recorder = Recorder()

    def call():
        with torch.no_grad():
            model(*inputs)
    recorder.run(call)
    return summary_of(recorder.calls[0], path)


def record_script(path):
    """A public model file with its driver: every model call the script makes, as it runs."""
    recorder = Recorder()
    recorder.run(lambda: runpy.run_path(path, run_name='__main__'))
    return [summary_of(call, path) for call in recorder.calls]


def main():
    files = sorted(glob.glob(os.path.join(FIXTURES, '*.py')))
    models = [record(f) for f in files]
    with open(os.path.join(FIXTURES, 'summary.json'), 'w') as out:
        json.dump({'torch': torch.__version__, 'models': models}, out, indent=1)
        out.write('\n')
    print(f'{len(models)} models, {sum(len(m["rows"]) for m in models)} rows')
    scripts = sorted(glob.glob(os.path.join(REALWORLD, '*.py')))
    calls = [summary for f in scripts for summary in record_script(f)]
    with open(os.path.join(FIXTURES, 'realworld.json'), 'w') as out:
        json.dump({'torch': torch.__version__, 'models': calls}, out, indent=1)
        out.write('\n')
    print(f'real code: {len(scripts)} files, {len(calls)} model calls, {sum(len(m["rows"]) for m in calls)} rows')


if __name__ == '__main__':
    main()
