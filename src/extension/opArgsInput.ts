import * as vscode from 'vscode';
import { OpArgsSyntaxError, parseOpArgs } from '../core/opArgsText';

/**
 * Asks for an op's keyword arguments in Python syntax, flagging a typing error with its column
 * while the user types. Resolves to the text, or undefined when dismissed.
 */
export function askOpArgs(op: string, options: { value?: string; note?: string } = {}): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `${op}: arguments`,
    value: options.value ?? '',
    prompt: `Python keyword syntax, e.g. stride=2, padding=1, output_padding=1 (empty for PyTorch's defaults)${options.note ?? ''}`,
    validateInput: (text) => {
      try {
        parseOpArgs(text);
        return undefined;
      } catch (e) {
        return e instanceof OpArgsSyntaxError ? e.message : String(e);
      }
    },
  });
}
