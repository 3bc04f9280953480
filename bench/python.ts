// `npm run bench` (python part): evaluating a selection to a tensor on a generated 5,000-line
// model file, as the run commands do: in the analysis worker, through the client the extension
// uses (sync, then `evaluate`). Anchor: a first sync and evaluation (parse + analysis + the
// selection's statements). Reported against it, in the same run: evaluating again on the same
// version, and after a one-line edit (incremental re-parse, re-analysis of what the edit touches).
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { AnalysisClient } from '../src/extension/analysis/client';
import type { FromAnalysisMessage } from '../src/protocol/analysis';
import { median, modelFile, printTable } from './models';

function expectShape3x3(answer: FromAnalysisMessage): void {
  const result = answer.type === 'evaluate' ? answer.results[0] : undefined;
  if (!result?.ok || result.tensor.shape.join() !== '3,3') throw new Error('bench: X.T did not evaluate to a 3×3 tensor');
}

async function main(): Promise<void> {
  const text = modelFile(5000);
  const selection = { from: text.length - 3, to: text.length }; // the `X.T` of the last line
  const middle = text.indexOf('K166 = torch.tensor([[166.');
  const at = middle + 'K166 = torch.tensor([[1'.length;
  const times = { first: [] as number[], again: [] as number[], edited: [] as number[] };
  const client = new AnalysisClient(path.resolve(__dirname, '..', '..'), { defaultDtype: 'float32', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 }, () => undefined);
  const warmUp = 3;
  try {
    for (let run = 0; run < warmUp + 20; run++) {
      const key = `bench-${run}.py`;
      const t0 = performance.now();
      await client.request({ type: 'sync', key, version: 1, text, length: text.length });
      expectShape3x3(await client.request({ type: 'evaluate', key, version: 1, length: text.length, spans: [selection] }));
      const t1 = performance.now();
      expectShape3x3(await client.request({ type: 'evaluate', key, version: 1, length: text.length, spans: [selection] }));
      const t2 = performance.now();
      // One character typed into a literal in the middle of the file, as an editor sends it.
      await client.request({ type: 'sync', key, version: 2, baseVersion: 1, edits: [{ from: at, to: at, insert: '7' }], length: text.length + 1 });
      expectShape3x3(await client.request({ type: 'evaluate', key, version: 2, length: text.length + 1, spans: [{ from: selection.from + 1, to: selection.to + 1 }] }));
      const t3 = performance.now();
      await client.request({ type: 'close', key });
      if (run < warmUp) continue;
      times.first.push(t1 - t0);
      times.again.push(t2 - t1);
      times.edited.push(t3 - t2);
    }
  } finally {
    client.dispose();
  }
  const anchor = median(times.first);
  printTable(`python: evaluating a selection (X.T) in the analysis worker, ${text.split('\n').length} lines (${(text.length / 1024).toFixed(0)} KiB), medians of 20 warm runs`, [
    ['first sync + evaluate (anchor)', anchor],
    ['evaluate again, same version', median(times.again)],
    ['one-line edit, sync + evaluate', median(times.edited)],
  ], anchor);
}

void main();
