// Issue #14's soundness rules, one case each: never a wrong concrete size, never a diagnostic on
// code PyTorch runs, and when unsure, unknown. Expected shapes are worked out by hand in the
// comments (and were checked against PyTorch 1.13 when the cases were written).
import * as assert from 'node:assert/strict';
import { analyzeShapes } from '../../../src/python';
import { messagesOf, shapesOf } from './shapeQueries';

describe('python: shape soundness (issue #14)', () => {
  it('runs every statement of a line joined by `;`', () => {
    const source = ['import torch', 'n = 2', 'n = 5; m = 1', 'a = torch.randn(n)'].join('\n');
    // n is 5 when line 4 runs.
    assert.deepEqual(shapesOf(source), ['4 a: [5]']);
  });

  it('follows in-place list methods: reverse, sort, insert, remove, pop, clear', () => {
    const source = [
      'import torch', 'from torch import nn', //                               1-2
      'dims = [8, 16, 32]', 'dims.reverse()', //                               3-4
      'layers = []', 'c = 32', //                                              5-6
      'for d in dims:', '    layers.append(nn.Conv2d(c, d, 3, padding=1))', '    c = d', // 7-9
      'y = nn.Sequential(*layers)(torch.randn(1, 32, 8, 8))', //               10
      'a = [4, 2, 9]', 'b = a', 'a.sort(reverse=True)', 't1 = torch.zeros(b)', // 11-14
      'a.insert(-1, 7)', 't2 = torch.zeros(a)', //                             15-16
      'a.remove(9)', 'a.pop(0)', 't3 = torch.zeros(a)', //                     17-19
      'a.clear()', 'a.append(3)', 't4 = torch.zeros(a)', //                    20-22
    ].join('\n');
    // dims reversed: [32, 16, 8]; convs 32→32→16→8 with padding 1 keep 8×8: (1, 8, 8, 8).
    // a sorted descending is [9, 4, 2] and b is the same list; insert(-1, 7) puts 7 before the
    // last item: [9, 4, 7, 2]; remove(9) then pop(0): [7, 2]; clear then append(3): [3].
    assert.deepEqual(shapesOf(source), ['10 y: [1,8,8,8]', '14 t1: [9,4,2]', '16 t2: [9,4,7,2]', '19 t3: [7,2]', '22 t4: [3]']);
    assert.deepEqual(messagesOf(source), []);
  });

  it('a list changed in a way it cannot follow keeps its length with unknown items, or becomes unknown', () => {
    const source = [
      'import torch', 'import mystery',
      'a = [3, 1]', 'a.sort(key=mystery.key)', 't1 = torch.zeros(a)', 'n = len(a)', 'k = torch.zeros(n)', // 3-7
      'b = [1]', 'b.extend(mystery.items)', 't2 = torch.zeros(b)', //          8-10
    ].join('\n');
    // Sorted by an unknown key, a still has two items, order unknown: zeros(a) unknown, len(a) = 2.
    assert.deepEqual(shapesOf(source), ['5 t1: null', '7 k: [2]', '10 t2: null']);
  });

  it('after an `if` whose condition is unknown, a name rebound to an unknown value in one branch is unknown', () => {
    const source = [
      'import torch', 'from torch import nn', 'import mystery', //              1-3
      'x = torch.randn(1, 4, 8, 8)', 'conv = nn.Conv2d(4, 8, 3, padding=1)', // 4-5
      'identity = x', 'out = conv(x)', //                                       6-7
      'if mystery.flag:', '    identity = mystery.down(x)', //                  8-9
      'out += identity', 'z = identity', //                                     10-11
    ].join('\n');
    // identity is (1, 4, 8, 8) on one path and unknown on the other: no broadcast error at line 10.
    assert.deepEqual(messagesOf(source), []);
    assert.deepEqual(shapesOf(source).slice(-2), ['10 out: [1,8,8,8]', '11 z: null']);
  });

  it('an op after one it could not follow gives unknown, not fresh symbols', () => {
    const source = [
      'import torch', 'from torch import nn', 'import mystery',
      'x = torch.randn(1, 3, 128, 128)', 'h = mystery.gen(x)', 'y = nn.Conv2d(3, 3, 7)(h)', // 4-6
      'z = nn.Linear(20, 5)(h)', 'w = z.permute(0, 2, 1)', //                     7-8
    ].join('\n');
    // h could be anything, so y and z could be too: nothing is said, and no rank error on line 8.
    assert.deepEqual(shapesOf(source), ['4 x: [1,3,128,128]', '5 h: null', '6 y: null', '7 z: null', '8 w: null']);
    assert.deepEqual(messagesOf(source), []);
  });

  it('a value read from a parameter is not the parameter: `x.view(...)`, `n + 1`, `x[0]` lose its name', () => {
    const source = [
      'import torch', 'from torch import nn',
      'def f(x, n):', //                                                          3
      '    v = nn.Conv2d(8, 8, 3)(x.view(-1, 8, 7, 7))', //                       4
      '    t = torch.zeros(n + 1)', //                                            5
      '    return v, t',
    ].join('\n');
    // x and n are parameters no call gives. x.view(...) is not x: its sizes are not (N, C, H, W);
    // n + 1 is not n. Both unknown.
    assert.deepEqual(shapesOf(source), ['4 v: null', '5 t: null']);
  });

  it('keeps stand-ins for unknown sizes out of messages, and makes no check that depends on them', () => {
    const source = [
      'import torch', 'from torch import nn',
      'class M(nn.Module):', //                                                   3
      '    def __init__(self):', '        super().__init__()', //                  4-5
      '        self.a = nn.Conv2d(3, 8, 3)', '        self.b = nn.Conv2d(4, 16, 3)', // 6-7
      '        self.t = nn.ConvTranspose2d(8, 8, 3, stride=2)', //                8
      '    def forward(self, x):', //                                             9
      '        h = self.a(x)', //                                                 10
      '        u = self.t(h, output_size=[100, 100])', //                         11
      '        return self.b(h)', //                                              12
    ].join('\n');
    // Line 11: [100, 100] is a valid output size when h is 49×49 (valid: 99 to 100): not an error for every
    // input, so none. Line 12: h has 8 channels for every input and b wants 4: PyTorch's message,
    // with the sizes it cannot know named as symbols.
    assert.deepEqual(messagesOf(source), [
      '12: Given groups=1, weight of size [16, 4, 3, 3], expected input[N, 8, H - 2, W - 2] to have 4 channels, but got 8 channels instead',
    ]);
    assert.deepEqual(shapesOf(source), ['10 h: ["N",8,"H - 2","W - 2"]', '11 u: ["N",8,"?","?"]']);
  });

  it('a max pool with return_indices=True gives the pair (output, int64 indices)', () => {
    const source = [
      'import torch', 'from torch import nn', 'import torch.nn.functional as F',
      'a = torch.randn(2, 16, 90, 120)', //                                        4
      'pooled, ind = nn.MaxPool2d(2, return_indices=True)(a)', //                   5
      'p2, i2 = F.max_pool2d(a, 2, return_indices=True)', //                        6
      'q, qi = nn.AdaptiveMaxPool2d((3, 4), return_indices=True)(a)', //           7
      'import mystery', 'r = nn.MaxPool2d(2, return_indices=mystery.flag)(a)', //   8-9
    ].join('\n');
    // 90×120 pooled by 2: 45×60; adaptive to 3×4. With an unknown flag the result may be a pair: unknown.
    assert.deepEqual(shapesOf(source), [
      '4 a: [2,16,90,120]', '5 pooled: [2,16,45,60]', '5 ind: [2,16,45,60]', '6 p2: [2,16,45,60]', '6 i2: [2,16,45,60]',
      '7 q: [2,16,3,4]', '7 qi: [2,16,3,4]', '9 r: null',
    ]);
    const dtypes = analyzeShapes(source).bindings.filter((b) => b.name === 'ind' || b.name === 'qi').map((b) => b.dtype);
    assert.deepEqual(dtypes, ['int64', 'int64']);
  });

  it('pools check what each of PyTorch\'s pool kernels checks, in its wording', () => {
    const lines = (body: string) => ['import torch', 'from torch import nn', body].join('\n');
    // PyTorch 1.13, each run. A 1-D max pool without indices runs ATen's max_pool1d (an empty
    // output allowed, its own wording) on an input that needs no gradient, else the pool with
    // indices: a randn input does not; a Linear's output does, except under torch.no_grad().
    assert.deepEqual(shapesOf(lines('a = nn.MaxPool1d(17)(torch.randn(4, 4, 15))')), ['3 a: [4,4,0]']);
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool1d(2, padding=2)(torch.randn(2, 4, 10))')), [
      '3: max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2',
    ]);
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool1d(5, stride=1)(torch.randn(1, 1, 2))')), ['3: max_pool1d() Invalid computed output size: -2']);
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool1d(2)(torch.randn(9))')), [
      '3: max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[9]',
    ]);
    const tooSmall = '3: Given input size: (4x1x15). Calculated output size: (4x1x0). Output size is too small';
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool1d(17)(nn.Linear(15, 15)(torch.randn(4, 4, 15)))')), [tooSmall]);
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool1d(17)(torch.randn(4, 4, 15, requires_grad=True) * 2)')), [tooSmall]);
    assert.deepEqual(shapesOf(lines('with torch.no_grad():\n    a = nn.MaxPool1d(17)(nn.Linear(15, 15)(torch.randn(4, 4, 15)))')), ['4 a: [4,4,0]']);
    // detach(), .data and requires_grad_() / `.requires_grad =` change the flag the path depends on.
    assert.deepEqual(shapesOf(lines('a = nn.MaxPool1d(17)(nn.Linear(15, 15)(torch.randn(4, 4, 15)).detach())')), ['3 a: [4,4,0]']);
    assert.deepEqual(messagesOf(lines('x = torch.randn(4, 4, 15)\nx.requires_grad_()\na = nn.MaxPool1d(17)(x)')), [tooSmall.replace('3:', '5:')]);
    assert.deepEqual(shapesOf(lines('x = torch.randn(4, 4, 15, requires_grad=True)\nx.requires_grad = False\na = nn.MaxPool1d(17)(x)')), ['3 x: [4,4,15]', '5 a: [4,4,0]']);
        // In a function, whether autograd is on depends on its callers: only what both paths say.
    assert.deepEqual(shapesOf(lines('def f(x):\n    a = nn.MaxPool1d(17)(nn.Linear(15, 15)(x))\n    return a\nb = f(torch.randn(4, 4, 15))')), ['4 a: [4,4,"?"]', '6 b: [4,4,"?"]']);
    // AvgPool1d runs as a 2-D pool over (C, 1, L); AvgPool3d checks the unpadded input against the kernel first.
    assert.deepEqual(messagesOf(lines('a = nn.AvgPool1d(17)(torch.randn(4, 4, 15))')), [tooSmall]);
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool1d(17, return_indices=True)(torch.randn(4, 4, 15))')), [tooSmall]);
    assert.deepEqual(messagesOf(lines('a = nn.AvgPool3d(3, padding=1)(torch.randn(1, 1, 3, 2, 2))')), [
      '3: input image (T: 3 H: 2 W: 2) smaller than kernel size (kT: 3 kH: 3 kW: 3)',
    ]);
    assert.deepEqual(shapesOf(lines('a = nn.MaxPool3d(3, padding=1)(torch.randn(1, 1, 3, 2, 2))')), ['3 a: [1,1,1,1,1]']);
    assert.deepEqual(messagesOf(lines('a = nn.MaxPool3d(2)(torch.randn(2, 9, 9))')), ['3: non-empty 4D or 5D (batch mode) tensor expected for input']);
  });

  it('names the last mismatching dimension of a broadcast, as ATen does; InstanceNorm needs more than one spatial element', () => {
    const lines = (body: string) => ['import torch', 'from torch import nn', body].join('\n');
    // PyTorch 1.13: infer_size walks from the last dimension; F.instance_norm's _verify_spatial_size.
    assert.deepEqual(messagesOf(lines('c = torch.randn(4, 32, 16, 16) + torch.randn(4, 32, 32, 32)')), [
      '3: The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3',
    ]);
    assert.deepEqual(messagesOf(lines('y = nn.InstanceNorm2d(512)(torch.randn(1, 512, 1, 1))')), [
      '3: Expected more than 1 spatial element when training, got input size torch.Size([1, 512, 1, 1])',
    ]);
    // With running stats tracked, eval() would use them and skip the check: not certain, not said.
    assert.deepEqual(messagesOf(lines('y = nn.InstanceNorm2d(512, track_running_stats=True)(torch.randn(1, 512, 1, 1))')), []);
  });

  it('refuses a `view` across the strides of a permuted or expanded tensor, as PyTorch does, values known or not', () => {
    const source = [
      'import torch',
      'y = torch.randn(2, 3, 4).transpose(1, 2).view(2, -1)', //                   2
      'z = torch.randn(2, 3, 4).transpose(1, 2).contiguous().view(2, -1)', //      3
      'w = torch.randn(2, 3, 4).permute(0, 2, 1).reshape(2, -1)', //               4
      'u = torch.randn(2, 3, 4).transpose(1, 2).view(2, 4, 3)', //                 5
      'v = torch.randn(1, 3, 4).transpose(0, 1).view(3, 4)', //                    6
      'e = torch.randn(3, 1).expand(3, 4).view(12)', //                            7
    ].join('\n');
    // PyTorch 1.13: lines 2 and 7 raise; contiguous() and reshape copy; a view that keeps the
    // permuted dims apart (line 5) or only drops a size-1 dim (line 6) is allowed.
    const refused = "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";
    assert.deepEqual(messagesOf(source), [`2: ${refused}`, `7: ${refused}`]);
    assert.deepEqual(shapesOf(source), ['2 y: null', '3 z: [2,12]', '4 w: [2,12]', '5 u: [2,4,3]', '6 v: [3,4]', '7 e: null']);
  });

  it('indexing what an LSTM returns gives no rank error downstream', () => {
    const source = [
      'import torch', 'from torch import nn',
      'class M(nn.Module):',
      '    def __init__(self):', '        super().__init__()',
      '        self.lstm = nn.LSTM(10, 20, batch_first=True)', '        self.fc = nn.Linear(20, 5)',
      '    def forward(self, x):', '        h = self.lstm(x)[0]', '        return self.fc(h).permute(0, 2, 1)', // 8-10
      'y = M()(torch.randn(3, 7, 10))', //                                          11
    ].join('\n');
    // PyTorch: h (3, 7, 20), fc → (3, 7, 5), permute → (3, 5, 7). Not followed yet: unknown, and no error.
    assert.deepEqual(messagesOf(source), []);
  });

  it('a call Python rejects (a required argument missing) ends its path: no diagnostic after it', () => {
    const source = [
      'import torch', 'from torch import nn',
      'def make(a, b):', '    return nn.Conv2d(3, 8, 3)',
      'c = make(3)', 'y = c(torch.randn(1, 4, 8, 8))', //                          5-6
    ].join('\n');
    // make(3) raises TypeError (missing b): line 6 never runs, so its channel mismatch is never raised.
    assert.deepEqual(messagesOf(source), []);
    assert.deepEqual(shapesOf(source), ['5 c: null', '6 y: null']);
  });
});
