// "Save view as PNG": the view's canvases (heatmaps and grids, captions above them) drawn side by
// side on one canvas in the theme's colours; the host writes the file (webview only).
import type { FromPanelMessage, ViewName } from '../protocol/panel';

const GAP = 16;
const CAPTION_PX = 18;

export function savePng(body: HTMLElement, view: ViewName, post: (message: FromPanelMessage) => void, say: (text: string) => void): void {
  const canvases = [...body.querySelectorAll('canvas')].filter((c) => !c.classList.contains('legend-bar') && c.width > 0 && c.height > 0);
  if (canvases.length === 0) {
    say('This view has no picture to save.');
    return;
  }
  const css = getComputedStyle(document.body);
  const sizes = canvases.map((c) => ({ width: c.clientWidth || c.width, height: c.clientHeight || c.height }));
  const out = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  const width = sizes.reduce((w, s) => w + s.width, 0) + GAP * (canvases.length + 1);
  const height = Math.max(...sizes.map((s) => s.height)) + CAPTION_PX + 2 * GAP;
  out.width = Math.round(width * ratio);
  out.height = Math.round(height * ratio);
  const context = out.getContext('2d');
  if (!context) {
    say('The webview has no 2-D canvas context.');
    return;
  }
  context.scale(ratio, ratio);
  context.fillStyle = css.getPropertyValue('--vscode-editor-background').trim() || '#fff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = css.getPropertyValue('--vscode-foreground').trim() || '#000';
  context.font = `12px ${css.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;
  context.textBaseline = 'top';
  let x = GAP;
  canvases.forEach((canvas, i) => {
    const size = sizes[i] ?? { width: canvas.width, height: canvas.height };
    const caption = canvas.closest('figure')?.querySelector('figcaption')?.textContent ?? '';
    context.fillText(caption, x, GAP, size.width);
    context.drawImage(canvas, x, GAP + CAPTION_PX, size.width, size.height);
    x += size.width + GAP;
  });
  post({ type: 'savePng', view, dataUrl: out.toDataURL('image/png') });
}
