// The input sizes a model accepts, in the editor: `convLab.showInputSizes` (from the "Input sizes"
// CodeLens that extension/summary.ts puts beside "Summary", or from the palette) asks the analysis
// worker for the solver's sweep of the model and opens the panel's Input sizes view on it; when no
// input reaches the model, an input size is asked for, as for the summary.
import * as vscode from 'vscode';
import { inputSizeProblem, type WireInputSizes, type WireSummaryTarget } from '../protocol/analysis';
import type { AnalysisService } from './analysis/service';
import type { PanelHost } from './panel/panel';
import { showForModel } from './summary';

export class InputSizesFeature {
  constructor(private readonly analysis: AnalysisService, private readonly panel: PanelHost) {}

  /** `convLab.showInputSizes`: the CodeLens's model, else the one under the cursor (else the file's first). */
  async show(args: unknown): Promise<WireInputSizes | undefined> {
    return showForModel(this.analysis, args, 'Conv Lab Input Sizes', 'Conv Lab input sizes of', (document, target, shown) => this.sweep(document, target, shown));
  }

  private async sweep(document: vscode.TextDocument, target: WireSummaryTarget, shown: string): Promise<WireInputSizes | undefined> {
    let outcome = await this.analysis.inputSizes(document, target, undefined);
    if (outcome && !outcome.ok && outcome.needsInput) {
      const text = await vscode.window.showInputBox({
        title: shown,
        prompt: `${outcome.message} Input size (batch, channels, spatial sizes) to sweep around:`,
        placeHolder: '1,3,64,64',
        validateInput: (value) => inputSizeProblem(value) ?? (value.split(',').length < 3 ? 'Give batch, channels, then at least one spatial size' : undefined),
      });
      if (text === undefined) return undefined;
      outcome = await this.analysis.inputSizes(document, target, text.split(',').map((p) => Number(p.trim())));
    }
    if (!outcome) return undefined;
    if (!outcome.ok) {
      void vscode.window.showWarningMessage(`${shown}: ${outcome.message}`);
      return undefined;
    }
    this.panel.showSizes(outcome.sizes);
    return outcome.sizes;
  }
}
