// Invalid requests: our TorchError must carry the exception class and the exact message
// PyTorch 1.13 raised for the same call (recorded by scripts/golden/gen_ops.py).
import * as assert from 'node:assert/strict';
import { isTorchError } from '../../../src/core/errors';
import type { OpRequest } from '../../../src/core/vocabulary';
import { runOp } from '../../../src/core/engine';
import { planOp } from '../../../src/core/plan';
import { loadErrorCases, zerosOf } from './opsFixtures';

describe('ops: PyTorch errors', () => {
  const cases = loadErrorCases();

  it('has at least 40 cases', () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
  });

  for (const c of cases) {
    it(`${c.id} ${JSON.stringify(c.args)} input [${c.input.shape.join(',')}] ${c.input.dtype}: ${c.kind}`, () => {
      const req: OpRequest = { op: c.op, input: zerosOf(c.input), weight: zerosOf(c.weight), ...(c.bias ? { bias: zerosOf(c.bias) } : {}), args: c.args };
      for (const run of [planOp, runOp]) {
        assert.throws(() => run(req), (e: unknown) => {
          assert.ok(isTorchError(e), `not a TorchError: ${String(e)}`);
          assert.equal(`${e.kind}: ${e.message}`, `${c.kind}: ${c.message}`);
          assert.match(e.code, /^[a-z]+(-[a-z]+)*$/);
          return true;
        });
      }
    });
  }
});
