// Incremental shape analysis: after edits, an analysis built on the previous one (re-running
// only the statements the edits can affect) must give exactly what a whole analysis of the same
// document gives: every binding, error, expression value, layer and layer input. Checked on
// hand-made cases for each way a statement is drawn in, and on random edit sequences over the
// corpus (fast-check).
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { PythonDocument, type TextEdit } from '../../../src/python';
import { analyzeShapes, type ShapeAnalysis } from '../../../src/python';
import { dimText, shapeText } from '../../../src/python/interpreter/dim';
import type { Value } from '../../../src/python/interpreter/values';
import { modelFile } from '../../../bench/models';
import { corpusFiles } from './shapesCorpus';

/** A value as text, with layers by their construction site (their identity differs between runs). */
function describeValue(value: Value, analysis: ShapeAnalysis, depth = 0): string {
  if (depth > 3) return '…';
  switch (value.kind) {
    case 'tensor': {
      const site = value.origin ? analysis.layerSite(value.origin.layer) : undefined;
      return `tensor${value.shape ? shapeText(value.shape) : '?'}${value.dtype ?? ''}${site ? ` from ${site.from}-${site.to}` : ''}`;
    }
    case 'int':
      return `int ${value.value === undefined ? '?' : dimText(value.value)}`;
    case 'float':
    case 'bool':
    case 'str':
      return `${value.kind} ${String(value.value)}`;
    case 'list':
    case 'tuple':
      return `${value.kind}[${value.items.map((v) => describeValue(v, analysis, depth + 1)).join(', ')}]`;
    case 'dict':
      return `dict{${[...value.entries].map(([k, v]) => `${k}: ${describeValue(v, analysis, depth + 1)}`).join(', ')}}`;
    case 'path':
      return `path ${value.path}`;
    case 'module':
      return `module ${value.name}`;
    case 'method':
      return `method ${value.name} of ${describeValue(value.self, analysis, depth + 1)}`;
    case 'layer': {
      const site = analysis.layerSite(value.layer);
      return `layer ${value.layer.type} at ${site ? `${site.from}-${site.to}` : '?'}`;
    }
    case 'function':
      return `function ${value.name}`;
    case 'class':
      return `class ${value.name}`;
    case 'instance':
      return `instance of ${value.cls.name} {${[...value.attributes.keys()].join(',')}}`;
    case 'none':
      return 'None';
    case 'unknown':
      return `unknown ${value.name ?? ''}`;
    case 'dtype':
      return `dtype ${value.library} ${value.dtype}`;
  }
}

/** Everything an analysis answers, as text: two analyses of one document must agree on all of it. */
function snapshot(analysis: ShapeAnalysis): string {
  const lines: string[] = [`truncated ${analysis.truncated}`];
  for (const b of analysis.bindings) lines.push(`binding ${b.line} ${b.name} ${b.shape ? shapeText(b.shape) : '?'} ${b.dtype ?? ''} ${b.statement.from}-${b.statement.to} ${b.target.from}-${b.target.to}`);
  for (const d of analysis.diagnostics) {
    lines.push(`error ${d.line}:${d.column} ${d.from}-${d.to} ${d.code} ${d.kind} ${d.message} related ${d.related ? `${d.related.from}-${d.related.to}` : '-'} operands ${(d.operands ?? []).map((v) => describeValue(v, analysis)).join('; ')}`);
  }
  analysis.doc.tree.iterate({
    enter: (node) => {
      const values = analysis.valuesAt(node);
      if (values.length > 0) lines.push(`value ${node.name} ${node.from}-${node.to} ${values.map((v) => describeValue(v, analysis)).join(' | ')}`);
      const layer = analysis.layerAt(node);
      if (layer) lines.push(`layerAt ${node.from}-${node.to} ${describeValue({ kind: 'layer', layer: layer.layer }, analysis)} inputs ${layer.inputs.map((s) => (s ? shapeText(s) : '?')).join(' ')}`);
    },
  });
  for (const { layer, site, inputs } of analysis.layers()) lines.push(`layer ${layer.type} ${site.from}-${site.to} inputs ${inputs.map((s) => (s ? shapeText(s) : '?')).join(' ')}`);
  return lines.join('\n');
}

/** Applies `edits` to `doc`, analyses it building on `previous`, and checks that against a whole analysis. */
function editAndCompare(doc: PythonDocument, previous: ShapeAnalysis, edits: readonly TextEdit[]): ShapeAnalysis {
  doc.edit(edits);
  const incremental = analyzeShapes(doc, {}, previous);
  const whole = analyzeShapes(doc);
  assert.equal(snapshot(incremental), snapshot(whole), `after ${JSON.stringify(edits)} in:\n${doc.text}`);
  return incremental;
}

/** How many top-level statements `next` took over from `previous` unchanged. */
function reusedCount(previous: ShapeAnalysis, next: ShapeAnalysis): number {
  const old = new Set(previous.state.records);
  return next.state.records.filter((r) => old.has(r)).length;
}

/** The edit replacing the first `find` by `replace`. */
function replaceIn(doc: PythonDocument, find: string, replace: string): TextEdit {
  const from = doc.text.indexOf(find);
  assert.ok(from >= 0, `${find} is in the document`);
  return { from, to: from + find.length, insert: replace };
}

const SOURCE = `import torch
from torch import nn

a = torch.zeros(2, 3)
b = torch.zeros(4, 3)
y = a + 1

class Net(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, 8, 3)

    def forward(self, x):
        return self.conv(x)

net = Net(3)
out = net(torch.randn(1, 3, 16, 16))
K = torch.tensor([[1., 2.], [3., 4.]])
def helper(t):
    return t.reshape(-1)
flat = helper(K)
`;

describe('python: incremental shape analysis', () => {
  it('re-runs only the edited statement when nothing else reads what it binds', () => {
    const doc = new PythonDocument(SOURCE);
    const first = analyzeShapes(doc);
    const next = editAndCompare(doc, first, [replaceIn(doc, 'zeros(4, 3)', 'zeros(5, 3)')]);
    // 11 statements: only `b = ...` re-ran.
    assert.equal(next.state.records.length, 11);
    assert.equal(reusedCount(first, next), 10);
    assert.deepEqual(next.bindings.find((b) => b.name === 'b')?.shape, [5, 3]);
  });

  it('re-runs the readers of a name the edit binds differently, and statements sharing objects with it', () => {
    const doc = new PythonDocument(SOURCE);
    const first = analyzeShapes(doc);
    // `a` is read by `y = a + 1`: both re-run.
    const afterA = editAndCompare(doc, first, [replaceIn(doc, 'zeros(2, 3)', 'zeros(7, 3)')]);
    assert.equal(reusedCount(first, afterA), 9);
    assert.deepEqual(afterA.bindings.find((b) => b.name === 'y')?.shape, [7, 3]);
    // `net = Net(3)` shares the class with its definition and the module with `out = net(...)`.
    const afterNet = editAndCompare(doc, afterA, [replaceIn(doc, 'Net(3)', 'Net(5)')]);
    assert.equal(reusedCount(afterA, afterNet), 8);
    assert.equal(afterNet.diagnostics[0]?.code, 'channel-mismatch');
  });

  it('re-runs a statement that now reads a name an edited statement binds after the one it read', () => {
    const doc = new PythonDocument(SOURCE);
    const first = analyzeShapes(doc);
    // `b = ...` becomes `a = ...`: `y = a + 1` now reads the second `a`.
    const next = editAndCompare(doc, first, [replaceIn(doc, 'b = torch', 'a = torch')]);
    assert.deepEqual(next.bindings.find((b) => b.name === 'y')?.shape, [4, 3]);
  });

  it('draws in the statement that made an object an edited statement starts to use', () => {
    const doc = new PythonDocument(SOURCE);
    const first = analyzeShapes(doc);
    // A new statement calls `net` (made by `net = Net(3)`, which is not otherwise re-run) and `helper`.
    const next = editAndCompare(doc, first, [replaceIn(doc, 'flat = ', 'z = net(torch.randn(2, 3, 8, 8)) + helper(a).sum()\nflat = ')]);
    assert.deepEqual(next.bindings.find((b) => b.name === 'z')?.shape, [2, 8, 6, 6]);
    // The conv now ran with two inputs; its layer lists both.
    assert.equal(next.layers()[0]?.inputs.length, 2);
  });

  it('re-runs the statement that made a list a new statement changes, and its readers', () => {
    const doc = new PythonDocument('import torch\nlayers = [torch.zeros(1), torch.zeros(2)]\n\n\nt = torch.cat(layers)\n');
    const first = analyzeShapes(doc);
    // Between the blank lines, touching neither statement. It changes the list in place: no name
    // is bound anew, yet `t` must see 3 parts.
    const at = doc.text.indexOf('\n\n') + 2;
    const next = editAndCompare(doc, first, [{ from: at, to: at, insert: 'layers.append(torch.zeros(3))' }]);
    assert.deepEqual(next.bindings.find((b) => b.name === 't')?.shape, [6]);
    assert.equal(reusedCount(first, next), 1);
  });

  it('gives the whole analysis after edits that add, delete and break statements, and through many revisions', () => {
    const doc = new PythonDocument(SOURCE);
    let analysis = analyzeShapes(doc);
    analysis = editAndCompare(doc, analysis, [replaceIn(doc, 'y = a + 1\n', '')]);
    analysis = editAndCompare(doc, analysis, [replaceIn(doc, 'class Net', 'x = (\nclass Net')]);
    analysis = editAndCompare(doc, analysis, [replaceIn(doc, 'x = (\n', '')]);
    analysis = editAndCompare(doc, analysis, [replaceIn(doc, 'return t.reshape(-1)', 'return t.reshape(2, -1)')]);
    // Several edits before one analysis (the worker analyses after typing pauses).
    doc.edit([replaceIn(doc, 'Net(3)', 'Net(4)')]);
    doc.edit([replaceIn(doc, 'randn(1, 3', 'randn(1, 4')]);
    analysis = editAndCompare(doc, analysis, [replaceIn(doc, 'zeros(2, 3)', 'zeros(2, 2)')]);
    assert.equal(analysis.diagnostics.length, 0);
  });

  it('re-runs one block of the 5,000-line bench file when its literal changes', function () {
    // Three analyses of 5,000 lines (the first, the incremental one, a whole one to compare).
    this.timeout(20_000);
    const doc = new PythonDocument(modelFile(5000));
    const first = analyzeShapes(doc);
    const next = editAndCompare(doc, first, [replaceIn(doc, '166.', '1766.')]);
    assert.equal(reusedCount(first, next), first.state.records.length - 1);
  });

  it('gives the whole analysis after random edit sequences on the corpus (fast-check)', function () {
    this.timeout(300_000);
    const sources = [...corpusFiles().map((f) => f.source), SOURCE, modelFile(120)];
    const SNIPPETS = ['', '1', '0', '7', 'x', 'a', 'net', 'self', '(', ')', ',', '\n', '    ', ' = ', '.T', '.view(-1)', '[0]', 'torch.randn(2, 3)', 'nn.Conv2d(3, 8, 3)', '#'];
    const edit = fc.record({
      kind: fc.constantFrom('chars', 'digit', 'line', 'name'),
      at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      to: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      length: fc.nat({ max: 20 }),
      insert: fc.constantFrom(...SNIPPETS),
    });
    type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;
    /** One edit of a kind typing makes: characters, a digit changed, a line moved or copied, a name changed. */
    const toTextEdit = (text: string, e: Edit): TextEdit => {
      const pick = <T>(items: readonly T[], at: number): T | undefined => items[Math.floor(at * items.length)];
      const at = Math.floor(e.at * text.length);
      if (e.kind === 'digit') {
        const digits = [...text.matchAll(/\d/g)].map((m) => m.index);
        const d = pick(digits, e.at);
        if (d !== undefined) return { from: d, to: d + 1, insert: String(Math.floor(e.to * 10)) };
      }
      if (e.kind === 'line') {
        const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)].filter((s) => s < text.length);
        const from = pick(starts, e.at) ?? 0;
        const end = text.indexOf('\n', from) + 1 || text.length;
        const target = pick(starts, e.to) ?? 0;
        // Copy the line elsewhere, or (when it lands on itself) delete it.
        return target === from ? { from, to: end, insert: '' } : { from: target, to: target, insert: text.slice(from, end) };
      }
      if (e.kind === 'name') {
        const names = [...text.matchAll(/\b[A-Za-z_]\w*\b/g)];
        const m = pick(names, e.at);
        const other = pick(names, e.to);
        if (m && other) return { from: m.index, to: m.index + m[0].length, insert: other[0] };
      }
      return { from: at, to: Math.min(text.length, at + e.length), insert: e.insert };
    };
    fc.assert(fc.property(fc.nat({ max: sources.length - 1 }), fc.array(fc.array(edit, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), (file, revisions) => {
      const doc = new PythonDocument(sources[file] as string);
      let analysis = analyzeShapes(doc);
      for (const revision of revisions) {
        // All but the last edit of a revision are applied without an analysis in between.
        for (const e of revision.slice(0, -1)) doc.edit([toTextEdit(doc.text, e)]);
        analysis = editAndCompare(doc, analysis, [toTextEdit(doc.text, revision[revision.length - 1] as Edit)]);
      }
    }), { numRuns: 250, seed: 11 });
  });
});
