// The Input sizes view: for a model (the solver's sweep, computed by the analysis worker) a strip
// per spatial axis, one cell per size of 1..max coloured by what the model does with it (its
// output restored to the input's size, accepted, failing, not known), the accepted and restored
// rules in words above it, the input's own size outlined, a tooltip per size with PyTorch's
// message for a failing one. Webview only; what to draw comes from sizesChart.ts.
import type { WireInputSizes, WireSizeRule } from '../protocol/analysis';
import { element } from './dom';
import { SIZE_STATUSES, sizeStrips, sizeTitle, stripDescription, tickSizes, type SizeStrip } from './sizesChart';

function rule(label: string, sizes: WireSizeRule): HTMLElement {
  const formal = sizes.words === sizes.text ? [] : [' (', element('code', {}, sizes.text), ')'];
  return element('p', { class: 'sizes-rules' }, `${label}: `, element('strong', {}, sizes.words), ...formal);
}

function strip(shown: SizeStrip, max: number, index: number): HTMLElement {
  const cells = element('div', { class: 'size-strip', id: `size-strip-${index}`, role: 'img', 'aria-label': stripDescription(shown, max) });
  // A style attribute would need the CSP's 'unsafe-inline'; the CSSOM does not.
  cells.style.setProperty('--sizes', String(max));
  shown.axis.status.forEach((status, i) => {
    const size = i + 1;
    const given = shown.given.includes(size);
    cells.append(element('span', { class: `size-cell status-${status}${given ? ' given' : ''}`, 'data-size': String(size), 'data-status': status, title: sizeTitle(shown.label, shown.axis, size) }));
  });
  const ticks = element('div', { class: 'size-ticks', 'aria-hidden': 'true' });
  for (const size of tickSizes(max)) {
    const tick = element('span', {}, String(size));
    tick.style.left = `${(100 * (size - 0.5)) / max}%`;
    ticks.append(tick);
  }
  const fixedOthers = shown.axis.fixed.filter((_, i) => i !== index);
  return element('section', { class: 'sizes-axis', 'data-axis': shown.label },
    element('h2', {}, shown.label, fixedOthers.length === 0 ? '' : shown.label.includes(',') ? ` (each swept with the others at ${fixedOthers.join('×')})` : ` (the others at ${fixedOthers.join('×')})`),
    rule('Accepted', shown.axis.accepted),
    rule('Restored (output size = input size)', shown.axis.restored),
    cells, ticks,
  );
}

export function sizesView(sizes: WireInputSizes): HTMLElement {
  const spatial = sizes.input.slice(2);
  const verdict = sizes.given.verdict === 'accepted' ? 'runs' : sizes.given.verdict === 'rejected' ? `fails: ${sizes.given.message ?? ''}` : `is not known: ${sizes.given.message ?? ''}`;
  const header = element('header', {},
    element('h1', {}, 'Input sizes of ', element('code', {}, sizes.model), ` — sizes 1 to ${sizes.max}`),
    element('p', { class: 'sizes-given', id: 'sizes-given' }, `${sizes.inputFromFile ? 'The input in the file' : 'The input given'}, (${sizes.input.join(', ')}), outlined: ${verdict}`),
  );
  const legend = element('ul', { class: 'sizes-legend', 'aria-label': 'Legend' },
    ...SIZE_STATUSES.map(({ status, label, meaning }) => element('li', {}, element('span', { class: `legend-swatch status-${status}`, 'aria-hidden': 'true' }), element('strong', {}, label), `: ${meaning}`)),
  );
  const strips = sizeStrips(sizes).map((s, i) => strip(s, sizes.max, i));
  const note = element('p', { class: 'meta' }, `Each size was run through Conv Lab's analysis with the other axes held at ${spatial.length > 1 ? 'the sizes shown' : 'the input\'s'}; nothing is claimed past ${sizes.max}. Hover a cell for its size and PyTorch's message.`);
  return element('div', { class: 'sizes-view', id: 'sizes-view' }, header, legend, ...strips, note);
}
