// `npm run bench:realworld`: the shape engine on public model code (test/fixtures/python/realworld)
// against PyTorch 1.13's ground truth. Per file and per repository: PyTorch's bindings inferred
// exactly / wrong / unknown, false alarms and bugs found (definitions in
// test/unit/python/shapesCorpus.ts); then the unknowns grouped by the engine's reason, and the
// analysis time per file (median of RUNS runs after a warm-up; median and max over the files).
// Then the multi-file corpus (test/fixtures/python/projects): per project, its files, the bindings
// exact with every file analysed in the project and with each file alone (imports not followed),
// and the unknowns by cause.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { analyzeShapes } from '../src/python';
import { corpusFiles, scoreFile, type FileScore } from '../test/unit/python/shapesCorpus';
import { corpusProjects, projectFiles, scoreProject } from '../test/unit/python/projectsCorpus';
import { fixturePath } from '../test/unit/helpers';
import { median } from './models';

const RUNS = 5;

/** File name → repository, from CHANGES.md's `### \`valid/NAME\`` headings and their `- source: REPO` lines. */
function repositories(): Map<string, string> {
  const text = fs.readFileSync(fixturePath('python', 'realworld', 'CHANGES.md'), 'utf8');
  const map = new Map<string, string>();
  for (const m of text.matchAll(/^### `(?:valid|buggy)\/([^`]+)`\n- source: (\S+)/gm)) map.set(m[1] ?? '', m[2] ?? '');
  return map;
}

interface Row { exact: number; wrong: number; unknown: number; total: number; falseAlarms: number; bugs: number; buggy: number }

function add(row: Row, s: FileScore): void {
  row.exact += s.exact;
  row.wrong += s.wrong;
  row.unknown += s.unknown;
  row.total += s.total;
  row.falseAlarms += s.falseAlarms.length;
  if (s.bugFound !== null) {
    row.buggy++;
    if (s.bugFound) row.bugs++;
  }
}

const empty = (): Row => ({ exact: 0, wrong: 0, unknown: 0, total: 0, falseAlarms: 0, bugs: 0, buggy: 0 });

function printRows(title: string, rows: readonly (readonly [string, Row])[]): void {
  const width = Math.max(30, ...rows.map(([label]) => label.length + 2));
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(width)}${'exact'.padStart(11)}${'wrong'.padStart(7)}${'unknown'.padStart(9)}${'false alarms'.padStart(14)}${'bugs found'.padStart(12)}`);
  for (const [label, r] of rows) {
    const pct = r.total > 0 ? ` ${Math.round((100 * r.exact) / r.total)}%` : '';
    console.log(`  ${label.padEnd(width)}${`${r.exact}/${r.total}${pct}`.padStart(11)}${String(r.wrong).padStart(7)}${String(r.unknown).padStart(9)}${String(r.falseAlarms).padStart(14)}${(r.buggy > 0 ? `${r.bugs}/${r.buggy}` : '-').padStart(12)}`);
  }
}

function main(): void {
  const files = corpusFiles('realworld');
  const repos = repositories();
  const perFile: [string, Row][] = [];
  const perRepo = new Map<string, Row>();
  const total = empty();
  const times: number[] = [];
  const causes = new Map<string, { count: number; examples: string[] }>();
  const details: string[] = [];
  for (const file of files) {
    const label = `${file.kind}/${file.name}`;
    analyzeShapes(file.source); // warm-up
    const ms: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      analyzeShapes(file.source);
      ms.push(performance.now() - t0);
    }
    times.push(median(ms));
    const score = scoreFile(file);
    const row = empty();
    add(row, score);
    add(total, score);
    const repo = repos.get(file.name) ?? '(not in CHANGES.md)';
    const repoRow = perRepo.get(repo) ?? empty();
    add(repoRow, score);
    perRepo.set(repo, repoRow);
    perFile.push([`${label} (${median(ms).toFixed(1)} ms)`, row]);
    for (const u of score.unknowns) {
      const key = `${u.code}: ${u.code === 'not-static' || u.code === 'symbolic' || u.code === 'not-a-tensor' ? u.message.replace(/'[^']*'/g, "'…'").replace(/\[.*\]/, '[…]') : u.message}`;
      const cause = causes.get(key) ?? { count: 0, examples: [] };
      cause.count++;
      if (cause.examples.length < 3) cause.examples.push(u.code === 'not-static' || u.code === 'symbolic' ? `${u.at}  (${u.message})` : u.at);
      causes.set(key, cause);
    }
    details.push(...score.wrongShapes.map((w) => `WRONG ${w}`), ...score.falseAlarms.map((f) => `FALSE ALARM ${label}: ${f}`));
    if (score.bugFound === false) details.push(`MISSED BUG ${label}: PyTorch ${file.truth.error?.line}: ${file.truth.error?.message}; engine: ${score.diagnostics.map((d) => `${d.line}: ${d.message}`).join(' / ') || 'nothing'}`);
  }
  printRows('Per file (analysis time: median of 5 runs)', perFile);
  printRows('Per repository', [...perRepo.entries()].sort(([a], [b]) => a.localeCompare(b)));
  printRows('Total', [['all files', total]]);

  console.log(`\nUnknowns by cause (${total.unknown})`);
  for (const [key, { count, examples }] of [...causes.entries()].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`  ${String(count).padStart(4)}  ${key}`);
    for (const e of examples) console.log(`          e.g. ${e}`);
  }
  if (details.length > 0) console.log(`\nWrong shapes, false alarms, missed bugs (${details.length})\n  ${details.join('\n  ')}`);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`\nAnalysis time per file: median ${median(times).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms (${files.length} files)`);
  printProjects();
}

/** The multi-file corpus: each project whole, and each of its files alone. */
function printProjects(): void {
  const rows: [string, Row][] = [];
  const total = empty();
  let aloneExact = 0;
  const causes = new Map<string, number>();
  const details: string[] = [];
  for (const project of corpusProjects()) {
    const row = empty();
    for (const score of scoreProject(project)) {
      add(row, score);
      add(total, score);
      for (const u of score.unknowns) causes.set(u.code, (causes.get(u.code) ?? 0) + 1);
      details.push(...score.wrongShapes.map((w) => `WRONG ${w}`), ...score.falseAlarms.map((f) => `FALSE ALARM ${f}`), ...score.unreached.map((u) => `UNREACHED BY PYTORCH ${u}`));
    }
    const alone = scoreProject(project, true).reduce((n, s) => n + s.exact, 0);
    aloneExact += alone;
    rows.push([`${project.kind}/${project.name} (${projectFiles(project).length} files; alone ${alone})`, row]);
  }
  printRows('Multi-file projects (each file analysed in its project; "alone": exact with each file analysed by itself)', rows);
  printRows('Total', [[`all projects (alone: ${aloneExact}/${total.total})`, total]]);
  console.log(`\nProject unknowns by cause (${total.unknown}): ${[...causes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}`);
  if (details.length > 0) console.log(`  ${details.join('\n  ')}`);
}

main();
