// Integer convolutions, which PyTorch's CPU kernels compute in integer arithmetic (wrapping on
// overflow). Expected values printed by PyTorch 1.13, quoted per case.
import * as assert from 'node:assert/strict';
import { runOp } from '../../../src/core/engine';

describe('ops: integer tensors', () => {
  it('int64 conv2d is exact', () => {
    // F.conv2d(tensor([[1,2,3],[4,5,6],[7,8,9]]).reshape(1,1,3,3), tensor([[1,0],[0,-1]]).reshape(1,1,2,2))
    // tensor([[[[-4, -4], [-4, -4]]]])
    const y = runOp({
      op: 'conv2d',
      input: { shape: [1, 1, 3, 3], dtype: 'int64', data: BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]) },
      weight: { shape: [1, 1, 2, 2], dtype: 'int64', data: BigInt64Array.from([1n, 0n, 0n, -1n]) },
    });
    assert.equal(y.dtype, 'int64');
    assert.deepEqual(Array.from(y.data as BigInt64Array), [-4n, -4n, -4n, -4n]);
  });

  it('wraps on overflow like int32 and int64 arithmetic', () => {
    // F.conv1d(tensor([[[2**30, 2**30]]], dtype=torch.int32), tensor([[[2, 2]]], dtype=torch.int32)) -> tensor([[[0]]], dtype=torch.int32)
    const y32 = runOp({
      op: 'conv1d',
      input: { shape: [1, 1, 2], dtype: 'int32', data: Int32Array.from([2 ** 30, 2 ** 30]) },
      weight: { shape: [1, 1, 2], dtype: 'int32', data: Int32Array.from([2, 2]) },
    });
    assert.deepEqual(Array.from(y32.data as Int32Array), [0]);
    // F.conv1d(tensor([[[2**62, 2**62]]]), tensor([[[1, 1]]])) -> tensor([[[-9223372036854775808]]])
    const y64 = runOp({
      op: 'conv1d',
      input: { shape: [1, 1, 2], dtype: 'int64', data: BigInt64Array.from([2n ** 62n, 2n ** 62n]) },
      weight: { shape: [1, 1, 2], dtype: 'int64', data: BigInt64Array.from([1n, 1n]) },
    });
    assert.deepEqual(Array.from(y64.data as BigInt64Array), [-(2n ** 63n)]);
  });
});
