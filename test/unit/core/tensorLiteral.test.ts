// Insert Result as Literal: the statement is PyTorch's printed form behind `name = torch.`, and
// it round-trips through the static evaluator (values as printed, shape and dtype exact).
import * as assert from 'node:assert/strict';
import { tensorLiteralStatement } from '../../../src/core/tensorLiteral';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { evaluateTensorExpression } from '../../../src/python';

function roundTrip(statement: string): Tensor {
  const evaluation = evaluateTensorExpression(statement, { from: 0, to: statement.length });
  assert.ok(evaluation.ok, evaluation.ok ? '' : evaluation.error.message);
  return evaluation.tensor;
}

describe('core: tensorLiteralStatement', () => {
  it("spells the seed's cell 89 output aligned under the first bracket", () => {
    const out = tensor([0, 0, 1, 0, 4, 6, 4, 12, 9], [1, 1, 3, 3]);
    const statement = tensorLiteralStatement('Y', out);
    assert.equal(statement, [
      'Y = torch.tensor([[[[ 0.,  0.,  1.],',
      '                    [ 0.,  4.,  6.],',
      '                    [ 4., 12.,  9.]]]])',
    ].join('\n'));
    const back = roundTrip(statement);
    assert.deepEqual(back.shape, [1, 1, 3, 3]);
    assert.equal(back.dtype, 'float32');
    assert.deepEqual(Array.from(back.data as Float32Array), [0, 0, 1, 0, 4, 6, 4, 12, 9]);
  });

  it('keeps the indentation of the line it goes under and the dtype PyTorch prints', () => {
    const t = tensor([0.5, -1.25], [2], 'float64');
    const statement = tensorLiteralStatement('Z', t, '    ');
    assert.equal(statement, '    Z = torch.tensor([ 0.5000, -1.2500], dtype=torch.float64)');
    const back = roundTrip(statement.trim());
    assert.equal(back.dtype, 'float64');
    assert.deepEqual(Array.from(back.data as Float64Array), [0.5, -1.25]);
  });

  it('writes every value of a tensor PyTorch would summarise (over 1000 elements)', () => {
    const values = Array.from({ length: 1200 }, (_, i) => i);
    const statement = tensorLiteralStatement('big', tensor(values, [30, 40]));
    assert.ok(!statement.includes('...'));
    assert.deepEqual(Array.from(roundTrip(statement).data as Float32Array), values);
  });

  it('rounds to the printed digits (4 decimals), which is what the literal says', () => {
    const back = roundTrip(tensorLiteralStatement('third', tensor([1 / 3], [1])));
    assert.deepEqual(Array.from(back.data as Float32Array), [Math.fround(0.3333)]);
  });

  it('spells empty tensors with their shape, and nan and inf as floats', () => {
    assert.equal(tensorLiteralStatement('e', tensor([], [0, 3])), 'e = torch.zeros((0, 3))');
    assert.equal(tensorLiteralStatement('e', tensor([], [0], 'float64')), 'e = torch.zeros((0,), dtype=torch.float64)');
    assert.equal(tensorLiteralStatement('n', tensor([NaN, Infinity, -Infinity], [3])), "n = torch.tensor([float('nan'), float('inf'), -float('inf')])");
  });
});
