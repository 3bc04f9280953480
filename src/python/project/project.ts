// A project: the user's files analysed together. Each file runs as a script (`__main__`), its
// imports of the project's modules followed (interpreter/imports.ts); what one file's calls do in
// another (the shapes reaching a `forward` in `unet_parts.py` from `train.py:42`, the error PyTorch
// raises there) shows in that other file too, with the calls that led there. Files are read
// lazily: the editors' texts first, else the disk's (parsed once, an LRU bounding how many stay
// parsed). A change to a file drops the analyses that read it, and nothing else.
import type { AnalysisOptions } from '../interpreter/interpreter';
import { analyzeShapes, type ShapeAnalysis } from '../interpreter/analysis';
import type { ModuleLoader } from '../interpreter/modules';
import { NotebookError, notebookSource } from '../notebook';
import { PythonDocument } from '../syntax/document';
import { mergeAnalyses } from './merge';
import { ModuleResolver, type SourceFiles } from './resolve';

/** The disk as a project reads it. */
export interface ProjectFiles extends SourceFiles {
  /** A file's text, or undefined when it is missing, unreadable or larger than `MAX_FILE_BYTES`. */
  readText(path: string): string | undefined;
  /**
   * What changes when the file changes (its modification time and size), or undefined when the
   * files cannot change under the project (tests, the bench): a file read before is read again
   * when it differs, so a change the editor's file watcher missed is still seen.
   */
  version?(path: string): string | undefined;
}

/** A file larger than this is not read (a generated or data file, not code to follow). */
export const MAX_FILE_BYTES = 2_000_000;

export interface ProjectOptions {
  /** Where imports are searched after the importing script's own folder, in order: extra paths, workspace folders, their `src/`. */
  readonly roots: readonly string[];
  /** Most files read from disk kept parsed at once (`convLab.maxIndexedFiles`). */
  readonly maxFiles?: number;
}

const DEFAULT_MAX_FILES = 2_000;

export class Project {
  readonly resolver: ModuleResolver;
  private readonly maxFiles: number;
  /** Files open in an editor, by path: their text wins over the disk's. */
  private readonly open = new Map<string, PythonDocument>();
  /** Files read from disk, parsed (null: unreadable), with their version then; least recently used first. */
  private readonly disk = new Map<string, { doc: PythonDocument | null; version: string | undefined }>();
  /** Each file's analysis as a script, while none of the files it read changed. */
  private readonly runs = new Map<string, ShapeAnalysis>();
  /** The run before, for an open file's next analysis to build on. */
  private readonly previous = new Map<string, ShapeAnalysis>();
  private readonly loaders = new Map<string, ModuleLoader>();
  /** Bumped by every change: a view taken at an older generation may be stale. */
  generation = 0;

  constructor(private readonly files: ProjectFiles, options: ProjectOptions, private readonly analysisOptions: AnalysisOptions = {}) {
    this.resolver = new ModuleResolver(files, options.roots);
    this.maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  }

  /** An editor's document for `path` (its text is what the project reads from now on). */
  setOpen(path: string, doc: PythonDocument): void {
    if (this.open.get(path) !== doc) {
      this.open.set(path, doc);
      this.changed(path);
    }
  }

  /** The editor closed `path`: the disk's text counts again. */
  close(path: string): void {
    if (this.open.delete(path)) this.changed(path);
    this.previous.delete(path);
  }

  /** `path` changed (edited, saved, changed on disk): the analyses that read it are dropped. */
  changed(path: string): void {
    this.generation++;
    this.disk.delete(path);
    for (const [root, run] of this.runs) {
      if (root === path || run.imported.includes(path)) {
        this.runs.delete(root);
        if (root === path && this.open.has(path)) this.previous.set(path, run);
      }
    }
  }

  /** A file was created, deleted or renamed: imports may now find another file (every analysis is dropped). */
  filesChanged(): void {
    this.generation++;
    this.resolver.forget();
    this.disk.clear();
    this.runs.clear();
  }

  /**
   * The files whose results a change to `path` may change, as far as the analyses made so far
   * tell: the scripts whose runs read it, and the files its own run's calls reached.
   */
  related(path: string): Set<string> {
    const found = new Set<string>();
    for (const [root, run] of this.runs) if (run.imported.includes(path)) found.add(root);
    for (const module of this.runs.get(path)?.modules.keys() ?? []) found.add(module);
    return found;
  }

  /** Whether `path`'s analysis as a script is cached (a view made past its budget may lack it). */
  isAnalysed(path: string): boolean {
    return this.runs.has(path);
  }

  /** The analyses cached now, by path (for tests and the bench). */
  get analysed(): readonly string[] {
    return [...this.runs.keys()];
  }

  /** The file's text as the project reads it, parsed; undefined when it cannot be read. */
  document(path: string): PythonDocument | undefined {
    const open = this.open.get(path);
    if (open) return open;
    const cached = this.disk.get(path);
    const version = this.files.version?.(path);
    if (cached !== undefined && cached.version === version) {
      // Most recently used last.
      this.disk.delete(path);
      this.disk.set(path, cached);
      return cached.doc ?? undefined;
    }
    const text = codeOf(path, this.files.readText(path));
    const doc = text === undefined ? null : new PythonDocument(text);
    this.disk.delete(path);
    this.disk.set(path, { doc, version });
    while (this.disk.size > this.maxFiles) {
      const oldest = this.disk.keys().next().value as string;
      this.disk.delete(oldest);
    }
    return doc ?? undefined;
  }

  /** `path` run as a script, its imports followed (computed once while what it read is unchanged). */
  analyze(path: string): ShapeAnalysis | undefined {
    const cached = this.runs.get(path);
    if (cached) return cached;
    const doc = this.document(path);
    if (!doc) return undefined;
    // Where imports lead is looked up again on disk for each run (a few stats), not trusted to the file watcher alone.
    this.resolver.forget();
    const previous = this.previous.get(path);
    this.previous.delete(path);
    const analysis = analyzeShapes(doc, this.optionsFor(path), previous?.doc === doc ? previous : undefined);
    this.runs.set(path, analysis);
    return analysis;
  }

  /**
   * What `path` shows: its own analysis as a script, with what the runs of `scripts` (other files
   * of the project: the open ones, the ones a CLI run names) did in it. Past `budgetMs`, only the
   * scripts already analysed count (what the others' calls do there is missing until asked again).
   */
  view(path: string, scripts: Iterable<string>, budgetMs = Infinity): ShapeAnalysis | undefined {
    const deadline = performance.now() + budgetMs;
    const own = this.analyze(path);
    if (!own) return undefined;
    const contributions: ShapeAnalysis[] = [];
    for (const script of scripts) {
      if (script === path || (!this.runs.has(script) && performance.now() > deadline)) continue;
      const found = this.analyze(script)?.modules.get(path);
      if (found && found.doc === own.doc) contributions.push(found);
    }
    return contributions.length === 0 ? own : mergeAnalyses(own, contributions);
  }

  /** What a run of `path` as a script is given: the analysis options, and its imports followed. */
  optionsFor(path: string): AnalysisOptions & { modules: ModuleLoader } {
    return { ...this.analysisOptions, modules: this.loaderFor(path) };
  }

  /** The loader a file's runs import through (one per file, so that an unchanged run can be built on). */
  private loaderFor(path: string): ModuleLoader {
    let loader = this.loaders.get(path);
    if (!loader) {
      loader = { path, finder: this.resolver, document: (p) => this.document(p) };
      this.loaders.set(path, loader);
    }
    return loader;
  }
}

/** A file's Python: a notebook's code cells joined; undefined for a notebook that is not one. */
function codeOf(path: string, text: string | undefined): string | undefined {
  if (text === undefined || !path.endsWith('.ipynb')) return text;
  try {
    return notebookSource(text).text;
  } catch (e) {
    if (e instanceof NotebookError) return undefined;
    throw e;
  }
}
