import * as assert from 'node:assert/strict';
import { PythonDocument } from '../../../src/python';
import { analysisJson, analyzeShapes } from '../../../src/python';
import { addDims, dimText, floorDivDims, mulDims, scaleDim, symbol } from '../../../src/python/interpreter/dim';

/** `name: shape` per binding, shapes as --json prints them. */
function shapesOf(source: string): string[] {
  return analysisJson(analyzeShapes(source)).bindings.map((b) => `${b.line} ${b.name}: ${JSON.stringify(b.shape)}`);
}

function messagesOf(source: string): string[] {
  return analyzeShapes(source).diagnostics.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
}

describe('python: symbolic sizes', () => {
  it('keeps affine sizes exact and names what it cannot simplify', () => {
    const H = symbol('H');
    assert.equal(dimText(addDims(scaleDim(H, 2), -1)), '2*H - 1');
    // (2H + 2)//2 = H + 1 exactly; (H + 2 − 3)//2 cannot drop the floor: ⌊(H − 1)/2⌋ = ⌊(H + 1)/2⌋ − 1.
    assert.equal(dimText(floorDivDims(addDims(scaleDim(H, 2), 2), 2)), 'H + 1');
    assert.equal(dimText(floorDivDims(addDims(H, -1), 2)), '(H + 1)//2 - 1');
    assert.equal(dimText(mulDims(scaleDim(H, 3), symbol('W'))), '3*H*W');
    assert.equal(dimText(scaleDim(floorDivDims(H, 2), 2)), '2*(H//2)');
  });
});

describe('python: shape inference', () => {
  it('follows a module through its call site, helpers, Sequential indexing and slicing', () => {
    const source = [
      'import torch', 'import torch.nn as nn', //                               1-2
      'def block(c_in, c_out):', '    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))', // 3-4
      'class Net(nn.Module):', //                                                5
      '    def __init__(self):', '        super().__init__()', //              6-7
      '        self.features = nn.Sequential(*[block(c, 2 * c) for c in (3, 6)])', // 8
      '        self.head = nn.Linear(12 * 8 * 8, 10)', //                        9
      '    def forward(self, x):', //                                           10
      '        x = self.features(x)', //                                        11
      '        x = x.view(x.size(0), -1)', //                                   12
      '        return self.head(x)', //                                         13
      'net = Net()', 'y = net(torch.randn(5, 3, 32, 32))', //                 14-15
      'first = net.features[0](torch.randn(5, 3, 32, 32))', //                 16
      'half = net.features[:1](torch.zeros(1, 3, 8, 8))', //                   17
    ].join('\n');
    // 32 → conv pad 1 keeps 32 → pool 16 (6 ch) → 16 → pool 8 (12 ch); 12·8·8 = 768 features.
    assert.deepEqual(shapesOf(source), [
      '11 x: [5,12,8,8]', '12 x: [5,768]', '15 y: [5,10]', '16 first: [5,6,16,16]', '17 half: [1,6,4,4]',
    ]);
    assert.deepEqual(messagesOf(source), []);
  });

  it('merges if/else branches: agreeing sizes stay, differing ones become unknown; early returns end a path', () => {
    const source = [
      'import torch',
      'def f(x, flag):',
      '    if flag:',
      '        return x[:, :2]',
      '    y = x * 2',
      '    return y',
      'a = f(torch.zeros(4, 5), True)',
      'b = f(torch.zeros(4, 5), False)',
      'c = f(torch.zeros(4, 5), unknown)',
    ].join('\n');
    assert.deepEqual(shapesOf(source), ['5 y: [4,5]', '7 a: [4,2]', '8 b: [4,5]', '9 c: [4,"?"]']);
  });

  it('binds the loop variable of a loop it cannot unroll inside that loop, even when the name was bound before', () => {
    const source = [
      'import torch', 'import torch.nn as nn',
      'conv = nn.Conv2d(3, 4, 3)',
      'x = torch.zeros(1)',
      'batch = torch.zeros(100, 3, 8, 8)',
      'for x in batch:',
      '    y = conv(x)',
    ].join('\n');
    // 100 rows are too many to unroll: one pass with x a (3, 8, 8) row (the loop's own binding of
    // x, listed on line 6); unbatched conv: 8 − 3 + 1 = 6.
    assert.deepEqual(shapesOf(source), ['4 x: [1]', '5 batch: [100,3,8,8]', '6 x: [3,8,8]', '7 y: [4,6,6]']);
    assert.deepEqual(messagesOf(source), []);
  });

  it("uses a replaced kernel's shape (the seed's tconv.weight.data = K)", () => {
    const source = [
      'import torch', 'from torch import nn',
      'X = torch.tensor([[0.0, 1.0], [2.0, 3.0]]).reshape(1, 1, 2, 2)',
      'tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)',
      'tconv.weight.data = torch.ones(1, 1, 3, 3)',
      'Y = tconv(X)',
    ].join('\n');
    // (2 − 1)·1 − 0 + 1·(3 − 1) + 0 + 1 = 4 with the 3×3 kernel that replaced the 2×2 one.
    assert.deepEqual(shapesOf(source), ['3 X: [1,1,2,2]', '6 Y: [1,1,4,4]']);
  });

  it("reports PyTorch's error where it is raised, with the layer's definition as related information", () => {
    const source = [
      'import torch', 'import torch.nn as nn',
      'conv = nn.Conv2d(3, 8, 3)',
      'x = torch.randn(1, 4, 16, 16)',
      'y = conv(x)',
      'z = y + 1',
    ].join('\n');
    const analysis = analyzeShapes(source);
    const [d] = analysis.diagnostics;
    assert.equal(analysis.diagnostics.length, 1);
    assert.equal(d?.message, 'Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 16, 16] to have 3 channels, but got 4 channels instead');
    assert.equal(d?.kind, 'RuntimeError');
    assert.equal(source.slice(d?.from, d?.to), 'conv(x)');
    assert.equal(source.slice(d?.related?.from, d?.related?.to), 'nn.Conv2d(3, 8, 3)');
    // What follows an error is unknown, not a second error.
    assert.deepEqual(analysisJson(analysis).bindings.slice(-2).map((b) => b.shape), [null, null]);
  });

  it('stops a path where PyTorch raises: the rest of the function does not run, nor does the statement of its caller', () => {
    const source = [
      'import torch', 'import torch.nn as nn', //                    1-2
      'fc = nn.Linear(3, 2)', //                                     3
      'def f(x):', //                                                4
      '    y = fc(x)', //                                            5: raises, (1x4 and 3x2)
      '    z = fc(x)', //                                            6: never runs
      '    return y', //                                             7
      'def g(x):', //                                                8
      '    out = f(x)', //                                           9: raises too (the call does)
      '    return fc(x)', //                                         10: never runs
      'w = g(torch.zeros(1, 4))', //                                 11
      'v = torch.zeros(2, 2)', //                                    12: a later top-level statement still runs
    ].join('\n');
    // PyTorch 1.13: RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x4 and 3x2), at line 5 only.
    assert.deepEqual(messagesOf(source), ['5:9 linear-mismatch: mat1 and mat2 shapes cannot be multiplied (1x4 and 3x2)']);
    // The statements that raise bind nothing known; z (line 6) is never reached.
    assert.deepEqual(shapesOf(source), ['5 y: null', '9 out: null', '11 w: null', '12 v: [2,2]']);
    // A user's raise ends a path too, and a handler is the way on.
    const guarded = [
      'import torch',
      'def check(x):', '    if x.dim() != 4:', '        raise ValueError("expected 4-D input")', '    return x',
      'a = check(torch.zeros(2, 3))', //                            6: raises ValueError
      'def safe(x):', '    try:', '        return check(x)', '    except ValueError:', '        return torch.zeros(1)',
      'b = safe(torch.zeros(2, 3))', //                             12: the handler's value
    ].join('\n');
    assert.deepEqual(shapesOf(guarded), ['6 a: null', '12 b: [1]']);
  });

  it('raises constructor errors at the constructor and stays silent on valid code', () => {
    assert.deepEqual(messagesOf('import torch.nn as nn\nc = nn.Conv2d(4, 6, 3, groups=3)\n'), ['2:5 groups-not-dividing: in_channels must be divisible by groups']);
    assert.deepEqual(messagesOf("import torch.nn as nn\nc = nn.Conv2d(4, 6, 3, stride=2, padding='same')\n"), ["2:5 same-with-stride: padding='same' is not supported for strided convolutions"]);
    assert.deepEqual(messagesOf("import torch.nn as nn\nc = nn.Conv2d(4, 6, 3, padding='same')\nimport torch\ny = c(torch.rand(2, 4, 7, 9))\n"), []);
  });

  it("follows dtypes into convs: PyTorch 1.13's message for an int64 input, none after .float() or true division", () => {
    const source = 'import torch\nimport torch.nn as nn\nx = torch.arange(16).reshape(1, 1, 4, 4)\nconv = nn.Conv2d(1, 1, 3)\na = conv(x / 16)\nb = conv(x.float())\nc = conv(x)\n'
      // A device the analysis cannot read could be a dtype: unknown, so no diagnostic; a legacy type name is read.
      + 'd = conv(x.to(device_or_dtype))\ne = conv(x.type(torch.FloatTensor))\n';
    // Message from torch 1.13: nn.Conv2d(1, 1, 3)(torch.arange(16).reshape(1, 1, 4, 4)).
    assert.deepEqual(messagesOf(source), ['7:5 dtype-mismatch: Input type (long int) and bias type (float) should be the same']);
  });

  it('exposes the values of each call and the layers constructed, for hovers', () => {
    const doc = new PythonDocument('import torch\nimport torch.nn as nn\nt = nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1)\ny = t(torch.zeros(1, 4, 5, 5))\n');
    const analysis = analyzeShapes(doc);
    const ctor = doc.text.indexOf('nn.ConvTranspose2d');
    const found = analysis.layerAt({ from: ctor, to: doc.text.indexOf('\n', ctor) });
    assert.equal(found?.layer.type, 'conv');
    assert.deepEqual(found?.inputs, [[1, 4, 5, 5]]);
    const call = doc.text.indexOf('t(torch');
    const [value] = analysis.valuesAt({ from: call, to: doc.text.indexOf('\n', call) });
    // (5 − 1)·2 − 2·1 + 1·(4 − 1) + 0 + 1 = 10
    assert.deepEqual(value?.kind === 'tensor' ? value.shape : undefined, [1, 2, 10, 10]);
  });

  it('stops at its step budget on runaway code and keeps what it found', () => {
    const source = 'import torch\nx = torch.zeros(2)\ndef f(n):\n    return f(n) + f(n)\n' + 'for i in range(500):\n    for j in range(500):\n        y = x + 1\n';
    const analysis = analyzeShapes(source, { maxSteps: 20_000 });
    assert.equal(analysis.truncated, true);
    assert.equal(analysisJson(analysis).bindings[0]?.name, 'x');
  });
});
