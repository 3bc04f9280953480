// The Parameters view: stride, padding, output_padding, dilation, groups and kernel size as
// text fields ("2" or "2, 1"); a change runs the op again in the host's worker pool, and the
// view that comes back shows the new output shape and its formulas, or PyTorch's message when
// the combination is invalid. Webview only.
import { formatOpArgs } from '../core/opArgsText';
import type { OpArgName, OpArgs } from '../core/vocabulary';
import { ARG_TUPLE_MAX_LENGTH, KERNEL_SIZE_MAX } from '../protocol/panel';
import { element, shapeText } from './dom';
import type { ViewContext } from './views';

/** A Parameters run the host refused: the arguments tried and PyTorch's message. */
export interface ParametersError {
  readonly args: OpArgs;
  readonly message: string;
}

export interface Field {
  readonly keyword: string;
  readonly field: OpArgName;
  /** What the field holds: one integer, an integer or one per dim, or those or same / valid. */
  readonly accepts: 'int' | 'ints' | 'padding';
  readonly hint: string;
}

export const FIELDS: readonly Field[] = [
  { keyword: 'stride', field: 'stride', accepts: 'ints', hint: 'an integer or one per dim, e.g. 2 or 2, 1' },
  { keyword: 'padding', field: 'padding', accepts: 'padding', hint: "an integer, one per dim, or same / valid (convolutions)" },
  { keyword: 'output_padding', field: 'outputPadding', accepts: 'ints', hint: 'transposed convolutions: below the stride or the dilation' },
  { keyword: 'dilation', field: 'dilation', accepts: 'ints', hint: 'an integer or one per dim' },
  { keyword: 'groups', field: 'groups', accepts: 'int', hint: 'an integer dividing both channel counts' },
];

function fieldText(value: OpArgs[OpArgName]): string {
  if (value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  return value.join(', ');
}

/** A decimal number as typed (non-integers too: PyTorch's own message names them). */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A field's text as its value: `2` → 2, `2, 1` or `(2, 1)` → [2, 1], `same` → 'same'; empty is
 * the default (undefined). Throws a message for anything else. Only numbers and two words are
 * read: the fields are not Python.
 */
export function fieldValue(field: Field, text: string): OpArgs[OpArgName] {
  const t = text.trim().replace(/^[([](.*)[)\]]$/, '$1').trim();
  if (t === '') return undefined;
  const word = t.replace(/^(['"])(.*)\1$/, '$2');
  if (field.accepts === 'padding' && (word === 'same' || word === 'valid')) return word;
  const parts = t.split(',').map((p) => p.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const numbers = parts.map((p) => (NUMBER.test(p) ? Number(p) : NaN));
  const valid = numbers.every((n) => Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER)
    && numbers.length <= (field.accepts === 'int' ? 1 : ARG_TUPLE_MAX_LENGTH);
  if (!valid) throw new Error(`${field.keyword}: ${field.hint}`);
  return numbers.length === 1 && !t.includes(',') ? numbers[0] : numbers;
}

export function parametersView(ctx: ViewContext, error: ParametersError | undefined): HTMLElement {
  const g = ctx.geometry;
  // After a refused run the fields keep the arguments tried; otherwise they show the shown run's.
  const shown: OpArgs = error ? error.args : ctx.args;
  const fields = FIELDS.filter((f) => f.field !== 'outputPadding' || g.transposed);
  const inputs = new Map<Field, HTMLInputElement>();
  const form = element('form', { class: 'parameters', 'aria-label': 'Parameters' });
  for (const f of fields) {
    const input = element('input', { type: 'text', id: `param-${f.keyword}`, value: fieldText(shown[f.field]), placeholder: 'default', 'aria-describedby': `hint-${f.keyword}`, spellcheck: 'false' });
    inputs.set(f, input);
    form.append(element('div', { class: 'field' },
      element('label', { for: `param-${f.keyword}` }, f.keyword),
      input,
      element('span', { class: 'meta', id: `hint-${f.keyword}` }, f.hint),
    ));
  }
  const kernel = element('input', { type: 'text', id: 'param-kernel_size', value: g.kernelSize.join(', '), 'aria-describedby': 'hint-kernel_size', spellcheck: 'false' });
  form.append(element('div', { class: 'field' },
    element('label', { for: 'param-kernel_size' }, 'kernel size'),
    kernel,
    element('span', { class: 'meta', id: 'hint-kernel_size' }, `one per dim (1–${KERNEL_SIZE_MAX}); the weight keeps its taps, new ones are 1`),
  ));
  const result = element('div', { class: 'parameters-result', id: 'parameters-result', 'aria-live': 'polite' });
  const output = ctx.view.tensors.find((t) => t.role === 'output');
  if (error) {
    result.append(
      element('p', {}, 'Output shape: ', element('strong', { id: 'parameters-shape' }, '—')),
      element('p', { role: 'alert', class: 'error', id: 'parameters-error' }, error.message),
    );
  } else {
    result.append(
      element('p', {}, element('code', {}, ctx.view.call)),
      element('p', {}, 'Output shape: ', element('strong', { id: 'parameters-shape' }, output ? shapeText(output.shape) : '?')),
      element('ul', { class: 'formulas', 'aria-label': 'Output size' }, ...ctx.view.formulas.map((f) => element('li', {}, element('code', {}, f)))),
    );
  }
  const run = () => {
    const kernelText = kernel.value.trim().replace(/^\((.*)\)$/, '$1');
    const kernelSize = kernelText.split(',').map((k) => Number(k.trim()));
    if (kernelSize.length !== g.spatialDims || !kernelSize.every((k) => Number.isInteger(k) && k >= 1 && k <= KERNEL_SIZE_MAX)) {
      result.replaceChildren(element('p', { role: 'alert', class: 'error', id: 'parameters-error' }, `kernel size: ${g.spatialDims} integer${g.spatialDims === 1 ? '' : 's'} from 1 to ${KERNEL_SIZE_MAX}, e.g. ${new Array<string>(g.spatialDims).fill('3').join(', ')}`));
      return;
    }
    // The module-only arguments of the run (padding_mode, output_size) stay as they were.
    const { paddingMode, outputSize } = ctx.args;
    const args: Record<string, unknown> = { ...(paddingMode ? { paddingMode } : {}), ...(outputSize ? { outputSize } : {}) };
    try {
      for (const f of fields) {
        const value = fieldValue(f, inputs.get(f)?.value ?? '');
        if (value !== undefined) args[f.field] = value;
      }
    } catch (e) {
      result.replaceChildren(element('p', { role: 'alert', class: 'error', id: 'parameters-error' }, e instanceof Error ? e.message : String(e)));
      return;
    }
    result.setAttribute('aria-busy', 'true');
    ctx.post({ type: 'rerun', args: args as OpArgs, kernelSize });
  };
  form.addEventListener('change', run);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  const originalArgs = formatOpArgs(ctx.view.originalArgs);
  const reset = element('button', { type: 'button', class: 'secondary', id: 'parameters-reset' }, 'Reset to the run’s arguments');
  reset.addEventListener('click', () => ctx.post({ type: 'resetParameters' }));
  return element('div', {},
    element('p', {}, `Change an argument and press Enter (or leave the field): the operation runs again on the same tensors${originalArgs ? ` (the run's own arguments: ${originalArgs})` : ''}.`),
    form,
    element('div', { class: 'toolbar' }, reset),
    result,
  );
}
