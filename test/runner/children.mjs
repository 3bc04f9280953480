// Child processes that must not outlive the runner: each is started in its own process group so
// that killing the group also ends what it spawned (code-server's extension host, Chromium's
// helpers). Everything still running is killed on exit, Ctrl-C and SIGTERM.
import { spawn } from 'node:child_process';

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
/** @type {Set<() => Promise<void> | void>} */
const cleanups = new Set();
let hooksInstalled = false;

/** Kills a child's whole process group; a group that is already gone is not an error. */
function killGroup(child, signal = 'SIGKILL') {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already exited between the check and the kill.
  }
}

function installHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL the groups, nothing else can run here.
  process.on('exit', () => {
    for (const child of running) killGroup(child);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping child processes`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}

/**
 * Starts `command` in its own process group and tracks it until it exits.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
export function spawnTracked(command, args, options = {}) {
  installHooks();
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.on('exit', () => running.delete(child));
  child.on('error', () => running.delete(child));
  return child;
}

/** Runs `cleanup` (once) on Ctrl-C/SIGTERM or when `cleanUp` is called; returns its unregistration. */
export function onCleanUp(cleanup) {
  installHooks();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs the registered clean-ups, then kills every tracked child's process group. */
export async function cleanUp() {
  const pending = [...cleanups];
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      await cleanup();
    } catch (e) {
      console.error(`clean-up failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const child of running) killGroup(child, 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, running.size > 0 ? 500 : 0));
  for (const child of running) killGroup(child);
}

/**
 * Runs a command to completion, its output going to `onOutput` (or inherited), bounded by
 * `timeoutMs`. Resolves with the exit code; a timeout kills the group and rejects.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number, onOutput?: (text: string) => void }} options
 * @returns {Promise<number>}
 */
export function runToCompletion(command, args, { cwd, env, timeoutMs, onOutput }) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { cwd, env, stdio: onOutput ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (onOutput) {
      child.stdout?.on('data', (d) => onOutput(String(d)));
      child.stderr?.on('data', (d) => onOutput(String(d)));
    }
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
