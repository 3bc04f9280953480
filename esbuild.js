// One build for every bundle: extension host, compute worker, CLI, webview script, and (outside
// --production) the unit tests, integration tests and benchmarks.
//   node esbuild.js               development build (sourcemaps)
//   node esbuild.js --production  minified, what the .vsix ships
//   node esbuild.js --watch       rebuild on change, printing what `$esbuild-watch` reads
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints the lines VS Code's `$esbuild-watch` problem matcher looks for. */
const watchReporter = {
  name: 'watch-reporter',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/** Files below `dir` whose names end with `suffix`. */
function listFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith(suffix));
}

/**
 * `import bytes from 'wasm:NAME'`: assembly/NAME.ts (AssemblyScript) compiled to WebAssembly SIMD
 * and inlined as bytes (esbuild's binary loader), compiled once per build run however many
 * bundles import it; watch mode recompiles when the source changes. `wasm:NAME+relaxed-simd` is
 * the same source compiled with relaxed SIMD as well (its ASC_FEATURE_RELAXED_SIMD is true): the
 * fused multiply-add kernels, which only a runtime with relaxed SIMD accepts.
 */
const wasmBuilds = new Map();
function compileAssembly(source, relaxed) {
  const mtime = fs.statSync(source).mtimeMs;
  const key = `${source}|${relaxed}`;
  if (wasmBuilds.get(key)?.mtime !== mtime) {
    wasmBuilds.set(key, { mtime, bytes: (async () => {
      const { default: asc } = await import('assemblyscript/asc');
      const result = await asc.compileString({ [path.basename(source)]: fs.readFileSync(source, 'utf8') },
        { optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', noAssert: true, enable: relaxed ? ['simd', 'relaxed-simd'] : ['simd'] });
      if (result.error || !result.binary) throw new Error(`${source}: ${result.error?.message ?? 'no binary'}\n${result.stderr.toString()}`);
      return result.binary;
    })() });
  }
  return wasmBuilds.get(key).bytes;
}
const assemblyScript = {
  name: 'assemblyscript',
  setup(build) {
    build.onResolve({ filter: /^wasm:\w+(\+relaxed-simd)?$/ }, (args) => {
      const [name, variant] = args.path.slice(5).split('+');
      return { path: path.resolve('assembly', `${name}.ts`), namespace: variant === undefined ? 'assemblyscript' : 'assemblyscript-relaxed' };
    });
    for (const namespace of ['assemblyscript', 'assemblyscript-relaxed']) {
      build.onLoad({ filter: /.*/, namespace }, async (args) => ({
        contents: await compileAssembly(args.path, namespace === 'assemblyscript-relaxed'), loader: 'binary', watchFiles: [args.path],
      }));
    }
  },
};

/**
 * `import { parser } from 'lezer:python'`: @lezer/python's own grammar and tokenizers, generated at
 * build time with one fix. Its Number token needs a digit after the decimal point, so `2.` (common
 * in d2l code: `[[0., 1.], [2., 3.]]`) parsed as a member access with an error node; Python reads
 * it as the float 2.0. The package's tokenizers (tokens.js) import the generated terms, so they
 * always agree with the generated parser. Generated once per build run.
 */
const PYTHON_NUMBER = '(@digit ("_" | @digit)* ("." @digit ("_" | @digit)*)? | "." @digit ("_" | @digit)*)';
const PYTHON_NUMBER_FIXED = '(@digit ("_" | @digit)* ("." (@digit ("_" | @digit)*)?)? | "." @digit ("_" | @digit)*)';
const pythonGrammarDir = path.join(path.dirname(require.resolve('@lezer/python')), '..', 'src');
let pythonParser;
function generatePythonParser() {
  pythonParser ??= (async () => {
    const { buildParserFile } = await import('@lezer/generator');
    const grammar = fs.readFileSync(path.join(pythonGrammarDir, 'python.grammar'), 'utf8');
    if (!grammar.includes(PYTHON_NUMBER)) throw new Error('@lezer/python: its Number token changed; review the float fix in esbuild.js');
    return buildParserFile(grammar.replace(PYTHON_NUMBER, PYTHON_NUMBER_FIXED), { fileName: 'python.grammar', moduleStyle: 'es' });
  })();
  return pythonParser;
}
const lezerPython = {
  name: 'lezer-python',
  setup(build) {
    build.onResolve({ filter: /^lezer:python$/ }, () => ({ path: path.join(pythonGrammarDir, 'python.grammar'), namespace: 'lezer-python' }));
    // The package's tokens.js imports the terms file its own build generates next to it.
    build.onResolve({ filter: /^\.\/parser\.terms\.js$/ }, (args) => (args.resolveDir === pythonGrammarDir ? { path: path.join(pythonGrammarDir, 'parser.terms.js'), namespace: 'lezer-python' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lezer-python' }, async (args) => {
      const built = await generatePythonParser();
      return { contents: args.path.endsWith('.grammar') ? built.parser : built.terms, loader: 'js', resolveDir: pythonGrammarDir };
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: watch ? [assemblyScript, lezerPython, watchReporter] : [assemblyScript, lezerPython],
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] };

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { worker: 'src/worker/worker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { analysis: 'src/worker/analysisWorker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // In a folder of its own: the panel's webview may load from it and nothing else (panel/html.ts).
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { webview: 'src/webview/main.ts' }, outdir: 'dist/webview' },
];

if (!production) {
  const tests = [...listFiles('test/unit', '.test.ts'), ...listFiles('test/integration', '.ts')];
  builds.push({ ...node, entryPoints: tests, outdir: 'out', outbase: '.', external: ['vscode', 'mocha'] });
  const benches = listFiles('bench', '.ts');
  // onnxruntime-web finds its .wasm next to its own files: load it from node_modules.
  if (benches.length > 0) builds.push({ ...node, entryPoints: benches, outdir: 'out', outbase: '.', external: ['vscode', 'onnxruntime-web'] });
}

async function main() {
  const contexts = await Promise.all(builds.filter((b) => Object.keys(b.entryPoints).length > 0 || b.entryPoints.length > 0).map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // The CLI is run directly (`./dist/cli.js`), not only through npm's `bin` link.
  fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
