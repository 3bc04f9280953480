// The seed notebook (d2l.ai "Transposed Convolution", /work/shared/seed), cells 87-97, on its own
// literals; expected values are the outputs PyTorch printed there, quoted per cell.
import * as assert from 'node:assert/strict';
import { convGeometry } from '../../../src/core/geometry';
import { kernelMatrix, matTVec, matVec, toDense } from '../../../src/core/kernelMatrix';
import { runOp } from '../../../src/core/engine';
import type { Tensor } from '../../../src/core/tensor';
import { tensor } from '../../../src/core/tensor';

const values = (t: Tensor): number[] => Array.from(t.data as Float32Array);

describe('ops: the seed notebook', () => {
  // In [88]: X = torch.tensor([[0., 1.], [2., 3. ]]); K = torch.tensor([[0., 1.], [2., 3. ]])
  const X = tensor([0, 1, 2, 3], [2, 2]);
  const K = tensor([0, 1, 2, 3], [2, 2]);
  const X4 = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
  const K4 = tensor([0, 1, 2, 3], [1, 1, 2, 2]);

  it('cell 87: trans_conv(X, K), the scatter definition, gives what ConvTranspose2d prints in cell 89', () => {
    const Y = runOp({ op: 'trans_conv', input: X, weight: K });
    assert.deepEqual(Y.shape, [3, 3]);
    assert.deepEqual(values(Y), [0, 0, 1, 0, 4, 6, 4, 12, 9]);
  });

  it('cell 89: ConvTranspose2d(1, 1, kernel_size=2, bias=False) with weight K', () => {
    // tensor([[[[ 0.,  0.,  1.],
    //           [ 0.,  4.,  6.],
    //           [ 4., 12.,  9.]]]], grad_fn=<ConvolutionBackward0>)
    const Y = runOp({ op: 'conv_transpose2d', input: X4, weight: K4 });
    assert.deepEqual(Y.shape, [1, 1, 3, 3]);
    assert.deepEqual(values(Y), [0, 0, 1, 0, 4, 6, 4, 12, 9]);
  });

  it('cell 90: the same with padding=1', () => {
    // tensor([[[[4.]]]], grad_fn=<ConvolutionBackward0>)
    const Y = runOp({ op: 'conv_transpose2d', input: X4, weight: K4, args: { padding: 1 } });
    assert.deepEqual(Y.shape, [1, 1, 1, 1]);
    assert.deepEqual(values(Y), [4]);
  });

  it('cell 91: kernel_size=3, stride=2, but the 2x2 weight K is what computes', () => {
    // tensor([[[[0., 0., 0., 1.],
    //           [0., 0., 2., 3.],
    //           [0., 2., 0., 3.],
    //           [4., 6., 6., 9.]]]], grad_fn=<ConvolutionBackward0>)
    const Y = runOp({ op: 'conv_transpose2d', input: X4, weight: K4, args: { stride: 2 } });
    assert.deepEqual(Y.shape, [1, 1, 4, 4]);
    assert.deepEqual(values(Y), [0, 0, 0, 1, 0, 0, 2, 3, 0, 2, 0, 3, 4, 6, 6, 9]);
  });

  it('cell 92: tconv(conv(X)).shape == X.shape, from geometry alone', () => {
    // X = torch.rand((1, 10, 16, 16)); conv = nn.Conv2d(10, 20, kernel_size=5, padding=2, stride=3)
    // tconv = nn.ConvTranspose2d(20, 10, kernel_size=5, padding=2, stride=3)  ->  True
    const conv = convGeometry({
      op: 'conv2d', input: { shape: [1, 10, 16, 16], dtype: 'float32' },
      weight: { shape: [20, 10, 5, 5], dtype: 'float32' }, bias: { shape: [20], dtype: 'float32' }, args: { padding: 2, stride: 3 },
    });
    assert.deepEqual(conv.outputShape, [1, 20, 6, 6]);
    const tconv = convGeometry({
      op: 'conv_transpose2d', input: { shape: conv.outputShape, dtype: 'float32' },
      weight: { shape: [20, 10, 5, 5], dtype: 'float32' }, bias: { shape: [10], dtype: 'float32' }, args: { padding: 2, stride: 3 },
    });
    assert.deepEqual(tconv.outputShape, [1, 10, 16, 16]);
  });

  // In [93]: X = torch.arange(9.0).reshape(3, 3); K = torch.tensor([[1., 2.], [3., 4.]])
  const X9 = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [3, 3]);
  const K2 = tensor([1, 2, 3, 4], [2, 2]);

  it('cell 93: d2l.corr2d(X, K)', () => {
    // tensor([[27., 37.],
    //         [57., 67.]])
    const Y = runOp({ op: 'corr2d', input: X9, weight: K2 });
    assert.deepEqual(Y.shape, [2, 2]);
    assert.deepEqual(values(Y), [27, 37, 57, 67]);
  });

  it('cells 94-95: kernelMatrix(K) for a 3x3 input is the printed W', () => {
    // tensor([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
    //         [0., 1., 2., 0., 3., 4., 0., 0., 0.],
    //         [0., 0., 0., 1., 2., 0., 3., 4., 0.],
    //         [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    const W = kernelMatrix(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [3, 3]);
    assert.equal(W.rows, 4);
    assert.equal(W.cols, 9);
    assert.deepEqual(Array.from(toDense(W)), [
      1, 2, 0, 3, 4, 0, 0, 0, 0,
      0, 1, 2, 0, 3, 4, 0, 0, 0,
      0, 0, 0, 1, 2, 0, 3, 4, 0,
      0, 0, 0, 0, 1, 2, 0, 3, 4,
    ]);
  });

  it('cell 96: Y == W @ X.reshape(-1)', () => {
    const W = kernelMatrix(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [3, 3]);
    const Y = runOp({ op: 'corr2d', input: X9, weight: K2 });
    assert.deepEqual(Array.from(matVec(W, X9.data)), values(Y));
  });

  it('cell 97: trans_conv(Y, K) == W.T @ Y.reshape(-1)', () => {
    const W = kernelMatrix(tensor([1, 2, 3, 4], [1, 1, 2, 2]), [3, 3]);
    const Y = runOp({ op: 'corr2d', input: X9, weight: K2 });
    const Z = runOp({ op: 'trans_conv', input: Y, weight: K2 });
    assert.deepEqual(Z.shape, [3, 3]);
    assert.deepEqual(Array.from(matTVec(W, Y.data as Float32Array)), values(Z));
    // By hand: Y = [[27, 37], [57, 67]] scattered with K = [[1, 2], [3, 4]].
    assert.deepEqual(values(Z), [27, 91, 74, 138, 400, 282, 171, 429, 268]);
  });
});
