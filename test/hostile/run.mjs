/* global performance, setInterval, clearInterval */
// The hostile-input corpus: every case runs the built CLI (`node dist/cli.js ...`, after
// `node esbuild.js`) in its own process and must end cleanly: the exit code and the message its
// fixture records, within 5 s of CPU time and 1 GB of memory.
//
//   node test/hostile/run.mjs [TEXT]     the cases whose title or file contains TEXT (all without)
//
// Cases live in cases/*.txt, lezer-style: a case is a `# title` line, the command line, then the
// expected outcome:
//
//   # --padding -1 gets PyTorch's message
//   conv-lab run conv2d --input {in:x.npy} --weight {in:k.npy} --padding -1
//   ==> exit 2
//   stderr: RuntimeError: negative padding is not supported
//
// `stdout:` / `stderr:` lines give a stream's exact text (several lines: one per line; placeholders
// as in the command line are replaced); `stdout ~`
// / `stderr ~` a regular expression it must match (several: all). A stream with neither must be
// empty. Lines starting with `//` are comments (how an expected value was worked out). Words are
// split at spaces; '...' quotes one with spaces. `{in:NAME}` is test/hostile/inputs/NAME;
// `{gen:NAME}` a file recipes.mjs makes in a temporary folder (inputs too large or too strange to
// commit). Every case must also print no stack trace and no "internal error".
//
// Time and memory are what getrusage reports at the process's exit (measure.cjs, preloaded: it
// counts worker threads, works wherever Node does, and needs no /usr/bin/time): CPU time, user
// plus system, so that a machine busy with other work does not fail a case, and the peak
// resident set size. The wall clock is reported too, and a case still running after
// HANG_LIMIT_MS of it is killed as hung; on Linux, /proc/<pid>/status is polled so that a case
// growing past the memory limit is killed rather than allowed to take the machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanUp, spawnTracked } from '../runner/children.mjs';
import { makeInput } from './recipes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const CLI = path.join(repoRoot, 'dist', 'cli.js');
const MEASURE = path.join(here, 'measure.cjs');
const CASES_DIR = path.join(here, 'cases');
const INPUTS_DIR = path.join(here, 'inputs');

export const CPU_LIMIT_MS = 5_000;
/** Wall clock after which a case counts as hung (far above CPU_LIMIT_MS: the machine may be busy). */
const HANG_LIMIT_MS = 30_000;
export const MEMORY_LIMIT_BYTES = 1024 ** 3;
/** Captured per stream: the first and the last this many bytes (enough for any expectation). */
const CAPTURE_BYTES = 1024 * 1024;
const POLL_MS = 50;

/**
 * @typedef {{ exact: string[], patterns: RegExp[] }} StreamExpectation
 * @typedef {{ file: string, line: number, title: string, words: string[], exit: number, stdout: StreamExpectation, stderr: StreamExpectation }} HostileCase
 * @typedef {{ code: number | null, signal: string | null, stdout: string, stderr: string, ms: number, cpuMs: number | undefined, maxRssBytes: number | undefined, killed: string | undefined }} CaseRun
 */

/** Splits a command line into words: spaces separate, '...' quotes. */
function splitWords(text, where) {
  const words = [];
  const word = /'([^']*)'|(\S+)/g;
  for (let m = word.exec(text); m; m = word.exec(text)) words.push(m[1] ?? m[2]);
  if (text.split("'").length % 2 === 0) throw new Error(`${where}: unbalanced quote`);
  return words;
}

/** The cases of one fixture file. */
export function parseCases(text, file) {
  const cases = [];
  let current;
  const where = (n) => `${path.relative(repoRoot, file)}:${n}`;
  const finish = () => {
    if (!current) return;
    if (current.words === undefined || current.exit === undefined) throw new Error(`${where(current.line)}: case "${current.title}" needs a command line and '==> exit N'`);
    cases.push(current);
    current = undefined;
  };
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('//')) return;
    if (line.startsWith('# ')) {
      finish();
      current = { file, line: n, title: line.slice(2), words: undefined, exit: undefined, stdout: { exact: [], patterns: [] }, stderr: { exact: [], patterns: [] } };
      return;
    }
    if (!current) throw new Error(`${where(n)}: text before the first '# title'`);
    const expectation = /^(stdout|stderr)(:| ~) ?(.*)$/.exec(line);
    const exit = /^==> exit (\d+)$/.exec(line);
    if (/^conv-lab( |$)/.test(line) && current.words === undefined) current.words = splitWords(line.slice('conv-lab'.length), where(n));
    else if (exit) current.exit = Number(exit[1]);
    else if (expectation && current.exit !== undefined) {
      const stream = current[expectation[1]];
      if (expectation[2] === ':') stream.exact.push(expectation[3]);
      else stream.patterns.push(new RegExp(expectation[3], 'm'));
    } else throw new Error(`${where(n)}: cannot read ${JSON.stringify(line)}`);
  });
  finish();
  return cases;
}

export function loadCases() {
  return fs.readdirSync(CASES_DIR).filter((f) => f.endsWith('.txt')).sort()
    .flatMap((f) => parseCases(fs.readFileSync(path.join(CASES_DIR, f), 'utf8'), path.join(CASES_DIR, f)));
}

/** The case's words with their `{in:...}` and `{gen:...}` placeholders replaced by paths. */
async function resolveWords(words, genDir) {
  const resolved = [];
  for (const word of words) {
    let text = word;
    for (const [match, kind, name] of word.matchAll(/\{(in|gen):([^}]+)\}/g)) {
      const file = kind === 'in' ? path.join(INPUTS_DIR, name) : await makeInput(name, genDir);
      if (kind === 'in' && !fs.existsSync(file)) throw new Error(`no input ${path.relative(repoRoot, file)}`);
      text = text.replace(match, file);
    }
    resolved.push(text);
  }
  return resolved;
}

/** A stream's text as kept: all of it, or its head and tail around a marker. */
class Capture {
  head = Buffer.alloc(0);
  tail = Buffer.alloc(0);
  total = 0;
  add(chunk) {
    this.total += chunk.length;
    if (this.head.length < CAPTURE_BYTES) {
      const take = chunk.subarray(0, CAPTURE_BYTES - this.head.length);
      this.head = Buffer.concat([this.head, take]);
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length > 0) this.tail = Buffer.concat([this.tail, chunk]).subarray(-CAPTURE_BYTES);
  }
  text() {
    const skipped = this.total - this.head.length - this.tail.length;
    return this.head.toString('utf8') + (skipped > 0 ? `\n[... ${skipped} bytes ...]\n` : '') + this.tail.toString('utf8');
  }
}

/** Resident set size now, from /proc (Linux); undefined elsewhere or once the process is gone. */
function currentRss(pid) {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** @returns {Promise<CaseRun>} */
function runCli(args, measureFile) {
  fs.rmSync(measureFile, { force: true });
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawnTracked(process.execPath, ['--require', MEASURE, CLI, ...args], {
      cwd: os.tmpdir(),
      env: { ...process.env, CONV_LAB_MEASURE_FILE: measureFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new Capture();
    const stderr = new Capture();
    child.stdout.on('data', (d) => stdout.add(d));
    child.stderr.on('data', (d) => stderr.add(d));
    let killed;
    const kill = (why) => {
      killed ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`hung: killed after ${HANG_LIMIT_MS / 1000} s`), HANG_LIMIT_MS);
    const poll = setInterval(() => {
      const rss = currentRss(child.pid);
      if (rss !== undefined && rss > MEMORY_LIMIT_BYTES) kill(`killed at ${(rss / 1024 ** 2).toFixed(0)} MB resident`);
    }, POLL_MS);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      clearInterval(poll);
      let usage = {};
      try {
        usage = JSON.parse(fs.readFileSync(measureFile, 'utf8'));
      } catch {
        // Killed or crashed: nothing written.
      }
      resolve({ code, signal, stdout: stdout.text(), stderr: stderr.text(), ms, cpuMs: usage.cpuMs, maxRssBytes: usage.maxRssBytes, killed });
    });
  });
}

/** What is wrong with a run, or an empty list. */
function problemsOf(c, run) {
  const problems = [];
  if (run.killed) problems.push(run.killed);
  else if (run.signal) problems.push(`died of ${run.signal}`);
  else if (run.code !== c.exit) problems.push(`exit ${run.code}, expected ${c.exit}`);
  if (run.cpuMs !== undefined && run.cpuMs > CPU_LIMIT_MS) problems.push(`took ${(run.cpuMs / 1000).toFixed(2)} s of CPU`);
  if (run.maxRssBytes === undefined && !run.killed && !run.signal) problems.push('measured nothing (measure.cjs did not run)');
  if (run.maxRssBytes !== undefined && run.maxRssBytes > MEMORY_LIMIT_BYTES) problems.push(`peak RSS ${(run.maxRssBytes / 1024 ** 2).toFixed(0)} MB`);
  for (const stream of ['stdout', 'stderr']) {
    const text = run[stream];
    const { exact, patterns } = c[stream];
    const shown = JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}...` : text);
    if (exact.length > 0 && text !== `${exact.join('\n')}\n`) problems.push(`${stream} is ${shown}, expected ${JSON.stringify(`${exact.join('\n')}\n`)}`);
    for (const pattern of patterns) if (!pattern.test(text)) problems.push(`${stream} ${shown} does not match ${pattern}`);
    if (exact.length === 0 && patterns.length === 0 && text !== '') problems.push(`${stream} should be empty, is ${shown}`);
  }
  if (/^\s+at .+:\d+:\d+\)?$/m.test(run.stderr)) problems.push('stderr holds a stack trace');
  if (/internal error/.test(run.stderr)) problems.push('stderr reports an internal error');
  return problems;
}

/**
 * Runs the corpus (`filter`: only the cases whose title or file contains it), as many cases at a
 * time as there are CPUs.
 * @returns {Promise<{ passed: number, failed: number, failures: { title: string, message: string }[], worstCpu: { ms: number, title: string }, worstWall: { ms: number, title: string }, worstRss: { bytes: number, title: string } }>}
 */
export async function runHostileSuite({ log = console.log, filter } = {}) {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node esbuild.js\` first`);
  const cases = loadCases().filter((c) => !filter || c.title.includes(filter) || c.file.includes(filter));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-hostile-'));
  const genDir = path.join(dir, 'generated');
  fs.mkdirSync(genDir);
  const outcome = { passed: 0, failed: 0, failures: [], worstCpu: { ms: 0, title: '' }, worstWall: { ms: 0, title: '' }, worstRss: { bytes: 0, title: '' } };
  try {
    let next = 0;
    const worker = async (slot) => {
      while (next < cases.length) {
        const c = cases[next++];
        const name = `${path.basename(c.file)}:${c.line} ${c.title}`;
        let problems;
        try {
          const run = await runCli(await resolveWords(c.words, genDir), path.join(dir, `measure-${slot}.json`));
          const exact = async (stream) => ({ ...c[stream], exact: await resolveWords(c[stream].exact, genDir) });
          problems = problemsOf({ ...c, stdout: await exact('stdout'), stderr: await exact('stderr') }, run);
          if ((run.cpuMs ?? 0) > outcome.worstCpu.ms) outcome.worstCpu = { ms: run.cpuMs, title: name };
          if (run.ms > outcome.worstWall.ms) outcome.worstWall = { ms: run.ms, title: name };
          if ((run.maxRssBytes ?? 0) > outcome.worstRss.bytes) outcome.worstRss = { bytes: run.maxRssBytes, title: name };
        } catch (e) {
          problems = [e instanceof Error ? e.message : String(e)];
        }
        if (problems.length === 0) {
          outcome.passed++;
        } else {
          outcome.failed++;
          outcome.failures.push({ title: name, message: problems.join('; ') });
          log(`  ✗ ${name}\n      ${problems.join('\n      ')}`);
        }
      }
    };
    const slots = Math.max(1, Math.min(os.availableParallelism(), 4));
    await Promise.all(Array.from({ length: slots }, (_, slot) => worker(slot)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`  ${cases.length} cases, ${outcome.passed} clean, ${outcome.failed} not`);
  log(`  most CPU time: ${(outcome.worstCpu.ms / 1000).toFixed(2)} s (${outcome.worstCpu.title})`);
  log(`  longest wall time: ${(outcome.worstWall.ms / 1000).toFixed(2)} s (${outcome.worstWall.title})`);
  log(`  most memory: ${(outcome.worstRss.bytes / 1024 ** 2).toFixed(0)} MB peak RSS (${outcome.worstRss.title})`);
  return outcome;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runHostileSuite({ filter: process.argv[2] })
    .then((o) => {
      console.log(`${o.passed} passed, ${o.failed} failed`);
      return o.failed === 0 && o.passed > 0 ? 0 : 1;
    }, (e) => {
      console.error(e instanceof Error ? e.message : e);
      return 1;
    })
    .then(async (code) => {
      await cleanUp();
      process.exit(code);
    });
}
