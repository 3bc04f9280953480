// The model summary against PyTorch: for every model of test/fixtures/python/summary (each file
// builds and calls one), the rows Conv Lab finds without running Python, in call order, against
// those scripts/golden/gen_summary.py recorded with forward hooks under torch 1.13: names as
// named_modules() gives them, output shapes, parameters and MACs exactly, and the totals.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeShapes } from '../../../src/python';
import { CallTrace } from '../../../src/python/interpreter/callTrace';
import { dimJson } from '../../../src/python/interpreter/dim';
import { inputOf, modelCalls, oneCallPerModel, summarize, type ModelSummary } from '../../../src/python/features/summary';
import { fixturePath } from '../helpers';

type Shape = number[] | Shape[] | null;

interface GoldenRow { name: string; kind: 'module' | 'op'; type: string; output: Shape; params: number; macs: number }
interface GoldenModel { file: string; model: string; input: number[]; rows: GoldenRow[]; totals: { params: number; trainable: number; macs: number } }

const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'summary', 'summary.json'), 'utf8')) as { models: GoldenModel[] };

/** The summary of the model the file calls at its top level. */
export function summaryOfFixture(file: string, model: string): ModelSummary {
  const trace = new CallTrace();
  const analysis = analyzeShapes(fs.readFileSync(fixturePath('python', 'summary', file), 'utf8'), { trace });
  const call = modelCalls(trace, analysis).find((c) => c.className === model);
  assert.ok(call, `${file}: no call of ${model} traced`);
  return summarize(trace, analysis, call);
}

/** The op names the summary gives the functional calls gen_summary.py wraps. */
const OP_TYPES: Record<string, string> = { matmul: 'matmul', mm: 'mm', bmm: 'bmm', '@': '@', linear: 'linear' };

describe('model summary against PyTorch (gen_summary.py)', function () {
  this.timeout(60_000);

  it('covers at least 20 models', () => {
    assert.ok(golden.models.length >= 20, `${golden.models.length} models`);
  });

  for (const expected of golden.models) {
    describe(`${expected.file} (${expected.model})`, () => {
      let summary: ModelSummary;
      before(() => {
        summary = summaryOfFixture(expected.file, expected.model);
      });

      it('has one row per call, in call order, named as named_modules() names them', () => {
        assert.deepEqual(summary.rows.map((r) => `${r.kind}:${r.kind === 'op' ? r.type : r.name}`), expected.rows.map((r) => `${r.kind}:${r.kind === 'op' ? OP_TYPES[r.type] ?? r.type : r.name}`));
      });

      it('gives every output shape PyTorch gives (a tuple output is not one shape: unknown)', () => {
        expected.rows.forEach((row, i) => {
          const ours = summary.rows[i]?.output;
          const tuple = Array.isArray(row.output) && Array.isArray(row.output[0]);
          if (tuple) assert.equal(ours, undefined, `row ${i} ${row.name}`);
          else assert.deepEqual(ours?.map(dimJson), row.output, `row ${i} ${row.name}`);
        });
      });

      it('counts every row\'s parameters and MACs exactly', () => {
        expected.rows.forEach((row, i) => {
          const ours = summary.rows[i];
          assert.equal(ours?.parameters ?? (ours?.kind === 'op' ? 0 : undefined), row.params, `params of row ${i} ${row.name}`);
          assert.equal(ours?.macs, row.macs, `MACs of row ${i} ${row.name}`);
        });
      });

      it('gives the totals exactly', () => {
        assert.equal(summary.totals.parameters, expected.totals.params);
        assert.equal(summary.totals.macs, expected.totals.macs);
        // A file that freezes a submodule: the trainable count is not claimed (unknown), never wrong.
        if (summary.totals.trainable !== undefined) assert.equal(summary.totals.trainable, expected.totals.trainable);
        else assert.notEqual(expected.totals.trainable, expected.totals.params, 'trainable unknown although nothing is frozen');
      });
    });
  }
});

describe('model summary: unknown where PyTorch would run what Conv Lab does not see', () => {
  const summaryOf = (source: string): ModelSummary => {
    const trace = new CallTrace();
    const analysis = analyzeShapes(source, { trace });
    const [call] = modelCalls(trace, analysis);
    assert.ok(call, 'no model call traced');
    return summarize(trace, analysis, call);
  };

  it('a library base class with parameters of its own (nn.Transformer) makes the total unknown, and a Linear on an unknown input has unknown MACs', () => {
    const summary = summaryOf([
      'import torch', 'from torch import nn',
      'class Model(nn.Transformer):',
      '    def __init__(self):',
      '        super().__init__(d_model=8, nhead=2, dim_feedforward=8, num_encoder_layers=1)',
      '        self.decoder = nn.Linear(8, 5)',
      '    def forward(self, src):',
      '        return self.decoder(self.encoder(src))',
      'y = Model()(torch.zeros(3, 2, 8))',
    ].join('\n'));
    // nn.Transformer's __init__ makes an encoder and a decoder with parameters Conv Lab does not read;
    // self.encoder's output is not known, so neither is the Linear's output size nor its MACs.
    assert.equal(summary.totals.parameters, undefined);
    assert.equal(summary.totals.macs, undefined);
    const decoder = summary.rows.find((r) => r.name === 'decoder');
    assert.equal(decoder?.parameters, 8 * 5 + 5);
    assert.equal(decoder?.macs, undefined);
  });

  it("a tensor method's MACs contract the tensor's own last dim (a.bmm(b) as torch.bmm(a, b))", () => {
    const summary = summaryOf([
      'import torch', 'from torch import nn',
      'class Attend(nn.Module):',
      '    def forward(self, weights, values):',
      '        return weights.bmm(values)',
      'y = Attend()(torch.zeros(2, 1, 9), torch.zeros(2, 9, 512))',
    ].join('\n'));
    // (2, 1, 9) @ (2, 9, 512) → (2, 1, 512): 1,024 outputs, each a sum of 9 products.
    const bmm = summary.rows.find((r) => r.kind === 'op');
    assert.deepEqual(bmm?.output, [2, 1, 512]);
    assert.equal(bmm?.macs, 1024 * 9);
  });
  it('counts an LSTM\'s and a GRU\'s parameters and MACs (weights once per time step and batch element)', () => {
    const summary = summaryOf([
      'import torch', 'from torch import nn',
      'class Tagger(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.lstm = nn.LSTM(10, 20, num_layers=2, bidirectional=True)',
      '        self.gru = nn.GRU(40, 16, bias=False)',
      '        self.proj = nn.LSTM(16, 16, proj_size=4)',
      '    def forward(self, x):',
      '        out, _ = self.lstm(x)',
      '        out, _ = self.gru(out)',
      '        return self.proj(out)[0]',
      'y = Tagger()(torch.zeros(5, 3, 10))',
    ].join('\n'));
    // By hand (PyTorch 1.13 agrees: 15040, and 960 for LSTM(8, 16, proj_size=4)'s pattern):
    // LSTM 4 gates × 20 = 80 rows; layer 0 per direction 80·10 + 80·20 = 2,400, layer 1 (input 40)
    // 80·40 + 80·20 = 4,800; two directions: 14,400 weights, + 2·80 biases × 4 = 15,040 parameters.
    // GRU without bias: 48·40 + 48·16 = 2,688. LSTM with proj_size 4: 64·16 + 64·4 + 4·16 + 2·64 = 1,472.
    // MACs: the input (5, 3, ·) is 15 steps × batch elements: 15·14,400, 15·2,688, 15·(64·16 + 64·4 + 4·16).
    const rows = Object.fromEntries(summary.rows.map((r) => [r.name, [r.parameters, r.macs]]));
    assert.deepEqual(rows['lstm'], [15_040, 15 * 14_400]);
    assert.deepEqual(rows['gru'], [2_688, 15 * 2_688]);
    assert.deepEqual(rows['proj'], [1_472, 15 * 1_344]);
    assert.equal(summary.totals.parameters, 15_040 + 2_688 + 1_472);
  });
  it('summarises a model at its first call whose input shape is known, past a call whose is not', () => {
    const trace = new CallTrace();
    const analysis = analyzeShapes([
      'import torch', 'from torch import nn', 'net = nn.Conv2d(3, 4, 3)',
      'x = torch.zeros(1, 3, 8, 8) if torch.cuda.is_available() else torch.zeros(3, 8, 8)',
      'a = net(x)', 'b = net(torch.zeros(1, 3, 8, 8))',
    ].join('\n'), { trace });
    const [call] = oneCallPerModel(modelCalls(trace, analysis));
    // x is a tensor of rank 4 or 3: its shape is not known; the second call's is (1, 3, 8, 8).
    assert.deepEqual(call && inputOf(call)?.shape, [1, 3, 8, 8]);
  });
});
