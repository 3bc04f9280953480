// `npm run bench:core [-- --json FILE] [--rounds N]`: out/bench/core.js (built by esbuild.js) on two
// runtimes in turn, each against onnxruntime-web in that same runtime: the Node running this (20,
// what the CLI meets) and the Node the test harness installs for code-server (24, the V8 of
// today's VS Code). With --json, FILE holds both runs' JSON as { runs: [...] }.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from '../test/runner/install.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CODE_SERVER_NODE_MAJOR = 24;

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const passed = jsonAt >= 0 ? [...args.slice(0, jsonAt), ...args.slice(jsonAt + 2)] : args;

const runtimes = [process.execPath, await ensureNode(CODE_SERVER_NODE_MAJOR)];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'conv-lab-bench-core-'));
const runs = [];
let failed = false;
try {
  for (const [i, node] of runtimes.entries()) {
    const json = path.join(scratch, `${i}.json`);
    const { status } = spawnSync(node, [path.join(repoRoot, 'out', 'bench', 'core.js'), ...passed, '--json', json], { cwd: repoRoot, stdio: 'inherit' });
    if (status !== 0 || !fs.existsSync(json)) {
      console.error(`bench:core failed under ${node} (exit ${status})`);
      failed = true;
      continue;
    }
    runs.push(JSON.parse(fs.readFileSync(json, 'utf8')));
  }
  if (jsonFile !== undefined) fs.writeFileSync(jsonFile, `${JSON.stringify({ runs }, null, 2)}\n`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
