// `conv-lab shapes FILE.py|FILE.ipynb [--json]`: the static shape analysis of a file, as a
// listing or as JSON; exit code 1 when it finds errors, so it can gate CI like a linter.
import * as fs from 'node:fs';
import { analysisJson, analysisText, analyzeShapes, NotebookError, notebookSource } from '../python';
import { CliError, parseFlags } from './args';

export const SHAPES_USAGE = `usage: conv-lab shapes FILE.py|FILE.ipynb [--json]

Infers the shape of every tensor the file binds, without running it, and reports the errors
PyTorch would raise (with PyTorch's wording). A notebook is read as its code cells in order;
its line numbers count over the cells' joined source.

options:
  --json    one JSON object: {"bindings": [{"line", "name", "shape"}], "diagnostics": [{"line", "column", "code", "message"}]}
            (a shape is a list of ints, symbolic sizes as strings, or null when unknown)

exit code: 0 no errors found, 1 errors found, 2 bad usage or unreadable file`;

/**
 * Files past this size are refused unread, as VS Code does not hand extensions documents over
 * 50 MB either; reading stops there, so /dev/zero is refused too.
 */
const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** The file's text (UTF-8; invalid bytes read as U+FFFD, as an editor shows them). */
async function readSource(file: string): Promise<string> {
  const fail = (why: string): CliError => new CliError(`cannot read ${file}: ${why}`);
  let handle: fs.promises.FileHandle;
  try {
    // Opening a FIFO would wait for a writer, maybe forever.
    const stat = await fs.promises.stat(file);
    if (stat.isFIFO() || stat.isSocket()) throw fail(`a ${stat.isFIFO() ? 'FIFO' : 'socket'}, not a file`);
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    throw e instanceof CliError ? e : fail((e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > MAX_SOURCE_BYTES) throw fail(`larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB`);
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } catch (e) {
    throw e instanceof CliError ? e : fail((e as NodeJS.ErrnoException).code ?? String(e));
  } finally {
    await handle.close();
  }
}

export async function shapesCommand(argv: readonly string[], stdout: (text: string) => void): Promise<number> {
  const parsed = parseFlags(argv, { json: { type: 'boolean' } });
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) throw new CliError(`expected one FILE.py or FILE.ipynb\n${SHAPES_USAGE}`);
  let text = await readSource(file);
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
