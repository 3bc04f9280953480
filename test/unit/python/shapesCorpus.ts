// The accuracy corpus (test/fixtures/python/shapes): model files with what PyTorch 1.13 said
// about them, recorded by scripts/golden/gen_shapes.py. Shared by the corpus test and the bench.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { notebookSource } from '../../../src/python/notebook';
import { analysisJson, analyzeShapes } from '../../../src/python/shapes/analyze';
import { fixturePath } from '../helpers';

export interface GroundTruth {
  readonly bindings: readonly { line: number; name: string; shape: number[] }[];
  readonly error: { line: number; lines: number[]; type: string; message: string } | null;
}

export interface CorpusFile {
  readonly kind: 'valid' | 'buggy';
  readonly name: string;
  readonly source: string;
  readonly truth: GroundTruth;
}

export function corpusFiles(): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const kind of ['valid', 'buggy'] as const) {
    const dir = fixturePath('python', 'shapes', kind);
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.py') || f.endsWith('.ipynb')).sort()) {
      const raw = fs.readFileSync(path.join(dir, name), 'utf8');
      const source = name.endsWith('.ipynb') ? notebookSource(raw).text : raw;
      const truth = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as GroundTruth;
      files.push({ kind, name, source, truth });
    }
  }
  return files;
}

export interface FileScore {
  readonly exact: number;
  readonly total: number;
  /** Ground-truth bindings the analysis got wrong or missed: `line name expected → got`. */
  readonly misses: string[];
  readonly diagnostics: ReturnType<typeof analysisJson>['diagnostics'];
}

/** How many of PyTorch's (line, name, shape) bindings the analysis inferred exactly. */
export function scoreFile(file: CorpusFile): FileScore {
  const result = analysisJson(analyzeShapes(file.source));
  const inferred = new Map<string, string[]>();
  for (const b of result.bindings) {
    const key = `${b.line} ${b.name}`;
    inferred.set(key, [...(inferred.get(key) ?? []), JSON.stringify(b.shape)]);
  }
  const misses: string[] = [];
  let exact = 0;
  for (const b of file.truth.bindings) {
    const got = inferred.get(`${b.line} ${b.name}`) ?? [];
    if (got.includes(JSON.stringify(b.shape))) exact++;
    else misses.push(`${file.name}:${b.line} ${b.name} ${JSON.stringify(b.shape)} → ${got.join(' | ') || 'none'}`);
  }
  return { exact, total: file.truth.bindings.length, misses, diagnostics: result.diagnostics };
}
