// Running one `conv-lab` subcommand as users do (dist/cli.js), and the check every usage error
// shares: exit 2, one line on stderr naming the problem, no stack trace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../helpers';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A runner of `conv-lab <name> ARGS...`. */
export function subcommand(name: string): (...args: string[]) => CliRun {
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  return (...args) => {
    const r = spawnSync(process.execPath, [cli, name, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

export function assertUsageError(run: CliRun, message: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}
