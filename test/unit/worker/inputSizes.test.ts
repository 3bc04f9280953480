// The Input sizes view's data from the analysis worker (dist/analysis.js), through the client the
// extension uses: the solver's sweep of 1..128 for a model of the program, against PyTorch's
// sets in the golden test/fixtures/python/sizes/input_sizes.json (gen_input_sizes.py, torch 1.13),
// an input size asked for when none reaches the model, a bad one refused, and a sweep past its time budget.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { FromAnalysisMessage, WireInputSizes, WireInputSizesOutcome, WireSizeAxis } from '../../../src/protocol/analysis';
import { inputSizesOutcome, SIZES_MAX, SIZES_TIME_BUDGET_MS } from '../../../src/worker/inputSizes';
import { diskFiles } from '../../../src/worker/diskFiles';
import { Project } from '../../../src/python/project/project';
import { fixturePath } from '../helpers';
import { modelWorker, outcomeOf } from './modelWorker';

interface GoldenAxis { fixed: number[]; accepted: number[]; restored: number[] }
interface GoldenModel { file: string; model: string; input: number[]; max: number; axes: GoldenAxis[] }
const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'sizes', 'input_sizes.json'), 'utf8')) as { models: GoldenModel[] };
const goldenOf = (file: string): GoldenModel => golden.models.find((m) => m.file === file) as GoldenModel;

const sizesOutcome = (answer: FromAnalysisMessage): WireInputSizesOutcome => outcomeOf(answer, 'inputSizes');

function sizesOf(answer: FromAnalysisMessage): WireInputSizes {
  const outcome = sizesOutcome(answer);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
  return outcome.sizes;
}

/** The sizes of 1..max with a status among `statuses`. */
function sizesWith(axis: WireSizeAxis, ...statuses: string[]): number[] {
  return axis.status.flatMap((s, i) => (statuses.includes(s) ? [i + 1] : []));
}

/** Each axis's accepted (restored or not) and restored sets equal PyTorch's on 1..SIZES_MAX. */
function assertGolden(sizes: WireInputSizes, model: GoldenModel): void {
  assert.equal(sizes.axes.length, model.axes.length);
  sizes.axes.forEach((axis, i) => {
    const want = model.axes[i] as GoldenAxis;
    assert.equal(axis.status.length, SIZES_MAX);
    assert.deepEqual(axis.fixed, want.fixed);
    assert.deepEqual(sizesWith(axis, 'accepted', 'restored'), want.accepted.filter((s) => s <= SIZES_MAX), `${axis.name} accepted`);
    assert.deepEqual(sizesWith(axis, 'restored'), want.restored.filter((s) => s <= SIZES_MAX), `${axis.name} restored`);
    assert.deepEqual(sizesWith(axis, 'unknown'), []);
  });
}

describe('worker: input sizes', function () {
  this.timeout(60_000);
  const { client, sync } = modelWorker();
  after(() => client.dispose());

  it("sweeps the small U-Net's model 1..128 as PyTorch runs it: multiples of 4 from 4, each restored", async () => {
    const model = goldenOf('summary/unet_small.py');
    const at = await sync('unet_small.py', fs.readFileSync(fixturePath('python', 'summary', 'unet_small.py'), 'utf8'));
    const sizes = sizesOf(await client.request({ type: 'inputSizes', ...at, target: { kind: 'instance', name: 'model' } }));
    assert.equal(sizes.model, 'model');
    assert.deepEqual(sizes.input, model.input);
    assert.equal(sizes.inputFromFile, true);
    assert.equal(sizes.given.verdict, 'accepted');
    assert.equal(sizes.alike, true);
    assertGolden(sizes, model);
    const [h] = sizes.axes;
    assert.ok(h);
    assert.equal(h.accepted.words, 'multiples of 4 from 4');
    assert.equal(h.restored.text, 'H ≥ 4 and H ≡ 0 (mod 4)');
    // H = 1: the first MaxPool2d(2) halves 1 to 0 (PyTorch: "Output size is too small").
    assert.equal(h.status[0], 'failing');
    assert.match(h.messages[0] ?? '', /Output size is too small/);
    assert.equal(h.messages[3], null);
  });

  it("sweeps the seed's conv/tconv pair (an nn.Sequential the file builds): every size accepted, H ≡ 1 (mod 3) restored", async () => {
    const model = goldenOf('sizes/d2l_conv_tconv.py');
    const at = await sync('pair.py', fs.readFileSync(fixturePath('python', 'sizes', 'd2l_conv_tconv.py'), 'utf8'));
    const sizes = sizesOf(await client.request({ type: 'inputSizes', ...at, target: { kind: 'instance', name: 'pair' } }));
    assert.deepEqual(sizes.input, [1, 10, 16, 16]);
    assertGolden(sizes, model);
    assert.equal(sizes.axes[0]?.restored.words, 'sizes ≡ 1 (mod 3) from 1');
  });

  it('needs an input when none reaches the class, sweeps around one given, and refuses a size with no spatial axis', async () => {
    const text = 'import torch\nfrom torch import nn\n\nclass Down(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3, stride=2)\n\n    def forward(self, x):\n        return self.conv(x)\n';
    const at = await sync('down.py', text);
    const target = { kind: 'class', name: 'Down' } as const;
    const missing = sizesOutcome(await client.request({ type: 'inputSizes', ...at, target }));
    assert.ok(!missing.ok && missing.needsInput, JSON.stringify(missing));
    const sizes = sizesOf(await client.request({ type: 'inputSizes', ...at, target, inputSize: [1, 3, 9, 9] }));
    assert.equal(sizes.model, 'Down()');
    assert.equal(sizes.inputFromFile, false);
    // k3 s2 p0: out = floor((n - 3) / 2) + 1, so 1 and 2 fail and 3.. run; none comes back at its size (n = 1 would, but fails).
    assert.deepEqual(sizesWith(sizes.axes[0] as WireSizeAxis, 'failing'), [1, 2]);
    assert.deepEqual(sizesWith(sizes.axes[0] as WireSizeAxis, 'restored'), []);
    const bad = sizesOutcome(await client.request({ type: 'inputSizes', ...at, target, inputSize: [1, 3] }));
    assert.ok(!bad.ok && !bad.needsInput);
    assert.match(bad.message, /spatial size/);
  });

  it('stops a sweep past its time budget with a message that says so (a clock that runs 1 s per reading)', async () => {
    const text = fs.readFileSync(fixturePath('python', 'sizes', 'd2l_conv_tconv.py'), 'utf8');
    let clock = 0;
    const outcome = await inputSizesOutcome(text, { target: { kind: 'instance', name: 'pair' } }, [],
      (trace) => ({ project: new Project(diskFiles, { roots: [] }, { trace }), file: '/untitled/pair.py' }), { now: () => (clock += 1000) });
    assert.ok(!outcome.ok && !outcome.needsInput, JSON.stringify(outcome));
    assert.equal(outcome.message, `The sweep of input sizes 1..${SIZES_MAX} of the model pair took longer than ${SIZES_TIME_BUDGET_MS / 1000} s: the file takes too long to follow (conv-lab sizes --max N sweeps fewer sizes).`);
  });
});
