// The Input sizes view's pure parts (src/webview/sizesChart.ts): which strips are drawn, a size's
// tooltip, the runs and the sentence a screen reader gets, the tick sizes. Data by hand: the d2l
// cell-92 pair (conv k5 p2 s3 then its transposed conv) accepts every size and restores
// H ≡ 1 (mod 3); here swept over 1..7 only.
import * as assert from 'node:assert/strict';
import type { WireInputSizes, WireSizeAxis } from '../../../src/protocol/analysis';
import { SIZE_STATUSES, sizeStrips, sizeTitle, statusRuns, stripDescription, tickSizes } from '../../../src/webview/sizesChart';

const pairAxis = (name: string): WireSizeAxis => ({
  name, fixed: [16, 16],
  accepted: { text: `every ${name}`, words: 'every size' },
  restored: { text: `${name} ≡ 1 (mod 3)`, words: 'sizes ≡ 1 (mod 3) from 1' },
  // Sizes 1..7: 1, 4, 7 come back (out = 3·floor((n-1)/3) + 1), the others run to another size.
  status: ['restored', 'accepted', 'accepted', 'restored', 'accepted', 'accepted', 'restored'],
  messages: [null, null, null, null, null, null, null],
});
const pair: WireInputSizes = {
  model: 'pair', input: [1, 10, 16, 16], inputFromFile: true, max: 7, alike: true,
  given: { verdict: 'accepted', message: null }, axes: [pairAxis('H'), pairAxis('W')],
};

describe('webview: input sizes chart', () => {
  it('draws one strip for alike axes, labelled with all of them, and the input size once', () => {
    const strips = sizeStrips(pair);
    assert.equal(strips.length, 1);
    assert.equal(strips[0]?.label, 'H, W');
    assert.deepEqual(strips[0]?.given, [16]);
  });

  it('draws a strip per axis when they differ, each with its own input size', () => {
    const strips = sizeStrips({ ...pair, alike: false, input: [1, 10, 16, 9] });
    assert.deepEqual(strips.map((s) => [s.label, s.given]), [['H', [16]], ['W', [9]]]);
  });

  it("titles a size with its status and meaning, and a failing one with PyTorch's message", () => {
    const failing: WireSizeAxis = { ...pairAxis('H'), status: ['failing', 'restored'], messages: ['RuntimeError: Output size is too small', null] };
    assert.equal(sizeTitle('H', failing, 1), 'H = 1: failing (PyTorch raises) — RuntimeError: Output size is too small');
    assert.equal(sizeTitle('H', failing, 2), "H = 2: restored (runs, and the output has the input's size)");
    assert.equal(sizeTitle('H', failing, 3), 'H = 3: not swept');
  });

  it('groups sizes into runs of one status and says the strip in a sentence with the counts', () => {
    assert.deepEqual(statusRuns(['failing', 'failing', 'failing', 'restored', 'unknown', 'unknown']), [
      { from: 1, to: 3, status: 'failing' }, { from: 4, to: 4, status: 'restored' }, { from: 5, to: 6, status: 'unknown' },
    ]);
    const [strip] = sizeStrips(pair);
    assert.ok(strip);
    // 3 restored (1, 4, 7) and 4 accepted (2, 3, 5, 6).
    assert.equal(stripDescription(strip, 7), 'H, W, sizes 1 to 7: accepted every size; restored sizes ≡ 1 (mod 3) from 1; 3 restored, 4 accepted.');
  });

  it('labels 1, every 16th size and the last under a strip of 1..128, and has a legend entry per status', () => {
    assert.deepEqual(tickSizes(128), [1, 16, 32, 48, 64, 80, 96, 112, 128]);
    assert.deepEqual(tickSizes(20), [1, 8, 16, 20]);
    assert.deepEqual(SIZE_STATUSES.map((s) => s.status), ['restored', 'accepted', 'failing', 'unknown']);
  });
});
