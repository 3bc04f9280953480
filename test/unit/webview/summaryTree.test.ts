// The Summary view's tree (src/webview/summaryTree.ts): parents from depths, the rows a depth
// limit and folded branches leave, and the shares the bars are drawn from. Values worked out by
// hand in the comments.
import * as assert from 'node:assert/strict';
import { maxDepth, shareOf, summaryTree, visibleRows, type TreeRowInput } from '../../../src/webview/summaryTree';

// A model (0) holding a block (1) of two convs (2, 3) and a reused conv (4, called again at 5), then a head (6):
//   0 Net            macs 0   params 0
//   1   block        macs 0   params 0
//   2     conv a     macs 600 params 30
//   3     relu       macs 0   params 0
//   4   conv b       macs 300 params 60
//   5   conv b again macs 100 params 60 (reused: counted at its first call)
//   6   head         macs ?   params 10
const ROWS: TreeRowInput[] = [
  { depth: 0, macs: 0, parameters: 0, reused: false },
  { depth: 1, macs: 0, parameters: 0, reused: false },
  { depth: 2, macs: 600, parameters: 30, reused: false },
  { depth: 2, macs: 0, parameters: 0, reused: false },
  { depth: 1, macs: 300, parameters: 60, reused: false },
  { depth: 1, macs: 100, parameters: 60, reused: true },
  { depth: 1, macs: null, parameters: 10, reused: false },
];

describe('summary view tree', () => {
  const tree = summaryTree(ROWS);

  it('nests each row under the nearest less deep row above it, and sums the known numbers of each subtree', () => {
    assert.deepEqual(tree.map((n) => n.parent), [undefined, 0, 1, 1, 0, 0, 0]);
    assert.deepEqual(tree.map((n) => n.children), [[1, 4, 5, 6], [2, 3], [], [], [], [], []]);
    // Net: 600 + 300 + 100 = 1000 MACs (the head's unknown counts 0); 30 + 60 + 10 = 100 parameters (the reused call adds none).
    assert.deepEqual(tree.map((n) => n.macs), [1000, 600, 600, 0, 300, 100, 0]);
    assert.deepEqual(tree.map((n) => n.parameters), [100, 30, 30, 0, 60, 0, 10]);
  });

  it('gives each row its share of the model: the block holds 600 of 1000 MACs and 30 of 100 parameters', () => {
    assert.equal(shareOf(tree, 1, 'macs'), 0.6);
    assert.equal(shareOf(tree, 1, 'parameters'), 0.3);
    assert.equal(shareOf(tree, 0, 'macs'), 1);
    assert.equal(shareOf(tree, 6, 'macs'), 0);
    // A model with no MACs at all: every share is 0, not NaN.
    assert.equal(shareOf(summaryTree([{ depth: 0, macs: 0, parameters: 0, reused: false }]), 0, 'macs'), 0);
  });

  it('shows the rows no deeper than the limit, and none under a folded row', () => {
    assert.equal(maxDepth(ROWS), 2);
    assert.deepEqual(visibleRows(ROWS, tree, 2, new Set()), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(visibleRows(ROWS, tree, 1, new Set()), [0, 1, 4, 5, 6]);
    assert.deepEqual(visibleRows(ROWS, tree, 0, new Set()), [0]);
    assert.deepEqual(visibleRows(ROWS, tree, 2, new Set([1])), [0, 1, 4, 5, 6]);
    assert.deepEqual(visibleRows(ROWS, tree, 2, new Set([0])), [0]);
  });
});
