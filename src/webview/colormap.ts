// Colour scales for heatmaps: a diverging scale centred at 0 for data with negative values
// (ColorBrewer RdBu, blue below 0, red above), perceptually uniform viridis otherwise. Each is a
// 256-entry lookup table interpolated from published anchor colours. Pure: no DOM.

/** matplotlib's viridis at 0, 0.1, …, 1 (as d3-scale-chromatic samples it). */
const VIRIDIS = ['440154', '482475', '414487', '355f8d', '2a788e', '21918c', '22a884', '44bf70', '7ad151', 'bddf26', 'fde725'];
/** ColorBrewer's 11-class RdBu, reversed so that low is blue; the middle is a near-white grey. */
const BLUE_WHITE_RED = ['053061', '2166ac', '4393c3', '92c5de', 'd1e5f0', 'f7f7f7', 'fddbc7', 'f4a582', 'd6604d', 'b2182b', '67001f'];

export const LUT_SIZE = 256;

export type ColorScaleKind = 'diverging' | 'sequential';

export interface ColorScale {
  readonly kind: ColorScaleKind;
  /** Values at the two ends of the scale; a diverging scale has low = −high. */
  readonly low: number;
  readonly high: number;
  /** RGB triples, LUT_SIZE of them. */
  readonly lut: Uint8ClampedArray;
}

function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function lutOf(anchors: readonly string[]): Uint8ClampedArray {
  const rgb = anchors.map(rgbOf);
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const at = (i / (LUT_SIZE - 1)) * (rgb.length - 1);
    const k = Math.min(Math.floor(at), rgb.length - 2);
    const t = at - k;
    const a = rgb[k] ?? [0, 0, 0];
    const b = rgb[k + 1] ?? a;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round((a[c] ?? 0) * (1 - t) + (b[c] ?? 0) * t);
  }
  return lut;
}

const LUTS: Record<ColorScaleKind, Uint8ClampedArray> = { diverging: lutOf(BLUE_WHITE_RED), sequential: lutOf(VIRIDIS) };

/** The scale for values spanning [min, max] (NaN and ±inf excluded by the caller). */
export function colorScaleFor(min: number, max: number): ColorScale {
  if (min < 0) {
    const reach = Math.max(-min, max);
    return { kind: 'diverging', low: -reach, high: reach, lut: LUTS.diverging };
  }
  return { kind: 'sequential', low: min, high: max, lut: LUTS.sequential };
}

/** The LUT entry for `value`; a flat range maps to the middle, NaN to −1 (drawn as "no value"). */
export function lutIndex(scale: ColorScale, value: number): number {
  if (Number.isNaN(value)) return -1;
  const span = scale.high - scale.low;
  if (!(span > 0)) return LUT_SIZE >> 1;
  const i = Math.round(((value - scale.low) / span) * (LUT_SIZE - 1));
  return i < 0 ? 0 : i > LUT_SIZE - 1 ? LUT_SIZE - 1 : i;
}

/** Black or white, whichever reads better on the LUT entry (WCAG relative luminance). */
export function textColorOn(lut: Uint8ClampedArray, index: number): '#000' | '#fff' {
  const channel = (c: number) => {
    const s = (lut[index * 3 + c] ?? 0) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with black (L+0.05)/0.05 beats contrast with white 1.05/(L+0.05) above L≈0.179.
  return luminance > 0.179 ? '#000' : '#fff';
}
