// `conv-lab summary` as users run it (dist/cli.js): each format, and the usage errors (exit 2, one
// line, no stack trace). Numbers are PyTorch's, from test/fixtures/python/summary/summary.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixturePath } from '../helpers';
import { assertUsageError, subcommand } from './subcommand';

const lenet = fixturePath('python', 'summary', 'lenet5.py');
const golden = JSON.parse(fs.readFileSync(fixturePath('python', 'summary', 'summary.json'), 'utf8')) as { models: { file: string; totals: { params: number; macs: number } }[] };
const lenetTotals = golden.models.find((m) => m.file === 'lenet5.py')?.totals as { params: number; macs: number };

const convLab = subcommand('summary');

describe('conv-lab summary', function () {
  this.timeout(60_000);

  it('prints a table with the totals PyTorch gives', () => {
    const run = convLab(lenet);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Total params: ${lenetTotals.params.toLocaleString('en-US')}\\n`));
    assert.match(run.stdout, new RegExp(`Total mult-adds \\(MACs\\): ${lenetTotals.macs.toLocaleString('en-US')}\\n`));
    assert.match(run.stdout, /^ {2}0 \(Conv2d\) +\(4, 1, 28, 28\) +\(4, 6, 28, 28\) +5×5 +1 +156 /m);
  });

  it('prints JSON whose totals are PyTorch\'s, FLOPs twice the MACs', () => {
    const run = convLab(lenet, '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    const [summary] = JSON.parse(run.stdout) as { totals: { params: number; macs: number; flops: number }; rows: unknown[] }[];
    assert.equal(summary?.totals.params, lenetTotals.params);
    assert.equal(summary?.totals.macs, lenetTotals.macs);
    assert.equal(summary?.totals.flops, 2 * lenetTotals.macs);
    assert.equal(summary?.rows.length, 13);
  });

  it('prints CSV, one line per row plus the header, and Markdown', () => {
    const csv = convLab(lenet, '--format', 'csv');
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 14);
    assert.match(lines[0] as string, /^model,depth,name,type,kind,input_shape,output_shape,kernel,groups,params,macs,flops,/);
    // Conv2d(1, 6, 5, padding=2) on 4×1×28×28: 4·6·28·28 outputs × 1·5·5 taps = 470,400 MACs; 6·25 + 6 = 156 parameters.
    assert.match(lines[2] as string, /^Sequential,1,0,Conv2d,module,4x1x28x28,4x6x28x28,5x5,1,156,470400,940800,/);
    const markdown = convLab(lenet, '--format', 'markdown');
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /^\| Layer \(type\) \| Input shape \|/m);
    assert.match(markdown.stdout, /^- Total params: 61,706$/m);
  });

  it('summarises the size given with --input-size and keeps --depth rows', () => {
    const run = convLab(lenet, '--input-size', '1,1,28,28', '--depth', '0', '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    const [summary] = JSON.parse(run.stdout) as { input: number[]; rows: unknown[]; totals: { macs: number } }[];
    assert.deepEqual(summary?.input, [1, 1, 28, 28]);
    assert.equal(summary?.rows.length, 1);
    // Every MAC count scales with the batch: a quarter of the batch-of-4 total.
    assert.equal(summary?.totals.macs, lenetTotals.macs / 4);
  });

  it('refuses bad arguments naming them', () => {
    assertUsageError(convLab(lenet, '--format', 'xml'), /--format must be one of table, json, csv, markdown; got 'xml'/);
    assertUsageError(convLab(lenet, '--depth', 'two'), /--depth expects integers, got 'two'/);
    assertUsageError(convLab(lenet, '--depth', '-1'), /--depth must be 0 or more/);
    assertUsageError(convLab(lenet, '--input-size', '1,x'), /--input-size expects integers/);
    assertUsageError(convLab(lenet, '--model', 'Missing'), /--model Missing: no call of such a model found .*the models it calls: model \(Sequential, line 16\)/);
    assertUsageError(convLab(lenet, '--bogus'), /Unknown option '--bogus'/);
    assertUsageError(convLab(fixturePath('python', 'summary', 'nope.py')), /cannot read .*nope\.py: ENOENT/);
  });
});
