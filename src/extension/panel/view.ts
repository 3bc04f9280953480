// What the panel shows for one op run, built from the request and its result. Pure (no
// `vscode`), so unit tests check it directly.
import { convGeometry, geometryFormulas } from '../../core/geometry';
import type { OpArgs, OpRequest } from '../../core/ops';
import type { Tensor } from '../../core/tensor';
import type { PanelTensor, PanelView, StoredView, TensorRole } from '../../protocol/panel';

/** Python's keyword for each OpArgs field, in the order PyTorch's signatures list them. */
const PYTHON_KEYWORDS: readonly [keyof OpArgs, string][] = [
  ['stride', 'stride'],
  ['padding', 'padding'],
  ['outputPadding', 'output_padding'],
  ['groups', 'groups'],
  ['dilation', 'dilation'],
  ['paddingMode', 'padding_mode'],
  ['outputSize', 'output_size'],
];

function pythonValue(value: NonNullable<OpArgs[keyof OpArgs]>): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  return value.length === 1 ? `(${value[0]},)` : `(${value.join(', ')})`;
}

/** `F.conv_transpose2d(input, weight, bias, stride=2)`, or d2l's `trans_conv(X, K)`. */
export function pythonCall(req: OpRequest): string {
  if (req.op === 'corr2d' || req.op === 'trans_conv') return `${req.op}(X, K)`;
  const args = req.args ?? {};
  const keywords = PYTHON_KEYWORDS.flatMap(([field, python]) => {
    const value = args[field];
    return value === undefined ? [] : [`${python}=${pythonValue(value)}`];
  });
  return `F.${req.op}(${['input', 'weight', ...(req.bias ? ['bias'] : []), ...keywords].join(', ')})`;
}

/** A tensor's values as float64 for drawing (int64 beyond 2^53 rounds to the nearest double). */
function displayValues(t: Tensor): Float64Array {
  const data = t.data;
  return data instanceof BigInt64Array ? Float64Array.from(data, Number) : Float64Array.from(data);
}

function panelTensor(role: TensorRole, t: Tensor): PanelTensor {
  return { role, shape: [...t.shape], dtype: t.dtype, values: displayValues(t) };
}

/** The Tensors view of a run whose request already passed validation (it produced `result`). */
export function panelViewOf(req: OpRequest, result: Tensor): PanelView {
  const g = convGeometry(req);
  return {
    op: req.op,
    call: pythonCall(req),
    spatialDims: g.spatialDims,
    formulas: geometryFormulas(g),
    tensors: [
      panelTensor('input', req.input),
      panelTensor('weight', req.weight),
      ...(req.bias ? [panelTensor('bias', req.bias)] : []),
      panelTensor('output', result),
    ],
  };
}

/** A restored view's tensors as the host keeps them for copying (dtype restored from the values). */
export function tensorsOfStoredView(view: StoredView): Map<TensorRole, Tensor> {
  return new Map(view.tensors.map((t) => [t.role, tensorFromValues(t)]));
}

function tensorFromValues({ shape, dtype, values }: PanelTensor<number[]>): Tensor {
  switch (dtype) {
    case 'float32': return { shape, dtype, data: Float32Array.from(values) };
    case 'float64': return { shape, dtype, data: Float64Array.from(values) };
    case 'int64': return { shape, dtype, data: BigInt64Array.from(values, (v) => BigInt(Math.trunc(v))) };
    case 'int32': return { shape, dtype, data: Int32Array.from(values) };
    case 'bool': return { shape, dtype, data: Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0)) };
  }
}
