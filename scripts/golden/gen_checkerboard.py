#!/usr/bin/python3
"""PyTorch's output sizes for the checkerboard hint's quick fixes (src/python/features/quickFixes.ts):
each case is a transposed conv whose kernel_size is not a multiple of its stride, and the layers
the two fixes should turn it into, written here by hand from the algebra in the comments
(out = (in - 1)*s - 2p + d*(k - 1) + op + 1; nearest Upsample by s then a stride-1 conv gives
s*in + 2p' - k' + 1). None means the fix must not be offered. PyTorch runs the original and each
fixed layer on inputs of many sizes and records the output's spatial sizes (None where it
raises); the unit tests require the fixes' text to be these layers and every size to match.

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_checkerboard.py
Writes test/fixtures/python/checkerboard/cases.json (byte-identical on re-runs).
"""
import json
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'python', 'checkerboard', 'cases.json')

# (id, original, kernel_size = 2*stride fix, Upsample + Conv fix)
CASES = [
    # c = out at in=1 = -2 + 2 + 1 + 1 = 2. k'=4: 4 - 2p' + op' = 2 -> p'=1, op'=0.
    # Upsample: 2 + 2p' - 3 + 1 = 2 -> p'=1 (out = 2*in).
    ('2d-keywords',
     'nn.ConvTranspose2d(8, 4, kernel_size=3, stride=2, padding=1, output_padding=1)',
     'nn.ConvTranspose2d(8, 4, kernel_size=4, stride=2, padding=1, output_padding=0)',
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(8, 4, kernel_size=3, padding=1))"),
    # c = 2 + 1 = 3. k'=4: 4 - 2p' + op' = 3 -> p'=1, op'=1.
    # Upsample: 2 + 2p' - k' + 1 = 3: k'=3 gives p'=1.5, k'=4 gives p'=2.
    ('2d-positional',
     'nn.ConvTranspose2d(8, 4, 3, 2)',
     'nn.ConvTranspose2d(8, 4, 4, 2, padding=1, output_padding=1)',
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(8, 4, kernel_size=4, padding=2))"),
    # c = -4 + 4 + 1 + 1 = 2. k'=4: 4 - 2p' + op' = 2 -> p'=1, op'=0.
    # Upsample: 2 + 2p' - 5 + 1 = 2 -> p'=2.
    ('1d',
     'nn.ConvTranspose1d(3, 5, kernel_size=5, stride=2, padding=2, output_padding=1)',
     'nn.ConvTranspose1d(3, 5, kernel_size=4, stride=2, padding=1, output_padding=0)',
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv1d(3, 5, kernel_size=5, padding=2))"),
    # Only D is uneven (3 % 2). D: c = -2 + 2 + 1 = 1; k'=4: 4 - 2p' + op' = 1 -> p'=2, op'=1.
    # H, W (k=4) stay. Upsample: D: 2 + 2p' - k' + 1 = 1 -> k'=4, p'=1; H, W: c = -2 + 3 + 1 = 2 -> k'=5, p'=2.
    ('3d-tuple-kernel',
     'nn.ConvTranspose3d(2, 2, kernel_size=(3, 4, 4), stride=2, padding=1)',
     'nn.ConvTranspose3d(2, 2, kernel_size=4, stride=2, padding=(2, 1, 1), output_padding=(1, 0, 0))',
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv3d(2, 2, kernel_size=(4, 5, 5), padding=(1, 2, 2)))"),
    # Only H is uneven (stride 2; W has stride 1). H: c = -2 + 2 + 1 = 1 -> k'=4, p'=2, op'=1.
    # Upsample: H: k'=4, p'=1 (as above); W: 1 + 2p' - 3 + 1 = 1 -> p'=1.
    ('2d-tuple-stride',
     'nn.ConvTranspose2d(4, 4, kernel_size=(3, 3), stride=(2, 1), padding=(1, 1))',
     'nn.ConvTranspose2d(4, 4, kernel_size=(4, 3), stride=(2, 1), padding=(2, 1), output_padding=(1, 0))',
     "nn.Sequential(nn.Upsample(scale_factor=(2, 1), mode='nearest'), nn.Conv2d(4, 4, kernel_size=(4, 3), padding=1))"),
    # groups and bias are kept. c = -2 + 2 + 1 = 1 -> k'=4, p'=2, op'=1; Upsample k'=4, p'=1.
    ('2d-groups-bias',
     'nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, groups=2, bias=False)',
     'nn.ConvTranspose2d(4, 8, 4, stride=2, padding=2, groups=2, bias=False, output_padding=1)',
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(4, 8, kernel_size=4, padding=1, groups=2, bias=False))"),
    # dilation 2 with stride 2: every tap lands on an even output offset, whatever the kernel size,
    # so k'=4 would not even the overlap out: no kernel_size fix.
    # Upsample (dilation 1): c = 2*2 + 1 = 5 = 2 + 2p' - k' + 1: k'=3 gives p'=2.5, k'=4 gives p'=3.
    ('2d-dilation',
     'nn.ConvTranspose2d(2, 2, 3, stride=2, dilation=2)',
     None,
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(2, 2, kernel_size=4, padding=3))"),
    # c = 6 + 1 = 7. k'=4: 4 - 2p' + op' = 7 needs op' = 3 + 2p' >= 3, not < stride 2: no fix.
    # Upsample: 2 + 2p' - k' + 1 = 7: k'=7 gives p'=5.5, k'=8 gives p'=6.
    ('2d-large-kernel',
     'nn.ConvTranspose2d(1, 1, 7, 2)',
     None,
     "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(1, 1, kernel_size=8, padding=6))"),
    # c = -6 + 2 + 1 = -3 (small inputs fail). k'=4: 4 - 2p' + op' = -3 -> p'=4, op'=1.
    # Upsample: 2 + 2p' - k' + 1 = -3 needs p' < 0 for k' = 3 or 4: no fix.
    ('2d-large-padding',
     'nn.ConvTranspose2d(1, 1, 3, 2, 3)',
     'nn.ConvTranspose2d(1, 1, 4, 2, 4, output_padding=1)',
     None),
]

SIZES = range(1, 11)


def output_sizes(text, dims, in_channels):
    layer = eval(text, {'nn': nn})
    sizes = []
    for n in SIZES:
        # A different size per dim, so a fix that mixes dims up shows.
        spatial = [n + d for d in range(dims)]
        try:
            with torch.no_grad():
                out = layer(torch.zeros(1, in_channels, *spatial))
            sizes.append(list(out.shape[2:]))
        except RuntimeError:
            sizes.append(None)
    return sizes


def main():
    torch.manual_seed(0)
    cases = []
    for case_id, original, even_kernel, upsample_conv in CASES:
        layer = eval(original, {'nn': nn})
        dims = len(layer.kernel_size)
        entry = {'id': case_id, 'original': original, 'evenKernel': even_kernel, 'upsampleConv': upsample_conv,
                 'inputs': [[n + d for d in range(dims)] for n in SIZES],
                 'sizes': {'original': output_sizes(original, dims, layer.in_channels)}}
        for name, text in (('evenKernel', even_kernel), ('upsampleConv', upsample_conv)):
            if text is not None:
                entry['sizes'][name] = output_sizes(text, dims, layer.in_channels)
        cases.append(entry)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
