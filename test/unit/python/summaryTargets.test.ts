// Where the Summary CodeLens goes (src/python/features/summaryTargets.ts): nn.Module classes
// (through the file's own base classes too) and models bound to names outside functions, from an
// analysis without a trace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeShapes } from '../../../src/python';
import { summaryTargets } from '../../../src/python/features/summaryTargets';
import { fixturePath } from '../helpers';

function targets(source: string): string[] {
  const analysis = analyzeShapes(source);
  return summaryTargets(analysis).map((t) => `${t.kind} ${t.name} (${t.className}) line ${analysis.doc.lineColumnAt(t.from).line}`);
}

describe('summary targets (the Summary CodeLens)', () => {
  it('finds the class and the model of a fixture', () => {
    assert.deepEqual(targets(fs.readFileSync(fixturePath('python', 'summary', 'dcgan_generator.py'), 'utf8')), [
      'class Generator (Generator) line 8',
      'instance model (Generator) line 23',
    ]);
  });

  it('follows base classes of the file, finds nn.Sequential models and __main__ blocks, and leaves out other classes, layers and names bound in functions', () => {
    const source = [
      'import torch',
      'from torch import nn',
      'class Base(nn.Module):',
      '    pass',
      'class Net(Base):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.body = nn.Sequential(nn.Linear(4, 2))',
      'class Config:',
      '    pass',
      'def build():',
      '    inner = Net()',
      '    return inner',
      'conv = nn.Conv2d(1, 1, 3)',
      'config = Config()',
      'seq = nn.Sequential(nn.Linear(4, 2), nn.ReLU())',
      "if __name__ == '__main__':",
      '    net = Net()',
      '',
    ].join('\n');
    assert.deepEqual(targets(source), [
      'class Base (Base) line 3',
      'class Net (Net) line 5',
      'instance seq (Sequential) line 16',
      'instance net (Net) line 18',
    ]);
  });
});
