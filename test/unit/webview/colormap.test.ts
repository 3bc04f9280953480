import * as assert from 'node:assert/strict';
import { colorScaleFor, LUT_SIZE, lutIndex, textColorOn } from '../../../src/webview/colormap';

const rgbAt = (lut: Uint8ClampedArray, i: number) => Array.from(lut.subarray(i * 3, i * 3 + 3));

describe('webview colour scales', () => {
  it('centres a diverging scale at 0 for signed data', () => {
    const scale = colorScaleFor(-1, 3);
    assert.deepEqual([scale.kind, scale.low, scale.high], ['diverging', -3, 3]);
    // 0 sits at (0 + 3) / 6 · 255 = 127.5, rounded to 128; the ends clamp
    assert.deepEqual([lutIndex(scale, 0), lutIndex(scale, -10), lutIndex(scale, 10)], [128, 0, LUT_SIZE - 1]);
    // RdBu's ends: dark blue #053061 below, dark red #67001f above
    assert.deepEqual([rgbAt(scale.lut, 0), rgbAt(scale.lut, LUT_SIZE - 1)], [[0x05, 0x30, 0x61], [0x67, 0x00, 0x1f]]);
  });

  it('uses viridis over [min, max] for non-negative data', () => {
    const scale = colorScaleFor(0, 12);
    assert.deepEqual([scale.kind, scale.low, scale.high], ['sequential', 0, 12]);
    assert.deepEqual([rgbAt(scale.lut, 0), rgbAt(scale.lut, LUT_SIZE - 1)], [[0x44, 0x01, 0x54], [0xfd, 0xe7, 0x25]]);
    assert.equal(lutIndex(scale, 6), 128); // 6/12 · 255 = 127.5
  });

  it('maps a flat range to the middle and NaN to no colour', () => {
    const scale = colorScaleFor(5, 5);
    assert.deepEqual([lutIndex(scale, 5), lutIndex(scale, NaN)], [LUT_SIZE >> 1, -1]);
  });

  it('writes white on dark purple and black on yellow', () => {
    const { lut } = colorScaleFor(0, 1);
    assert.deepEqual([textColorOn(lut, 0), textColorOn(lut, LUT_SIZE - 1)], ['#fff', '#000']);
  });
});
