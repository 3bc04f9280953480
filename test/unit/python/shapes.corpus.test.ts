import * as assert from 'node:assert/strict';
import { corpusFiles, scoreFile } from './shapesCorpus';

// Every tensor binding PyTorch made inferred exactly, every bug reported once on PyTorch's line
// with PyTorch's message and nothing else, and not one diagnostic on the valid files.
describe('python: shape inference on the accuracy corpus (PyTorch 1.13 ground truth)', () => {
  const files = corpusFiles();
  let exact = 0;
  let total = 0;
  const misses: string[] = [];

  for (const file of files) {
    it(`${file.kind}/${file.name}`, () => {
      const score = scoreFile(file);
      exact += score.exact;
      total += score.total;
      misses.push(...score.misses);
      const found = score.diagnostics.map((d) => `${d.line}: ${d.message}`);
      if (file.truth.error === null) {
        assert.deepEqual(found, [], 'a valid file gets no diagnostics');
      } else {
        const { line, message } = file.truth.error;
        // PyTorch stops at its first error: exactly that one, no second diagnostic after it.
        assert.deepEqual(found, [`${line}: ${message}`]);
      }
    });
  }

  it('infers every binding exactly', () => {
    assert.ok(total >= 400, `the corpus has ${total} bindings`);
    assert.equal(exact, total, `${exact}/${total} exact; missed:\n${misses.join('\n')}`);
  });
});
