// Issue #14's reach: constructs real code uses that the engine follows. Expected shapes and
// messages are worked out by hand in the comments and were checked against PyTorch 1.13.
import * as assert from 'node:assert/strict';
import { analysisJson, analyzeShapes } from '../../../src/python';

function shapesOf(source: string): string[] {
  return analysisJson(analyzeShapes(source)).bindings.map((b) => `${b.line} ${b.name}: ${JSON.stringify(b.shape)}`);
}

function messagesOf(source: string): string[] {
  return analyzeShapes(source).diagnostics.map((d) => `${d.line}: ${d.message}`);
}

describe('python: shape inference on constructs of real code (issue #14)', () => {
  it('forwards *args and **kwargs into constructors, and expands a known dict with **', () => {
    const source = [
      'import torch', 'from torch import nn',
      'def conv2d(*args, **kwargs): return nn.Conv2d(*args, **kwargs)', //            3
      'def make(cls, *args, **kwargs): return cls(*args, **kwargs)', //               4
      'x = torch.randn(2, 3, 8, 8)', //                                                5
      'y = conv2d(3, 4, 3, padding=1)(x); z = make(nn.Conv2d, 3, 4, 3, padding=1)(x)', // 6
      'class Net(nn.Module):', //                                                      7
      '    def __init__(self, n_input_channels=3):', //                                8
      '        super().__init__(); self.conv1 = nn.Conv3d(n_input_channels, 64, 7, padding=3)', // 9
      '    def forward(self, x): return self.conv1(x)', //                             10
      'def generate_model(**kwargs): return Net(**kwargs)', //                         11
      'out = generate_model(n_input_channels=2)(torch.randn(1, 3, 16, 16, 16))', //    12
      "opts = {'kernel_size': 3, 'padding': 1}", //                                    13
      'q = nn.Conv2d(3, 5, **opts)(x)', //                                             14
    ].join('\n');
    // 3×3 convs with padding 1 keep 8×8; conv1 was built for 2 channels and gets 3: PyTorch's
    // channel error at line 10 (where forward calls it), and out is unknown.
    assert.deepEqual(shapesOf(source), ['5 x: [2,3,8,8]', '6 y: [2,4,8,8]', '6 z: [2,4,8,8]', '12 out: null', '14 q: [2,5,8,8]']);
    assert.deepEqual(messagesOf(source), [
      '10: Given groups=1, weight of size [64, 2, 7, 7, 7], expected input[1, 3, 16, 16, 16] to have 2 channels, but got 3 channels instead',
    ]);
  });

  it('an unknown *spread leaves the positions after it unknown', () => {
    const source = [
      'import torch', 'import mystery',
      'def f(a, b=4, c=5):', '    return torch.zeros(a, b, c)',
      't = f(2, *mystery.items, 7)', 'u = f(2, *[], 7)',
    ].join('\n');
    // After *unknown, 7 may be b or c (or too many): t unknown. With an empty list, 7 is b: (2, 7, 5).
    assert.deepEqual(shapesOf(source).filter((s) => !s.startsWith('4 ')), ['5 t: null', '6 u: [2,7,5]']);
  });

  it('reads argparse: defaults (through `type`), flags, a given list; a required argument is unknown', () => {
    const source = [
      'import argparse', 'import torch', //                                              1-2
      "parser = argparse.ArgumentParser(description='x')", //                             3
      "parser.add_argument('--nz', type=int, default=100)", //                            4
      "parser.add_argument('--ngf', type=int, default='64')", //                          5
      "parser.add_argument('--cuda', action='store_true')", //                            6
      "parser.add_argument('--dataroot', required=True)", //                              7
      "parser.add_argument('-b', '--batch-size', type=int, default=4)", //                8
      'opt = parser.parse_args()', //                                                     9
      'noise = torch.randn(opt.batch_size, int(opt.nz), 1, 1)', //                        10
      'g = torch.zeros(opt.ngf)', //                                                      11
      "opt2 = parser.parse_args(['--nz', '7', '--batch-size=3', '--cuda', '--dataroot', 'x'])", // 12
      'n2 = torch.randn(opt2.batch_size, opt2.nz)', //                                    13
      'd = torch.zeros(opt.dataroot)', //                                                 14
      'n3 = torch.zeros(parser.parse_args([]).nz)', //                                    15
    ].join('\n');
    // argparse: --batch-size's dest is batch_size; the str default '64' goes through type=int;
    // the given list sets nz 7 and batch_size 3. --dataroot is required: unknown without a list,
    // and a list without it makes argparse exit (line 15 never finishes).
    assert.deepEqual(shapesOf(source), ['10 noise: [4,100,1,1]', '11 g: [64]', '13 n2: [3,7]', '14 d: null', '15 n3: null']);
    assert.deepEqual(messagesOf(source), []);
  });
});
