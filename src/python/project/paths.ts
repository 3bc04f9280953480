// Paths as the project code keeps them: absolute, `/`-separated (a Windows path keeps its drive
// as the first segment), so the same code serves the CLI, the worker and tests on any system.

export function dirname(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** `path` with `.` and `..` segments and doubled separators removed. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  // A Windows drive (`C:`) stays the first segment; POSIX paths are absolute.
  return /^[A-Za-z]:$/.test(parts[0] ?? '') ? parts.join('/') : `/${parts.join('/')}`;
}

/** `path` relative to `dir` when it lies inside it (`a/b.py`), else undefined. */
export function relativeInside(dir: string, path: string): string | undefined {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}
