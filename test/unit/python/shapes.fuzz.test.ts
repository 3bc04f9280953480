// Property-based robustness of shape inference: on random token soup and on corpus files mutated
// the way typing mutates code (cut, duplicated, spliced lines, characters dropped), the analysis
// never throws, ends within its time budget, and only evaluates literals within the size limit.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeShapes } from '../../../src/python';
import { corpusFiles } from './shapesCorpus';

const TOKENS = [
  'x', 'y', 'self', 'torch', 'nn', 'F', '.', ',', ':', '(', ')', '[', ']', '=', '+', '*', '@', '-1', '0', '1', '3', '64', '2.', "'same'",
  'def ', 'class ', 'return ', 'if ', 'else:', 'for ', ' in ', 'range(', 'lambda', '\n', '\n    ', 'nn.Conv2d(', 'nn.ConvTranspose2d(',
  'torch.randn(', 'torch.tensor([[', 'torch.zeros(10**9, 10**9)', 'torch.tensor([0] * 100000)', '.view(', '.reshape(', '.permute(',
  'torch.cat([', 'nn.Sequential(', 'forward', '__init__', 'super().__init__()', '*', '**', 'None', 'True', 'while True:', 'f(f(f(',
];

const TIME_BUDGET_MS = 300;
/** Budget plus what one stretch of 1,024 steps between clock checks and the result's assembly may add, on a loaded machine. */
const ALLOWED_MS = TIME_BUDGET_MS + 700;

function analyseWithinBudget(source: string): void {
  const started = performance.now();
  const analysis = analyzeShapes(source, { timeBudgetMs: TIME_BUDGET_MS, maxElements: 10_000 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < ALLOWED_MS, `took ${elapsed.toFixed(0)} ms`);
  for (const d of analysis.diagnostics) {
    assert.ok(d.from >= 0 && d.to <= source.length && d.from <= d.to, 'diagnostic range inside the source');
    assert.ok(d.message.length > 0 && d.code.length > 0);
  }
}

describe('python: shape inference under fuzzing (fast-check)', function () {
  this.timeout(120_000);
  const corpus = corpusFiles().map((f) => f.source);

  it('never throws on random token sequences', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }), (tokens) => analyseWithinBudget(tokens.join(''))), { numRuns: 300, seed: 5 });
  });

  it('never throws on mutated corpus files', () => {
    const mutation = fc.record({
      file: fc.nat({ max: corpus.length - 1 }),
      cuts: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.nat({ max: 40 }), insert: fc.constantFrom('', ...TOKENS) }), { maxLength: 6 }),
    });
    fc.assert(fc.property(mutation, ({ file, cuts }) => {
      let source = corpus[file] as string;
      for (const cut of cuts) {
        const at = Math.floor(cut.at * source.length);
        source = source.slice(0, at) + cut.insert + source.slice(at + cut.length);
      }
      analyseWithinBudget(source);
    }), { numRuns: 200, seed: 7 });
  });

  it('stops deep recursion, huge loops and nesting within the budget', () => {
    analyseWithinBudget('def f(x):\n    return f(f(x))\ny = f(1)\n');
    analyseWithinBudget('import torch\nx = torch.zeros(1)\nfor i in range(10**9):\n    x = torch.cat([x, x])\n');
    analyseWithinBudget(`y = ${'('.repeat(5000)}1${')'.repeat(5000)}\n`);
    analyseWithinBudget(`import torch\nx = torch.tensor(${'['.repeat(3000)}1${']'.repeat(3000)})\n`);
  });
});
