import * as assert from 'node:assert/strict';
import { planOp } from '../../../src/core/plan';
import { tensor, type Tensor } from '../../../src/core/tensor';
import type { OpArgs, OpRequest } from '../../../src/core/vocabulary';
import { panelViewOf, parametersRun, pythonCall, resizeKernel, tensorsOfStoredView, valuesAt } from '../../../src/extension/panel/view';
import { DEFAULT_UI_STATE, parseFromPanelMessage, parseStoredView, parseUiState, pngBytesOf, type StoredView } from '../../../src/protocol/panel';

// The seed's cell 89: X = K = [[0, 1], [2, 3]] as 1×1×2×2, conv_transpose2d → [[0, 0, 1], [0, 4, 6], [4, 12, 9]].
const X = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
const Y = tensor([0, 0, 1, 0, 4, 6, 4, 12, 9], [1, 1, 3, 3]);

const cell89: OpRequest = { op: 'conv_transpose2d', input: X, weight: X };

let cell89View: StoredView;

before(async () => {
  const { op, call, args, originalArgs, spatialDims, formulas, tensors } = await panelViewOf(planOp(cell89), Y);
  cell89View = { op, call, args, originalArgs, spatialDims, formulas, tensors: tensors.map((t) => ({ ...t, values: Array.from(t.values ?? []) })) };
});

/** Cell 89's view as the webview stores it (a fresh copy each time). */
function stored(): StoredView {
  return JSON.parse(JSON.stringify(cell89View)) as StoredView;
}

/** The Parameters view's request, and the tensors it makes after it is planned. */
async function parameters(original: OpRequest, args: OpArgs, kernelSize?: readonly number[]): Promise<OpRequest> {
  const run = parametersRun(original, args, kernelSize);
  const tensors: { input: Tensor; weight: Tensor; bias?: Tensor } = await run.tensors();
  assert.deepEqual([tensors.input.shape, tensors.weight.shape], [run.request.input.shape, run.request.weight.shape]);
  return { op: run.request.op, ...tensors, args: run.request.args };
}

describe('panel protocol: messages from the webview', () => {
  it('accepts the declared messages', () => {
    assert.deepEqual(parseFromPanelMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromPanelMessage({ type: 'copy', role: 'output', format: 'numpy' }), { type: 'copy', role: 'output', format: 'numpy' });
    assert.deepEqual(parseFromPanelMessage({ type: 'rendered', elements: 9, ms: 1.5 }), { type: 'rendered', elements: 9, ms: 1.5 });
    assert.deepEqual(parseFromPanelMessage({ type: 'rendered', elements: 9, ms: 1.5, tab: 'matrix' }), { type: 'rendered', elements: 9, ms: 1.5, tab: 'matrix' });
    assert.deepEqual(parseFromPanelMessage({ type: 'values', id: 3, role: 'input', starts: [0, 16384], length: 16384 }),
      { type: 'values', id: 3, role: 'input', starts: [0, 16384], length: 16384 });
  });

  it("accepts the Input sizes view's draw report and keeps it as a restored tab, and refuses a tab of no view", () => {
    assert.deepEqual(parseFromPanelMessage({ type: 'rendered', elements: 128, ms: 3, tab: 'sizes' }), { type: 'rendered', elements: 128, ms: 3, tab: 'sizes' });
    assert.deepEqual(parseFromPanelMessage({ type: 'savePng', view: 'sizes', dataUrl: 'data:image/png;base64,AAAA' }), { type: 'savePng', view: 'sizes', dataUrl: 'data:image/png;base64,AAAA' });
    assert.equal(parseUiState({ ...DEFAULT_UI_STATE, tab: 'sizes' }).tab, 'sizes');
    assert.equal(parseFromPanelMessage({ type: 'rendered', elements: 128, ms: 3, tab: 'size' }), undefined);
  });

  it("accepts the Summary view's row reveal and exports, and refuses them malformed", () => {
    assert.deepEqual(parseFromPanelMessage({ type: 'revealSummaryRow', row: 4 }), { type: 'revealSummaryRow', row: 4 });
    assert.deepEqual(parseFromPanelMessage({ type: 'summaryExport', action: 'saveCsv' }), { type: 'summaryExport', action: 'saveCsv' });
    assert.deepEqual(parseFromPanelMessage({ type: 'rendered', elements: 17, ms: 2, tab: 'summary' }), { type: 'rendered', elements: 17, ms: 2, tab: 'summary' });
    for (const bad of [{ type: 'revealSummaryRow', row: -1 }, { type: 'revealSummaryRow', row: 1.5 }, { type: 'revealSummaryRow' }, { type: 'summaryExport', action: 'delete' }]) {
      assert.equal(parseFromPanelMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('drops extra fields and refuses anything undeclared or malformed', () => {
    assert.deepEqual(parseFromPanelMessage({ type: 'ready', command: 'rm -rf' }), { type: 'ready' });
    for (const bad of [null, 'ready', [], { type: 'eval' }, { type: 'copy', role: 'output' }, { type: 'copy', role: '__proto__', format: 'numpy' },
      { type: 'copy', role: 'output', format: 'latex' }, { type: 'rendered', elements: -1, ms: 1 }, { type: 'rendered', elements: 1, ms: NaN }, { type: 'rendered', elements: 1, ms: 1, tab: 'shell' },
      { type: 'values', id: 0, role: 'input', starts: [-1], length: 4 }, { type: 'values', id: 0, role: 'input', starts: [0.5], length: 4 },
      { type: 'values', id: 0, role: 'input', starts: '0', length: 4 }, { type: 'values', id: 0, role: 'input', starts: [0, 1], length: 16 * 1024 * 1024 }]) {
      assert.equal(parseFromPanelMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('panel protocol: the view and its restored state', () => {
  it("builds cell 89's view: the call, the formulas with numbers, every tensor", async () => {
    const plan = planOp(cell89);
    const view = await panelViewOf(plan, Y);
    assert.equal(view.call, 'F.conv_transpose2d(input, weight)');
    assert.equal(view.geometry, plan.geometry, "the plan's geometry, not another");
    // (2 − 1)·1 − 2·0 + 1·(2 − 1) + 0 + 1 = 3 for both dims
    assert.deepEqual(view.formulas, ['H', 'W'].map((d) => `${d}_out = (${d}_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 = (2 − 1)·1 − 2·0 + 1·(2 − 1) + 0 + 1 = 3`));
    assert.deepEqual(view.tensors.map((t) => [t.role, t.shape]), [['input', [1, 1, 2, 2]], ['weight', [1, 1, 2, 2]], ['output', [1, 1, 3, 3]]]);
    assert.deepEqual(Array.from(view.tensors[2]?.values ?? []), [0, 0, 1, 0, 4, 6, 4, 12, 9]);
  });

  it('leaves the values of large views for the webview to ask for, with each range of values checked', async () => {
    const big = tensor(Array.from({ length: 64 * 64 * 32 }, (_, i) => i - 5), [1, 32, 64, 64]);
    const view = await panelViewOf(planOp({ op: 'conv2d', input: big, weight: tensor(new Array(32).fill(1), [32, 1, 1, 1]), args: { groups: 32 } }), big);
    assert.ok(view.tensors.every((t) => t.values === undefined));
    assert.deepEqual(view.tensors.map((t) => [t.min, t.max]), [[-5, 131066], [1, 1], [-5, 131066]]);
    // plane 2 of the input starts at 2·64·64 = 8192, whose first value is 8192 − 5
    assert.deepEqual(Array.from(valuesAt(big, [0, 8192], 2)), [-5, -4, 8187, 8188]);
    assert.throws(() => valuesAt(big, [131071], 2), /values \[131071, 131073\) are outside the tensor's 131072/);
  });

  it('spells the call with Python keywords', () => {
    assert.equal(pythonCall({ op: 'conv_transpose2d', input: X, weight: X, bias: tensor([1], [1]), args: { stride: 2, padding: [1, 0], outputPadding: 1 } }),
      'F.conv_transpose2d(input, weight, bias, stride=2, padding=(1, 0), output_padding=1)');
    assert.equal(pythonCall({ op: 'conv1d', input: X, weight: X, args: { padding: 'same', paddingMode: 'reflect', dilation: [2] } }),
      "F.conv1d(input, weight, padding='same', dilation=(2,), padding_mode='reflect')");
    assert.equal(pythonCall({ op: 'trans_conv', input: X, weight: X }), 'trans_conv(X, K)');
  });

  it('restores a stored view (after a JSON round trip) with its tensors and its geometry computed again', () => {
    const restored = parseStoredView(JSON.parse(JSON.stringify(stored())));
    assert.deepEqual(restored, { ...stored(), geometry: planOp(cell89).geometry });
    const output = restored && tensorsOfStoredView(restored).get('output');
    assert.deepEqual([output?.dtype, output?.shape, [...(output?.data ?? [])].map(Number)], ['float32', [1, 1, 3, 3], [0, 0, 1, 0, 4, 6, 4, 12, 9]]);
  });

  it('refuses a stored view that does not hold together', () => {
    const view = stored();
    const wrongCount = { ...view, tensors: view.tensors.map((t) => (t.role === 'output' ? { ...t, values: [1, 2] } : t)) };
    const noOutput = { ...view, tensors: view.tensors.filter((t) => t.role !== 'output') };
    // stride 0 is invalid; stride 2 gives a 4×4 output, not the stored 3×3 (its geometry is computed again, never taken on trust).
    for (const bad of [undefined, { ...view, op: 'conv4d' }, { ...view, spatialDims: 4 }, { ...view, formulas: [1] }, wrongCount, noOutput,
      { ...view, tensors: [{ ...view.tensors[0], dtype: 'complex64' }] }, { ...view, args: { stride: 0 } }, { ...view, args: { stride: 2 } }, { ...view, spatialDims: 1 }]) {
      assert.equal(parseStoredView(bad), undefined, String(JSON.stringify(bad)).slice(0, 80));
    }
  });
});

describe('panel protocol: the Parameters, Save as PNG and UI-state messages', () => {
  // "\x89PNG\r\n\x1a\n" then one more byte, base64-encoded.
  const png = `data:image/png;base64,${btoa('\x89PNG\r\n\x1a\n\x00')}`;

  it('accepts a rerun with structured arguments and a kernel size, a reset, and a PNG data URL', () => {
    assert.deepEqual(parseFromPanelMessage({ type: 'rerun', args: { stride: 2, padding: [1, 0] }, kernelSize: [3, 3] }), { type: 'rerun', args: { stride: 2, padding: [1, 0] }, kernelSize: [3, 3] });
    assert.deepEqual(parseFromPanelMessage({ type: 'rerun', args: {} }), { type: 'rerun', args: {} });
    // Non-integers pass: PyTorch's own TypeError names them when the op is planned.
    assert.deepEqual(parseFromPanelMessage({ type: 'rerun', args: { padding: 'same', dilation: 1.5, paddingMode: 'reflect', outputSize: [4, 4] } }),
      { type: 'rerun', args: { padding: 'same', dilation: 1.5, paddingMode: 'reflect', outputSize: [4, 4] } });
    assert.deepEqual(parseFromPanelMessage({ type: 'resetParameters' }), { type: 'resetParameters' });
    assert.deepEqual(parseFromPanelMessage({ type: 'savePng', view: 'scatter', dataUrl: png }), { type: 'savePng', view: 'scatter', dataUrl: png });
    assert.deepEqual(Array.from(pngBytesOf(png)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
  });

  it('refuses malformed reruns (Python text, unknown or ill-typed arguments) and anything but a base64 PNG data URL', () => {
    for (const bad of [{ type: 'rerun' }, { type: 'rerun', args: 2 }, { type: 'rerun', args: 'stride=2' }, { type: 'rerun', args: [] },
      { type: 'rerun', args: { stride: '2' } }, { type: 'rerun', args: { stride: Infinity } }, { type: 'rerun', args: { stride: 2 ** 60 } },
      { type: 'rerun', args: { stride: [] } }, { type: 'rerun', args: { stride: new Array(9).fill(1) } }, { type: 'rerun', args: { groups: [2] } },
      { type: 'rerun', args: { padding: 'full' } }, { type: 'rerun', args: { paddingMode: 'mirror' } }, { type: 'rerun', args: { outputSize: 4 } },
      { type: 'rerun', args: { toString: 2 } }, { type: 'rerun', args: JSON.parse('{"__proto__": {"stride": 2}}') },
      { type: 'rerun', args: {}, kernelSize: [0] },
      { type: 'rerun', args: {}, kernelSize: [65] }, { type: 'rerun', args: {}, kernelSize: [1, 1, 1, 1] }, { type: 'rerun', args: {}, kernelSize: '3' },
      { type: 'savePng', view: 'scatter', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' }, { type: 'savePng', view: 'scatter', dataUrl: 'data:image/png;base64,<script>' },
      { type: 'savePng', view: 'everything', dataUrl: png }, { type: 'savePng', view: 'scatter' }]) {
      assert.equal(parseFromPanelMessage(bad), undefined, JSON.stringify(bad));
    }
    assert.throws(() => pngBytesOf(`data:image/png;base64,${btoa('GIF89a')}`), /not a PNG/);
  });

  it('restores the UI state, keeping only well-formed parts', () => {
    assert.deepEqual(parseUiState({ tab: 'overlap', table: true, step: 3, plane: [1, 2], picks: { output: [0, 3] } }), { tab: 'overlap', table: true, step: 3, plane: [1, 2], picks: { output: [0, 3] } });
    assert.deepEqual(parseUiState({ tab: 'eval', table: 'yes', step: -1, plane: [1], picks: { output: [-1], evil: [1] } }), DEFAULT_UI_STATE);
    assert.deepEqual(parseUiState(null), DEFAULT_UI_STATE);
  });

  it('refuses a stored view whose arguments are not structured OpArgs', () => {
    assert.equal(parseStoredView({ ...stored(), args: 'stride=2' }), undefined);
    assert.equal(parseStoredView({ ...stored(), originalArgs: 7 }), undefined);
    assert.equal(parseStoredView({ ...stored(), originalArgs: { strides: 2 } }), undefined);
    assert.deepEqual(parseStoredView({ ...stored(), originalArgs: { stride: 2 } })?.originalArgs, { stride: 2 });
  });
});

describe('the Parameters view on the host: the request it runs', () => {
  it("keeps the run's tensors and takes the new arguments", async () => {
    const req = await parameters({ op: 'conv_transpose2d', input: X, weight: X, args: { padding: 1 } }, { stride: 2, outputPadding: 1 });
    assert.deepEqual([req.op, req.args, req.input, req.weight], ['conv_transpose2d', { stride: 2, outputPadding: 1 }, X, X]);
  });

  it("turns d2l's trans_conv with arguments into F.conv_transpose2d on 1×1-channel tensors", async () => {
    const K = tensor([0, 1, 2, 3], [2, 2]);
    const req = await parameters({ op: 'trans_conv', input: K, weight: K }, { stride: 2 });
    assert.deepEqual([req.op, req.input.shape, req.weight.shape, req.args], ['conv_transpose2d', [1, 1, 2, 2], [1, 1, 2, 2], { stride: 2 }]);
    assert.equal((await parameters({ op: 'trans_conv', input: K, weight: K }, {})).op, 'trans_conv');
  });

  it('resizes the kernel: shared taps keep their values, new taps are 1, the rest is cropped', async () => {
    // K = [[0, 1], [2, 3]] grown to 3 × 3: [[0, 1, 1], [2, 3, 1], [1, 1, 1]]; cropped to 1 × 2: [[0, 1]].
    assert.deepEqual(Array.from((await resizeKernel(X, [3, 3])).data as Float32Array), [0, 1, 1, 2, 3, 1, 1, 1, 1]);
    assert.deepEqual((await resizeKernel(X, [1, 2])).shape, [1, 1, 1, 2]);
    assert.deepEqual(Array.from((await resizeKernel(X, [1, 2])).data as Float32Array), [0, 1]);
    // Two output channels, int64, grown from 2 to 3 taps and from 1 to 2 rows: [[[[5, 6, 1], [1, 1, 1]]], [[[7, 8, 1], [1, 1, 1]]]].
    const int64: Tensor = { shape: [2, 1, 1, 2], dtype: 'int64', data: BigInt64Array.of(5n, 6n, 7n, 8n) };
    assert.deepEqual(Array.from((await resizeKernel(int64, [2, 3])).data as BigInt64Array), [5n, 6n, 1n, 1n, 1n, 1n, 7n, 8n, 1n, 1n, 1n, 1n]);
    assert.deepEqual(Array.from((await parameters({ op: 'conv2d', input: X, weight: X }, {}, [1, 2])).weight.data as Float32Array), [0, 1]);
    assert.throws(() => parametersRun({ op: 'conv2d', input: X, weight: X }, {}, [3]), /kernel size needs 2 values/);
  });

  it('names a resized kernel by its shape alone: the size limit refuses it before its weight is made', () => {
    // 512 × 512 channels with a 64 × 64 kernel: 512·512·64·64 = 1,073,741,824 weights (4 GB of float32).
    const weight = { shape: [512, 512, 3, 3], dtype: 'float32', data: new Float32Array(0) } as const;
    const run = parametersRun({ op: 'conv2d', input: { shape: [1, 512, 70, 70], dtype: 'float32', data: new Float32Array(0) }, weight }, {}, [64, 64]);
    assert.deepEqual(run.request.weight, { shape: [512, 512, 64, 64], dtype: 'float32' });
    assert.throws(() => planOp(run.request), /conv2d weight \[512, 512, 64, 64\] has 1,073,741,824 elements, more than the limit of 50,000,000/);
  });
});
