// Child processes that must not outlive the runner. Each starts in its own process group; when
// it exits, whatever it left in that group is killed too (VS Code's extension host survives
// code-server's SIGTERM otherwise), and every group still alive is killed on exit, Ctrl-C and
// SIGTERM.
import { spawn } from 'node:child_process';

/** Process groups (= the pid of the child that leads each) not yet known to be empty. */
const liveGroups = new Set();
/** @type {Set<() => Promise<void> | void>} */
const cleanups = new Set();
let hooksInstalled = false;
let interruptExitCode = 130;

/** The exit code after Ctrl-C/SIGTERM: 130 (interrupted) unless stopping that way is the normal end. */
export function setInterruptExitCode(code) {
  interruptExitCode = code;
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function signalGroup(groupId, signal) {
  try {
    process.kill(-groupId, signal);
  } catch {
    // No process left in the group.
  }
}

function installHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL the groups, nothing else can run here.
  process.on('exit', () => {
    for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping child processes`);
      void cleanUp().finally(() => process.exit(interruptExitCode));
    });
  }
}

/**
 * Starts `command` in its own process group and tracks the group until the child exits, when
 * what is left of the group is killed.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 */
export function spawnTracked(command, args, options = {}) {
  installHooks();
  const child = spawn(command, args, { ...options, detached: true });
  const group = child.pid;
  if (group !== undefined) {
    liveGroups.add(group);
    child.on('exit', () => {
      signalGroup(group, 'SIGKILL');
      liveGroups.delete(group);
    });
  }
  return child;
}

/** Runs `cleanup` (once) on Ctrl-C/SIGTERM or when `cleanUp` is called; returns its unregistration. */
export function onCleanUp(cleanup) {
  installHooks();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs the registered clean-ups, then kills every tracked process group. */
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
  for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  liveGroups.clear();
}

/**
 * Asks a tracked child to stop (SIGTERM to its group), SIGKILLs the group after `graceMs`, and
 * resolves once the child has exited.
 * @param {import('node:child_process').ChildProcess} child
 */
export async function stopTracked(child, graceMs = 3000) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child.pid, 'SIGTERM');
  const group = child.pid;
  const timer = setTimeout(() => signalGroup(group, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
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
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
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
