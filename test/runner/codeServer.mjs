/* global fetch */
// Starts an installed code-server on a free loopback port with a throwaway user-data and
// extensions dir, and builds the workbench URLs that load Conv Lab into it.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnTracked, stopTracked } from './children.mjs';

const READY_TIMEOUT_MS = 60_000;

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `url` until it answers 200, the server exits, or the time is up. */
async function waitUntilServing(url, child, output) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before serving:\n${output()}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not serve ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/**
 * @typedef {object} RunningServer
 * @property {string} origin         e.g. http://127.0.0.1:34567
 * @property {string} remoteAuthority e.g. 127.0.0.1:34567, for vscode-remote:// URIs
 * @property {string} logsDir        the server's log folder (extension host logs are below it)
 * @property {string} outputFile     the server's stdout+stderr
 * @property {Promise<number | null>} exited resolves with the exit code when the server stops
 * @property {() => Promise<void>} stop
 */

/**
 * Starts code-server and resolves once it serves.
 * @param {import('./install.mjs').CodeServer} codeServer
 * @param {{ userDataDir: string, extensionsDir: string, env?: NodeJS.ProcessEnv, workspaceTrust?: boolean }} options
 * @returns {Promise<RunningServer>}
 */
export async function startCodeServer(codeServer, { userDataDir, extensionsDir, env = {}, workspaceTrust = false }) {
  const port = await freeLoopbackPort();
  const args = [
    codeServer.entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    // Workspace Trust on only where a launch tests Restricted Mode: it would ask every launch.
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--ignore-last-opened',
    // Without the smoke-test driver, 4.139.x's workbench ignores the payload (tests and
    // extensionDevelopmentPath alike); 4.100.x has no --vscode-option and honours it as it is.
    ...(codeServer.passesVscodeOptions ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const outputFile = path.join(userDataDir, 'code-server-output.log');
  const outputStream = fs.createWriteStream(outputFile);
  let recent = '';
  const child = spawnTracked(codeServer.node, args, { env: { ...codeServer.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (data) => {
      outputStream.write(data);
      recent = (recent + String(data)).slice(-4000);
    });
  }
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopTracked(child);
    outputStream.end();
  };
  try {
    await waitUntilServing(`${origin}/healthz`, child, () => recent);
  } catch (e) {
    await stop();
    throw e;
  }
  return { origin, remoteAuthority: `127.0.0.1:${port}`, logsDir: path.join(userDataDir, 'logs'), outputFile, exited, stop };
}

/**
 * The workbench URL opening `folder`, with the test/development payload VS Code reads from the
 * query (the same keys as the desktop's command-line flags).
 * @param {RunningServer} server
 * @param {{ folder: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} options
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://${server.remoteAuthority}${p}`;
  const payload = [
    ...(extensionDevelopmentPath ? [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]] : []),
    ...(extensionTestsPath ? [['extensionTestsPath', remote(extensionTestsPath)]] : []),
    ['skipWelcome', 'true'],
  ];
  return `${server.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
