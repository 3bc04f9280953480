// `import` of the user's own modules in one run: found by the project's finder, each run once
// (Python's `sys.modules`) in its own file's context, its names read by `from m import x`, its
// public names by `from m import *` (its `__all__` when it has one). A module the finder does not
// find is not the project's: the import statement leaves it to the library rules.
import type { SyntaxNode } from '@lezer/common';
import { dirname } from '../project/paths';
import type { Activation, Machine } from './machine';
import { topLevelStatements, type StatementRecord } from './incremental';
import { LoadedModule, MAX_IMPORT_DEPTH, MAX_MODULES, ModuleContext, type ModuleFile, type ModuleLoader } from './modules';
import { Frame, itemsOf, type ModuleValue, type Site, type Value } from './values';

/** What the interpreter lends the imports: running a file's statements in its context. */
interface ImportHost extends Machine {
  within<T>(context: ModuleContext, run: () => T): T;
}

/** Modules the rules model (or built into Python): never looked for in the project. */
const LIBRARIES = new Set(['torch', 'numpy', 'math', 'sys', 'builtins', '__future__']);

export class ModuleImports {
  /** The modules loaded, by their file (Python keys them by name; a file is run once here). */
  private readonly loaded = new Map<string, LoadedModule>();
  private readonly contexts = new Map<StatementRecord, ModuleContext>();
  /** Modules being run now, one inside another's import. */
  private depth = 0;

  constructor(private readonly m: ImportHost, private readonly loader: ModuleLoader | undefined) {}

  /** Every module this run loaded, in load order. */
  get modules(): LoadedModule[] {
    return [...this.loaded.values()];
  }

  /** The context a record of another file belongs to. */
  contextOf(record: StatementRecord): ModuleContext | undefined {
    const found = this.contexts.get(record);
    if (found) return found;
    // Records of a called context are made lazily: look them up once made.
    for (const module of this.loaded.values()) {
      for (const context of [module.loading, module.called]) {
        if (context?.indexOf.has(record)) {
          for (const r of context.records) this.contexts.set(r, context);
          return context;
        }
      }
    }
    return undefined;
  }

  /**
   * `import a.b.c` / `from ..a import x` in the file of `importer`: each package on the way is
   * imported in turn. `top` is what `import a.b.c` binds (`a`), `leaf` the module named.
   * Undefined when the finder does not find it (not a project module).
   */
  importModule(importer: ModuleContext, dotted: string, level: number): { top: ModuleValue; leaf: ModuleValue } | undefined {
    const loader = this.loader;
    const importerPath = importer.path;
    if (!loader || importerPath === undefined) return undefined;
    const parts = dotted === '' ? [] : dotted.split('.');
    let file: ModuleFile | undefined;
    if (level > 0) {
      file = loader.finder.relativeBase(importerPath, level);
    } else {
      const first = parts.shift();
      file = first === undefined || LIBRARIES.has(first) ? undefined : loader.finder.topLevel(first, dirname(loader.path));
    }
    if (!file) return undefined;
    const top = this.load(file);
    if (!top) return undefined;
    let leaf = top;
    for (const part of parts) {
      const sub = this.submodule(leaf, part);
      if (!sub) return undefined;
      leaf = sub;
    }
    return { top: top.value, leaf: leaf.value };
  }

  /** `from module import name`: the module's name, else its submodule (imported now). */
  importedName(module: ModuleValue, name: string, at: Site | undefined): Value {
    const own = module.frame.names.get(name);
    if (own) return own;
    const sub = this.submodule(module.ref as LoadedModule, name);
    if (sub) return sub.value;
    return { kind: 'unknown', why: { code: 'not-static', message: `cannot import name '${name}' from '${module.name}': Conv Lab does not find it there`, site: at } };
  }

  /** The names `from module import *` binds: its `__all__`, else every name not starting with `_`. */
  starNames(module: ModuleValue): [string, Value][] {
    const all = itemsOf(module.frame.names.get('__all__'));
    if (all) {
      return all.flatMap((item): [string, Value][] => (item.kind === 'str' && item.value !== undefined ? [[item.value, this.importedName(module, item.value, undefined)]] : []));
    }
    return [...module.frame.names].filter(([name]) => !name.startsWith('_'));
  }

  private submodule(pkg: LoadedModule, name: string): LoadedModule | undefined {
    const known = pkg.value.submodules.get(name);
    if (known) return known.ref as LoadedModule;
    const file = this.loader?.finder.submodule(pkg.file, name);
    const sub = file && this.load(file);
    if (!sub) return undefined;
    pkg.value.submodules.set(name, sub.value);
    // Importing a submodule binds it in its package, as Python does.
    if (!pkg.value.frame.names.has(name)) pkg.value.frame.names.set(name, sub.value);
    return sub;
  }

  /** A module, run the first time it is imported; a module being run (an import cycle) is given as it is so far. */
  private load(file: ModuleFile): LoadedModule | undefined {
    const existing = this.loaded.get(file.key);
    if (existing) return existing;
    if (this.loaded.size >= MAX_MODULES || this.depth >= MAX_IMPORT_DEPTH || !this.loader) return undefined;
    const doc = file.path === undefined ? undefined : this.loader.document(file.path);
    if (file.path !== undefined && !doc) return undefined;
    const frame = new Frame(undefined);
    frame.names.set('__name__', { kind: 'str', value: file.name });
    const value: ModuleValue = { kind: 'module', name: file.name, frame, submodules: new Map(), ref: undefined };
    const module = new LoadedModule(this.loaded.size + 1, file, doc, value);
    (value as { ref: unknown }).ref = module;
    this.loaded.set(file.key, module);
    if (!doc || file.path === undefined) return module;
    const context = new ModuleContext(module, file.path, doc, topLevelStatements(doc.tree.topNode), undefined, true);
    module.loading = context;
    const act: Activation = { frame, returns: [], self: undefined, cls: undefined };
    this.depth++;
    try {
      this.m.within(context, () => {
        for (const statement of context.statements) {
          if (this.m.exec(statement as SyntaxNode, act) === 'raise') break;
        }
      });
    } finally {
      this.depth--;
    }
    return module;
  }
}
