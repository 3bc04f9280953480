// `conv-lab shapes PATH... [--root DIR]... [--json]`: the static shape analysis of files and
// folders, imports across files followed, as a listing or as JSON; exit code 1 when it finds
// errors, so it can gate CI like a linter.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotebookError, notebookSource, PythonDocument, reportJson, reportText, type ReportedFile } from '../python';
import { normalizePath } from '../python/project/paths';
import { Project } from '../python/project/project';
import { diskFiles } from '../worker/diskFiles';
import { CliError, parseFlags } from './args';
import { pythonFilesUnder } from './gitignore';

export const SHAPES_USAGE = `usage: conv-lab shapes PATH... [--root DIR]... [--json]

Infers the shape of every tensor the files bind, without running them, and reports the errors
PyTorch would raise (with PyTorch's wording) and the transposed convs whose uneven overlap gives
checkerboard artifacts (hints). A PATH is a .py or .ipynb file, or a folder: every .py and .ipynb
file under it that Git does not ignore. Imports of the project's own modules are
followed across files (searched in the importing script's folder, each --root, each folder named,
the current folder and its src/), so a model's forward is analysed with the shapes a script passes
it, and an error raised in an imported file is reported there, with the calls that led to it. A
notebook is read as its code cells in order; its line numbers count over the cells' joined source.

options:
  --root DIR  also search DIR for imports (repeatable), as Python's sys.path
  --json      one JSON object: {"bindings": [{"line", "name", "shape"}], "diagnostics": [{"line", "column", "code", "message", "severity"}]}
              (a shape is a list of ints, symbolic sizes as strings, or null when unknown; severity
              is "error", or "hint" for a transposed conv whose kernel_size is not a multiple of
              its stride, the checkerboard lint, which does not count as an error); an
              entry in another file than the one named has "file" (relative to the current
              folder), a diagnostic reached through calls from other files has "chain"

exit code: 0 no errors found (hints or not), 1 errors found, 2 bad usage or unreadable file`;

/** At most this many files are analysed in one run (a folder with more is refused, not half-read). */
const MAX_FILES = 5_000;

/**
 * Files past this size are refused unread, as VS Code does not hand extensions documents over
 * 50 MB either; reading stops there, so /dev/zero is refused too.
 */
const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** The file's text (UTF-8; invalid bytes read as U+FFFD, as an editor shows them). */
async function readSource(file: string, shown: string): Promise<string> {
  const fail = (why: string): CliError => new CliError(`cannot read ${shown}: ${why}`);
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
  const parsed = parseFlags(argv, { json: { type: 'boolean' }, root: { type: 'string', multiple: true } });
  if (parsed.positionals.length === 0) throw new CliError(`expected a FILE.py, FILE.ipynb or folder\n${SHAPES_USAGE}`);
  const extraRoots = ((parsed.values['root'] ?? []) as unknown as string[]);
  for (const root of extraRoots) if (!diskFiles.isDirectory(path.resolve(root))) throw new CliError(`--root ${root}: not a folder`);
  const named: string[] = [];
  const folders: string[] = [];
  for (const given of parsed.positionals) {
    const full = path.resolve(given);
    if (diskFiles.isDirectory(full)) {
      folders.push(full);
      const inside = pythonFilesUnder(full, MAX_FILES + 1);
      if (inside.length === 0) throw new CliError(`${given}: no .py or .ipynb files (that Git does not ignore) in this folder`);
      named.push(...inside);
    } else named.push(full);
    if (named.length > MAX_FILES) throw new CliError(`${given}: more than ${MAX_FILES} .py and .ipynb files; name fewer`);
  }
  const cwd = process.cwd();
  const roots = [...extraRoots.map((r) => path.resolve(r)), ...folders, cwd, path.join(cwd, 'src')].map(projectPath);
  const project = new Project(diskFiles, { roots: [...new Set(roots)] });
  const scripts = [...new Set(named.map(projectPath))];
  for (const [i, file] of named.entries()) project.setOpen(scripts[i] as string, new PythonDocument(await sourceOf(file, parsed.positionals.length === 1 && folders.length === 0 ? parsed.positionals[0] as string : path.relative(cwd, file))));
  const nameOf = (p: string): string => path.relative(cwd, p) || p;
  // One file named: its results, then what its calls did in the files it imports. Several: each file's own view.
  const single = scripts.length === 1 && folders.length === 0;
  const reported: ReportedFile[] = [];
  for (const script of scripts) {
    const view = project.view(script, scripts);
    if (!view) continue;
    reported.push({ file: single ? undefined : nameOf(script), analysis: view, nameOf });
    if (single) for (const [module, found] of view.modules) reported.push({ file: nameOf(module), analysis: found, nameOf });
  }
  if (parsed.values['json']) stdout(JSON.stringify(reportJson(reported)));
  else stdout(reportText(reported.map((r) => ({ ...r, file: r.file ?? (parsed.positionals[0] as string) }))));
  return reported.some((r) => r.analysis.diagnostics.length > 0) ? 1 : 0;
}

/** The Python a named file holds (a notebook's code cells joined). */
export async function sourceOf(file: string, shown: string): Promise<string> {
  const text = await readSource(file, shown);
  if (!file.endsWith('.ipynb')) return text;
  try {
    return notebookSource(text).text;
  } catch (e) {
    if (!(e instanceof NotebookError)) throw e;
    throw new CliError(`${shown} is not a notebook: ${e.message}`);
  }
}

/** A path as the project keeps it (absolute, `/`-separated). */
export function projectPath(p: string): string {
  return normalizePath(path.resolve(p));
}
