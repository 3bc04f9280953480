// Small DOM helpers shared by the panel's views (webview only).
import { formatValue } from './layout';

const TABLE_MAX_CELLS = 32;
export const TABLE_DIGITS = 6;

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) e.setAttribute(name, value);
  e.append(...children);
  return e;
}

export const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** A plane as an HTML table (the text alternative of a heatmap); large planes show their top-left corner. */
export function valueTable(plane: ArrayLike<number>, rows: number, cols: number, caption: string, name?: string): HTMLElement {
  const shownRows = Math.min(rows, TABLE_MAX_CELLS);
  const shownCols = Math.min(cols, TABLE_MAX_CELLS);
  const cut = shownRows < rows || shownCols < cols ? ` (first ${shownRows} × ${shownCols} of ${rows} × ${cols})` : '';
  const head = element('tr', {}, element('th', { scope: 'col' }, ''), ...Array.from({ length: shownCols }, (_, c) => element('th', { scope: 'col' }, String(c))));
  const body = Array.from({ length: shownRows }, (_, r) => element('tr', {},
    element('th', { scope: 'row' }, String(r)),
    ...Array.from({ length: shownCols }, (_, c) => element('td', {}, formatValue(plane[r * cols + c] ?? Number.NaN, TABLE_DIGITS))),
  ));
  return element('table', { class: 'values', ...(name ? { 'data-name': name } : {}) }, element('caption', {}, `${caption}${cut}`), element('thead', {}, head), element('tbody', {}, ...body));
}

/** A labelled number input kept within [0, size − 1]; calls `onPick` with the index. */
export function indexPicker(label: string, size: number, value: number, onPick: (index: number) => void): HTMLElement {
  const input = element('input', { type: 'number', min: '0', max: String(size - 1), step: '1', value: String(value) });
  input.addEventListener('change', () => {
    const index = Math.min(Math.max(Math.trunc(Number(input.value)) || 0, 0), size - 1);
    input.value = String(index);
    onPick(index);
  });
  return element('label', {}, `${label} (0–${size - 1}) `, input);
}
