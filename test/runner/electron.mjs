// `npm run test:electron`: the same integration suite under @vscode/test-electron, i.e. in
// desktop VS Code, on the newest stable and on package.json's minimum engines.vscode. It downloads
// VS Code into .vscode-test/, so it needs internet (use `npm test` offline); on a headless Linux
// run it under `xvfb-run -a`.
//
//   node test/runner/electron.mjs [--vscode VERSION]...      (after `node esbuild.js`)
import fs from 'node:fs';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './install.mjs';
import { assertSuiteBuilt, launchEnv, prepareLaunch, readResults, TESTS_ENTRY, TRIGGERS } from './suite.mjs';

/** `^1.100.0` → `1.100.0`: the oldest VS Code that package.json says Conv Lab runs on. */
function minimumVscode() {
  const range = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).engines.vscode;
  const version = /(\d+\.\d+\.\d+)/.exec(range)?.[1];
  if (!version) throw new Error(`cannot read a version from engines.vscode "${range}"`);
  return version;
}

function parseVersions(argv) {
  const versions = [];
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] !== '--vscode' || !argv[i + 1]) throw new Error('usage: electron.mjs [--vscode VERSION]...');
    versions.push(argv[i + 1]);
  }
  return versions.length > 0 ? versions : ['stable', minimumVscode()];
}

/** One launch of desktop VS Code with a fresh workspace copy; returns its counts. */
async function runLaunch(version, trigger) {
  const { dir, workspace, resultsFile } = prepareLaunch();
  let launchError = '';
  try {
    await runTests({
      version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: TESTS_ENTRY,
      extensionTestsEnv: launchEnv({ resultsFile, trigger, extensionRoot: repoRoot }),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    }).catch((e) => {
      // runTests also rejects when tests fail; then the results file says which.
      launchError = e instanceof Error ? e.message : String(e);
    });
    const results = readResults(resultsFile);
    if (!results) return { passed: 0, failed: 1, failures: [{ title: `VS Code ${version}, ${trigger} first`, message: `the suite wrote no results (${launchError || 'VS Code exited without running it'})` }] };
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  assertSuiteBuilt();
  let passed = 0;
  let failed = 0;
  for (const version of parseVersions(process.argv.slice(2))) {
    for (const trigger of TRIGGERS) {
      console.log(`VS Code ${version} (desktop, @vscode/test-electron), first document: ${trigger}`);
      const outcome = await runLaunch(version, trigger);
      for (const f of outcome.failures) console.log(`  FAILED ${f.title}: ${f.message.split('\n')[0]}`);
      passed += outcome.passed;
      failed += outcome.failed;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
