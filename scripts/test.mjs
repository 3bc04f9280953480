// `npm test`: build, run the unit suite, the hostile-input corpus (through the built CLI), then the
// integration suite in real VS Code (code-server) on the newest tested version and on the minimum
// engines.vscode; print each suite's counts and time, and as the very last line
// `N passed, N failed` summed over every suite.
//
//   node scripts/test.mjs [--unit] [--hostile] [--integration] [--code-server VERSION]...
//
// With none of --unit, --hostile, --integration every part runs; with some, only those.
//
// Exit code 0 only if every suite ran, at least one test passed, and none failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanUp, runToCompletion } from '../test/runner/children.mjs';
import { CODE_SERVER_MINIMUM, CODE_SERVER_NEWEST } from '../test/runner/install.mjs';
import { runHostileSuite } from '../test/hostile/run.mjs';
import { runIntegrationSuite } from '../test/runner/integration.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UNIT_TESTS = 'out/test/unit/**/*.test.js';
const UNIT_TIMEOUT_MS = 10 * 60_000;
const BUILD_TIMEOUT_MS = 5 * 60_000;

/**
 * @typedef {{ name: string, passed: number, failed: number, skipped: number, ms: number, failures: { title: string, message: string }[] }} SuiteSummary
 */

const PARTS = ['unit', 'hostile', 'integration'];

function parseArgs(argv) {
  const chosen = new Set();
  const versions = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--') && PARTS.includes(arg.slice(2))) chosen.add(arg.slice(2));
    else if (arg === '--code-server' && argv[i + 1]) versions.push(argv[++i]);
    else throw new Error(`unknown argument ${arg}; usage: test.mjs [--unit] [--hostile] [--integration] [--code-server VERSION]...`);
  }
  const parts = Object.fromEntries(PARTS.map((p) => [p, chosen.size === 0 || chosen.has(p)]));
  return { ...parts, versions: versions.length > 0 ? versions : [CODE_SERVER_NEWEST, CODE_SERVER_MINIMUM] };
}

/** A suite that could not run counts as one failure, so the run cannot look green. */
function didNotRun(name, started, message) {
  return { name, passed: 0, failed: 1, skipped: 0, ms: Date.now() - started, failures: [{ title: `${name} did not run`, message }] };
}

/**
 * Node's options that turn relaxed SIMD on, so the golden suite also runs on the FMA kernels:
 * Node 20 has it behind a V8 flag (which later Nodes no longer accept: they have it on).
 */
function relaxedSimdOptions() {
  const flag = '--experimental-wasm-relaxed-simd';
  return spawnSync(process.execPath, [flag, '-e', ''], { stdio: 'ignore' }).status === 0 ? [flag] : [];
}

/** mocha in a child process, with a reporter that writes exact counts to a file. */
async function runUnitSuite() {
  const started = Date.now();
  const name = 'unit';
  const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-unit-')), 'results.json');
  console.log('\n── unit tests (mocha) ──');
  try {
    const code = await runToCompletion(process.execPath, [
      ...relaxedSimdOptions(),
      path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', path.join(repoRoot, 'test', 'runner', 'countingSpecReporter.cjs'),
      UNIT_TESTS,
    ], { cwd: repoRoot, env: { ...process.env, CONV_LAB_UNIT_RESULTS: resultsFile }, timeoutMs: UNIT_TIMEOUT_MS });
    if (!fs.existsSync(resultsFile)) return didNotRun(name, started, `mocha exited with ${code} before reporting results`);
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    const summary = { name, passed: results.passed, failed: results.failed, skipped: results.pending, ms: Date.now() - started, failures: results.failures };
    if (code !== 0 && summary.failed === 0) return { ...summary, failed: 1, failures: [{ title: 'unit suite', message: `mocha exited with ${code} although no test failed` }] };
    if (summary.passed + summary.failed === 0) return didNotRun(name, started, `no test found in ${UNIT_TESTS}`);
    return summary;
  } catch (e) {
    return didNotRun(name, started, e instanceof Error ? e.message : String(e));
  } finally {
    fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
  }
}

/** The hostile-input corpus: every case a run of the built CLI, within its time and memory limits. */
async function runHostile() {
  const started = Date.now();
  const name = 'hostile inputs (CLI)';
  console.log('\n── hostile inputs through the CLI (test/hostile) ──');
  try {
    const outcome = await runHostileSuite();
    return { name, passed: outcome.passed, failed: outcome.failed, skipped: 0, ms: Date.now() - started, failures: outcome.failures };
  } catch (e) {
    return didNotRun(name, started, e instanceof Error ? e.message : String(e));
  }
}

async function runIntegration(version) {
  const started = Date.now();
  const name = `integration, code-server ${version}`;
  console.log(`\n── integration tests, code-server ${version} ──`);
  try {
    const outcome = await runIntegrationSuite({ version });
    return { name, passed: outcome.passed, failed: outcome.failed, skipped: 0, ms: Date.now() - started, failures: outcome.failures };
  } catch (e) {
    return didNotRun(name, started, e instanceof Error ? e.message : String(e));
  }
}

function countsLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

async function main() {
  const { unit, hostile, integration, versions } = parseArgs(process.argv.slice(2));
  /** @type {SuiteSummary[]} */
  const suites = [];
  const buildStarted = Date.now();
  console.log('── build (node esbuild.js) ──');
  // esbuild never deletes: a removed test file's old bundle would otherwise still run.
  fs.rmSync(path.join(repoRoot, 'out', 'test'), { recursive: true, force: true });
  const buildCode = await runToCompletion(process.execPath, ['esbuild.js'], { cwd: repoRoot, timeoutMs: BUILD_TIMEOUT_MS });
  if (buildCode !== 0) {
    suites.push(didNotRun('build', buildStarted, `node esbuild.js exited with ${buildCode}`));
  } else {
    if (unit) suites.push(await runUnitSuite());
    if (hostile) suites.push(await runHostile());
    if (integration) for (const version of versions) suites.push(await runIntegration(version));
  }

  console.log('\n── summary ──');
  const width = Math.max(...suites.map((s) => s.name.length));
  for (const suite of suites) {
    console.log(`  ${suite.name.padEnd(width)}  ${countsLine(suite).padEnd(24)} ${(suite.ms / 1000).toFixed(1).padStart(6)} s`);
  }
  const failures = suites.flatMap((s) => s.failures.map((f) => `  ✗ [${s.name}] ${f.title}: ${f.message.split('\n')[0]}`));
  if (failures.length > 0) console.log(['failures:', ...failures].join('\n'));
  const total = suites.reduce((sum, s) => ({ passed: sum.passed + s.passed, failed: sum.failed + s.failed, skipped: sum.skipped + s.skipped }), { passed: 0, failed: 0, skipped: 0 });
  console.log(countsLine(total));
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

main()
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    console.log('0 passed, 1 failed');
    return 1;
  })
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  });
