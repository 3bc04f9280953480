// Runs the integration suite (out/test/integration/index.js) inside real VS Code: code-server's
// extension host, driven through Debian's Chromium. One fresh server, workspace and extension
// host per activation trigger, because an extension activates only once per host.
//
//   node test/runner/integration.mjs [--code-server 4.139.1]... [--vsix conv-lab.vsix] [--timeout SECONDS]
//
// Without --vsix, Conv Lab is loaded from the repo (extensionDevelopmentPath, so `node esbuild.js`
// first); with it, the packaged extension is installed into the server and tested as users get it.
// Failures leave a screenshot and the server's logs (extension host included) in test-results/.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, runWorkbench } from './browser.mjs';
import { cleanUp, onCleanUp, runToCompletion } from './children.mjs';
import { startCodeServer, workbenchUrl } from './codeServer.mjs';
import { CODE_SERVER_MINIMUM, CODE_SERVER_NEWEST, ensureCodeServer, repoRoot } from './install.mjs';
import { assertSuiteBuilt, launchEnv, prepareLaunch, readResults, RESTRICTED_TESTS_ENTRY, TESTS_ENTRY, TRIGGERS } from './suite.mjs';
import { answerWebviewChecks, checkPanelRestore, WEBVIEW_CHECK_ENV } from './webview.mjs';

const RESULTS_DIR = path.join(repoRoot, 'test-results');
const DEFAULT_LAUNCH_TIMEOUT_MS = 180_000;

/**
 * @typedef {object} SuiteOutcome
 * @property {number} passed
 * @property {number} failed
 * @property {{ title: string, message: string }[]} failures
 * @property {number} ms
 */

/** Installs the .vsix into `extensionsDir` with the server's own CLI; returns the extension's folder. */
async function installVsix(codeServer, vsix, extensionsDir, userDataDir) {
  let output = '';
  const code = await runToCompletion(codeServer.node, [
    codeServer.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix,
  ], { env: codeServer.env, timeoutMs: 120_000, onOutput: (text) => { output += text; } });
  const { publisher, name } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const installed = fs.existsSync(extensionsDir) ? fs.readdirSync(extensionsDir).filter((d) => d.startsWith(`${publisher}.${name}-`)) : [];
  if (code !== 0 || installed.length !== 1) {
    throw new Error(`installing ${vsix} into code-server failed (exit ${code}, found ${installed.join(', ') || 'nothing'}):\n${output}`);
  }
  return path.join(extensionsDir, installed[0]);
}

/** Copies what explains a failed launch into `artifactsDir`. */
function keepArtifacts(artifactsDir, { server, userDataDir, workbenchLogs, resultsFile }) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  if (server && fs.existsSync(server.logsDir)) fs.cpSync(server.logsDir, path.join(artifactsDir, 'server-logs'), { recursive: true });
  const output = path.join(userDataDir, 'code-server-output.log');
  if (fs.existsSync(output)) fs.copyFileSync(output, path.join(artifactsDir, 'code-server-output.log'));
  if (fs.existsSync(resultsFile)) fs.copyFileSync(resultsFile, path.join(artifactsDir, 'results.json'));
  for (const { relativePath, contents } of workbenchLogs) {
    const target = path.join(artifactsDir, 'workbench-logs', relativePath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, contents);
  }
  // The extension host's own log and Conv Lab's output channel, the two worth opening first.
  const exthostLogs = fs.existsSync(path.join(artifactsDir, 'server-logs'))
    ? fs.readdirSync(path.join(artifactsDir, 'server-logs'), { recursive: true }).map(String)
      .filter((f) => /exthost\d*\/(remoteexthost|exthost)\.log$|conv-lab\.conv-lab\/.*\.log$/.test(f))
    : [];
  return exthostLogs.map((f) => path.join(artifactsDir, 'server-logs', f));
}

/**
 * One launch: a fresh server, workspace copy and extension host, the suite run once. A
 * `restricted` launch has Workspace Trust on, leaves the workspace untrusted and runs the
 * Restricted Mode suite instead.
 * @returns {Promise<SuiteOutcome>}
 */
async function runLaunch(browser, codeServer, { trigger, vsix, timeoutMs, label, log, restricted = false }) {
  const started = Date.now();
  const { dir: tmp, workspace, resultsFile } = prepareLaunch({ restricted });
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  const artifactsDir = path.join(RESULTS_DIR, label);
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  /** @type {import('./codeServer.mjs').RunningServer | undefined} */
  let server;
  let workbenchLogs = [];
  const unregister = onCleanUp(() => server?.stop());
  const failures = [];
  let passed = 0;
  try {
    const extensionRoot = vsix ? await installVsix(codeServer, vsix, extensionsDir, userDataDir) : repoRoot;
    // The panel's webview DOM is checked in one launch per version (panel.test.ts and webview.mjs).
    const webviewCheckDir = trigger === TRIGGERS[0] && !restricted ? path.join(tmp, 'webview-check') : undefined;
    if (webviewCheckDir) fs.mkdirSync(webviewCheckDir);
    // The extension host inherits the server's environment: that is how the suite learns
    // where to write its results and what to expect.
    const env = { ...launchEnv({ resultsFile, trigger, extensionRoot }), ...(webviewCheckDir ? { [WEBVIEW_CHECK_ENV]: webviewCheckDir } : {}) };
    server = await startCodeServer(codeServer, { userDataDir, extensionsDir, env, workspaceTrust: restricted });
    // VS Code runs extensionTestsPath only in extension-development mode, so a packaged-build
    // run points extensionDevelopmentPath at an empty folder: the installed copy is the only Conv Lab.
    const noExtension = path.join(tmp, 'no-development-extension');
    if (vsix) fs.mkdirSync(noExtension);
    const url = workbenchUrl(server, {
      folder: workspace,
      extensionTestsPath: restricted ? RESTRICTED_TESTS_ENTRY : TESTS_ENTRY,
      extensionDevelopmentPath: vsix ? noExtension : repoRoot,
    });
    const workbenchLines = [];
    const run = await runWorkbench(browser, {
      url,
      timeoutMs,
      screenshotFile: path.join(artifactsDir, 'screenshot.png'),
      onLog: (line) => workbenchLines.push(line),
      duringRun: webviewCheckDir && ((page, isOver) => answerWebviewChecks(page, {
        dir: webviewCheckDir,
        screenshotsDir: path.join(RESULTS_DIR, 'panel', `${label}`),
        timeoutMs,
        stopped: isOver,
      })),
    });
    workbenchLogs = run.workbenchLogs;
    failures.push(...(Array.isArray(run.duringRunResult) ? run.duringRunResult : []));
    const results = readResults(resultsFile);
    for (const line of results?.output ?? []) if (line.trim() !== '') log(`  ${line}`);
    passed = results?.passed ?? 0;
    failures.push(...(results?.failures ?? []));
    if (run.timedOut || !results) {
      log('  last workbench log lines:');
      for (const line of workbenchLines.slice(-15)) log(`    ${line}`);
    }
    if (run.timedOut) {
      failures.push({ title: `${label}: the suite`, message: `did not finish within ${timeoutMs / 1000} s` });
    } else if (!results) {
      failures.push({ title: `${label}: the suite`, message: `wrote no results (workbench exit code ${run.exitCode})` });
    } else if (run.exitCode !== 0 && failures.length === 0) {
      failures.push({ title: `${label}: the suite`, message: `the workbench exited with ${run.exitCode} although no test failed` });
    } else if (passed + failures.length === 0) {
      failures.push({ title: `${label}: the suite`, message: 'ran no test' });
    }
  } catch (e) {
    failures.push({ title: `${label}: starting VS Code`, message: e instanceof Error ? e.message : String(e) });
  } finally {
    await server?.stop();
    unregister();
    if (failures.length > 0) {
      const exthostLogs = keepArtifacts(artifactsDir, { server, userDataDir, workbenchLogs, resultsFile });
      const screenshot = path.join(artifactsDir, 'screenshot.png');
      log(`  artifacts of the failed run in ${path.relative(process.cwd(), artifactsDir) || artifactsDir}/`);
      if (fs.existsSync(screenshot)) log(`    screenshot: ${screenshot}`);
      for (const f of exthostLogs) log(`    extension host log: ${f}`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { passed, failed: failures.length, failures, ms: Date.now() - started };
}

/**
 * The whole suite on one code-server version: one launch per trigger, one in Restricted Mode.
 * @param {{ version: string, vsix?: string, timeoutMs?: number, log?: (line: string) => void }} options
 * @returns {Promise<SuiteOutcome>}
 */
export async function runIntegrationSuite({ version, vsix, timeoutMs = DEFAULT_LAUNCH_TIMEOUT_MS, log = console.log }) {
  const started = Date.now();
  assertSuiteBuilt();
  const codeServer = await ensureCodeServer(version, log);
  const browser = await launchChromium();
  const closeBrowser = onCleanUp(() => browser.close());
  const total = { passed: 0, failed: 0, failures: [], ms: 0 };
  try {
    const build = vsix ? `installed ${path.basename(vsix)}` : 'development build';
    // One launch per activation trigger, then one in an untrusted workspace (Restricted Mode).
    const launches = [
      ...TRIGGERS.map((trigger) => ({ trigger, name: trigger, description: `first document: ${trigger}`, restricted: false })),
      { trigger: TRIGGERS[0], name: 'restricted', description: 'an untrusted workspace (Restricted Mode)', restricted: true },
    ];
    for (const { trigger, name, description, restricted } of launches) {
      const label = `code-server-${version}-${name}${vsix ? '-vsix' : ''}`;
      log(`code-server ${version} (VS Code ${codeServer.vscodeVersion}), ${build}, ${description}`);
      const outcome = await runLaunch(browser, codeServer, { trigger, vsix, timeoutMs, label, log, restricted });
      for (const f of outcome.failures) log(`  FAILED ${f.title}: ${f.message.split('\n')[0]}`);
      log(`  ${outcome.passed} passed, ${outcome.failed} failed in ${(outcome.ms / 1000).toFixed(1)} s`);
      total.passed += outcome.passed;
      total.failed += outcome.failed;
      total.failures.push(...outcome.failures);
    }
    if (!vsix) {
      const started = Date.now();
      const restore = await checkPanelRestore(browser, codeServer, { timeoutMs });
      for (const f of restore.failures) log(`  FAILED ${f.title}: ${f.message}`);
      log(`  panel restore after a window reload: ${restore.passed} passed, ${restore.failures.length} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      total.passed += restore.passed;
      total.failed += restore.failures.length;
      total.failures.push(...restore.failures);
    }
  } finally {
    closeBrowser();
    await browser.close();
  }
  total.ms = Date.now() - started;
  return total;
}

function parseArgs(argv) {
  const versions = [];
  let vsix;
  let timeoutMs = DEFAULT_LAUNCH_TIMEOUT_MS;
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--code-server' && value) versions.push(value);
    else if (flag === '--vsix' && value) vsix = path.resolve(value);
    else if (flag === '--timeout' && value) timeoutMs = Number(value) * 1000;
    else throw new Error(`unknown or incomplete argument ${flag}; usage: integration.mjs [--code-server VERSION]... [--vsix FILE] [--timeout SECONDS]`);
    i++;
  }
  return { versions: versions.length > 0 ? versions : [CODE_SERVER_NEWEST, CODE_SERVER_MINIMUM], vsix, timeoutMs };
}

async function main() {
  const { versions, vsix, timeoutMs } = parseArgs(process.argv.slice(2));
  let passed = 0;
  let failed = 0;
  for (const version of versions) {
    const outcome = await runIntegrationSuite({ version, vsix, timeoutMs });
    passed += outcome.passed;
    failed += outcome.failed;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main()
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      return 1;
    })
    .then(async (code) => {
      await cleanUp();
      process.exit(code);
    });
}
