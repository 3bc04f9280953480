// What `conv-lab shapes` prints: every binding's shape and every error, for people or as JSON.
import type { ShapeAnalysis } from '../interpreter/analysis';
import { dimJson, shapeText } from '../interpreter/dim';

/** What `conv-lab shapes --json` prints. */
export function analysisJson(analysis: ShapeAnalysis): { bindings: { line: number; name: string; shape: (number | string)[] | null }[]; diagnostics: { line: number; column: number; code: string; message: string }[] } {
  return {
    bindings: analysis.bindings.map((b) => ({ line: b.line, name: b.name, shape: b.shape ? b.shape.map(dimJson) : null })),
    diagnostics: analysis.diagnostics.map((d) => ({ line: d.line, column: d.column, code: d.code, message: d.message })),
  };
}

/** `12  y: (1, 10, 16, 16)` lines and `9:1 error [code] message` lines, for people. */
export function analysisText(analysis: ShapeAnalysis, fileName: string): string {
  const lines = analysis.bindings.map((b) => `${fileName}:${b.line}  ${b.name}: ${b.shape ? shapeText(b.shape) : 'unknown'}${b.dtype && b.dtype !== 'float32' ? ` ${b.dtype}` : ''}`);
  for (const d of analysis.diagnostics) lines.push(`${fileName}:${d.line}:${d.column}  error  ${d.kind}: ${d.message}  [${d.code}]`);
  const count = analysis.diagnostics.length;
  lines.push(`${analysis.bindings.length} binding${analysis.bindings.length === 1 ? '' : 's'}, ${count} error${count === 1 ? '' : 's'}${analysis.truncated ? ' (analysis stopped at its step budget)' : ''}`);
  return lines.join('\n');
}

