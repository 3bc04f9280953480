// Reading conv layer constructors: PyTorch's positional signatures (Conv: in, out, kernel_size,
// stride, padding, dilation, groups, bias, padding_mode; ConvTranspose: in, out, kernel_size,
// stride, padding, output_padding, groups, bias, dilation), keywords, and which layer is nearest.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layerConstructors, nearestLayerAbove } from '../../../src/python/layerArgs';
import { PythonDocument } from '../../../src/python/parse';
import { repoRoot } from '../helpers';

const SEED = fs.readFileSync(path.join(repoRoot(), 'examples', 'transposed_conv.py'), 'utf8');

describe('python: layer constructors', () => {
  it("reads the seed's layers, keywords only, kernel size and bias left to the tensors", () => {
    const layers = layerConstructors(new PythonDocument(SEED));
    assert.deepEqual(layers.map((l) => [l.callee, l.kind, l.spatialDims, l.opArgsText]), [
      ['nn.ConvTranspose2d', 'convTranspose', 2, ''], // cell 89: kernel_size=2, bias =False
      ['nn.ConvTranspose2d', 'convTranspose', 2, 'padding=1'], // cell 90
      ['nn.ConvTranspose2d', 'convTranspose', 2, 'stride=2'], // cell 91
      ['nn.Conv2d', 'conv', 2, 'stride=3, padding=2'], // cell 92, in signature order
      ['nn.ConvTranspose2d', 'convTranspose', 2, 'stride=3, padding=2'],
    ]);
  });

  it('maps positionals by each signature: dilation is 6th for Conv, output_padding 6th and dilation 9th for ConvTranspose', () => {
    const doc = new PythonDocument([
      'a = torch.nn.Conv1d(1, 2, 3, 2, 1, 3, 1, False, "reflect")',
      'b = ConvTranspose3d(4, 4, 3, (2, 1, 1), 1, 1, 2, True, 2)',
    ].join('\n'));
    assert.deepEqual(layerConstructors(doc).map((l) => [l.kind, l.spatialDims, l.opArgsText]), [
      ['conv', 1, `stride=2, padding=1, dilation=3, groups=1, padding_mode="reflect"`],
      ['convTranspose', 3, 'stride=(2, 1, 1), padding=1, output_padding=1, groups=2, dilation=2'],
    ]);
  });

  it('lists arguments that are not literals as unread instead of guessing them', () => {
    const [layer] = layerConstructors(new PythonDocument('p = 1\nc = nn.Conv2d(1, 1, 3, padding=p, stride = 2)'));
    assert.equal(layer?.opArgsText, 'stride=2');
    assert.deepEqual(layer?.unread, ['padding=p']);
  });

  it('ignores calls that are not conv layers', () => {
    assert.deepEqual(layerConstructors(new PythonDocument('x = nn.Linear(2, 3)\ny = F.conv2d(x, w, padding=1)\nz = MyConv2d(1)')), []);
  });

  it('finds the nearest matching layer at or above an offset, the one under the cursor included', () => {
    const doc = new PythonDocument(SEED);
    const cell90 = SEED.indexOf('nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1');
    const insideCell90 = cell90 + 'nn.ConvTranspose2d(1, 1, kernel_'.length;
    assert.equal(nearestLayerAbove(doc, insideCell90, 'convTranspose', 2)?.opArgsText, 'padding=1');
    assert.equal(nearestLayerAbove(doc, cell90 - 1, 'convTranspose', 2)?.opArgsText, '');
    assert.equal(nearestLayerAbove(doc, cell90, 'conv', 2), undefined); // no Conv2d above cell 92
    assert.equal(nearestLayerAbove(doc, SEED.length, 'convTranspose', 1), undefined); // only 2-d layers
    assert.equal(nearestLayerAbove(doc, SEED.indexOf('tconv(conv(X))'), 'conv', 2)?.opArgsText, 'stride=3, padding=2');
  });
});
