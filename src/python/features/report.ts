// What `conv-lab shapes` prints: every binding's shape, every error and every hint (the
// checkerboard lint), for people or as JSON; only errors count towards the exit code.
// A run over a project reports each file's results under its name; the results in a file other
// than the one named carry that file's path.
import type { ShapeAnalysis } from '../interpreter/analysis';
import { dimJson, shapeText } from '../interpreter/dim';
import { checkerboardHints } from './checkerboard';

/** One file's results, with the name to print for it (undefined: the one file named, left out of JSON). */
export interface ReportedFile {
  readonly file: string | undefined;
  readonly analysis: ShapeAnalysis;
  /** How the path of another file in a call chain is printed (relative to the current directory). */
  readonly nameOf?: (path: string) => string;
}

type JsonBinding = { file?: string; line: number; name: string; shape: (number | string)[] | null };
type JsonDiagnostic = { file?: string; line: number; column: number; code: string; message: string; severity: 'error' | 'hint'; chain?: { file: string; line: number; column: number }[] };

/** What `conv-lab shapes --json` prints. */
export function analysisJson(analysis: ShapeAnalysis): { bindings: JsonBinding[]; diagnostics: JsonDiagnostic[] } {
  return reportJson([{ file: undefined, analysis }]);
}

/** `--json` over several files: every entry of a named `file` says which. */
export function reportJson(files: readonly ReportedFile[]): { bindings: JsonBinding[]; diagnostics: JsonDiagnostic[] } {
  const bindings: JsonBinding[] = [];
  const diagnostics: JsonDiagnostic[] = [];
  for (const { file, analysis, nameOf } of files) {
    const where = file === undefined ? {} : { file };
    for (const b of analysis.bindings) bindings.push({ ...where, line: b.line, name: b.name, shape: b.shape ? b.shape.map(dimJson) : null });
    for (const d of analysis.diagnostics) {
      const chain = d.chain && nameOf ? { chain: d.chain.map((c) => ({ file: nameOf(c.path), line: c.line, column: c.column })) } : {};
      diagnostics.push({ ...where, line: d.line, column: d.column, code: d.code, message: d.message, severity: 'error', ...chain });
    }
    for (const h of checkerboardHints(analysis)) diagnostics.push({ ...where, line: h.line, column: h.column, code: h.code, message: h.message, severity: h.severity });
  }
  return { bindings, diagnostics };
}

/** `12  y: (1, 10, 16, 16)` lines, `9:1  error  RuntimeError: message  [code]` and `9:1  hint  message  [code]` lines, for people. */
export function analysisText(analysis: ShapeAnalysis, fileName: string): string {
  return reportText([{ file: fileName, analysis }]);
}

/** Each file's lines in turn, then the totals. */
export function reportText(files: readonly (ReportedFile & { file: string })[]): string {
  const lines: string[] = [];
  let bindings = 0;
  let errors = 0;
  let hints = 0;
  let truncated = false;
  for (const { file, analysis, nameOf } of files) {
    for (const b of analysis.bindings) lines.push(`${file}:${b.line}  ${b.name}: ${b.shape ? shapeText(b.shape) : 'unknown'}${b.dtype && b.dtype !== 'float32' ? ` ${b.dtype}` : ''}`);
    for (const d of analysis.diagnostics) {
      lines.push(`${file}:${d.line}:${d.column}  error  ${d.kind}: ${d.message}  [${d.code}]`);
      if (d.chain && nameOf) for (const c of d.chain) lines.push(`    called from ${nameOf(c.path)}:${c.line}:${c.column}`);
    }
    const found = checkerboardHints(analysis);
    for (const h of found) lines.push(`${file}:${h.line}:${h.column}  hint  ${h.message}  [${h.code}]`);
    hints += found.length;
    bindings += analysis.bindings.length;
    errors += analysis.diagnostics.length;
    truncated ||= analysis.truncated;
  }
  const inFiles = files.length > 1 ? ` in ${files.length} files` : '';
  const hinted = hints > 0 ? `, ${hints} hint${hints === 1 ? '' : 's'}` : '';
  lines.push(`${bindings} binding${bindings === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}${hinted}${inFiles}${truncated ? ' (analysis stopped at its step budget)' : ''}`);
  return lines.join('\n');
}
