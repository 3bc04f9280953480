// The multi-file corpus (test/fixtures/python/projects, see its CHANGES.md): public repositories
// in their own folder layout, each with a driver that imports the model as its training script
// does, and what PyTorch 1.13 said about every file the driver ran (scripts/golden/
// gen_project_shapes.py). A project is analysed as `conv-lab shapes DIR` and the editor do: every
// file of it a script, each file's view holding what the others' calls did in it. Shared by the
// corpus test and `npm run bench:realworld`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project } from '../../../src/python/project/project';
import { normalizePath } from '../../../src/python/project/paths';
import { analyzeShapes, type ShapeAnalysis } from '../../../src/python';
import { diskFiles } from '../../../src/worker/diskFiles';
import { fixturePath } from '../helpers';
import { scoreFile, type FileScore, type GroundTruth } from './shapesCorpus';

interface ProjectTruth {
  readonly driver: string;
  readonly files: Record<string, { bindings: GroundTruth['bindings'] }>;
  readonly error: { file: string; line: number; type: string; message: string; chain: { file: string; line: number }[] } | null;
}

export interface CorpusProject {
  readonly kind: 'valid' | 'buggy';
  readonly name: string;
  readonly dir: string;
  /** One per driver (a script and a notebook may both drive a project). */
  readonly truths: { readonly file: string; readonly truth: ProjectTruth }[];
}

export function corpusProjects(): CorpusProject[] {
  const projects: CorpusProject[] = [];
  for (const kind of ['valid', 'buggy'] as const) {
    const root = fixturePath('python', 'projects', kind);
    for (const name of fs.readdirSync(root).sort()) {
      const dir = path.join(root, name);
      const truths = fs.readdirSync(dir).filter((f) => /^conv_lab_truth.*\.json$/.test(f)).sort()
        .map((f) => ({ file: f, truth: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ProjectTruth }));
      projects.push({ kind, name, dir, truths });
    }
  }
  return projects;
}

/** Every .py and .ipynb file under `dir`, as project paths. */
function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(full));
    else if (/\.(py|ipynb)$/.test(entry.name)) found.push(normalizePath(full));
  }
  return found.sort();
}

export interface ProjectFileScore extends FileScore {
  readonly project: string;
  readonly file: string;
  /**
   * On a buggy project: errors found in code PyTorch never ran, reached from a driver line after
   * the one where PyTorch raised (the script had died; the engine reports each statement's
   * errors, as a linter does). Listed, not counted as false alarms: PyTorch cannot judge them.
   */
  readonly unreached: string[];
}

/** The project's .py and .ipynb files (the drivers' truth files left out). */
export function projectFiles(project: CorpusProject): string[] {
  return sourceFiles(project.dir);
}

/**
 * Each file of each driver's truth scored against the file's view in the whole project; with
 * `alone`, against the file analysed by itself, imports not followed (as before issue #15).
 */
export function scoreProject(project: CorpusProject, alone = false): ProjectFileScore[] {
  const root = normalizePath(project.dir);
  const analysis = new Project(diskFiles, { roots: alone ? [] : [root] });
  const scripts = sourceFiles(project.dir);
  const scores: ProjectFileScore[] = [];
  for (const { truth } of project.truths) {
    for (const [file, { bindings }] of Object.entries(truth.files)) {
      const full = `${root}/${file}`;
      const doc = alone ? analysis.document(full) : undefined;
      const view: ShapeAnalysis | undefined = doc ? analyzeShapes(doc) : analysis.view(full, scripts);
      if (!view) throw new Error(`${project.name}: cannot read ${file}`);
      const error = truth.error?.file === file ? { line: truth.error.line, lines: [truth.error.line], type: truth.error.type, message: truth.error.message } : null;
      const score = scoreFile({ kind: project.kind, name: `${project.name}/${file}`, source: view.doc.text, truth: { bindings, error } }, view);
      // Where the driver was when PyTorch raised: errors reached from later driver lines are in code it never ran.
      const diedAt = truth.error?.chain[0]?.line ?? Number.POSITIVE_INFINITY;
      const driver = `${root}/${truth.driver}`;
      const unreached = view.diagnostics
        .filter((d) => {
          const entry = d.chain?.[0];
          const line = entry?.path === driver ? entry.line : file === truth.driver ? d.line : undefined;
          return line !== undefined && line > diedAt;
        })
        .map((d) => `${project.name}/${file}:${d.line}: ${d.message}`);
      scores.push({ ...score, falseAlarms: score.falseAlarms.filter((f) => !unreached.includes(f)), project: project.name, file, unreached });
    }
  }
  return scores;
}
