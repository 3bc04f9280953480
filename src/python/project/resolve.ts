// Where an import's module is, found the way Python's import system would find it, without
// running anything: on the search roots (the importing script's folder first, as sys.path[0];
// then `convLab.extraPaths`, each workspace folder and its `src/`), a name is a regular package
// (a folder with `__init__.py`), a module (`name.py`), or, when no root has either, a namespace
// package (a bare folder). A relative import is resolved from the importing file's own package.
// Anything not found is not a project module: the caller leaves it to the library rules (torch,
// NumPy) or unknown. Paths are absolute, with `/` separators (callers convert Windows paths).

/** The file system as the resolver sees it: the editor's unsaved texts over the disk. */
export interface SourceFiles {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
}

import type { ModuleFile, ModuleFinder } from '../interpreter/modules';
import { basename, dirname, joinPath, relativeInside } from './paths';

export type { ModuleFile } from '../interpreter/modules';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class ModuleResolver implements ModuleFinder {
  /**
   * `roots`: the project's search roots after the script's own folder, in order (extra paths,
   * workspace folders, their `src/`). Lookups are cached until `forget()` (a file created or deleted).
   */
  constructor(private readonly files: SourceFiles, readonly roots: readonly string[]) {}

  private readonly cache = new Map<string, ModuleFile | null>();

  forget(): void {
    this.cache.clear();
  }

  /** The top-level module `name` (no dots) as a script in `scriptDir` would import it. */
  topLevel(name: string, scriptDir: string): ModuleFile | undefined {
    if (!IDENTIFIER.test(name)) return undefined;
    const roots = [scriptDir, ...this.roots.filter((r) => r !== scriptDir)];
    for (const root of roots) {
      const found = this.inFolder(root, name, name, false);
      if (found) return found;
    }
    // Python takes a namespace package only when no root has a regular one or a module.
    for (const root of roots) {
      const found = this.inFolder(root, name, name, true);
      if (found) return found;
    }
    return undefined;
  }

  /** The submodule `name` of a package (`models` → `models.resnet`). */
  submodule(pkg: ModuleFile, name: string): ModuleFile | undefined {
    if (!pkg.packageDir || !IDENTIFIER.test(name)) return undefined;
    const dotted = `${pkg.name}.${name}`;
    return this.inFolder(pkg.packageDir, name, dotted, false) ?? this.inFolder(pkg.packageDir, name, dotted, true);
  }

  /**
   * The package a relative import with `level` dots in the file `importer` starts from: level 1 is
   * the importer's own folder, each further dot its parent.
   */
  relativeBase(importer: string, level: number): ModuleFile | undefined {
    let dir = dirname(importer);
    for (let i = 1; i < level; i++) {
      if (dir === '/' || /^[A-Za-z]:$/.test(dir)) return undefined;
      dir = dirname(dir);
    }
    const init = joinPath(dir, '__init__.py');
    const name = this.moduleName(init) ?? basename(dir);
    return { path: this.files.isFile(init) ? init : undefined, packageDir: dir, name, key: this.files.isFile(init) ? init : `${dir}/` };
  }

  /** Python's dotted name of the module in `path`, from the first search root holding it. */
  moduleName(path: string): string | undefined {
    for (const root of this.roots) {
      const inside = relativeInside(root, path);
      if (inside === undefined) continue;
      const parts = inside.replace(/\.py$/, '').split('/');
      if (parts[parts.length - 1] === '__init__') parts.pop();
      if (parts.length > 0 && parts.every((p) => IDENTIFIER.test(p))) return parts.join('.');
    }
    return undefined;
  }

  private inFolder(dir: string, name: string, dotted: string, namespace: boolean): ModuleFile | undefined {
    const key = `${namespace ? 'n' : 'r'}:${dir}:${name}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.look(dir, name, dotted, namespace);
    this.cache.set(key, found ?? null);
    return found;
  }

  private look(dir: string, name: string, dotted: string, namespace: boolean): ModuleFile | undefined {
    const folder = joinPath(dir, name);
    if (namespace) return this.files.isDirectory(folder) ? { path: undefined, packageDir: folder, name: dotted, key: `${folder}/` } : undefined;
    const init = joinPath(folder, '__init__.py');
    if (this.files.isFile(init)) return { path: init, packageDir: folder, name: dotted, key: init };
    const file = `${folder}.py`;
    if (this.files.isFile(file)) return { path: file, packageDir: undefined, name: dotted, key: file };
    return undefined;
  }
}
