// The analysis worker (dist/analysis.js) as the model features' tests drive it: through the
// client the extension uses, with the default settings, programs synced whole.
import * as assert from 'node:assert/strict';
import { AnalysisClient } from '../../../src/extension/analysis/client';
import type { FromAnalysisMessage, ProgramAt, WireInputSizesOutcome, WireSummaryOutcome } from '../../../src/protocol/analysis';
import { repoRoot } from '../helpers';

export interface ModelWorker {
  readonly client: AnalysisClient;
  /** Syncs `text` as a new version of `key`; returns where to ask. */
  sync(key: string, text: string): Promise<ProgramAt>;
}

/** A worker for one suite; the suite disposes of `client` after it. */
export function modelWorker(): ModelWorker {
  const client = new AnalysisClient(repoRoot(), { defaultDtype: 'float32', maxElements: 50_000_000, roots: [], maxIndexedFiles: 2_000 }, () => undefined);
  let version = 0;
  return {
    client,
    async sync(key, text) {
      version++;
      await client.request({ type: 'sync', key, version, text, length: text.length });
      return { key, version, length: text.length };
    },
  };
}

type ModelAnswer = Extract<FromAnalysisMessage, { type: 'summary' | 'inputSizes' }>;

/** The outcome of a model request's answer (`summary`, `inputSizes`), asserting the answer is of that type. */
export function outcomeOf(answer: FromAnalysisMessage, type: 'summary'): WireSummaryOutcome;
export function outcomeOf(answer: FromAnalysisMessage, type: 'inputSizes'): WireInputSizesOutcome;
export function outcomeOf(answer: FromAnalysisMessage, type: ModelAnswer['type']): WireSummaryOutcome | WireInputSizesOutcome {
  assert.equal(answer.type, type);
  return (answer as ModelAnswer).outcome;
}
