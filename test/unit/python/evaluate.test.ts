// evaluateTensorExpression beyond the golden snippets: which binding a selected name means
// (scopes, the latest assignment before the selection, unpacking targets), selections and
// cursors, error positions, the element limit, and that no source text makes it throw.
// Expected values are worked out by hand in the comments.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateTensorExpression, type Evaluation } from '../../../src/python';
import { PythonDocument } from '../../../src/python';
import { fixturePath } from '../helpers';

/** Evaluates the `n`-th (0-based) occurrence of `selected` in `source`. */
function evaluateAt(source: string, selected: string, n = 0, options = {}): Evaluation {
  let at = -1;
  for (let i = 0; i <= n; i++) at = source.indexOf(selected, at + 1);
  assert.ok(at >= 0, `'${selected}' not found`);
  return evaluateTensorExpression(source, { from: at, to: at + selected.length }, options);
}

function shapeOf(r: Evaluation): readonly number[] {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.tensor.shape;
}

function messageOf(r: Evaluation): string {
  assert.ok(!r.ok, 'expected an error');
  return r.error.message;
}

describe('python: evaluateTensorExpression', () => {
  describe('names', () => {
    it('uses the latest assignment before the selection, not a later one', () => {
      const source = 'X = torch.zeros(2)\nA = X\nX = torch.ones(3)\nB = X\n';
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 1)), [2]); // `A = X`: the zeros
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 3)), [3]); // `B = X`: the ones
    });

    it('reads a selected assignment target as the value it receives there', () => {
      const source = 'X = torch.tensor([[0., 1.], [2., 3.]])\nX, K = X.reshape(1, 1, 2, 2), X.T\n';
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 1)), [1, 1, 2, 2]); // target X: reshaped
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 2)), [2, 2]); // `X.reshape`'s X: the literal
      const k = evaluateAt(source, 'K');
      assert.ok(k.ok);
      // X.T of [[0, 1], [2, 3]] is [[0, 2], [1, 3]].
      assert.deepEqual(Array.from(k.tensor.data as Float32Array), [0, 2, 1, 3]);
    });

    it('looks in the function first, then at module level, and not into other functions', () => {
      const source = [
        'X = torch.zeros(2)',
        'def f():',
        '    X = torch.ones(1, 1)',
        '    return X',
        'def g():',
        '    return X',
        'Y = X',
      ].join('\n');
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 2)), [1, 1]); // f's return X
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 3)), [2]); // g's return X: the module's
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 4)), [2]); // Y = X: f's X is local to f
    });

    it('says a parameter is only known at a call site', () => {
      const source = 'def f(X, K=2):\n    return X.T\n';
      assert.equal(messageOf(evaluateAt(source, 'X.T')), "cannot evaluate 'X' statically: it is a parameter: its value is only known at a call site");
    });

    it('follows a loop over a known sequence: the loop variable after it is the last item', () => {
      const source = 'for X in [torch.ones(2), torch.zeros(3)]:\n    pass\nX\n';
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 1)), [3]); // the loop ran twice; X is torch.zeros(3)
    });

    it('knows a loop variable inside its block, and says an `as` name of an exception is not followed', () => {
      const loop = 'for X in [torch.ones(2)]:\n    Y = X.T\n';
      assert.deepEqual(shapeOf(evaluateAt(loop, 'X.T')), [2]);
      const handler = 'try:\n    pass\nexcept ValueError as X:\n    Y = X.T\n';
      assert.match(messageOf(evaluateAt(handler, 'X.T')), /^cannot evaluate 'X' statically: it is set by 'try:…' on line 1/);
    });

    it('orders an `except ... as` name after the try body\'s assignments', () => {
      const source = 'try:\n    X = torch.ones(2)\nexcept ValueError as X:\n    pass\nY = X\n';
      assert.match(messageOf(evaluateAt(source, 'X', 2)), /^cannot evaluate 'X' statically: it is set by 'try:…' on line 1/);
    });

    it('follows import aliases and the branch a known condition takes; after branches that differ, the name is not known', () => {
      const known = 'import numpy as onp\nflag = False\nif flag:\n    A = onp.array([1, 2])\nelse:\n    A = onp.array([[1.5]])\nA\n';
      const r = evaluateAt(known, 'A', 2);
      assert.ok(r.ok);
      assert.deepEqual(r.tensor.shape, [1, 1]);
      assert.equal(r.dtype, 'float64'); // NumPy's default float
      assert.equal(r.library, 'numpy');
      // `flag` is not known: A is [1, 2] on one path and [[1.5]] on the other.
      const unknown = known.replace('flag = False\n', '');
      assert.equal(messageOf(evaluateAt(unknown, 'A', 2)), "cannot evaluate 'A' statically: it is set by 'if flag:…' on line 2, which Conv Lab does not follow");
    });

    it('evaluates each binding once, however often a chain uses it', function () {
      this.timeout(10_000);
      // X20 = cat(X19, X19) = ... : 2^20 evaluations of X0 without memoising, 21 with it.
      const lines = ['X0 = torch.ones(1)'];
      for (let i = 1; i <= 20; i++) lines.push(`X${i} = torch.cat([X${i - 1}, X${i - 1}])`);
      lines.push('X20');
      const source = lines.join('\n');
      const started = Date.now();
      const r = evaluateTensorExpression(source, { from: source.length - 3, to: source.length });
      assert.deepEqual(shapeOf(r), [2 ** 20]);
      // Without memoising this takes hours; with it, milliseconds (the bound allows a busy machine).
      assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    });
  });

  describe('selections and positions', () => {
    it('evaluates the expression under the cursor when nothing is selected', () => {
      const source = 'y = torch.tensor([[1, 2], [3, 4]]).T\n';
      const at = source.indexOf('3');
      const r = evaluateTensorExpression(source, { from: at, to: at });
      assert.ok(r.ok);
      assert.equal(source.slice(r.from, r.to), 'torch.tensor([[1, 2], [3, 4]]).T');
      assert.deepEqual(Array.from(r.tensor.data as BigInt64Array), [1n, 3n, 2n, 4n]);
    });

    it('gives errors 1-based start and end lines and columns of their range', () => {
      const source = 'import torch\n\nX = torch.tensor([[1, 2, 3],\n                  [4, 5]])\n';
      const r = evaluateAt(source, 'torch.tensor([[1, 2, 3],\n                  [4, 5]])');
      assert.ok(!r.ok);
      assert.equal(source.slice(r.error.from, r.error.to), '[4, 5]');
      assert.deepEqual(r.error.start, { line: 4, column: 19 });
      assert.deepEqual(r.error.end, { line: 4, column: 25 });
      assert.equal(r.error.code, 'ragged-nesting');
    });

    it('takes a PythonDocument and a syntax node as well as text and a range', () => {
      const doc = new PythonDocument('A = torch.eye(2)\n');
      const node = doc.tree.topNode.firstChild?.lastChild;
      assert.ok(node);
      assert.deepEqual(shapeOf(evaluateTensorExpression(doc, node)), [2, 2]);
    });

    it('reports a selection with no expression in it', () => {
      const r = evaluateTensorExpression('def f():\n    pass\n', { from: 0, to: 3 });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'no-expression');
    });
  });


  describe('number literals', () => {
    it('reads every way Python writes a number', () => {
      // Python: 1. == 1.0, .5 == 0.5, 2.50 == 2.5, 1_0 == 10, 0x10 == 16, 1e1 == 10.0, 0o7 == 7.
      const source = 'import torch\nX = torch.tensor([1., .5, 2.50, 1_0, 0x10, 1e1, 0o7, 3])\n';
      const r = evaluateAt(source, 'torch.tensor([1., .5, 2.50, 1_0, 0x10, 1e1, 0o7, 3])');
      assert.ok(r.ok);
      assert.equal(r.tensor.dtype, 'float32');
      assert.deepEqual(Array.from(r.tensor.data as Float32Array), [1, 0.5, 2.5, 10, 16, 10, 7, 3]);
    });

    it('keeps the integers of a literal int64 and the array of a stored literal independent of later edits', () => {
      // int64 because every element is an int; the second literal's values are its own.
      const source = 'import torch\nA = torch.tensor([7, 123456789012345])\nB = torch.tensor([1, 2])\nB.add_(1)\nA\nB\n';
      const a = evaluateAt(source, 'A', 1);
      assert.ok(a.ok);
      assert.deepEqual(Array.from(a.tensor.data as BigInt64Array), [7n, 123456789012345n]);
      const b = evaluateAt(source, 'B', 2);
      assert.ok(b.ok);
      assert.deepEqual(Array.from(b.tensor.data as BigInt64Array), [2n, 3n]);
    });
  });
  describe('half-typed code', () => {
    it('evaluates a complete statement above a line still being typed', () => {
      const source = 'X = torch.arange(6).reshape(2, 3)\nY = torch.zeros(2,\n';
      assert.deepEqual(shapeOf(evaluateAt(source, 'torch.arange(6).reshape(2, 3)')), [2, 3]);
    });

    it('evaluates a name whose binding precedes a broken statement', () => {
      const source = 'X = torch.ones(2, 2)\nY = ]\nZ = X.T\n';
      assert.deepEqual(shapeOf(evaluateAt(source, 'X', 1)), [2, 2]);
    });

    it('points at the missing part of an incomplete literal', () => {
      const source = 'torch.tensor([[1, 2], [3, 4]\n';
      const r = evaluateTensorExpression(source, { from: 0, to: source.length });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'syntax-error');
      assert.ok(r.error.from >= source.indexOf('4]'), `error at ${r.error.from}`);
    });
  });

  describe('the element limit', () => {
    it('refuses huge factories before allocating anything', () => {
      // 2^40 float32 elements would need 4 TiB: reaching the allocation would crash the test.
      for (const call of ['torch.zeros(2**20, 2**20)', 'torch.ones((1 << 20) * 1024 * 1024)', 'torch.arange(1e15)', 'torch.eye(10**7)', 'torch.full((10**6, 10**6), 1.5)', 'torch.rand(99999, 99999, 99)']) {
        const r = evaluateTensorExpression(call, { from: 0, to: call.length });
        assert.ok(!r.ok, call);
        assert.equal(r.error.code, 'too-many-elements', call);
      }
    });

    it('uses the configured limit, and allows exactly the limit', () => {
      assert.deepEqual(shapeOf(evaluateAt('torch.zeros(4, 5)', 'torch.zeros(4, 5)', 0, { maxElements: 20 })), [4, 5]);
      assert.equal(evaluateAt('torch.zeros(4, 5)', 'torch.zeros(4, 5)', 0, { maxElements: 19 }).ok, false);
    });
  });

  it('never throws, and keeps error ranges inside the text, on mutilated fixture sources', function () {
    // Thousands of evaluations: more than mocha's default 2 s when the machine is busy.
    this.timeout(60_000);
    const dir = fixturePath('python', 'literals');
    const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let evaluations = 0;
    for (const original of sources) {
      for (let round = 0; round < 12; round++) {
        let text = original;
        for (let k = random(4); k >= 0; k--) {
          const at = random(text.length + 1);
          const cut = random(3);
          text = text.slice(0, at) + '([],.-=1e\n x'.charAt(random(13)).repeat(random(2)) + text.slice(at + cut);
        }
        const from = random(text.length + 1);
        const to = Math.min(text.length, from + random(40));
        const r = evaluateTensorExpression(text, { from, to }, { maxElements: 10_000 });
        evaluations++;
        if (!r.ok) {
          assert.notEqual(r.error.code, 'internal-error', `${JSON.stringify(text)} at ${from}..${to}: ${r.error.message}`);
          assert.ok(r.error.from >= 0 && r.error.from <= r.error.to && r.error.to <= text.length, JSON.stringify(text));
        }
      }
    }
    assert.ok(evaluations >= 2000, `${evaluations} evaluations`);
  });
});
