// `conv-lab shapes FILE.py|FILE.ipynb [--json]`: the static shape analysis of a file, as a
// listing or as JSON; exit code 1 when it finds errors, so it can gate CI like a linter.
import * as fs from 'node:fs';
import { NotebookError, notebookSource } from '../python/notebook';
import { analysisJson, analysisText, analyzeShapes } from '../python/shapes/analyze';
import { CliError, parseFlags } from './args';

export const SHAPES_USAGE = `usage: conv-lab shapes FILE.py|FILE.ipynb [--json]

Infers the shape of every tensor the file binds, without running it, and reports the errors
PyTorch would raise (with PyTorch's wording). A notebook is read as its code cells in order;
its line numbers count over the cells' joined source.

options:
  --json    one JSON object: {"bindings": [{"line", "name", "shape"}], "diagnostics": [{"line", "column", "code", "message"}]}
            (a shape is a list of ints, symbolic sizes as strings, or null when unknown)

exit code: 0 no errors found, 1 errors found, 2 bad usage or unreadable file`;

export async function shapesCommand(argv: readonly string[], stdout: (text: string) => void): Promise<number> {
  const parsed = parseFlags(argv, { json: { type: 'boolean' } });
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) throw new CliError(`expected one FILE.py or FILE.ipynb\n${SHAPES_USAGE}`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (file.endsWith('.ipynb')) {
    try {
      text = notebookSource(text).text;
    } catch (e) {
      if (!(e instanceof NotebookError)) throw e;
      throw new CliError(`${file} is not a notebook: ${e.message}`);
    }
  }
  const analysis = analyzeShapes(text);
  stdout(parsed.values['json'] ? JSON.stringify(analysisJson(analysis)) : analysisText(analysis, file));
  return analysis.diagnostics.length > 0 ? 1 : 0;
}
