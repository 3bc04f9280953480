// No import cycles in src/: a file never depends, directly or through others, on itself. The
// graph counts every import, type-only ones included (a cycle of types is still two files that
// cannot be understood, or moved, one without the other), read with TypeScript's own scanner.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { repoRoot } from '../helpers';

type TypeScript = typeof import('typescript');

/** The repository's TypeScript, loaded at run time rather than bundled into the test. */
function typescript(): TypeScript {
  return createRequire(path.join(repoRoot(), 'package.json'))('typescript') as TypeScript;
}

/** Every source file of `dir` (no declaration files), as paths relative to the repository. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(repoRoot(), dir), { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/** file → the files of src/ it imports; a relative import that resolves to no file fails the test. */
function importGraph(): Map<string, string[]> {
  const ts = typescript();
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    const text = fs.readFileSync(path.join(repoRoot(), file), 'utf8');
    const imports = ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.'));
    graph.set(file, imports.map((specifier) => {
      const base = path.join(path.dirname(file), specifier);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(path.join(repoRoot(), f)));
      assert.ok(target, `${file} imports '${specifier}', which is no file of src/`);
      return target;
    }));
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** One cycle through the first file of `component`, as a path `a → b → … → a` (breadth-first, so a shortest one). */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, component: readonly string[]): string {
  const start = component[0] as string;
  const inside = new Set(component);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i] as string;
    for (const next of graph.get(file) ?? []) {
      if (next === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string);
        return [...path, start].join(' → ');
      }
      if (inside.has(next) && !cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return `${start} → ${start}`;
}

describe('the import graph of src/', function () {
  this.timeout(30_000);

  it('finds cycles: a made-up graph with two and a self-import', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']], ['f', ['d']]]);
    assert.deepEqual(cyclesOf(graph), [['a', 'b', 'c'], ['e']]);
  });

  it('names a shortest cycle through a component', () => {
    const graph = new Map([['a', ['b', 'x']], ['b', ['c']], ['c', ['a']], ['x', ['a']]]);
    assert.equal(cyclePath(graph, ['a', 'b', 'c', 'x']), 'a → x → a');
  });

  it('has no cycle', () => {
    const graph = importGraph();
    assert.ok(graph.size > 50, `only ${graph.size} files found`);
    const cycles = cyclesOf(graph);
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => `  ${cyclePath(graph, c)} (${c.length} files in the cycle)`).join('\n')}`);
  });
});
