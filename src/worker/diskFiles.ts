// The disk as a project reads it (src/python/project): synchronous, for the analysis worker and
// the CLI, neither of which runs on the editor's thread. A file larger than the project's limit is
// refused by its size before a byte is read; paths are converted to and from the project's form.
import * as fs from 'node:fs';
import { MAX_FILE_BYTES, type ProjectFiles } from '../python/project/project';

function stat(path: string): fs.Stats | undefined {
  try {
    return fs.statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

export const diskFiles: ProjectFiles = {
  isFile: (path) => stat(path)?.isFile() ?? false,
  isDirectory: (path) => stat(path)?.isDirectory() ?? false,
  version: (path) => {
    const found = stat(path);
    return found ? `${found.mtimeMs}:${found.size}` : undefined;
  },
  readText: (path) => {
    const found = stat(path);
    if (!found?.isFile() || found.size > MAX_FILE_BYTES) return undefined;
    try {
      return fs.readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};
