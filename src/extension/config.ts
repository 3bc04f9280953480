// Every Conv Lab setting, read in one place: once at activation and again when one changes (the
// change event says which). Nothing else calls `getConfiguration`. The analysis worker gets the
// settings the analysis reads (`analysisSettings`), so a hover says float64 when Run does.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { normalizePath } from '../python/project/paths';
import { TORCH_PRINT_DEFAULTS } from '../core/format';
import { DEFAULT_MAX_ELEMENTS } from '../core/tensor';
import type { AnalysisSettings } from '../protocol/analysis';
import type { InlayHintsMode, LintSettings } from '../python';

export interface Settings {
  /** Compute worker threads; 0 sizes the pool to the machine. */
  readonly workers: number;
  /** Largest element count any op or evaluated tensor may have. */
  readonly maxElements: number;
  /** `torch.get_default_dtype()` for evaluation and printing. */
  readonly defaultDtype: 'float32' | 'float64';
  /** Digits after the decimal point in printed results (`torch.set_printoptions(precision=...)`). */
  readonly displayPrecision: number;
  readonly inlayHints: InlayHintsMode;
  /** Where imports are searched after a file's own folder: `convLab.extraPaths` (per folder), the workspace folders, their `src/`. */
  readonly importRoots: string;
  readonly maxIndexedFiles: number;
  /** `convLab.lint.checkerboard`: the hint on transposed convs whose kernel_size is not a multiple of the stride. */
  readonly lintCheckerboard: boolean;
  /** `convLab.codeLens.summary`: the "Summary" CodeLens above nn.Module classes and model instantiations. */
  readonly codeLensSummary: boolean;
}

const SECTION = 'convLab';

export class Config implements vscode.Disposable {
  private current: Settings = read();
  private readonly changed = new vscode.EventEmitter<ReadonlySet<keyof Settings>>();
  private readonly subscription: vscode.Disposable;
  /** Fires with the names of the settings that changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const reread = (): void => {
      const before = this.current;
      this.current = read();
      const names = (Object.keys(before) as (keyof Settings)[]).filter((k) => before[k] !== this.current[k]);
      if (names.length > 0) this.changed.fire(new Set(names));
    };
    this.subscription = vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) reread();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(reread),
    );
  }

  get settings(): Settings {
    return this.current;
  }

  /** What the analysis worker reads. */
  get analysisSettings(): AnalysisSettings {
    const { defaultDtype, maxElements, importRoots, maxIndexedFiles } = this.current;
    return { defaultDtype, maxElements, roots: JSON.parse(importRoots) as string[], maxIndexedFiles };
  }

  /** The hints the analysis adds to its errors. */
  get lintSettings(): LintSettings {
    return { checkerboard: this.current.lintCheckerboard };
  }

  /** How results are printed: PyTorch's form with these print options. */
  get printSettings(): { precision: number; defaultDtype: 'float32' | 'float64' } {
    return { precision: this.current.displayPrecision, defaultDtype: this.current.defaultDtype };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The settings now, each checked against the bounds package.json declares (a hand-edited value outside them gets the default). */
function read(): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const value = config.get<number>(name, fallback);
    return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
  };
  const hints = config.get<string>('inlayHints', 'assignments');
  return {
    workers: int('workers', 0, 0, 64),
    maxElements: int('maxElements', DEFAULT_MAX_ELEMENTS, 1, 500_000_000),
    defaultDtype: config.get<string>('defaultDtype', 'float32') === 'float64' ? 'float64' : 'float32',
    displayPrecision: int('displayPrecision', TORCH_PRINT_DEFAULTS.precision, 1, 16),
    inlayHints: hints === 'off' || hints === 'all' ? hints : 'assignments',
    importRoots: JSON.stringify(importRoots()),
    maxIndexedFiles: int('maxIndexedFiles', 2_000, 10, 100_000),
    lintCheckerboard: config.get<unknown>('lint.checkerboard', true) !== false,
    codeLensSummary: config.get<unknown>('codeLens.summary', true) !== false,
  };
}

/** `convLab.extraPaths` of each workspace folder (relative ones from that folder), then the folders, then their `src/`; as the analysis keeps paths. */
function importRoots(): string[] {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  const extra = folders.flatMap((folder) => {
    const paths = vscode.workspace.getConfiguration(SECTION, folder.uri).get<unknown>('extraPaths', []);
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => path.resolve(folder.uri.fsPath, p)) : [];
  });
  const roots = [...extra, ...folders.map((f) => f.uri.fsPath), ...folders.map((f) => path.join(f.uri.fsPath, 'src'))];
  return [...new Set(roots.map(normalizePath))];
}
