// The parser layer: incremental re-parses give the tree a fresh parse gives, positions, the
// expression a selection or cursor means, and the grammar's flat shapes read back correctly.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parser } from 'lezer:python';
import { PythonDocument, textDifference } from '../../../src/python/syntax/document';
import { blankDeepNesting } from '../../../src/python/syntax/nesting';
import { assignmentParts, callArguments, expressionAtCursor, expressionCovering } from '../../../src/python/syntax/nodes';

const SEED = [
  'import torch',
  'from torch import nn',
  '',
  'X = torch.tensor([[0., 1.], [2., 3. ]])',
  'K = torch.tensor([[0., 1.], [2., 3. ]])',
  'X, K = X.reshape(1, 1, 2, 2), K.reshape(1, 1, 2, 2)',
  'tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias =False)',
  'tconv.weight.data = K',
  'def trans_conv(X, K):',
  '    h, w = K.shape',
  '    Y = torch.zeros(X.shape[0] + h - 1, X.shape[1] + w - 1)',
  '    return Y',
  '',
].join('\n');

/** Runs `fn` with about half of the call stack taken by frames below it. */
function withStackHalfUsed<T>(fn: () => T): T {
  let depth = 0;
  const probe = (): void => {
    depth++;
    probe();
  };
  try {
    probe();
  } catch {
    // The stack's end: `depth` frames fit.
  }
  const descend = (frames: number): T => (frames <= 0 ? fn() : descend(frames - 1));
  return descend(Math.floor(depth / 2));
}

/** Offset of the `n`-th (0-based) occurrence of `needle`. */
function offsetOf(text: string, needle: string, n = 0): number {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' occurs fewer than ${n + 1} times`);
  }
  return at;
}

describe('python: parse layer', () => {
  describe('PythonDocument.edit', () => {
    const edits: { what: string; at: (text: string) => { from: number; to: number; insert: string }[] }[] = [
      { what: 'a digit typed inside a literal', at: (t) => [{ from: offsetOf(t, '3. ]'), to: offsetOf(t, '3. ]'), insert: '1' }] },
      { what: 'a line deleted', at: (t) => [{ from: offsetOf(t, 'tconv.weight'), to: offsetOf(t, 'def trans_conv'), insert: '' }] },
      { what: 'an unclosed bracket typed', at: (t) => [{ from: offsetOf(t, 'K = torch'), to: offsetOf(t, 'K = torch'), insert: 'Z = torch.tensor([[1, 2]\n' }] },
      { what: 'two edits at once, given out of order', at: (t) => [
        { from: offsetOf(t, 'return Y'), to: offsetOf(t, 'return Y') + 8, insert: 'return Y.T' },
        { from: 0, to: 12, insert: 'import numpy as np' },
      ] },
      { what: 'a body re-indented', at: (t) => [{ from: offsetOf(t, '    h, w'), to: offsetOf(t, '    h, w') + 4, insert: '  ' }] },
    ];
    for (const { what, at } of edits) {
      it(`after ${what}, the tree equals a fresh parse of the new text`, () => {
        const doc = new PythonDocument(SEED);
        const changes = at(doc.text);
        doc.edit(changes);
        let expected = SEED;
        for (const c of [...changes].sort((a, b) => b.from - a.from)) expected = expected.slice(0, c.from) + c.insert + expected.slice(c.to);
        assert.equal(doc.text, expected);
        assert.equal(doc.tree.toString(), parser.parse(expected).toString());
      });
    }

    it('stays equal to a fresh parse over 200 successive one-character edits', () => {
      const doc = new PythonDocument(SEED);
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      for (let i = 0; i < 200; i++) {
        const from = random(doc.text.length + 1);
        const deleting = random(3) === 0 && from < doc.text.length;
        doc.edit([{ from, to: deleting ? from + 1 : from, insert: deleting ? '' : '[](),.=1x\n '.charAt(random(11)) }]);
      }
      assert.equal(doc.tree.toString(), parser.parse(doc.text).toString());
    });

    it('refuses overlapping edits and edits outside the text', () => {
      const doc = new PythonDocument('x = 1\n');
      assert.throws(() => doc.edit([{ from: 0, to: 3, insert: '' }, { from: 2, to: 4, insert: '' }]), RangeError);
      assert.throws(() => doc.edit([{ from: 4, to: 9, insert: '' }]), RangeError);
      assert.equal(doc.text, 'x = 1\n');
    });
  });

  it('gives 1-based lines and columns, also after an edit', () => {
    const doc = new PythonDocument('a = 1\nbb = 2\n\nc');
    assert.deepEqual(doc.lineColumnAt(0), { line: 1, column: 1 });
    assert.deepEqual(doc.lineColumnAt(6), { line: 2, column: 1 });
    assert.deepEqual(doc.lineColumnAt(9), { line: 2, column: 4 });
    assert.deepEqual(doc.lineColumnAt(13), { line: 3, column: 1 });
    assert.deepEqual(doc.lineColumnAt(14), { line: 4, column: 1 });
    doc.edit([{ from: 0, to: 0, insert: '\n' }]);
    assert.deepEqual(doc.lineColumnAt(15), { line: 5, column: 1 });
  });

  describe('expressionCovering', () => {
    const doc = new PythonDocument(SEED);
    const covering = (from: number, to: number): string | undefined => {
      const node = expressionCovering(doc, { from, to });
      return node && doc.textOf(node);
    };

    it('takes the selected expression, ignoring spaces around the selection', () => {
      const at = offsetOf(doc.text, 'torch.tensor([[0., 1.]');
      assert.equal(covering(at - 1, at + 'torch.tensor([[0., 1.], [2., 3. ]])'.length + 1), 'torch.tensor([[0., 1.], [2., 3. ]])');
    });

    it('grows a partial selection to the smallest expression around it', () => {
      const at = offsetOf(doc.text, '1.], [2.');
      assert.equal(covering(at, at + 6), '[[0., 1.], [2., 3. ]]');
    });

    it('reads a whole selected assignment as its value', () => {
      const at = offsetOf(doc.text, 'K = torch');
      assert.equal(covering(at, doc.text.indexOf('\n', at)), 'torch.tensor([[0., 1.], [2., 3. ]])');
    });

    it('gives nothing for a selection that is no expression', () => {
      assert.equal(covering(offsetOf(doc.text, 'def'), offsetOf(doc.text, 'def') + 3), undefined);
    });
  });

  describe('expressionAtCursor', () => {
    it('reads a cursor right before a statement\'s value as that value', () => {
      const doc = new PythonDocument('X = torch.arange(9.0)\n');
      const node = expressionAtCursor(doc, offsetOf(doc.text, 'torch'));
      assert.equal(node && doc.textOf(node), 'torch.arange(9.0)');
    });

    it('takes the whole chain around the cursor', () => {
      const doc = new PythonDocument('y = torch.tensor([[1, 2]]).T\n');
      const node = expressionAtCursor(doc, offsetOf(doc.text, '2]]'));
      assert.equal(node && doc.textOf(node), 'torch.tensor([[1, 2]]).T');
    });

    it('takes the outermost expression of the statement, even around a literal argument', () => {
      const doc = new PythonDocument('z = f(torch.ones(2))\n');
      const node = expressionAtCursor(doc, offsetOf(doc.text, 'ones'));
      assert.equal(node && doc.textOf(node), 'f(torch.ones(2))');
    });

    it('reads a cursor right after a statement as that statement\'s value', () => {
      const doc = new PythonDocument('X = torch.arange(9.0)\n');
      const node = expressionAtCursor(doc, doc.text.indexOf('\n'));
      assert.equal(node && doc.textOf(node), 'torch.arange(9.0)');
    });
  });

  it('regroups the flat children of chained and unpacking assignments', () => {
    const doc = new PythonDocument('a, b = c = x, y\n');
    const statement = doc.tree.topNode.firstChild;
    assert.ok(statement);
    const { targets, values } = assignmentParts(statement);
    assert.deepEqual(targets.map((g) => g.map((n) => doc.textOf(n))), [['a', 'b'], ['c']]);
    assert.deepEqual(values.map((n) => doc.textOf(n)), ['x', 'y']);
  });

  it('splits call arguments into positionals, keywords and unpacked ones', () => {
    const doc = new PythonDocument('f(1, -2, *rest, dtype=torch.float, **kw)\n');
    const argList = doc.tree.topNode.firstChild?.firstChild?.getChild('ArgList');
    assert.ok(argList);
    const args = callArguments(argList, doc.text);
    assert.deepEqual(args.positional.map((n) => doc.textOf(n)), ['1', '-2']);
    assert.deepEqual([...args.keywords].map(([k, v]) => [k, doc.textOf(v.value)]), [['dtype', 'torch.float']]);
    assert.deepEqual(args.spread.map((n) => doc.textOf(n)), ['rest', 'kw']);
  });

  it('reads float literals with nothing after the dot (`2.`, `1.e5`, `1.e-5`) as one Number, as Python does', () => {
    // @lezer/python's own Number token needs a digit after the dot: `2.` was a member access with
    // an error node. esbuild.js builds the grammar with that fixed.
    for (const literal of ['2.', '1.e5', '1.E5j', '1.e-5', '1_0.', '.5']) {
      const doc = new PythonDocument(`x = [${literal}, 1]\n`);
      assert.equal(doc.tree.toString(), 'Script(AssignStatement(VariableName,AssignOp,ArrayExpression("[",Number,",",Number,"]")))', literal);
    }
    // A space or a second dot still makes an attribute access.
    for (const access of ['2 .real', '2..real']) {
      const doc = new PythonDocument(`x = ${access}\n`);
      assert.equal(doc.tree.toString(), 'Script(AssignStatement(VariableName,AssignOp,MemberExpression(Number,".",PropertyName)))', access);
    }
  });

  it('knows the one range every edit since a revision changed', () => {
    const doc = new PythonDocument('abcdefghij');
    doc.edit([{ from: 2, to: 4, insert: 'XYZ' }]);
    doc.edit([{ from: 8, to: 8, insert: '!!' }]);
    assert.equal(doc.text, 'abXYZefg!!hij');
    // 'cdefg' (2..7) became 'XYZefg!!' (2..10).
    assert.deepEqual(doc.changesSince(0), { from: 2, oldTo: 7, newTo: 10 });
    assert.deepEqual(doc.changesSince(1), { from: 8, oldTo: 8, newTo: 10 });
    assert.deepEqual(doc.changesSince(2), { from: 0, oldTo: 0, newTo: 0 });
    assert.equal(doc.changesSince(3), undefined);
    for (let i = 0; i < 64; i++) doc.edit([{ from: 0, to: 0, insert: '' }]);
    assert.equal(doc.changesSince(0), undefined, 'a revision older than the remembered edits');
  });

  it('keeps the text outside that range, for any edit sequence (fast-check)', () => {
    const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.nat({ max: 5 }), insert: fc.string({ maxLength: 4 }) });
    fc.assert(fc.property(fc.string({ maxLength: 30 }), fc.array(fc.array(edit, { minLength: 1, maxLength: 3 }), { maxLength: 6 }), fc.nat({ max: 6 }), (text, edits, since) => {
      const doc = new PythonDocument(text);
      const texts = [text];
      for (const batch of edits) {
        // One call may carry several non-overlapping edits: spread them over the text.
        let floor = 0;
        const spread = batch.flatMap((e) => {
          const from = Math.max(floor, Math.floor(e.at * doc.text.length));
          if (from > doc.text.length) return [];
          const to = Math.min(doc.text.length, from + e.length);
          floor = to + 1;
          return [{ from, to, insert: e.insert }];
        });
        doc.edit(spread);
        texts.push(doc.text);
      }
      const revision = Math.min(since, edits.length);
      const old = texts[revision] as string;
      const range = doc.changesSince(revision);
      assert.ok(range);
      assert.equal(old.slice(0, range.from), doc.text.slice(0, range.from));
      assert.equal(old.slice(range.oldTo), doc.text.slice(range.newTo));
      assert.equal(range.newTo - range.oldTo, doc.text.length - old.length);
    }), { numRuns: 300, seed: 3 });
  });

  it('finds the one edit between two texts', () => {
    assert.deepEqual(textDifference('abcdef', 'abXYef'), { from: 2, to: 4, insert: 'XY' });
    assert.deepEqual(textDifference('aaa', 'aaaa'), { from: 3, to: 3, insert: 'a' });
    assert.deepEqual(textDifference('same', 'same'), { from: 4, to: 4, insert: '' });
    fc.assert(fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (before, after) => {
      const { from, to, insert } = textDifference(before, after);
      assert.equal(before.slice(0, from) + insert + before.slice(to), after);
    }), { numRuns: 300, seed: 4 });
  });

  it('parses brackets nested past the limit of 200 Python has without running out of stack, blanking the excess', function () {
    this.timeout(20_000);
    // 10,000 parentheses, parsed with half the stack already in use (as from the CLI or a worker's
    // handler): Lezer's tree building recurses per level and overflowed; the document blanks the excess.
    const deep = `x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}\ny = 2\n`;
    const doc = withStackHalfUsed(() => new PythonDocument(deep));
    assert.equal(doc.text, deep);
    assert.equal(doc.tree.length, deep.length);
    // The statement after it is still read.
    assert.equal(doc.tree.resolveInner(deep.indexOf('y = 2'), 1).name, 'VariableName');
    // So is an edit of such a document.
    withStackHalfUsed(() => doc.edit([{ from: deep.length - 2, to: deep.length - 1, insert: '3' }]));
    assert.equal(doc.tree.length, deep.length);
  });

  it('blanks only the brackets past depth 200, with their partners, never inside strings or comments', () => {
    const nested = (n: number): string => `${'['.repeat(n)}0${']'.repeat(n)}`;
    assert.equal(blankDeepNesting(nested(200)), nested(200));
    const blanked = blankDeepNesting(`f(${nested(201)}) # ((((\ns = "((" + '''[[\n['''\n`);
    // f( is level 1: the list's outer 199 levels stay, the two innermost levels become spaces.
    assert.equal(blanked, `f(${'['.repeat(199)}  0  ${']'.repeat(199)}) # ((((\ns = "((" + '''[[\n['''\n`);
  });
});
