// The panel's HTML: a fixed shell with no data in it (the view arrives by postMessage), a CSP
// that allows only the bundled script (by nonce) and stylesheet, nothing inline.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The folders the webview may load from: its own script's and its stylesheet's, each holding
 * nothing else (VS Code's roots are folders; the other bundles and the icon stay out of reach).
 */
export function panelResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media', 'panel')];
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Conv Lab</title>
</head>
<body>
<main id="app"><p class="empty">Run an operation (Conv Lab: Run Convolution on .npy Files…) to see it here.</p></main>
<div id="notice" role="status" aria-live="polite"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
