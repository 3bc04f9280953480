#!/usr/bin/python3
"""Golden fixtures for the float32 fast path (src/core/kernels/fast.ts, assembly/kernels.ts),
written by PyTorch: shapes that reach the paths the small random configurations of gen_ops.py do
not (wide rows packed 8 at a time at stride 1 and 2, the depthwise kernel's 32-, 16-, 4- and 1-wide
steps, several im2col chunks, many transposed-conv classes sharing panels, output channels not a
multiple of the panel height, padding modes with strided wide rows, long 1-D and 3-D inputs).

Run with the interpreter that has torch 1.13:  /usr/bin/python3 scripts/golden/gen_fast.py
Writes test/fixtures/fast/cases.json and cases.bin, in gen_ops.py's format.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_ops import Blob, call, valid_case  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'fast')

# (id, op, args, input shape, weight shape, bias)
CASES = [
    ('stride2-wide', 'conv2d', {'stride': 2, 'padding': 1}, [1, 3, 9, 40], [6, 3, 3, 3], True),
    ('stride1-wide-tails', 'conv2d', {'padding': 1}, [1, 5, 7, 37], [6, 5, 3, 3], True),
    ('dilated-wide', 'conv2d', {'dilation': 2, 'padding': 2}, [1, 4, 8, 29], [7, 4, 3, 3], False),
    ('depthwise-wide', 'conv2d', {'groups': 6, 'padding': 1}, [1, 6, 5, 37], [6, 1, 3, 3], True),
    ('depthwise-multiplier', 'conv2d', {'groups': 4, 'padding': [0, 2]}, [2, 4, 6, 21], [8, 1, 3, 5], True),
    ('many-chunks', 'conv2d', {'padding': 1}, [1, 96, 12, 12], [5, 96, 3, 3], True),
    ('batch-columns', 'conv2d', {'stride': [1, 2], 'padding': 1}, [3, 4, 6, 19], [9, 4, 3, 3], True),
    ('c1', 'conv2d', {'stride': 3, 'padding': 2}, [1, 10, 16, 16], [20, 10, 5, 5], True),
    ('c2', 'conv_transpose2d', {'stride': 3, 'padding': 2}, [1, 20, 6, 6], [20, 10, 5, 5], True),
    ('transposed-shared-panels', 'conv_transpose2d', {'stride': 8, 'padding': 4}, [1, 3, 4, 4], [3, 5, 16, 16], True),
    ('transposed-groups', 'conv_transpose2d', {'stride': 2, 'dilation': 2, 'groups': 2, 'outputPadding': 1}, [2, 6, 5, 9], [6, 5, 3, 3], True),
    ('transposed-wide', 'conv_transpose2d', {'stride': 2, 'padding': 1}, [1, 7, 6, 20], [7, 6, 4, 4], True),
    ('reflect-strided', 'conv2d', {'stride': [1, 2], 'padding': 2, 'paddingMode': 'reflect'}, [1, 2, 10, 33], [3, 2, 3, 3], True),
    ('circular', 'conv2d', {'padding': [1, 3], 'paddingMode': 'circular'}, [1, 3, 7, 18], [5, 3, 3, 4], True),
    ('replicate-3d', 'conv3d', {'padding': 1, 'paddingMode': 'replicate'}, [1, 2, 5, 6, 20], [3, 2, 3, 3, 3], True),
    ('conv1d-long', 'conv1d', {'stride': 2, 'padding': 3}, [2, 3, 101], [5, 3, 7], True),
    ('transposed1d-long', 'conv_transpose1d', {'stride': 3, 'padding': 1}, [1, 4, 40], [4, 6, 5], True),
    ('transposed3d', 'conv_transpose3d', {'stride': 2, 'padding': 1}, [1, 3, 3, 4, 9], [3, 2, 3, 3, 3], True),
]


def main():
    torch.manual_seed(20261125)
    blob = Blob()
    cases = []
    for case_id, op, args, xs, ws, has_bias in CASES:
        x = torch.randn(xs)
        w = torch.randn(ws)
        out_channels = ws[1] * args.get('groups', 1) if op.startswith('conv_transpose') else ws[0]
        b = torch.randn(out_channels) if has_bias else None
        with torch.no_grad():
            y = call(op, args, x, w, b)
        cases.append(valid_case(blob, f'fast-{case_id}', op, args, x, w, b, y))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'cases.bin'), 'wb') as f:
        for part in blob.parts:
            f.write(part)
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump({'generator': 'scripts/golden/gen_fast.py', 'torch': torch.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'{len(cases)} cases, cases.bin: {blob.size} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
