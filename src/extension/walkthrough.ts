// The walkthrough's "Open the Example" step: d2l.ai's transposed-convolution chapter as a new,
// unsaved Python file (the copy shipped in the extension stays as it is, whatever the user edits).
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export const EXAMPLE_PATH = ['examples', 'transposed_conv.py'] as const;

export async function openExample(ctx: Ctx): Promise<vscode.TextEditor> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ctx.extension.extensionUri, ...EXAMPLE_PATH));
  const document = await vscode.workspace.openTextDocument({ language: 'python', content: new TextDecoder().decode(bytes) });
  return vscode.window.showTextDocument(document);
}
