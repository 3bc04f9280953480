// Issue #14's reach: constructs real code uses that the engine follows. Expected shapes and
// messages are worked out by hand in the comments and were checked against PyTorch 1.13.
import * as assert from 'node:assert/strict';
import { analyzeShapes, hoverAt } from '../../../src/python';
import { messagesOf, shapesOf } from './shapeQueries';

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
    // The hover says where the value came from.
    const analysis = analyzeShapes(source);
    const hover = (text: string, nth = 0): string | undefined => {
      let at = -1;
      for (let i = 0; i <= nth; i++) at = source.indexOf(text, at + 1);
      return hoverAt(analysis, at + text.length - 1)?.markdown;
    };
    assert.equal(hover('opt.nz'), '`opt.nz`: `100`, the default of --nz, as the script runs without command-line arguments');
    assert.equal(hover('opt2.nz'), '`opt2.nz`: `7`, --nz as given to parse_args');
  });

  it('follows nn.LSTM, nn.GRU and nn.RNN: outputs, hidden states, and their checks', () => {
    const source = [
      'import torch', 'from torch import nn', //                                                   1-2
      'a, (h, c) = nn.LSTM(5, 8, 2, batch_first=True, bidirectional=True)(torch.randn(3, 4, 5))', // 3
      'p, (ph, pc) = nn.LSTM(5, 8, 2, proj_size=3)(torch.randn(3, 4, 5))', //                      4
      'u, (uh, uc) = nn.LSTM(5, 8, 2, bidirectional=True)(torch.randn(3, 5))', //                  5
      'g, gh = nn.GRU(5, 8, batch_first=True)(torch.randn(3, 4, 5))', //                           6
      'o2 = nn.GRU(5, 8)(torch.randn(3, 4, 6))[0]', //                                             7
      'rnn = getattr(nn, "LSTM")(200, 200, 2)', //                                                 8
      'hidden = (torch.zeros(2, 20, 200), torch.zeros(2, 20, 200))', //                           9
      'output, hidden = rnn(torch.randn(35, 10, 200), hidden)', //                                10
    ].join('\n');
    // PyTorch 1.13: bidirectional doubles the output's features and the states' first dim; a
    // projection makes h 3 wide; an unbatched input gives unbatched states. Line 7: 6 features for
    // input_size 5; line 10: the state is for a batch of 20, the input has 10.
    assert.deepEqual(shapesOf(source), [
      '3 a: [3,4,16]', '3 h: [4,3,8]', '3 c: [4,3,8]', '4 p: [3,4,3]', '4 ph: [2,4,3]', '4 pc: [2,4,8]',
      '5 u: [3,16]', '5 uh: [4,8]', '5 uc: [4,8]', '6 g: [3,4,8]', '6 gh: [1,3,8]', '7 o2: null', '10 output: null', '10 hidden: null',
    ]);
    assert.deepEqual(messagesOf(source), [
      '7: input.size(-1) must be equal to input_size. Expected 5, got 6',
      '10: Expected hidden[0] size (2, 10, 200), got [2, 20, 200]',
    ]);
  });

  it('reads `in` on known containers and `next(model.parameters())` as a tensor', () => {
    const source = [
      'import torch', 'from torch import nn',
      "kind = 'LSTM'", "if kind in ['LSTM', 'GRU']:", '    n = 3', 'else:', '    n = 4', //            3-7
      't = torch.zeros(n)', //                                                                    8
      'm = nn.Linear(2, 2)', 'w = next(m.parameters()).new_zeros(2, n)', //                       9-10
    ].join('\n');
    // 'LSTM' is in the list, so n is 3; new_zeros takes its sizes from the call.
    assert.deepEqual(shapesOf(source), ['8 t: [3]', '10 w: [2,3]']);
  });

  it('keys dicts by numbers too, as Python hashes them (True is the key 1)', () => {
    const source = [
      'import torch',
      'd = {0.5: (48, 96), 1: (116, 232), True: 7}', //               2
      't = torch.zeros(d[0.5])', //                                   3
      'u = torch.zeros(d[1])', //                                     4
      'for k, v in d.items():', '    w = torch.zeros(v)', //          5-6
      "n = {'a': 1}.get('b', 3)", 'm = torch.zeros(n)', //           7-8
    ].join('\n');
    // Python: True == 1, so {..., True: 7} replaces the value of key 1 (the dict is {0.5: (48, 96), 1: 7}).
    assert.deepEqual(shapesOf(source), ['3 t: [48,96]', '4 u: [7]', '6 w: [48,96]', '6 w: [7]', '8 m: [3]']);
  });

  it('follows nn.MaxUnpool2d with the indices of its pool, and an output size in range', () => {
    const source = [
      'import torch', 'from torch import nn',
      'x = torch.randn(1, 4, 4, 6)', //                                             3
      'p, i = nn.MaxPool2d(2, 2, return_indices=True)(x)', //                       4
      'u = nn.MaxUnpool2d(2, 2)(p, i)', //                                          5
      'v = nn.MaxUnpool2d(2, 2)(p, i, output_size=x.size())', //                    6
      'w = nn.MaxUnpool2d(2, 2)(p, i, output_size=[9, 9])', //                      7
    ].join('\n');
    // PyTorch 1.13: (2 − 1)·2 + 2 = 4 and (3 − 1)·2 + 2 = 6; output_size's last two sizes are
    // taken; [9, 9] is outside (2, 6): PyTorch's ValueError, not followed here, so w is unknown.
    assert.deepEqual(shapesOf(source), ['3 x: [1,4,4,6]', '4 p: [1,4,2,3]', '4 i: [1,4,2,3]', '5 u: [1,4,4,6]', '6 v: [1,4,4,6]', '7 w: null']);
  });

  it('reads the legacy tensor types, Variable and nn.parallel.data_parallel', () => {
    const source = [
      'import torch', 'from torch.autograd import Variable', 'import torch.nn as nn',
      'cuda = False', 'Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor', //   4-5
      'v = Variable(Tensor(4, 1).fill_(1.0), requires_grad=False)', //                       6
      'l = torch.LongTensor(3)', 'd = torch.Tensor([1, 2])', //                              7-8
      'm = nn.Linear(3, 2)', 'x = torch.randn(5, 3)', //                                     9-10
      'if x.is_cuda:', '    y = nn.parallel.data_parallel(m, x, range(2))', 'else:', '    y = m(x)', // 11-14
      'gpu = torch.cuda.is_available()', 'T = torch.cuda.FloatTensor if gpu else torch.FloatTensor', 'w = T(4, 1).fill_(1.0)', // 15-17
      'U = torch.cuda.FloatTensor if gpu else torch.LongTensor', 'z = U(4, 1)', //                                           18-19
    ].join('\n');
    // FloatTensor(4, 1) is uninitialised 4×1; LongTensor(3) is int64 (3,); Tensor([1, 2]) holds
    // the data [1., 2.]; data_parallel gathers what m(x) gives, so both branches give (5, 2).
    // Whether a GPU is there is not known, but both types make the same float32 4×1 tensor; a float or a long one: not known.
    assert.deepEqual(shapesOf(source), ['6 v: [4,1]', '7 l: [3]', '8 d: [2]', '10 x: [5,3]', '12 y: [5,2]', '14 y: [5,2]', '15 gpu: null', '17 w: [4,1]', '18 U: null', '19 z: null']);
  });

  it('decides an `if` on `unknown and False` or `unknown or True`', () => {
    const source = [
      'import torch', 'import mystery', 'ngpu = 1',
      'if mystery.is_cuda and ngpu > 1:', '    a = torch.zeros(2, 3) + torch.zeros(4)', //  4-5
      'else:', '    a = torch.zeros(3)', //                                                 6-7
      'if mystery.flag or ngpu == 1:', '    b = torch.zeros(5)', //                         8-9
    ].join('\n');
    // ngpu > 1 is False, so the first condition is falsy whatever mystery.is_cuda is: line 5 never
    // runs (its broadcast error is not PyTorch's), and a is (3,); the second is truthy.
    assert.deepEqual(messagesOf(source), []);
    assert.deepEqual(shapesOf(source), ['7 a: [3]', '9 b: [5]']);
  });

  it('calls @staticmethod and @classmethod methods through self and the class', () => {
    const source = [
      'import torch', 'from torch import nn',
      'class M(nn.Module):', //                                          3
      '    def __init__(self):', '        super().__init__()', //        4-5
      '        self.c = self.make(3, 8)', '        self.d = M.build(8, 4)', // 6-7
      '    @staticmethod', '    def make(a, b):', '        return nn.Conv2d(a, b, 3)', // 8-10
      '    @classmethod', '    def build(cls, a, b):', '        return nn.Conv2d(a, b, 1)', // 11-13
      '    def forward(self, x):', '        return self.d(self.c(x))', // 14-15
      'y = M()(torch.randn(1, 3, 8, 8))', //                             16
    ].join('\n');
    // A static method gets no self, a classmethod the class: 3→8 channels, 8 − 3 + 1 = 6; then 8→4 by a 1×1 conv.
    assert.deepEqual(shapesOf(source), ['16 y: [1,4,6,6]']);
    assert.deepEqual(messagesOf(source), []);
  });

  it('follows lambdas (a LambdaLayer shortcut) and reports an error raised inside one at its call', () => {
    const source = [
      'import torch', 'import torch.nn as nn', 'import torch.nn.functional as F',
      'class LambdaLayer(nn.Module):', '    def __init__(self, lambd):', '        super().__init__()', '        self.lambd = lambd', //  4-7
      '    def forward(self, x):', '        return self.lambd(x)', //                                                        8-9
      'planes = 32', 'pad = LambdaLayer(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4), "constant", 0))', // 10-11
      'y = pad(torch.randn(2, 16, 32, 32))', //                                                                              12
      'scale = lambda t, k=3: t * k', 'z = scale(torch.ones(4))', //                                                         13-14
      'bad = lambda t: t + torch.ones(5)', 'w = bad(torch.ones(4))', //                                                      15-16
    ].join('\n');
    // Option A's shortcut: every other row and column (32 → 16), channels padded by 8 on each side (16 → 32).
    assert.deepEqual(shapesOf(source), ['12 y: [2,32,16,16]', '14 z: [4]', '16 w: null']);
    assert.deepEqual(messagesOf(source), ['15: The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 0']);
  });

  it('knows the string module\'s alphabets (a char-level model\'s one-hot size)', () => {
    const source = ['import string', 'import torch', 'all_letters = string.ascii_letters + " .,;\'"', 'x = torch.zeros(1, len(all_letters))'].join('\n');
    // 52 letters and 5 more characters.
    assert.deepEqual(shapesOf(source), ['4 x: [1,57]']);
  });

  it('computes math.log, math.exp and math.gcd (a positional encoding\'s sizes, an overlap-add\'s frame)', () => {
    const source = [
      'import math', 'import torch',
      'd_model = 200', 'div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))', // 3-4
      'step = math.gcd(12, 18)', 'frames = torch.zeros(24 // step)', //                                              5-6
      'e = torch.zeros(int(math.exp(2)))', 'bad = torch.zeros(int(math.log(-1)))', //                                 7-8
    ].join('\n');
    // arange(0, 200, 2) has 100 elements; gcd(12, 18) = 6, 24 // 6 = 4; int(e²) = int(7.389…) = 7; log(-1) raises in Python: unknown, not a shape.
    assert.deepEqual(shapesOf(source), ['4 div_term: [100]', '6 frames: [4]', '7 e: [7]', '8 bad: null']);
  });

  it('reads Tensor.unfold: windows of a size every step along a dim (an overlap-add\'s frame indices)', () => {
    const source = [
      'import torch', 'a = torch.arange(0, 200).unfold(0, 2, 1)', 'b = torch.zeros(3, 10, 4).unfold(1, 4, 3)', 'c = torch.zeros(5).unfold(0, 6, 1)',
      'd = torch.zeros(2).new_tensor(a).long()', //                                                                   5
    ].join('\n');
    // (200 − 2)//1 + 1 = 199 windows of 2; (10 − 4)//3 + 1 = 3 windows of 4 appended last; a window of 6 over 5 PyTorch refuses: unknown.
    // new_tensor(a) copies a: its shape.
    assert.deepEqual(shapesOf(source), ['2 a: [199,2]', '3 b: [3,3,4,4]', '4 c: null', '5 d: [199,2]']);
    assert.deepEqual(messagesOf(source), []);
  });

  it('reads list.index (a category\'s number as a class index)', () => {
    const source = [
      'import torch', "cats = ['French', 'German', 'Greek']", "i = cats.index('German')", 'a = torch.zeros(i + 1)',
      "b = torch.LongTensor([cats.index('Dutch')])", "j = cats.index(input())", 'c = torch.zeros(j)',
    ].join('\n');
    // 'German' is at 1: a has 2 elements; 'Dutch' is not there (Python raises ValueError, not reported: b is not
    // known); input() is not known: neither is j.
    assert.deepEqual(shapesOf(source), ['4 a: [2]', '5 b: null', '7 c: null']);
    assert.deepEqual(messagesOf(source), []);
  });

  it('copy.deepcopy copies the lists inside; copy.copy shares them', () => {
    const source = [
      'import copy', 'import torch', 'cfg = {"dims": [1, 2]}', 'deep = copy.deepcopy(cfg)', 'shallow = copy.copy(cfg)',
      'cfg["dims"].append(3)', 'a = torch.zeros(len(deep["dims"]))', 'b = torch.zeros(len(shallow["dims"]))',
    ].join('\n');
    // The deep copy keeps [1, 2] (2 items); the shallow one shares the list appended to (3 items).
    assert.deepEqual(shapesOf(source), ['7 a: [2]', '8 b: [3]']);
  });
  it('chains comparisons as Python does, and reads `is not` and `not in`', () => {
    const source = [
      'import torch', 'from torch import nn', 'n = 5',
      'a = torch.zeros(2) if 0 <= n < 3 else torch.zeros(3, 3)', //                    4
      'b = torch.zeros(2) if n < 7 < n else torch.zeros(4)', //                         5
      'c = torch.zeros(2) if 1 < n <= 5 != 6 else torch.zeros(4)', //                   6
      'class Block(nn.Module):', //                                                      7
      '    def __init__(self, downsample=None):', //                                     8
      '        super().__init__(); self.downsample = downsample', //                      9
      '    def forward(self, x):', //                                                     10
      '        if self.downsample is not None: x = self.downsample(x)', //                11
      '        return x', //                                                              12
      'd = Block()(torch.zeros(1, 4, 8, 8))', //                                          13
      'e = Block(nn.Conv2d(4, 6, 1))(torch.zeros(1, 4, 8, 8))', //                        14
      'f = torch.zeros(1) if 3 not in [1, 2] else torch.zeros(2)', //                     15
    ].join('\n');
    // Python: 0 <= 5 < 3 is (0 <= 5) and (5 < 3), False: a is (3, 3), not the (2,) of (0 <= 5) < 3 = True < 3.
    // 5 < 7 < 5: False, b is (4,). 1 < 5 <= 5 != 6: all three hold, c is (2,).
    // Block(): downsample is None, forward returns x as it came, (1, 4, 8, 8); with a 1×1 conv to 6 channels,
    // (1, 6, 8, 8). 3 is not in [1, 2]: f is (1,).
    assert.deepEqual(shapesOf(source).filter((s) => !s.startsWith('11 ')), ['4 a: [3,3]', '5 b: [4]', '6 c: [2]', '13 d: [1,4,8,8]', '14 e: [1,6,8,8]', '15 f: [1]']);
    assert.deepEqual(messagesOf(source), []);
  });
});
