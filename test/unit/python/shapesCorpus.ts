// The accuracy corpora, each model files with what PyTorch 1.13 said about them, recorded by
// scripts/golden/gen_shapes.py: test/fixtures/python/shapes (our own files) and
// test/fixtures/python/realworld (public model code, see its CHANGES.md). Shared by the corpus
// tests and the benches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analysisJson, analyzeShapes, notebookSource, type ShapeAnalysis } from '../../../src/python';
import { fixturePath } from '../helpers';

export interface GroundTruth {
  readonly bindings: readonly { line: number; name: string; shape: number[] }[];
  readonly error: { line: number; lines: number[]; type: string; message: string } | null;
}

export type Corpus = 'shapes' | 'realworld';

export interface CorpusFile {
  readonly kind: 'valid' | 'buggy';
  readonly name: string;
  readonly source: string;
  readonly truth: GroundTruth;
}

export function corpusFiles(corpus: Corpus = 'shapes'): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const kind of ['valid', 'buggy'] as const) {
    const dir = fixturePath('python', corpus, kind);
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.py') || f.endsWith('.ipynb')).sort()) {
      const raw = fs.readFileSync(path.join(dir, name), 'utf8');
      const source = name.endsWith('.ipynb') ? notebookSource(raw).text : raw;
      const truth = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as GroundTruth;
      files.push({ kind, name, source, truth });
    }
  }
  return files;
}

type Shape = readonly (number | string)[];

/** Why the analysis has no exact shape for one of PyTorch's bindings. */
export interface Unknown {
  /** `file:line name [PyTorch's shape] → what the analysis said`. */
  readonly at: string;
  /** The engine's reason code (`not-static`, ...), or this scorer's: `symbolic` (a shape with symbols, consistent with PyTorch's), `no-binding` (the analysis bound nothing there), `not-a-tensor`, `fewer-shapes` (PyTorch bound several shapes there, the analysis not this one), `tensor-of-unknown-shape` (a tensor whose shape the engine does not know and gives no reason for). */
  readonly code: string;
  readonly message: string;
}

export interface FileScore {
  /** PyTorch's (line, name, shape) bindings the analysis inferred exactly. */
  readonly exact: number;
  /** PyTorch's bindings where the analysis said a shape that contradicts every shape PyTorch recorded there. */
  readonly wrong: number;
  /** PyTorch's bindings neither exact nor wrong: not inferred, or only with symbols (`unknowns` says why). */
  readonly unknown: number;
  readonly total: number;
  /** Ground-truth bindings the analysis got wrong or missed: `file:line name expected → got`. */
  readonly misses: string[];
  /** The contradicting shapes: `file:line name [PyTorch's shapes] → [the analysis's]`. */
  readonly wrongShapes: string[];
  readonly unknowns: Unknown[];
  /** Diagnostics PyTorch does not raise: any on a valid file, any but PyTorch's error on a buggy one. */
  readonly falseAlarms: string[];
  /** Buggy files: PyTorch's error reported on its line with its message. Valid files: null. */
  readonly bugFound: boolean | null;
  readonly diagnostics: ReturnType<typeof analysisJson>['diagnostics'];
}

/**
 * True when `got` contradicts PyTorch's `truth`: another rank, or a concrete size that differs.
 * A symbolic size contradicts nothing: it is not known, not wrong.
 */
function contradicts(got: Shape, truth: readonly number[]): boolean {
  return got.length !== truth.length || got.some((d, i) => typeof d === 'number' && d !== truth[i]);
}

/** Scores one file: each of PyTorch's bindings exact, wrong or unknown (with the reason), and the diagnostics against PyTorch's error. */
export function scoreFile(file: CorpusFile, analysis: ShapeAnalysis = analyzeShapes(file.source)): FileScore {
  const json = analysisJson(analysis);
  // PyTorch raises errors; the checkerboard hints are advice it has no counterpart for.
  const result = { ...json, diagnostics: json.diagnostics.filter((d) => d.severity === 'error') };
  const inferred = new Map<string, { shape: Shape | null; index: number }[]>();
  result.bindings.forEach((b, index) => {
    const key = `${b.line} ${b.name}`;
    inferred.set(key, [...(inferred.get(key) ?? []), { shape: b.shape, index }]);
  });
  const truths = new Map<string, number[][]>();
  for (const b of file.truth.bindings) truths.set(`${b.line} ${b.name}`, [...(truths.get(`${b.line} ${b.name}`) ?? []), b.shape]);

  const misses: string[] = [];
  const wrongShapes: string[] = [];
  const unknowns: Unknown[] = [];
  let exact = 0;
  let wrong = 0;
  for (const b of file.truth.bindings) {
    const key = `${b.line} ${b.name}`;
    const got = inferred.get(key) ?? [];
    const gotText = got.map((g) => (g.shape ? JSON.stringify(g.shape) : 'unknown')).join(' | ') || 'none';
    const at = `${file.name}:${b.line} ${b.name} ${JSON.stringify(b.shape)} → ${gotText}`;
    if (got.some((g) => g.shape && JSON.stringify(g.shape) === JSON.stringify(b.shape))) {
      exact++;
      continue;
    }
    misses.push(at);
    const all = truths.get(key) ?? [];
    const contradicting = got.filter((g): g is { shape: Shape; index: number } => g.shape !== null && all.every((t) => contradicts(g.shape as Shape, t)));
    if (contradicting.length > 0) {
      wrong++;
      wrongShapes.push(`${file.name}:${b.line} ${b.name} PyTorch ${all.map((s) => JSON.stringify(s)).join(' | ')} → ${contradicting.map((g) => JSON.stringify(g.shape)).join(' | ')}`);
      continue;
    }
    unknowns.push({ at, ...unknownCause(analysis, got) });
  }

  const found = result.diagnostics.map((d) => `${d.line}: ${d.message}`);
  const expected = file.truth.error ? `${file.truth.error.line}: ${file.truth.error.message}` : undefined;
  return {
    exact,
    wrong,
    unknown: file.truth.bindings.length - exact - wrong,
    total: file.truth.bindings.length,
    misses,
    wrongShapes,
    unknowns,
    falseAlarms: found.filter((d) => d !== expected).map((d) => `${file.name}:${d}`),
    bugFound: expected === undefined ? null : found.includes(expected),
    diagnostics: result.diagnostics,
  };
}

/** The engine's reason for the bindings at one (line, name), none of them PyTorch's shape nor contradicting it. */
function unknownCause(analysis: ShapeAnalysis, got: readonly { shape: Shape | null; index: number }[]): { code: string; message: string } {
  if (got.length === 0) return { code: 'no-binding', message: 'the analysis bound nothing here (the statement did not run in it)' };
  const symbolic = got.find((g) => g.shape?.some((d) => typeof d === 'string'));
  if (symbolic) return { code: 'symbolic', message: `a shape with symbols: ${JSON.stringify(symbolic.shape)}` };
  const missing = got.find((g) => g.shape === null);
  if (!missing) return { code: 'fewer-shapes', message: 'PyTorch bound several shapes here; the analysis not this one' };
  const binding = analysis.bindings[missing.index];
  const value = binding?.value;
  if (!binding || !value) return { code: 'no-binding', message: 'no value' };
  if (value.kind === 'unknown') {
    const { code, message } = analysis.explain(value.why, binding.target);
    return { code, message };
  }
  // A tensor's `why` says why its values are not known (random, ...), not its shape.
  if (value.kind === 'tensor') return { code: 'tensor-of-unknown-shape', message: 'a tensor; the engine gives no reason for its shape' };
  return { code: 'not-a-tensor', message: `the analysis has a ${value.kind} here` };
}
