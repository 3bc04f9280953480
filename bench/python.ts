// `npm run bench` (python part): parsing and literal evaluation on a generated 5,000-line model
// file. Anchor: a full parse + evaluation; the incremental path (one-line edit, re-parse,
// re-evaluate) is reported as a ratio against it, measured in the same run.
import { performance } from 'node:perf_hooks';
import { evaluateTensorExpression } from '../src/python/evaluate';
import { PythonDocument } from '../src/python/parse';
import { median, modelFile, printTable } from './models';

function expectShape3x3(result: ReturnType<typeof evaluateTensorExpression>): void {
  if (!result.ok || result.tensor.shape.join() !== '3,3') throw new Error('bench: X.T did not evaluate to a 3×3 tensor');
}

function main(): void {
  const text = modelFile(5000);
  const selection = { from: text.length - 3, to: text.length }; // the `X.T` of the last line
  const middle = text.indexOf('K166 = torch.tensor([[166.');
  const at = middle + 'K166 = torch.tensor([[1'.length;
  const times = { parse: [] as number[], evaluate: [] as number[], reparse: [] as number[], reevaluate: [] as number[] };
  const warmUp = 3;
  for (let run = 0; run < warmUp + 20; run++) {
    const t0 = performance.now();
    const doc = new PythonDocument(text);
    const t1 = performance.now();
    expectShape3x3(evaluateTensorExpression(doc, selection));
    const t2 = performance.now();
    // One character typed into a literal in the middle of the file, as an editor sends it.
    doc.edit([{ from: at, to: at, insert: '7' }]);
    const t3 = performance.now();
    expectShape3x3(evaluateTensorExpression(doc, { from: selection.from + 1, to: selection.to + 1 }));
    const t4 = performance.now();
    if (run < warmUp) continue;
    times.parse.push(t1 - t0);
    times.evaluate.push(t2 - t1);
    times.reparse.push(t3 - t2);
    times.reevaluate.push(t4 - t3);
  }
  const full = median(times.parse.map((p, i) => p + (times.evaluate[i] ?? NaN)));
  const incremental = median(times.reparse.map((p, i) => p + (times.reevaluate[i] ?? NaN)));
  const rows: Array<[string, number]> = [
    ['full parse', median(times.parse)],
    ['evaluate X.T', median(times.evaluate)],
    ['full parse + evaluate (anchor)', full],
    ['re-parse after a one-line edit', median(times.reparse)],
    ['evaluate X.T again', median(times.reevaluate)],
    ['re-parse + evaluate', incremental],
  ];
  printTable(`python: ${text.split('\n').length} lines (${(text.length / 1024).toFixed(0)} KiB), medians of 20 warm runs`, rows, full);
}

main();
