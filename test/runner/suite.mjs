// What every runner of the integration suite shares (code-server here, @vscode/test-electron on
// machines with internet): the entry, the workspace fixture, one extension host per activation
// trigger, and the environment through which the suite learns its launch and reports back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './install.mjs';

export const TESTS_ENTRY = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
/** The Restricted Mode launch's suite (test/integration/restricted). */
export const RESTRICTED_TESTS_ENTRY = path.join(repoRoot, 'out', 'test', 'integration', 'restricted', 'index.js');

/**
 * What the Restricted Mode launch's workspace sets: resource limits past the defaults (which it
 * must not get) and a setting it may change (to show the file is read).
 */
const RESTRICTED_WORKSPACE_SETTINGS = { 'convLab.maxElements': 500_000_000, 'convLab.workers': 64, 'convLab.displayPrecision': 7 };
/** The integration tests open a copy of what users see under `npm start`. */
const WORKSPACE_FIXTURE = path.join(repoRoot, 'examples');

/** The documents whose opening must activate Conv Lab: an extension activates once per host. */
export const TRIGGERS = ['python', 'notebook'];

/**
 * @typedef {{ passed: number, failed: number, failures: { title: string, message: string }[], output: string[] }} SuiteResults
 * What test/integration/index.ts writes.
 */

/** Fails early, with the fix, if the suite has not been built. */
export function assertSuiteBuilt() {
  if (!fs.existsSync(TESTS_ENTRY)) throw new Error(`${TESTS_ENTRY} is missing: run \`node esbuild.js\` first`);
}

/**
 * A temp folder for one launch, holding a copy of the workspace fixture (for a `restricted`
 * launch, with a .vscode/settings.json raising the limits); results go there too.
 */
export function prepareLaunch({ restricted = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-it-'));
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(WORKSPACE_FIXTURE, workspace, { recursive: true });
  if (restricted) {
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(RESTRICTED_WORKSPACE_SETTINGS, null, 2));
  }
  return { dir, workspace, resultsFile: path.join(dir, 'results.json') };
}

/**
 * The environment the extension host must inherit: where the suite writes its results, which
 * document it opens first, where Conv Lab must be loaded from, and Conv Lab's test mode (its
 * test hooks, src/extension/ctx.ts).
 * @param {{ resultsFile: string, trigger: string, extensionRoot: string }} launch
 */
export function launchEnv({ resultsFile, trigger, extensionRoot }) {
  return {
    CONV_LAB_TEST_MODE: '1',
    CONV_LAB_TEST_RESULTS: resultsFile,
    CONV_LAB_FIRST_TRIGGER: trigger,
    CONV_LAB_EXPECTED_EXTENSION_ROOT: extensionRoot,
  };
}

/** The suite's results, or undefined if it wrote none. @returns {SuiteResults | undefined} */
export function readResults(resultsFile) {
  return fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : undefined;
}
