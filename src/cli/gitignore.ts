// The files `conv-lab shapes DIR` reads: every .py and .ipynb under DIR, skipping what Git
// ignores. Each folder's `.gitignore` applies below it, as Git reads them: blank lines and `#`
// comments skipped, `!` re-includes, a trailing `/` matches folders only, a pattern with a `/`
// before its end is anchored to its folder, `*` and `?` stay within a name, `**` spans folders.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Rule {
  readonly regex: RegExp;
  readonly negated: boolean;
  readonly folderOnly: boolean;
  /** The folder whose .gitignore holds it: the pattern is matched against paths relative to it. */
  readonly base: string;
}

/** Folders never walked: Git's own, and caches no one analyses. */
const SKIPPED = new Set(['.git', '__pycache__', 'node_modules', '.ipynb_checkpoints']);

/** A Git pattern as a regular expression over `/`-separated relative paths. */
function patternRegex(pattern: string, anchored: boolean): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` any folders (or none), a trailing `**` anything below.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) out += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  // A match of a folder covers everything in it.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${out}(?:/.*)?$`);
}

function rulesOf(folder: string): Rule[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, '.gitignore'), 'utf8');
  } catch {
    return [];
  }
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1);
    const folderOnly = line.endsWith('/');
    if (folderOnly) line = line.slice(0, -1);
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    rules.push({ regex: patternRegex(line, anchored), negated, folderOnly, base: folder });
  }
  return rules;
}

function ignored(rules: readonly Rule[], full: string, isFolder: boolean): boolean {
  let result = false;
  for (const rule of rules) {
    if (rule.folderOnly && !isFolder) continue;
    const relative = path.relative(rule.base, full).split(path.sep).join('/');
    if (rule.regex.test(relative)) result = !rule.negated;
  }
  return result;
}

/** Every .py and .ipynb file under `folder` that Git does not ignore, sorted; at most `limit`. */
export function pythonFilesUnder(folder: string, limit: number): string[] {
  const found: string[] = [];
  const walk = (dir: string, inherited: readonly Rule[]): void => {
    const rules = [...inherited, ...rulesOf(dir)];
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (found.length >= limit) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !ignored(rules, full, true)) walk(full, rules);
      } else if (entry.isFile() && /\.(py|ipynb)$/.test(entry.name) && !ignored(rules, full, false)) {
        found.push(full);
      }
    }
  };
  walk(folder, []);
  return found;
}
