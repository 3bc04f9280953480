// A model summary as text: an aligned table (torchinfo's look), Markdown, CSV, or JSON. Unknown
// numbers print as `?` (null in JSON); what does not apply prints as `--` (absent in JSON).
import type { ReceptiveField } from '../../core/receptiveField';
import { dimJson, shapeText, type Dim } from '../interpreter/dim';
import type { ModelSummary, SummaryRow } from './summary';

export type SummaryFormat = 'table' | 'json' | 'csv' | 'markdown';
export const SUMMARY_FORMATS: readonly SummaryFormat[] = ['table', 'json', 'csv', 'markdown'];

export const UNKNOWN = '?';
const NONE = '--';

function count(n: number | undefined): string {
  return n === undefined ? UNKNOWN : n.toLocaleString('en-US');
}

/** A shape as the summary prints it: `(1, 3, 224, 224)`, `?` when unknown. */
export function summaryShape(s: readonly Dim[] | undefined): string {
  return s ? shapeText(s).replace(/,\)$/, ')') : UNKNOWN;
}

function fieldText(fields: readonly ReceptiveField[] | undefined): string {
  if (!fields) return NONE;
  return ['size', 'jump', 'start'].map((k) => fields.map((f) => f[k as keyof ReceptiveField]).join('×')).join(' / ');
}

function marks(row: SummaryRow): string {
  return [
    ...(row.aliases.length > 0 ? [`shared: also ${row.aliases.join(', ')}`] : []),
    ...(row.reused ? ['reused'] : []),
    ...(row.uncertain ? ['may not run'] : []),
  ].join('; ');
}

export const SUMMARY_HEADERS = ['Layer (type)', 'Input shape', 'Output shape', 'Kernel', 'Groups', 'Params', '% params', 'MACs', 'FLOPs', 'Receptive field (size / jump / start)', 'Trainable', 'Notes'];

/** A row's cells under SUMMARY_HEADERS; `indent` puts two spaces per depth before its name. */
export function summaryCells(row: SummaryRow, total: number | undefined, indent: boolean): string[] {
  const label = `${row.kind === 'op' ? row.name : row.name === '' ? '(model)' : row.name} (${row.type})`;
  const shownParameters = row.kind === 'op' ? NONE : row.reused ? `(${count(row.parameters)})` : count(row.parameters);
  const percent = row.kind === 'op' || row.reused || row.parameters === undefined || total === undefined || total === 0 ? NONE : `${((100 * row.parameters) / total).toFixed(2)}%`;
  return [
    `${indent ? '  '.repeat(row.depth) : ''}${label}`, summaryShape(row.input), summaryShape(row.output),
    row.kernel ? row.kernel.join('×') : NONE, row.groups === undefined ? NONE : String(row.groups),
    shownParameters, percent, count(row.macs), row.macs === undefined ? UNKNOWN : (2 * row.macs).toLocaleString('en-US'),
    fieldText(row.receptiveField), row.trainable === undefined ? NONE : row.trainable ? 'yes' : 'no', marks(row),
  ];
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? UNKNOWN : (bytes / 1e6).toFixed(2);
}

/** One line of the totals: its label, its value as printed, and why it is not known (the engine's note) when it is `?`. */
export interface SummaryTotal {
  readonly label: string;
  readonly value: string;
  readonly why?: string | undefined;
}

/** The totals under a summary, each with the note that says why it is unknown (notes start with what they are about). */
export function summaryTotals(summary: ModelSummary): SummaryTotal[] {
  const t = summary.totals;
  const note = (...prefixes: string[]): string | undefined => summary.notes.find((n) => prefixes.some((p) => n.startsWith(p)));
  const entry = (label: string, value: string, ...about: string[]): SummaryTotal => ({ label, value, ...(value === UNKNOWN ? { why: note(...about) } : {}) });
  return [
    entry('Total params', count(t.parameters), 'not known:', 'parameters:'),
    entry('Trainable params', count(t.trainable), 'not known:', 'parameters:', 'trainable:'),
    entry('Non-trainable params', count(t.nonTrainable), 'not known:', 'parameters:', 'trainable:'),
    entry('Total mult-adds (MACs)', count(t.macs), 'MACs:'),
    entry('Total FLOPs (2 × MACs)', t.macs === undefined ? UNKNOWN : (2 * t.macs).toLocaleString('en-US'), 'MACs:'),
    entry('Input size (MB)', megabytes(t.inputBytes)),
    entry('Forward activations (MB)', megabytes(t.activationBytes), 'MACs:'),
    entry('Params size (MB)', megabytes(t.parameterBytes), 'parameter memory:', 'not known:', 'parameters:'),
    entry('Estimated total size (MB)', megabytes(t.totalBytes), 'parameter memory:', 'not known:', 'parameters:', 'MACs:'),
  ];
}

function totalLines(summary: ModelSummary): string[] {
  return [...summaryTotals(summary).map((t) => `${t.label}: ${t.value}`), ...summary.notes.map((n) => `Note: ${n}`)];
}

function table(summary: ModelSummary): string {
  const rows = summary.rows.map((r) => summaryCells(r, summary.totals.parameters, true));
  const widths = SUMMARY_HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (values: readonly string[]): string => values.map((v, i) => (i === 0 || i === values.length - 1 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  ').trimEnd();
  const rule = '='.repeat(line(SUMMARY_HEADERS).length);
  return [`${summary.model} — input ${summaryShape(summary.input)}`, rule, line(SUMMARY_HEADERS), rule, ...rows.map(line), rule, ...totalLines(summary), rule].join('\n');
}

function markdown(summary: ModelSummary): string {
  const escape = (v: string): string => v.replace(/\|/g, '\\|');
  const rows = summary.rows.map((r) => summaryCells(r, summary.totals.parameters, false).map((c, i) => (i === 0 ? `${'&nbsp;&nbsp;'.repeat(r.depth)}${escape(c)}` : escape(c))));
  return [
    `### ${summary.model} — input \`${summaryShape(summary.input)}\``, '',
    `| ${SUMMARY_HEADERS.join(' | ')} |`, `|${SUMMARY_HEADERS.map((_, i) => (i === 0 || i === SUMMARY_HEADERS.length - 1 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`), '',
    ...totalLines(summary).map((l) => `- ${l}`),
  ].join('\n');
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One row per line, numbers without separators; the depth is its own column. */
function csv(summary: ModelSummary): string {
  const headers = ['model', 'depth', 'name', 'type', 'kind', 'input_shape', 'output_shape', 'kernel', 'groups', 'params', 'macs', 'flops', 'rf_size', 'rf_jump', 'rf_start', 'trainable', 'shared_with', 'reused', 'uncertain', 'line'];
  const plain = (n: number | undefined): string => (n === undefined ? '' : String(n));
  const dims = (s: readonly Dim[] | undefined): string => (s ? s.map((d) => String(dimJson(d))).join('x') : '');
  const field = (row: SummaryRow, key: keyof ReceptiveField): string => row.receptiveField?.map((f) => f[key]).join('x') ?? '';
  const lines = summary.rows.map((r) => [
    summary.model, String(r.depth), r.name, r.type, r.kind, dims(r.input), dims(r.output), r.kernel?.join('x') ?? '', plain(r.groups),
    plain(r.parameters), plain(r.macs), plain(r.macs === undefined ? undefined : 2 * r.macs), field(r, 'size'), field(r, 'jump'), field(r, 'start'),
    r.trainable === undefined ? '' : String(r.trainable), r.aliases.join(' '), String(r.reused), String(r.uncertain), plain(r.line),
  ].map(csvField).join(','));
  return [headers.join(','), ...lines].join('\n');
}

/** A summary as plain data: shapes as lists (symbolic sizes as strings), unknown numbers as null. */
export function summaryJson(summary: ModelSummary): unknown {
  const n = (v: number | undefined): number | null => v ?? null;
  const dims = (s: readonly Dim[] | undefined): (number | string)[] | null => (s ? s.map(dimJson) : null);
  return {
    model: summary.model,
    input: dims(summary.input),
    rows: summary.rows.map((r) => ({
      name: r.name, type: r.type, kind: r.kind, depth: r.depth, input: dims(r.input), output: dims(r.output),
      ...(r.kernel ? { kernel: r.kernel } : {}), ...(r.groups !== undefined ? { groups: r.groups } : {}),
      params: n(r.parameters), macs: n(r.macs), flops: r.macs === undefined ? null : 2 * r.macs,
      ...(r.receptiveField ? { receptiveField: r.receptiveField } : {}),
      trainable: r.trainable ?? null, sharedWith: r.aliases, reused: r.reused, uncertain: r.uncertain, line: n(r.line),
    })),
    totals: {
      params: n(summary.totals.parameters), trainable: n(summary.totals.trainable), nonTrainable: n(summary.totals.nonTrainable),
      macs: n(summary.totals.macs), flops: summary.totals.macs === undefined ? null : 2 * summary.totals.macs,
      inputBytes: n(summary.totals.inputBytes), activationBytes: n(summary.totals.activationBytes),
      parameterBytes: n(summary.totals.parameterBytes), totalBytes: n(summary.totals.totalBytes),
    },
    notes: summary.notes,
  };
}

/** Several summaries (one per model) in one format. */
export function formatSummaries(summaries: readonly ModelSummary[], format: SummaryFormat): string {
  switch (format) {
    case 'json': return JSON.stringify(summaries.map(summaryJson));
    case 'csv': return [csv(summaries[0] as ModelSummary), ...summaries.slice(1).map((s) => csv(s).split('\n').slice(1).join('\n'))].join('\n');
    case 'markdown': return summaries.map(markdown).join('\n\n');
    case 'table': return summaries.map(table).join('\n\n');
  }
}
