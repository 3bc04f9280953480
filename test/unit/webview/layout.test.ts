import * as assert from 'node:assert/strict';
import { cropPlane, dimLabels, displayGrid, finiteRange, formatValue, layoutOf, planeOffset, viewportRegion, WHOLE_PLANE, zoomViewport } from '../../../src/webview/layout';

describe('webview layout: tensors as heatmap tiles', () => {
  it("draws cell 89's 1×1×3×3 output as one 3×3 tile", () => {
    const labels = dimLabels('output', 4, 2, true);
    assert.deepEqual(labels, ['batch', 'channel', 'H', 'W']);
    assert.deepEqual(layoutOf([1, 1, 3, 3], labels, 2), {
      pickers: [{ dim: 0, label: 'batch', size: 1 }],
      tiles: { dim: 1, label: 'channel', size: 1 },
      rows: 3,
      cols: 3,
    });
  });

  it('turns more than 16 channels into a picker', () => {
    const layout = layoutOf([1, 64, 128, 128], dimLabels('output', 4, 2, false), 2);
    assert.equal(layout.tiles, undefined);
    assert.deepEqual(layout.pickers.map((p) => [p.label, p.size]), [['batch', 1], ['channel', 64]]);
  });

  it('names weight dims by the op: conv is (out, in/groups), transposed is (in, out/groups)', () => {
    assert.deepEqual(dimLabels('weight', 4, 2, false).slice(0, 2), ['out channel', 'in channel / groups']);
    assert.deepEqual(dimLabels('weight', 4, 2, true).slice(0, 2), ['in channel', 'out channel / groups']);
  });

  it('draws 1-D data as one row per channel tile, 3-D data as H×W planes with a depth picker', () => {
    const oneD = layoutOf([2, 3, 10], dimLabels('input', 3, 1, false), 1);
    assert.deepEqual([oneD.rows, oneD.cols, oneD.tiles?.label, oneD.pickers.map((p) => p.label)], [1, 10, 'channel', ['batch']]);
    const threeD = layoutOf([1, 2, 4, 5, 6], dimLabels('input', 5, 3, false), 3);
    assert.deepEqual([threeD.rows, threeD.cols, threeD.tiles?.dim, threeD.pickers.map((p) => p.label)], [5, 6, 1, ['batch', 'D']]);
  });

  it("draws a bias as one row and d2l's plain matrices as one tile", () => {
    assert.deepEqual(layoutOf([4], dimLabels('bias', 1, 2, false), 2), { pickers: [], tiles: undefined, rows: 1, cols: 4 });
    assert.deepEqual(layoutOf([3, 3], dimLabels('input', 2, 2, false), 2), { pickers: [], tiles: undefined, rows: 3, cols: 3 });
  });

  it('finds the plane of a batch and tile in the row-major values', () => {
    const shape = [2, 3, 4, 5];
    const layout = layoutOf(shape, dimLabels('input', 4, 2, false), 2);
    // batch 1 starts at 3·4·5 = 60, channel 2 of it 2·4·5 = 40 later
    assert.equal(planeOffset(shape, layout, [1], 2), 100);
  });
});

describe('webview layout: display downsampling', () => {
  it('leaves planes within the limit as they are', () => {
    const plane = Float64Array.from([1, 2, 3, 4]);
    assert.deepEqual(displayGrid(plane, 2, 2, 2), { rows: 2, cols: 2, block: 1, values: plane });
  });

  it('averages blocks, the last ones partial, skipping NaN', () => {
    // 3×3 → blocks of 2: {0,1,3,4}, {2,5}, {6,7}, {8}; the NaN at index 4 is skipped.
    const grid = displayGrid(Float64Array.from([0, 1, 2, 3, NaN, 5, 6, 7, 8]), 3, 3, 2);
    assert.deepEqual([grid.rows, grid.cols, grid.block], [2, 2, 2]);
    assert.deepEqual(Array.from(grid.values), [(0 + 1 + 3) / 3, (2 + 5) / 2, (6 + 7) / 2, 8]);
  });

  it('shrinks a 512×512 plane to 256×256 display cells', () => {
    const grid = displayGrid(new Float64Array(512 * 512).fill(2), 512, 512);
    assert.deepEqual([grid.rows, grid.cols, grid.block, grid.values[0]], [256, 256, 2, 2]);
  });

  it('ranges over finite values only', () => {
    assert.deepEqual(finiteRange(Float64Array.from([3, -Infinity, NaN, -2, 7])), [-2, 7]);
    assert.deepEqual(finiteRange(Float64Array.from([NaN])), [0, 0]);
  });

  it('prints integers whole and other values to the given significant digits', () => {
    assert.deepEqual([formatValue(12, 3), formatValue(-0.123456, 3), formatValue(1234567.5, 3), formatValue(NaN, 3), formatValue(-Infinity, 3)], ['12', '-0.123', '1230000', 'nan', '-inf']);
  });
});

describe('webview layout: pan and zoom of large planes', () => {
  it('shows the whole plane at zoom 1 and a quarter of each side at zoom 4, kept inside the plane', () => {
    assert.deepEqual(viewportRegion(128, 100, WHOLE_PLANE), { row: 0, col: 0, rows: 128, cols: 100 });
    // ⌈128 / 4⌉ = 32 rows, ⌈100 / 4⌉ = 25 cols; a viewport past the end moves back to 128 − 32, 100 − 25.
    assert.deepEqual(viewportRegion(128, 100, { zoom: 4, row: 500, col: -3 }), { row: 96, col: 0, rows: 32, cols: 25 });
  });

  it('zooms about the centre of what is shown', () => {
    // 256 × 256 at zoom 1 shows rows 0..255, centre 128; zoom 2 shows 128 rows starting at 128 − 64 = 64.
    assert.deepEqual(zoomViewport(256, 256, WHOLE_PLANE, 2), { zoom: 2, row: 64, col: 64 });
    assert.deepEqual(zoomViewport(256, 256, { zoom: 2, row: 64, col: 64 }, 0.5), WHOLE_PLANE);
    assert.equal(zoomViewport(256, 256, { zoom: 64, row: 0, col: 0 }, 2).zoom, 64);
  });

  it('crops the region row by row', () => {
    // 3 × 4 plane 0..11, rows 1..2, cols 1..2 → [5, 6, 9, 10]
    const plane = Float64Array.from({ length: 12 }, (_, i) => i);
    assert.deepEqual(Array.from(cropPlane(plane, 4, { row: 1, col: 1, rows: 2, cols: 2 })), [5, 6, 9, 10]);
    assert.deepEqual(Array.from(cropPlane(plane, 4, { row: 2, col: 0, rows: 1, cols: 4 })), [8, 9, 10, 11]);
  });
});
