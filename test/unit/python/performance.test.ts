// Speed on a generated 5,000-line model file: a full parse plus evaluating a literal whose name
// is bound at the top of the file, and an incremental re-parse plus the same evaluation after a
// one-line edit in the middle. Prints the medians; asserts the incremental path reuses the tree
// (at least 3× faster than a full parse) and that both stay well inside an editor's budget.
import * as assert from 'node:assert/strict';
import { evaluateTensorExpression } from '../../../src/python/evaluate';
import { PythonDocument } from '../../../src/python/parse';

/** About `lines` lines of model code: literals, layers, a class with a forward, loops. */
function modelFile(lines: number): string {
  const out = ['import torch', 'from torch import nn', 'import numpy as np', '', 'X = torch.arange(9.0).reshape(3, 3)', ''];
  for (let block = 0; out.length < lines - 2; block++) {
    out.push(
      `class Block${block}(nn.Module):`,
      '    def __init__(self, channels):',
      '        super().__init__()',
      `        self.conv = nn.Conv2d(channels, channels * 2, kernel_size=3, padding=1, stride=${1 + (block % 2)})`,
      '        self.norm = nn.BatchNorm2d(channels * 2)',
      '',
      '    def forward(self, x):',
      '        y = self.norm(self.conv(x))',
      '        for _ in range(2):',
      '            y = torch.relu(y)',
      '        return y.flatten(1)',
      '',
      `K${block} = torch.tensor([[${block}., 1.], [2., 3.]]).reshape(1, 1, 2, 2)`,
      `W${block} = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32).T`,
      '',
    );
  }
  out.push('Y = X.T');
  return out.join('\n');
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

describe('python: speed on a 5,000-line file', () => {
  const text = modelFile(5000);
  const selection = { from: text.length - 3, to: text.length }; // the `X.T` of the last line

  it('parses and evaluates in full, and re-parses incrementally after a one-line edit', function () {
    // 13 full parses of a 160 KiB file: more than mocha's default 2 s when the machine is busy.
    this.timeout(60_000);
    assert.ok(text.split('\n').length >= 5000);
    const times = { parse: [] as number[], evaluate: [] as number[], reparse: [] as number[], reevaluate: [] as number[] };
    const middle = text.indexOf('K166 = torch.tensor([[166.');
    assert.ok(middle > 0);
    const warmUp = 3;
    for (let run = 0; run < warmUp + 10; run++) {
      const t0 = performance.now();
      const doc = new PythonDocument(text);
      const t1 = performance.now();
      const first = evaluateTensorExpression(doc, selection);
      const t2 = performance.now();
      assert.ok(first.ok && first.tensor.shape.join() === '3,3');
      // Type one character into a literal in the middle of the file, as an editor would send it.
      const at = middle + 'K166 = torch.tensor([[1'.length;
      doc.edit([{ from: at, to: at, insert: '7' }]);
      const t3 = performance.now();
      const again = evaluateTensorExpression(doc, { from: selection.from + 1, to: selection.to + 1 });
      const t4 = performance.now();
      assert.ok(again.ok && again.tensor.shape.join() === '3,3');
      if (run < warmUp) continue;
      times.parse.push(t1 - t0);
      times.evaluate.push(t2 - t1);
      times.reparse.push(t3 - t2);
      times.reevaluate.push(t4 - t3);
    }
    const [parse, evaluate, reparse, reevaluate] = [times.parse, times.evaluate, times.reparse, times.reevaluate].map(median) as [number, number, number, number];
    console.log(`      5,000 lines (${(text.length / 1024).toFixed(0)} KiB), medians of 10 warm runs: parse ${parse.toFixed(1)} ms + evaluate ${evaluate.toFixed(1)} ms; after a one-line edit: re-parse ${reparse.toFixed(1)} ms + evaluate ${reevaluate.toFixed(1)} ms`);
    assert.ok((reparse + reevaluate) * 3 < parse + evaluate, 'the incremental path is not 3× faster than a full parse');
    assert.ok(parse + evaluate < 1000, `full parse + evaluate took ${(parse + evaluate).toFixed(1)} ms`);
  });
});
