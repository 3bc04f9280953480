// The model summary in the editor: a "Summary" CodeLens above each nn.Module class and model
// instantiation the worker's last analysis knows, with an "Input sizes" one beside it for
// extension/inputSizes.ts (`convLab.codeLens.summary` turns both off), the
// `convLab.showSummary` command it runs (the summary is computed in the analysis worker; when no
// input reaches the model, an input size is asked for), and the Summary view's actions: reveal a
// row's call, copy as Markdown, save as CSV (the texts come made from the worker).
import * as vscode from 'vscode';
import { inputSizeProblem, type WireSummary, type WireSummaryTarget } from '../protocol/analysis';
import { isOneOf, type SummaryExport } from '../protocol/panel';
import { locate, type Program } from './analysis/programs';
import type { AnalysisService } from './analysis/service';
import type { Config } from './config';
import type { PanelHost } from './panel/panel';

/** What the CodeLens passes to `convLab.showSummary` (a command link may pass anything: checked). */
export interface ShowSummaryArgs {
  readonly uri: string;
  readonly target: WireSummaryTarget;
}

function isShowSummaryArgs(x: unknown): x is ShowSummaryArgs {
  if (typeof x !== 'object' || x === null) return false;
  const { uri, target } = x as Record<string, unknown>;
  if (typeof uri !== 'string' || typeof target !== 'object' || target === null) return false;
  const { kind, name } = target as Record<string, unknown>;
  return isOneOf(['class', 'instance'] as const, kind) && typeof name === 'string' && /^[A-Za-z_]\w*$/.test(name);
}

/** From the palette: the model under the cursor, else the active file's first; `asker` names the command in the warning when there is none. */
async function modelAtCursor(analysis: AnalysisService, asker: string): Promise<ShowSummaryArgs | undefined> {
  const editor = vscode.window.activeTextEditor;
  const found = editor && await analysis.summaryTargets(editor.document);
  if (!editor || !found || found.targets.length === 0) {
    void vscode.window.showWarningMessage(`${asker}: open a Python file that defines or builds an nn.Module model.`);
    return undefined;
  }
  const cursor = editor.document.offsetAt(editor.selection.active);
  const target = found.targets.find((t) => t.from <= cursor && cursor <= t.to) ?? found.targets[0];
  return target && { uri: editor.document.uri.toString(), target: { kind: target.kind, name: target.name } };
}

/**
 * Runs `show` for the model `args` names (a CodeLens's), else the one at the cursor: `asker` names
 * the command in a warning, `shownPrefix` + the model's name titles what is shown. A worker that
 * stopped or passed its deadline is said in a warning, not thrown at VS Code.
 */
export async function showForModel<T>(
  analysis: AnalysisService, args: unknown, asker: string, shownPrefix: string,
  show: (document: vscode.TextDocument, target: WireSummaryTarget, shown: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  const chosen = isShowSummaryArgs(args) ? args : await modelAtCursor(analysis, asker);
  if (!chosen) return undefined;
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === chosen.uri);
  if (!document) return undefined;
  const shown = `${shownPrefix} ${chosen.target.name}`;
  try {
    return await show(document, chosen.target, shown);
  } catch (e) {
    void vscode.window.showWarningMessage(`${shown}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** The last summary shown, with the program its rows' offsets are in. */
interface Shown {
  readonly summary: WireSummary;
  readonly program: Program;
}

export class SummaryFeature implements vscode.Disposable {
  private shown: Shown | undefined;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.lensesChanged];
  /** Test mode only: the next CSV export goes here instead of asking with a save dialog. */
  private csvTarget: vscode.Uri | undefined;

  constructor(private readonly analysis: AnalysisService, private readonly panel: PanelHost, private readonly config: Config) {
    this.disposables.push(
      vscode.languages.registerCodeLensProvider([{ language: 'python' }], { onDidChangeCodeLenses: this.lensesChanged.event, provideCodeLenses: (d, t) => this.lenses(d, t) }),
      config.onDidChange((names) => {
        if (names.has('codeLensSummary')) this.lensesChanged.fire();
      }),
    );
  }

  private async lenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.config.settings.codeLensSummary) return [];
    const found = await this.analysis.summaryTargets(document).catch(() => undefined);
    if (!found || token.isCancellationRequested) return [];
    return found.targets.flatMap((target) => {
      const place = locate(found.program, target.from, target.from);
      if (place?.document !== document) return [];
      const args: ShowSummaryArgs = { uri: document.uri.toString(), target: { kind: target.kind, name: target.name } };
      const model = target.kind === 'class' ? target.name : `${target.name} (${target.className})`;
      return [new vscode.CodeLens(place.range, {
        title: 'Summary',
        tooltip: `Conv Lab: the layer-by-layer summary of ${model}`,
        command: 'convLab.showSummary',
        arguments: [args],
      }), new vscode.CodeLens(place.range, {
        title: 'Input sizes',
        tooltip: `Conv Lab: the input sizes ${model} accepts, and those it gives back unchanged`,
        command: 'convLab.showInputSizes',
        arguments: [args],
      })];
    });
  }

  /** `convLab.showSummary`: from a CodeLens, or from the palette (the model under the cursor, else the file's first). */
  async show(args: unknown): Promise<WireSummary | undefined> {
    return showForModel(this.analysis, args, 'Conv Lab Summary', 'Conv Lab summary of', (document, target, shown) => this.summarise(document, target, shown));
  }

  private async summarise(document: vscode.TextDocument, target: WireSummaryTarget, shown: string): Promise<WireSummary | undefined> {
    let inputSize: number[] | undefined;
    let answer = await this.analysis.summary(document, target, undefined);
    if (answer && !answer.outcome.ok && answer.outcome.needsInput) {
      const text = await vscode.window.showInputBox({
        title: shown,
        prompt: `${answer.outcome.message} Input size to summarise it for:`,
        placeHolder: '1,3,224,224',
        validateInput: inputSizeProblem,
      });
      if (text === undefined) return undefined;
      inputSize = text.split(',').map((p) => Number(p.trim()));
      answer = await this.analysis.summary(document, target, inputSize);
    }
    if (!answer) return undefined;
    if (!answer.outcome.ok) {
      void vscode.window.showWarningMessage(`${shown}: ${answer.outcome.message}`);
      return undefined;
    }
    const summary = answer.outcome.summary;
    this.shown = { summary, program: answer.program };
    this.panel.showSummary(summary, { reveal: (row) => this.reveal(row), export: (action) => this.export(action) });
    void this.addInputSizes(document, target, inputSize, summary);
    return summary;
  }

  /** The model's input sizes (the solver's sweep, seconds for a big model) join the summary when they come, if it is still the one shown. */
  private async addInputSizes(document: vscode.TextDocument, target: WireSummaryTarget, inputSize: readonly number[] | undefined, summary: WireSummary): Promise<void> {
    const outcome = await this.analysis.inputSizes(document, target, inputSize).catch(() => undefined);
    if (outcome?.ok && this.shown?.summary === summary) this.panel.summarySizes(outcome.sizes);
  }

  /** Reveals the call of the summary's row `row` in its editor. */
  async reveal(row: number): Promise<void> {
    const shown = this.shown;
    const from = shown?.summary.rows[row]?.from;
    const place = shown && from !== undefined && from !== null ? locate(shown.program, from, from) : undefined;
    if (!place) {
      this.panel.notice('This row has no line in the file summarised (it is called from another file).');
      return;
    }
    const editor = await vscode.window.showTextDocument(place.document, { viewColumn: vscode.ViewColumn.One, selection: place.range });
    editor.revealRange(place.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Copies the summary as Markdown, or saves it as CSV (save dialog). */
  async export(action: SummaryExport): Promise<void> {
    const summary = this.shown?.summary;
    if (!summary) {
      void vscode.window.showWarningMessage('Conv Lab: there is no summary to export: run Summary on a model first.');
      return;
    }
    if (action === 'copyMarkdown') {
      await vscode.env.clipboard.writeText(summary.markdown);
      this.panel.notice(`Copied the summary of ${summary.model} as a Markdown table.`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = this.csvTarget ?? await vscode.window.showSaveDialog({
      title: 'Export the Conv Lab summary as CSV',
      filters: { CSV: ['csv'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${summary.model}-summary.csv`) } : {}),
    });
    this.csvTarget = undefined;
    if (target === undefined) return;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${summary.csv}\n`));
      this.panel.notice(`Saved the summary of ${summary.model} as ${vscode.workspace.asRelativePath(target)}.`);
    } catch (e) {
      this.panel.notice(`Could not save ${target.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Test mode only (ctx.ts): the next CSV export is written to `uri` without a save dialog. */
  saveCsvTo(uri: vscode.Uri): void {
    this.csvTarget = uri;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
