// The Summary view: a model's summary (computed by the analysis worker) as a collapsible tree
// table, the torchinfo columns plus FLOPs and receptive field, a depth control, a bar per row for
// its share of the MACs and of the parameters (the rows under it included), and the totals and
// memory below. A row's name reveals its call in the editor; the buttons ask the host to copy
// the Markdown or save the CSV. Webview only.
import type { WireInputSizes, WireSummary } from '../protocol/analysis';
import type { FromPanelMessage } from '../protocol/panel';
import { element } from './dom';
import { sizeStrips } from './sizesChart';
import { maxDepth, shareOf, summaryTree, visibleRows } from './summaryTree';

/** What a `?` cell of a row means (the engine gives reasons for the totals only). */
const UNKNOWN_ROW_VALUE = 'Not known statically: Conv Lab could not work this value out without running the code.';

/** The depth limit and the folded rows, kept while the same summary is shown. */
export interface SummaryViewState {
  depth: number;
  readonly folded: Set<number>;
}

export function initialSummaryState(summary: WireSummary): SummaryViewState {
  return { depth: maxDepth(summary.rows), folded: new Set() };
}

function percent(share: number): string {
  return `${(100 * share).toFixed(share >= 0.1 ? 0 : 1)}%`;
}

function bar(kind: 'macs' | 'params', share: number): HTMLElement {
  const fill = element('span', { class: 'bar-fill' });
  // A style attribute would need the CSP's 'unsafe-inline'; the CSSOM does not.
  fill.style.width = `${Math.min(100, 100 * share).toFixed(1)}%`;
  return element('span', { class: `bar bar-${kind}`, 'aria-hidden': 'true' }, fill);
}

/** What the Summary view's controls do: ask the host, draw the view again, switch to the Input sizes view. */
export interface SummaryViewActions {
  post(message: FromPanelMessage): void;
  rerender(): void;
  openSizes(): void;
}

/** The model's input sizes, once the host has them: per axis (one line when alike), the accepted and restored sizes in words. */
function sizesSection(sizes: WireInputSizes, openSizes: () => void): HTMLElement {
  const chart = element('button', { type: 'button', class: 'link', id: 'summary-show-sizes' }, 'Show the chart');
  chart.addEventListener('click', openSizes);
  return element('section', { class: 'summary-sizes', id: 'summary-sizes', 'aria-label': 'Input sizes' },
    element('h2', {}, 'Input sizes'),
    ...sizeStrips(sizes).map((s) => element('p', { 'data-axis': s.label },
      `${s.label}: runs for `, element('strong', {}, s.axis.accepted.words), '; output size = input size for ', element('strong', {}, s.axis.restored.words))),
    element('p', { class: 'meta' }, `Sizes 1 to ${sizes.max} checked per axis around the input (${sizes.input.join(', ')}). `, chart),
  );
}

export function summaryView(summary: WireSummary, state: SummaryViewState, sizes: WireInputSizes | undefined, { post, rerender, openSizes }: SummaryViewActions): HTMLElement {
  const tree = summaryTree(summary.rows);
  const deepest = maxDepth(summary.rows);
  const depthInput = element('input', { type: 'number', id: 'summary-depth', min: '0', max: String(deepest), step: '1', value: String(state.depth) });
  depthInput.addEventListener('change', () => {
    state.depth = Math.min(Math.max(Math.trunc(Number(depthInput.value)) || 0, 0), deepest);
    rerender();
  });
  const action = (id: string, text: string, what: 'copyMarkdown' | 'saveCsv', secondary: boolean) => {
    const b = element('button', { type: 'button', id, ...(secondary ? { class: 'secondary' } : {}) }, text);
    b.addEventListener('click', () => post({ type: 'summaryExport', action: what }));
    return b;
  };
  const header = element('header', {},
    element('h1', {}, 'Summary of ', element('code', {}, summary.model), ` — input ${summary.input}`),
    element('div', { class: 'toolbar' },
      element('label', {}, `Depth (0–${deepest}) `, depthInput),
      action('summary-copy-markdown', 'Copy as Markdown', 'copyMarkdown', false),
      action('summary-export-csv', 'Export CSV…', 'saveCsv', true),
    ),
  );

  // The bars next to the names, so that the heaviest rows show however narrow the panel is.
  const [nameHeader = '', ...otherHeaders] = summary.headers;
  const head = element('tr', {}, element('th', { scope: 'col' }, nameHeader), element('th', { scope: 'col' }, 'Share (MACs / params)'), ...otherHeaders.map((h) => element('th', { scope: 'col' }, h)));
  const body = element('tbody', {});
  for (const i of visibleRows(summary.rows, tree, state.depth, state.folded)) {
    const row = summary.rows[i];
    const node = tree[i];
    if (!row || !node) continue;
    const [label = '', ...rest] = row.cells;
    const hasChildren = node.children.length > 0 && row.depth < state.depth;
    const folded = state.folded.has(i);
    const fold = element('button', { type: 'button', class: 'fold', 'aria-label': `${folded ? 'Expand' : 'Collapse'} ${label}`, 'aria-expanded': String(!folded), ...(hasChildren ? {} : { hidden: '' }) }, folded ? '▸' : '▾');
    fold.addEventListener('click', () => {
      if (folded) state.folded.delete(i);
      else state.folded.add(i);
      rerender();
    });
    const name = element('button', { type: 'button', class: 'row-link', title: row.from === null ? 'Called from another file: no line here to reveal' : 'Reveal the call in the editor' }, label);
    name.addEventListener('click', () => post({ type: 'revealSummaryRow', row: i }));
    const macsShare = shareOf(tree, i, 'macs');
    const paramsShare = shareOf(tree, i, 'parameters');
    body.append(element('tr', { 'data-row': String(i), 'aria-level': String(row.depth + 1) },
      element('th', { scope: 'row', class: `depth-${Math.min(row.depth, 8)}` }, fold, name),
      element('td', { class: 'bars', title: `${percent(macsShare)} of the MACs, ${percent(paramsShare)} of the parameters${hasChildren || folded ? ' (with the rows under it)' : ''}` },
        bar('macs', macsShare), bar('params', paramsShare)),
      ...rest.map((cell) => element('td', cell === '?' ? { title: UNKNOWN_ROW_VALUE, class: 'unknown' } : {}, cell)),
    ));
  }
  const table = element('table', { class: 'summary', id: 'summary-table', 'aria-label': `Summary of ${summary.model}` }, element('thead', {}, head), body);
  const totals = element('dl', { class: 'summary-totals', id: 'summary-totals' },
    ...summary.totals.flatMap((t) => [element('dt', {}, t.label), element('dd', t.why ? { title: t.why, class: 'unknown' } : {}, t.value)]),
  );
  const notes = summary.notes.length > 0 ? [element('ul', { class: 'summary-notes' }, ...summary.notes.map((n) => element('li', {}, n)))] : [];
  const legend = element('p', { class: 'meta' }, element('span', { class: 'bar bar-macs legend-swatch', 'aria-hidden': 'true' }, element('span', { class: 'bar-fill' })), ' MACs ',
    element('span', { class: 'bar bar-params legend-swatch', 'aria-hidden': 'true' }, element('span', { class: 'bar-fill' })), ' parameters: each row\'s share of the model\'s, with the rows under it. Click a layer to reveal its call.');
  return element('div', { class: 'summary-view' }, header, legend, element('div', { class: 'summary-scroll' }, table), totals, ...notes, ...(sizes ? [sizesSection(sizes, openSizes)] : []));
}
