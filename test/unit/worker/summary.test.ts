// The model summary in the analysis worker (dist/analysis.js), through the client the extension
// uses: the CodeLens targets of a program, the summary of a model for the input that reaches it,
// one for a size given when none does, and the messages when there is no summary to give. Numbers
// are PyTorch's, from test/fixtures/python/summary/summary.json (gen_summary.py).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { inputSizeProblem, type FromAnalysisMessage, type WireSummary, type WireSummaryOutcome } from '../../../src/protocol/analysis';
import { fixturePath } from '../helpers';
import { modelWorker } from './modelWorker';

interface GoldenModel { file: string; model: string; rows: { name: string; params: number; macs: number }[]; totals: { params: number; macs: number } }
const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'summary', 'summary.json'), 'utf8')) as { models: GoldenModel[] };
const DCGAN = fs.readFileSync(fixturePath('python', 'summary', 'dcgan_generator.py'), 'utf8');
const dcganGolden = golden.models.find((m) => m.file === 'dcgan_generator.py') as GoldenModel;

function outcomeOf(answer: FromAnalysisMessage): WireSummaryOutcome {
  assert.equal(answer.type, 'summary');
  return (answer as Extract<FromAnalysisMessage, { type: 'summary' }>).outcome;
}

function summaryOf(answer: FromAnalysisMessage): WireSummary {
  const outcome = outcomeOf(answer);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
  return outcome.summary;
}

describe('worker: model summary', function () {
  this.timeout(30_000);
  const { client, sync } = modelWorker();
  after(() => client.dispose());

  it('lists the CodeLens targets and summarises the model called in the file, rows and totals as PyTorch counts them', async () => {
    const at = await sync('dcgan.py', DCGAN);
    const answer = await client.request({ type: 'summaryTargets', ...at });
    assert.equal(answer.type, 'summaryTargets');
    assert.deepEqual(answer.type === 'summaryTargets' ? answer.targets.map((t) => `${t.kind} ${t.name}`) : [], ['class Generator', 'instance model']);

    for (const target of [{ kind: 'instance', name: 'model' }, { kind: 'class', name: 'Generator' }] as const) {
      const summary = summaryOf(await client.request({ type: 'summary', ...at, target }));
      assert.equal(summary.model, 'Generator');
      assert.equal(summary.input, '(2, 100, 1, 1)');
      assert.deepEqual(summary.rows.map((r) => r.parameters), dcganGolden.rows.map((r) => r.params));
      assert.deepEqual(summary.rows.map((r) => r.macs), dcganGolden.rows.map((r) => r.macs));
      // Each row reveals its call: the model's at `y = model(x)`, the Sequential's in forward.
      const lineOf = (from: number | null | undefined) => (from === null || from === undefined ? undefined : DCGAN.slice(0, from).split('\n').length);
      assert.equal(lineOf(summary.rows[0]?.from), 25);
      assert.equal(lineOf(summary.rows[1]?.from), 20);
      assert.equal(summary.rows[2]?.cells[0], 'main.0 (ConvTranspose2d)');
      assert.match(summary.markdown, new RegExp(`^- Total params: ${dcganGolden.totals.params.toLocaleString('en-US')}$`, 'm'));
      assert.match(summary.csv, /^model,depth,name,/);
      assert.deepEqual(summary.totals.find((t) => t.label === 'Total mult-adds (MACs)')?.value, dcganGolden.totals.macs.toLocaleString('en-US'));
    }
  });

  it('asks for an input when none reaches the model, and summarises it for the size given', async () => {
    const source = DCGAN.replace('x = torch.randn(2, nz, 1, 1)\ny = model(x)\n', '');
    const at = await sync('dcgan-uncalled.py', source);
    const missing = outcomeOf(await client.request({ type: 'summary', ...at, target: { kind: 'class', name: 'Generator' } }));
    assert.deepEqual(missing, { ok: false, needsInput: true, message: 'No input of known shape reaches the class Generator in this file.' });
    const summary = summaryOf(await client.request({ type: 'summary', ...at, target: { kind: 'class', name: 'Generator' }, inputSize: [1, 100, 1, 1] }));
    assert.equal(summary.input, '(1, 100, 1, 1)');
    // Every MAC count scales with the batch: half of PyTorch's batch-of-2 total.
    assert.equal(summary.totals.find((t) => t.label === 'Total mult-adds (MACs)')?.value, (dcganGolden.totals.macs / 2).toLocaleString('en-US'));
    // The call made for the size given is not in the file: the model's row has no place to reveal; forward's calls do.
    assert.equal(summary.rows[0]?.from, null);
    assert.equal(summary.rows[1]?.from, source.indexOf('self.main(z)'));
  });

  it('says why when the model cannot be followed for the size given', async () => {
    const at = await sync('needs-args.py', 'import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def __init__(self, width):\n        super().__init__()\n        self.fc = nn.Linear(4, width)\n    def forward(self, x):\n        return self.fc(x)\n');
    const outcome = outcomeOf(await client.request({ type: 'summary', ...at, target: { kind: 'class', name: 'Net' }, inputSize: [1, 4] }));
    assert.deepEqual(outcome, { ok: false, needsInput: false, message: 'Net()(...) on an input of size 1, 4 could not be followed: Net may need arguments to be built, or the analysis does not reach that call.' });
  });
});

describe('summary input size', () => {
  it('accepts sizes separated by commas and says what is wrong with anything else', () => {
    assert.equal(inputSizeProblem('1,3,224,224'), undefined);
    assert.equal(inputSizeProblem(' 1, 100 ,1,1 '), undefined);
    assert.equal(inputSizeProblem('1x3x224'), 'Sizes separated by commas, e.g. 1,3,224,224 (at most 8 of them)');
    assert.equal(inputSizeProblem(''), 'Sizes separated by commas, e.g. 1,3,224,224 (at most 8 of them)');
    assert.equal(inputSizeProblem('1,-3'), 'Sizes separated by commas, e.g. 1,3,224,224 (at most 8 of them)');
    assert.equal(inputSizeProblem('1,0,4'), 'Each size must be from 1 to 1,000,000');
    assert.equal(inputSizeProblem('1,2,3,4,5,6,7,8,9'), 'Sizes separated by commas, e.g. 1,3,224,224 (at most 8 of them)');
  });
});
