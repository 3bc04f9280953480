// `npm start`: build, then run VS Code (code-server) in the browser with Conv Lab loaded from
// this checkout and examples/ open. Prints the URL to open; Ctrl-C stops everything.
//
//   node scripts/start.mjs [--code-server VERSION]
//
// After changing code, rebuild (`npm run build`, or keep `npm run watch` running) and run
// "Developer: Reload Window" in the browser.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanUp, onCleanUp, runToCompletion, setInterruptExitCode } from '../test/runner/children.mjs';
import { startCodeServer, workbenchUrl } from '../test/runner/codeServer.mjs';
import { CODE_SERVER_NEWEST, ensureCodeServer } from '../test/runner/install.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Settings and installed extensions persist between runs, in the git-ignored cache.
const stateDir = path.join(repoRoot, '.cache', 'start');

function parseVersion(argv) {
  if (argv.length === 0) return CODE_SERVER_NEWEST;
  if (argv[0] === '--code-server' && argv[1] && argv.length === 2) return argv[1];
  throw new Error('usage: start.mjs [--code-server VERSION]');
}

async function main() {
  const version = parseVersion(process.argv.slice(2));
  console.log('building (node esbuild.js) ...');
  const buildCode = await runToCompletion(process.execPath, ['esbuild.js'], { cwd: repoRoot, timeoutMs: 5 * 60_000 });
  if (buildCode !== 0) throw new Error(`node esbuild.js exited with ${buildCode}`);
  const codeServer = await ensureCodeServer(version);
  const server = await startCodeServer(codeServer, {
    userDataDir: path.join(stateDir, 'user-data'),
    extensionsDir: path.join(stateDir, 'extensions'),
  });
  let stopping = false;
  onCleanUp(() => {
    stopping = true;
    return server.stop();
  });
  setInterruptExitCode(0);
  const url = workbenchUrl(server, { folder: path.join(repoRoot, 'examples'), extensionDevelopmentPath: repoRoot });
  console.log([
    '',
    `Conv Lab is loaded in VS Code ${codeServer.vscodeVersion} (code-server ${version}), with examples/ open. Open in a browser:`,
    '',
    `  ${url}`,
    '',
    'Then open transposed_conv.py or transposed_conv.ipynb. After a rebuild, run "Developer: Reload Window".',
    `Server output: ${server.outputFile}`,
    'Press Ctrl-C to stop.',
  ].join('\n'));
  const code = await server.exited;
  if (stopping) return; // Ctrl-C: the interrupt handler finishes cleaning up and exits.
  throw new Error(`code-server stopped by itself (exit ${code}); its output is in ${server.outputFile}`);
}

main().catch(async (e) => {
  console.error(e instanceof Error ? e.message : e);
  await cleanUp();
  process.exit(1);
});
