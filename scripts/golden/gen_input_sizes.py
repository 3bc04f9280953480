#!/usr/bin/python3
"""Golden fixture for the input-size solver (src/python/features/inputSizes.ts), written by PyTorch.

For each encoder-decoder model below (the verbatim public model files of the test corpus, run as
they are, and the seed's conv/transposed-conv pair), this script sweeps each spatial size of the
input over 1..MAX with the other spatial sizes fixed, as the solver does: at the file's own input
size when PyTorch accepts it, else at the smallest size accepted on every axis at once. Batch and
channels stay the file's. For each size it records whether the forward runs (any exception is a
rejection) and whether the output (the first tensor the model returns) has the input's rank and
the input's size on that axis (the round trip).

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_input_sizes.py [FILE...]
Writes test/fixtures/python/sizes/input_sizes.json; with FILEs (as listed in MODELS), sweeps only
the models of those files and keeps the other models' records from the JSON already there.
"""
import json
import os
import runpy
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, '..', '..', 'test', 'fixtures', 'python'))
MAX = 256

# (file under test/fixtures/python, the model as Conv Lab's --model names it (a top-level variable),
#  input shape[, an edit (old text, new text) made to the file before it runs])
MODELS = [
    ('summary/unet_small.py', 'model', [1, 3, 64, 64]),
    ('summary/conv_autoencoder.py', 'model', [3, 1, 28, 28]),
    ('sizes/d2l_conv_tconv.py', 'pair', [1, 10, 16, 16]),
    ('realworld/valid/gan_pix2pix.py', 'generator', [1, 3, 256, 256]),
    ('realworld/valid/gan_cyclegan.py', 'G_AB', [1, 3, 64, 64]),
    ('realworld/valid/segnet_semseg.py', 'model', [1, 3, 64, 96]),
    ('realworld/valid/vae_vanilla.py', 'model', [2, 3, 64, 64]),
    ('realworld/valid/vae_beta.py', 'model', [2, 3, 64, 64]),
    ('realworld/valid/examples_vae.py', 'model', [4, 1, 28, 28]),
    ('realworld/valid/examples_super_resolution.py', 'model', [1, 1, 85, 85]),
    ('projects/valid/pytorch-vae/conv_lab_driver.py', 'model', [2, 3, 64, 64]),
    ('projects/valid/pytorch-semseg/conv_lab_driver.py', 'model', [1, 3, 64, 96]),
    # The same U-Net with the output_size quick fix applied (test/unit/python/outputSizeFix.test.ts
    # checks that the fix makes exactly this edit).
    ('summary/unet_small.py', 'model', [1, 3, 100, 150], ('self.up1(x3)', 'self.up1(x3, output_size=x2.shape[-2:])')),
]


def first_tensor(value):
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            if isinstance(item, torch.Tensor):
                return item
    return None


def run(model, leading, spatial):
    """(ran, the output's spatial sizes or None when it is not a tensor of the input's rank)."""
    x = torch.zeros(*leading, *spatial)
    try:
        with torch.no_grad():
            out = first_tensor(model(x))
    except Exception:  # any exception: PyTorch does not accept this size
        return False, None
    if out is None or out.dim() != x.dim():
        return True, None
    return True, list(out.shape[len(leading):])


def load(file, name, edit):
    path = os.path.join(FIXTURES, file)
    sys.path.insert(0, os.path.dirname(path))
    try:
        torch.manual_seed(0)
        if edit is None:
            return runpy.run_path(path, run_name='__conv_lab_golden__')[name]
        with open(path) as f:
            source = f.read()
        if edit[0] not in source:
            sys.exit(f'{file}: the edit finds no {edit[0]!r}')
        scope = {'__name__': '__conv_lab_golden__', '__file__': path}
        exec(compile(source.replace(edit[0], edit[1], 1), path, 'exec'), scope)
        return scope[name]
    finally:
        sys.path.pop(0)


def sweep(file, name, shape, edit=None):
    model = load(file, name, edit)
    leading, base = shape[:2], shape[2:]
    fixed = base
    if not run(model, leading, base)[0]:
        fixed = next(([s] * len(base) for s in range(1, MAX + 1) if run(model, leading, [s] * len(base))[0]), None)
    axes = []
    for axis in range(len(base)):
        accepted, restored = [], []
        for size in range(1, MAX + 1):
            spatial = list(fixed)
            spatial[axis] = size
            ran, out = run(model, leading, spatial)
            if ran:
                accepted.append(size)
                if out is not None and out[axis] == size:
                    restored.append(size)
        axes.append({'fixed': fixed, 'accepted': accepted, 'restored': restored})
        print(f'{file} axis {axis}: {len(accepted)} accepted, {len(restored)} restored', file=sys.stderr)
    record = {'file': file, 'model': name, 'input': shape, 'max': MAX, 'axes': axes}
    if edit is not None:
        record['edit'] = list(edit)
    return record


def main():
    torch.set_num_threads(1)
    out = os.path.join(FIXTURES, 'sizes', 'input_sizes.json')
    only = set(sys.argv[1:])
    unknown = only - {m[0] for m in MODELS}
    if unknown:
        sys.exit(f'not in MODELS: {", ".join(sorted(unknown))}')
    kept = {}
    if only:
        with open(out) as f:
            kept = {(m['file'], json.dumps(m.get('edit'))): m for m in json.load(f)['models']}
    models = []
    for m in MODELS:
        key = (m[0], json.dumps(list(m[3]) if len(m) > 3 else None))
        if not only or m[0] in only:
            models.append(sweep(*m))
        elif key in kept:
            models.append(kept[key])
        # Written after each model: a long run stopped halfway keeps what it swept.
        with open(out, 'w') as f:
            json.dump({'torch': torch.__version__, 'models': models}, f, indent=1)
            f.write('\n')


if __name__ == '__main__':
    main()
