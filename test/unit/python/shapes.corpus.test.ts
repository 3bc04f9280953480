import * as assert from 'node:assert/strict';
import { corpusFiles, scoreFile } from './shapesCorpus';

// Issue #5's bar: at least 95% of PyTorch's tensor bindings inferred exactly, every bug on
// PyTorch's line with PyTorch's message, and not one diagnostic on the valid files.
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
        assert.ok(found.includes(`${line}: ${message}`), `expected "${line}: ${message}" among ${JSON.stringify(found)}`);
      }
    });
  }

  it('infers at least 95% of the bindings exactly', () => {
    assert.ok(total >= 400, `the corpus has ${total} bindings`);
    assert.ok(exact / total >= 0.95, `${exact}/${total} exact; missed:\n${misses.join('\n')}`);
  });
});
