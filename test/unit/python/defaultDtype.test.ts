// convLab.defaultDtype: evaluation under torch.set_default_dtype(torch.float64), and repr naming
// the dtype that is not the default. Expected values printed by PyTorch 1.13, quoted per case
// (`torch.set_default_dtype(torch.float64)` first where the case says float64).
import * as assert from 'node:assert/strict';
import { formatTensor } from '../../../src/core/format';
import { percentCells, replayStatements, wholeCellStatements } from '../../../src/python';
import { evaluateTensorExpression } from '../../../src/python';
import { PythonDocument } from '../../../src/python';

function printed(expression: string, options: { defaultDtype?: 'float32' | 'float64'; precision?: number } = {}): string {
  const evaluation = evaluateTensorExpression(expression, { from: 0, to: expression.length }, options);
  assert.ok(evaluation.ok, evaluation.ok ? '' : evaluation.error.message);
  return formatTensor(evaluation.tensor, options);
}

describe('python: the default dtype (convLab.defaultDtype)', () => {
  const float64 = { defaultDtype: 'float64' } as const;

  it('float literals, factories and true division of ints give float64, printed without dtype=', () => {
    assert.equal(printed('torch.tensor([0.1, 1/3])', float64), 'tensor([0.1000, 0.3333])');
    assert.equal(printed('torch.arange(3.0)', float64), 'tensor([0., 1., 2.])');
    assert.equal(printed('torch.zeros(2)', float64), 'tensor([0., 0.])');
    assert.equal(printed('torch.tensor([1, 2]) / 3', float64), 'tensor([0.3333, 0.6667])');
    assert.equal(printed('torch.Tensor([1])', float64), 'tensor([1.])');
    assert.equal(printed('torch.linspace(0, 1, 3)', float64), 'tensor([0.0000, 0.5000, 1.0000])');
    assert.equal(printed('torch.tensor([1., 2.]) * 0.1', float64), 'tensor([0.1000, 0.2000])');
    for (const e of ['torch.tensor([0.1])', 'torch.zeros(2)', 'torch.tensor([1, 2]) / 3']) {
      const evaluation = evaluateTensorExpression(e, { from: 0, to: e.length }, float64);
      assert.equal(evaluation.ok && evaluation.dtype, 'float64', e);
    }
  });

  it('float32 asked for explicitly is named, as PyTorch names the non-default dtype', () => {
    assert.equal(printed('torch.tensor([0.1, 1/3], dtype=torch.float32)', float64), 'tensor([0.1000, 0.3333], dtype=torch.float32)');
    assert.equal(printed('torch.empty(0)', float64), 'tensor([])');
    assert.equal(printed('torch.empty(0, dtype=torch.float32)', float64), 'tensor([], dtype=torch.float32)');
  });

  it('the values are float64 values: 0.1 at precision 10', () => {
    // float32: tensor([0.1000000015]); float64: tensor([0.1000000000]).
    assert.equal(printed('torch.tensor([0.1])', { precision: 10 }), 'tensor([0.1000000015])');
    assert.equal(printed('torch.tensor([0.1])', { ...float64, precision: 10 }), 'tensor([0.1000000000])');
    assert.equal(printed('torch.tensor([1, 2]) / 3', { ...float64, precision: 10 }), 'tensor([0.3333333333, 0.6666666667])');
  });

  it("a layer's parameters are made in the default dtype: cell 89 replayed under float64 prints the same", () => {
    const doc = new PythonDocument([
      '# %%',
      'X = torch.tensor([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)',
      'tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)',
      'tconv.weight.data = X',
      'tconv(X)',
      'tconv.weight.dtype',
    ].join('\n'));
    const statements = wholeCellStatements(doc, { from: 0, to: doc.text.length }, percentCells(doc.text)) ?? [];
    const steps = replayStatements(doc, statements, float64);
    assert.deepEqual(steps.map((s) => (s.outcome.ok ? s.outcome.printed : s.outcome.error.message)), [
      'tensor([[[[ 0.,  0.,  1.],\n          [ 0.,  4.,  6.],\n          [ 4., 12.,  9.]]]], grad_fn=<ConvolutionBackward0>)',
      'torch.float64',
    ]);
  });

  it('holds for one evaluation only: float32 again after it, and after one that fails', () => {
    assert.equal(evaluateTensorExpression('torch.tensor([0.1]) +', { from: 0, to: 21 }, float64).ok, false);
    const evaluation = evaluateTensorExpression('torch.tensor([0.1])', { from: 0, to: 19 });
    assert.equal(evaluation.ok && evaluation.dtype, 'float32');
  });
});
