// The arguments the run commands pre-fill from the nearest conv layer: read by the interpreter
// with PyTorch's positional signatures (Conv: in, out, kernel_size, stride, padding, dilation,
// groups, bias, padding_mode; ConvTranspose: in, out, kernel_size, stride, padding,
// output_padding, groups, bias, dilation), keywords, names bound to values, and which layer is
// nearest.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeShapes, nearestLayerArguments } from '../../../src/python';
import { repoRoot } from '../helpers';

const SEED = fs.readFileSync(path.join(repoRoot(), 'examples', 'transposed_conv.py'), 'utf8');

/** Every conv layer's callee, kind, dims and argument text, in file order. */
function layers(source: string): [string, string, number, string][] {
  const analysis = analyzeShapes(source);
  return analysis.layers().flatMap(({ layer, site }) => {
    if (layer.type !== 'conv') return [];
    const found = nearestLayerArguments(analysis, site.from, layer.transposed ? 'convTranspose' : 'conv', layer.spatialDims);
    return found ? [[found.callee, layer.transposed ? 'convTranspose' : 'conv', layer.spatialDims, found.text] as [string, string, number, string]] : [];
  });
}

describe('python: layer arguments for the run commands', () => {
  it("reads the seed's layers, keywords only, kernel size and bias left to the tensors", () => {
    assert.deepEqual(layers(SEED), [
      ['nn.ConvTranspose2d', 'convTranspose', 2, ''], // cell 89: kernel_size=2, bias =False
      ['nn.ConvTranspose2d', 'convTranspose', 2, 'padding=1'], // cell 90
      ['nn.ConvTranspose2d', 'convTranspose', 2, 'stride=2'], // cell 91
      ['nn.Conv2d', 'conv', 2, 'stride=3, padding=2'], // cell 92
      ['nn.ConvTranspose2d', 'convTranspose', 2, 'stride=3, padding=2'],
    ]);
  });

  it('maps positionals by each signature: dilation is 6th for Conv, output_padding 6th and dilation 9th for ConvTranspose', () => {
    const source = [
      'a = torch.nn.Conv1d(1, 2, 3, 2, 1, 3, 1, False, "reflect")',
      'b = nn.ConvTranspose3d(4, 4, 3, (2, 1, 1), 1, 1, 2, True, 2)',
    ].join('\n');
    // Printed in keyword order: stride, padding, dilation, groups, output_padding, padding_mode.
    assert.deepEqual(layers(source).map(([, kind, dims, text]) => [kind, dims, text]), [
      ['conv', 1, "stride=2, padding=1, dilation=3, groups=1, padding_mode='reflect'"],
      ['convTranspose', 3, 'stride=(2, 1, 1), padding=1, dilation=2, groups=2, output_padding=1'],
    ]);
  });

  it('reads arguments given as names as the values bound to them', () => {
    assert.deepEqual(layers('p = 1\nc = nn.Conv2d(1, 1, 3, padding=p, stride = 2)').map(([, , , text]) => text), ['stride=2, padding=1']);
  });

  it('ignores calls that are not conv layers', () => {
    assert.deepEqual(layers('x = nn.Linear(2, 3)\ny = F.conv2d(x, w, padding=1)\nz = MyConv2d(1)'), []);
  });

  it('finds the nearest matching layer at or above an offset, the one under the cursor included', () => {
    const analysis = analyzeShapes(SEED);
    const cell90 = SEED.indexOf('nn.ConvTranspose2d(1, 1, kernel_size=2, padding=1');
    const insideCell90 = cell90 + 'nn.ConvTranspose2d(1, 1, kernel_'.length;
    assert.equal(nearestLayerArguments(analysis, insideCell90, 'convTranspose', 2)?.text, 'padding=1');
    assert.equal(nearestLayerArguments(analysis, cell90 - 1, 'convTranspose', 2)?.text, '');
    assert.equal(nearestLayerArguments(analysis, cell90, 'conv', 2), undefined); // no Conv2d above cell 92
    assert.equal(nearestLayerArguments(analysis, SEED.length, 'convTranspose', 1), undefined); // only 2-d layers
    assert.equal(nearestLayerArguments(analysis, SEED.indexOf('tconv(conv(X))'), 'conv', 2)?.text, 'stride=3, padding=2');
  });
});
