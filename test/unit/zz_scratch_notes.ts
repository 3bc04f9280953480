import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeShapes, PythonDocument } from '../../src/python';
import { sizeNotes } from '../../src/worker/inputSizes';
import { diskFiles } from '../../src/worker/diskFiles';
import { Project } from '../../src/python/project/project';
const dir = path.resolve('test/fixtures/python/realworld/buggy');
(async () => {
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.py'))) {
    const file = path.join(dir, f);
    const source = fs.readFileSync(file, 'utf8');
    const errors = analyzeShapes(new PythonDocument(source)).diagnostics;
    const t = performance.now();
    const notes = await sizeNotes(source, errors, (trace) => ({ project: new Project(diskFiles, { roots: [] }, { trace }), file }));
    console.log(f, errors.map((e) => e.code).join(','), `${(performance.now() - t).toFixed(0)} ms`);
    for (const n of notes) console.log('   NOTE', n.note, '| PAD', n.pad?.title ?? '-');
  }
})();
