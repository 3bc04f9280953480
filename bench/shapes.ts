// `npm run bench` (shape part): static shape analysis of the generated 5,000-line model file.
// Anchor: a full parse + analysis. Reported against it, in the same run: the analysis alone, and
// the editor's path after a one-line edit (incremental re-parse, then re-analysis). Then the
// heap after 1,000 successive edits, to show memory stays flat (run with --expose-gc).
import { performance } from 'node:perf_hooks';
import { PythonDocument } from '../src/python/parse';
import { analyzeShapes, type ShapeAnalysis } from '../src/python/shapes/analyze';
import { median, modelFile, printTable } from './models';

/**
 * Analyses `doc` (building on `previous`, as the editor does after an edit) and checks the last
 * block's output, `(1, 16, 16, 16)` flattened, is there: proves the analysis ran to the end.
 */
function analyse(doc: PythonDocument, previous?: ShapeAnalysis): ShapeAnalysis {
  const analysis = analyzeShapes(doc, {}, previous);
  const last = analysis.bindings[analysis.bindings.length - 1];
  if (!last?.shape || analysis.diagnostics.length > 0 || analysis.truncated) throw new Error(`bench: unexpected analysis end ${JSON.stringify(last)}`);
  return analysis;
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function main(): void {
  const text = modelFile(5000);
  const at = text.indexOf('K166 = torch.tensor([[166.') + 'K166 = torch.tensor([[1'.length;
  const times = { parse: [] as number[], analyse: [] as number[], reparse: [] as number[], reanalyse: [] as number[] };
  const warmUp = 3;
  for (let run = 0; run < warmUp + 20; run++) {
    const t0 = performance.now();
    const doc = new PythonDocument(text);
    const t1 = performance.now();
    const analysis = analyse(doc);
    const t2 = performance.now();
    doc.edit([{ from: at, to: at, insert: '7' }]);
    const t3 = performance.now();
    analyse(doc, analysis);
    const t4 = performance.now();
    if (run < warmUp) continue;
    times.parse.push(t1 - t0);
    times.analyse.push(t2 - t1);
    times.reparse.push(t3 - t2);
    times.reanalyse.push(t4 - t3);
  }
  const full = median(times.parse.map((p, i) => p + (times.analyse[i] ?? NaN)));
  const edit = median(times.reparse.map((p, i) => p + (times.reanalyse[i] ?? NaN)));
  const rows: Array<[string, number]> = [
    ['full parse', median(times.parse)],
    ['shape analysis', median(times.analyse)],
    ['full parse + analysis (anchor)', full],
    ['re-parse after a one-line edit', median(times.reparse)],
    ['re-analysis', median(times.reanalyse)],
    ['re-parse + re-analysis', edit],
  ];
  printTable(`shapes: ${text.split('\n').length} lines, medians of 20 warm runs`, rows, full);

  // 1,000 edits typed one after another into one document, each followed by an analysis.
  const doc = new PythonDocument(text);
  let analysis = analyse(doc);
  const before = heapMiB();
  let after100 = 0;
  for (let i = 0; i < 1000; i++) {
    doc.edit([{ from: at, to: at, insert: i % 2 === 0 ? '7' : '' }, ...(i % 2 === 1 ? [{ from: at, to: at + 1, insert: '' }] : [])]);
    analysis = analyse(doc, analysis);
    if (i === 99) after100 = heapMiB();
  }
  const after = heapMiB();
  const measured = (globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: heap figures include garbage)';
  console.log(`  heap: ${before.toFixed(1)} MiB before, ${after100.toFixed(1)} MiB after 100 edits, ${after.toFixed(1)} MiB after 1,000 edits${measured}`);
}

main();
