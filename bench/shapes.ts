// `npm run bench` (shape part): static shape analysis of the generated 5,000-line model file.
// Anchor: a full parse + analysis. Reported against it, in the same run: the analysis alone, and
// the editor's path after a one-line edit (incremental re-parse, then re-analysis). Then the
// heap after 1,000 successive edits, to show memory stays flat (run with --expose-gc).
import { performance } from 'node:perf_hooks';
import { analyzeShapes, PythonDocument, type ShapeAnalysis } from '../src/python';
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

/**
 * The one-line edits measured, each typed into the text the previous one left: `insert` goes
 * `offset` characters into the first `find` (after `within`, when given).
 */
const EDITS: readonly { readonly label: string; readonly within?: string; readonly find: string; readonly offset: number; readonly insert: string }[] = [
  // A digit typed into a literal in the middle of the file: that statement re-runs.
  { label: 'a literal', find: 'K166 = torch.tensor([[166.', offset: 'K166 = torch.tensor([[1'.length, insert: '7' },
  // `range(2)` → `range(22)` in a forward: the class and the statement calling it re-run.
  { label: 'a forward', within: 'class Block166', find: 'for _ in range(2)', offset: 'for _ in range(2'.length, insert: '2' },
  // The worst case: every statement reads `torch`, so every statement re-runs.
  { label: '`import torch`', find: 'import torch', offset: 'import torch'.length, insert: ' ' },
];

function main(): void {
  const text = modelFile(5000);
  const times = { parse: [] as number[], analyse: [] as number[], reparse: EDITS.map(() => [] as number[]), reanalyse: EDITS.map(() => [] as number[]) };
  const rerun = EDITS.map(() => 0);
  const warmUp = 3;
  for (let run = 0; run < warmUp + 20; run++) {
    const t0 = performance.now();
    const doc = new PythonDocument(text);
    const t1 = performance.now();
    let analysis = analyse(doc);
    const t2 = performance.now();
    if (run >= warmUp) {
      times.parse.push(t1 - t0);
      times.analyse.push(t2 - t1);
    }
    EDITS.forEach((e, i) => {
      const at = doc.text.indexOf(e.find, e.within ? doc.text.indexOf(e.within) : 0) + e.offset;
      const t3 = performance.now();
      doc.edit([{ from: at, to: at, insert: e.insert }]);
      const t4 = performance.now();
      const next = analyse(doc, analysis);
      const t5 = performance.now();
      const kept = new Set(analysis.state.records);
      rerun[i] = next.state.records.filter((r) => !kept.has(r)).length;
      analysis = next;
      if (run < warmUp) return;
      times.reparse[i]?.push(t4 - t3);
      times.reanalyse[i]?.push(t5 - t4);
    });
  }
  const full = median(times.parse.map((p, i) => p + (times.analyse[i] ?? NaN)));
  const statements = analyse(new PythonDocument(text)).state.records.length;
  const rows: Array<[string, number]> = [
    ['full parse', median(times.parse)],
    ['shape analysis', median(times.analyse)],
    ['full parse + analysis (anchor)', full],
  ];
  EDITS.forEach((e, i) => {
    const reparse = times.reparse[i] ?? [];
    const reanalyse = times.reanalyse[i] ?? [];
    rows.push(
      [`edit in ${e.label}: re-parse`, median(reparse)],
      [`  re-analysis (${rerun[i]} of ${statements} statements)`, median(reanalyse)],
      ['  re-parse + re-analysis', median(reparse.map((p, j) => p + (reanalyse[j] ?? NaN)))],
    );
  });
  printTable(`shapes: ${text.split('\n').length} lines, medians of 20 warm runs`, rows, full);

  // 1,000 edits typed one after another into one document, each followed by an analysis.
  const doc = new PythonDocument(text);
  const at = text.indexOf('K166 = torch.tensor([[166.') + 'K166 = torch.tensor([[1'.length;
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
