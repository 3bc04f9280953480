// The user's own modules in a run: a file analysed inside a project imports the modules it names
// the way Python would, each run once per run (Python's `sys.modules`), in import order, cycles
// seeing a partly run module. A module's code is read from its own text: each file the run
// touches has a context (its text, top-level statements, and the records its results go to), and
// the interpreter switches to a function's own file when it calls it. What an imported module's
// top level does is the same whoever imports it (its own analysis shows it), so those results are
// dropped; what a call from another file does in it (the shapes that reach a `forward`, the error
// PyTorch raises there) is kept, with the call sites that led there.
import type { SyntaxNode } from '@lezer/common';
import type { PythonDocument } from '../syntax/document';
import { StatementRecord, statementIndexAt, topLevelStatements } from './incremental';
import type { CallLink } from './site';
import type { ModuleValue } from './values';

/** A module found on disk: a `.py` file, a package's `__init__.py`, or a namespace package's folder. */
export interface ModuleFile {
  /** The file to run; undefined for a namespace package (nothing runs). */
  readonly path: string | undefined;
  /** For a package, its folder (where its submodules are); undefined for a plain module. */
  readonly packageDir: string | undefined;
  /** Python's dotted name for it (`models.resnet`), as far as the search roots tell. */
  readonly name: string;
  /** What identifies it in a run (the file, or the folder of a namespace package). */
  readonly key: string;
}

/** Where imports are found (project/resolve.ts's ModuleResolver). */
export interface ModuleFinder {
  /** The top-level module `name` as a script in `scriptDir` imports it. */
  topLevel(name: string, scriptDir: string): ModuleFile | undefined;
  /** The submodule `name` of a package. */
  submodule(pkg: ModuleFile, name: string): ModuleFile | undefined;
  /** The package a relative import with `level` dots in the file `importer` starts from. */
  relativeBase(importer: string, level: number): ModuleFile | undefined;
}

/** What a run needs to import the project's modules (the project gives it, see project/project.ts). */
export interface ModuleLoader {
  /** The analysed file's path (it runs as `__main__`; its folder is searched first, as sys.path[0]). */
  readonly path: string;
  readonly finder: ModuleFinder;
  /** A project file's parsed text (an editor's unsaved one, else the disk's), or undefined when it cannot be read. */
  document(path: string): PythonDocument | undefined;
}

/** At most this many modules run in one analysis (the step budget bounds their work too). */
export const MAX_MODULES = 400;

/** Imports nested deeper than this (a module importing a module importing ...) are not followed: each level costs stack. */
export const MAX_IMPORT_DEPTH = 48;

export type { CallLink } from './site';

/** A file's code as a run sees it: its text, its top-level statements and the records results go to. */
export class ModuleContext {
  readonly starts: number[];
  readonly ends: number[];
  readonly records: StatementRecord[];
  readonly indexOf = new Map<StatementRecord, number>();
  /** The statement whose text holds the last offset looked up (most lookups repeat it). */
  private lastOwner = -1;

  constructor(
    /** Undefined for the file analysed. */
    readonly module: LoadedModule | undefined,
    readonly path: string | undefined,
    readonly doc: PythonDocument,
    readonly statements: readonly SyntaxNode[],
    records?: StatementRecord[],
    /** A module's top level run as it is imported: what it finds is in the module's own analysis, and is not recorded here. */
    readonly loading = false,
  ) {
    this.starts = statements.map((s) => s.from);
    this.ends = statements.map((s) => s.to);
    this.records = records ?? statements.map((s) => new StatementRecord(s.name, s.to - s.from));
    this.records.forEach((record, i) => this.indexOf.set(record, i));
  }

  get text(): string {
    return this.doc.text;
  }

  /** The index of the top-level statement whose text holds `offset`, or -1; `hint` is tried first. */
  ownerIndex(offset: number, hint = -1): number {
    if (this.holds(hint, offset)) return hint;
    if (this.holds(this.lastOwner, offset)) return this.lastOwner;
    const found = statementIndexAt(this.starts, this.ends, offset);
    if (found >= 0) this.lastOwner = found;
    return found;
  }

  private holds(index: number, offset: number): boolean {
    return index >= 0 && offset >= (this.starts[index] as number) && offset < (this.ends[index] as number);
  }
}

/** A project module as one run loaded it. */
export class LoadedModule {
  /** Where its top level runs (results dropped: its own analysis has them). */
  loading: ModuleContext | undefined;
  /** Where calls from other files run (results kept); made on the first such call. */
  called: ModuleContext | undefined;
  /** For each function (by where its def starts), the call sites in other files that reached it. */
  readonly callers = new Map<number, CallLink[]>();
  /** The functions (by where their def starts) that ran in calls from other files. */
  readonly ran = new Set<number>();

  constructor(
    /** 1, 2, ...: 0 is the file analysed. */
    readonly index: number,
    readonly file: ModuleFile,
    readonly doc: PythonDocument | undefined,
    readonly value: ModuleValue,
  ) {}

  /** The context calls from other files run in. */
  calledContext(): ModuleContext | undefined {
    if (!this.doc || !this.file.path) return undefined;
    return (this.called ??= new ModuleContext(this, this.file.path, this.doc, this.loading?.statements ?? topLevelStatements(this.doc.tree.topNode)));
  }
}
