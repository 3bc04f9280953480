import * as assert from 'node:assert/strict';
import { corpusProjects, scoreProject } from './projectsCorpus';

// Public repositories in their own folder layout (test/fixtures/python/projects, sources in its
// CHANGES.md), analysed as whole projects: every file a script, imports followed, each file's
// view holding what the others' calls did in it; against PyTorch 1.13's trace of each driver
// (scripts/golden/gen_project_shapes.py). What is said must be right: no shape contradicting
// PyTorch's, no diagnostic PyTorch does not raise, every bug found on its file and line.
//
// Ratchet: 826 of 831 bindings exact, measured on main with issue #15's imports (29 of 269 was
// the count on a similar corpus with files analysed alone). Raise it when the engine improves.
const EXACT_AT_LEAST = 826;

describe('python: shape inference across the files of public projects (PyTorch 1.13 ground truth)', () => {
  const projects = corpusProjects();
  let exact = 0;
  let total = 0;

  it('has the corpus: at least 8 valid projects from 8 repositories, 7 buggy ones', () => {
    assert.ok(projects.filter((p) => p.kind === 'valid').length >= 8);
    assert.ok(projects.filter((p) => p.kind === 'buggy').length >= 7);
  });

  for (const project of projects) {
    it(`${project.kind}/${project.name}`, () => {
      const scores = scoreProject(project);
      for (const score of scores) {
        exact += score.exact;
        total += score.total;
      }
      assert.deepEqual(scores.flatMap((s) => s.wrongShapes), [], 'no shape contradicts PyTorch');
      assert.deepEqual(scores.flatMap((s) => s.falseAlarms), [], 'no diagnostic PyTorch does not raise');
      const error = project.truths.find((t) => t.truth.error)?.truth.error;
      if (error) {
        const found = scores.find((s) => s.file === error.file)?.bugFound ?? false;
        const said = scores.flatMap((s) => s.diagnostics.map((d) => `${s.file}:${d.line}: ${d.message}`)).join(' / ') || 'nothing';
        assert.ok(found, `PyTorch's error found: ${error.file}:${error.line}: ${error.message}; the analysis says: ${said}`);
      }
    });
  }

  it(`infers at least ${EXACT_AT_LEAST} bindings exactly`, () => {
    assert.ok(total >= 800, `the corpus has ${total} bindings`);
    assert.ok(exact >= EXACT_AT_LEAST, `${exact}/${total} exact, below the ${EXACT_AT_LEAST} measured`);
    assert.ok(exact / total >= 0.95, `${exact}/${total} exact, below 95%`);
  });
});
