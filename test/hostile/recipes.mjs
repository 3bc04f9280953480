// The hostile inputs made at run time (`{gen:NAME}` in cases/*.txt): too large to commit
// (a 100 MB header, a million-element literal), or not files at all (a FIFO, a folder), or bytes
// an editor would "fix" (NUL, invalid UTF-8, `\r` line ends). A name ending in digits takes them
// as its size: `deep-parens-10000.py`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** A .npy prefix: magic, version, and the header length in the version's field. */
function npyPrefix(major, headerLength) {
  const length = Buffer.alloc(major === 1 ? 2 : 4);
  if (major === 1) length.writeUInt16LE(headerLength);
  else length.writeUInt32LE(headerLength);
  return Buffer.concat([NPY_MAGIC, Buffer.from([major, 0]), length]);
}

/** A version 1.0 header (padded to 118 bytes, as np.save pads short ones) for `shape` of '<f4'. */
function npyHeader(shape) {
  return Buffer.from(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`.padEnd(117) + '\n', 'latin1');
}

/** Writes `prefix` and extends the file to `size` bytes without writing them (a sparse file). */
function sparse(file, prefix, size) {
  fs.writeFileSync(file, prefix);
  fs.truncateSync(file, size);
}

const lines = (count, line) => Array.from({ length: count }, (_, i) => line(i)).join('\n') + '\n';

/** Python sources and notebooks by name; `n` is the size the name ends with. */
const TEXT_RECIPES = [
  [/^deep-parens-(\d+)\.py$/, (n) => `x = ${'('.repeat(n)}1${')'.repeat(n)}\n`],
  [/^deep-lists-(\d+)\.py$/, (n) => `import torch\nx = torch.tensor(${'['.repeat(n)}1.0${']'.repeat(n)})\n`],
  [/^deep-unary-(\d+)\.py$/, (n) => `x = ${'-'.repeat(n)}1\n`],
  [/^deep-calls-(\d+)\.py$/, (n) => `import torch\nx = ${'torch.relu('.repeat(n)}torch.zeros(2)${')'.repeat(n)}\n`],
  [/^deep-indent-(\d+)\.py$/, (n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}if True:\n`).join('') + `${' '.repeat(n)}x = 1\n`],
  [/^deep-attribute-(\d+)\.py$/, (n) => `import torch\nx = torch.zeros(2)${'.T'.repeat(n)}\n`],
  [/^deep-binary-(\d+)\.py$/, (n) => `import torch\nx = torch.zeros(2)${' + 1'.repeat(n)}\n`],
  [/^chain-(\d+)\.py$/, (n) => `import torch\nx = torch.zeros(2, 3)\n${lines(n, () => 'x = x + 1')}`],
  [/^huge-literal-(\d+)\.py$/, (n) => `import torch\nx = torch.tensor([${'1.0, '.repeat(n)}])\n`],
  [/^huge-matrix-(\d+)\.py$/, (n) => `import torch\nA = torch.tensor([${`[${'1.0, '.repeat(n)}], `.repeat(n)}])\nB = torch.matmul(A, A)\n`],
  [/^huge-int-(\d+)\.py$/, (n) => `x = 1${'0'.repeat(n)}\n`],
  [/^long-name-(\d+)\.py$/, (n) => `import torch\n${'x'.repeat(n)} = torch.zeros(2)\n`],
  [/^long-string-(\d+)\.py$/, (n) => `s = '${'a'.repeat(n)}'\n`],
  [/^many-lines-(\d+)\.py$/, (n) => `import torch\n${lines(n, (i) => `x${i} = torch.zeros(2, 3)`)}`],
  [/^many-classes-(\d+)\.py$/, (n) => `import torch\nimport torch.nn as nn\n${lines(n, (i) => `class M${i}(nn.Module):\n    def forward(self, x):\n        return x\n`)}`],
  [/^many-layers-(\d+)\.py$/, (n) => `import torch\nimport torch.nn as nn\nnet = nn.Sequential(${'nn.Conv2d(1, 1, 3, padding=1), '.repeat(n)})\ny = net(torch.zeros(1, 1, 8, 8))\n`],
  [/^many-calls-(\d+)\.py$/, (n) => `import torch\ndef f(x):\n    return x + 1\n${lines(n, (i) => `y${i} = f(torch.zeros(2))`)}`],
  [/^many-cells-(\d+)\.ipynb$/, (n) => JSON.stringify({ cells: Array.from({ length: n }, (_, i) => ({ cell_type: 'code', source: [`x${i} = torch.zeros(2, ${i % 7 + 1})\n`], metadata: {}, outputs: [], execution_count: null })), metadata: {}, nbformat: 4, nbformat_minor: 5 })],
  [/^deep-json-(\d+)\.ipynb$/, (n) => `{"cells": ${'['.repeat(n)}${']'.repeat(n)}}`],
  [/^deep-json-open-(\d+)\.ipynb$/, (n) => `{"cells": ${'['.repeat(n)}`],
];

/** Inputs that are bytes, not text, or not files. */
const SPECIAL_RECIPES = {
  // A version 2.0 header of 100,000,000 bytes: a valid dict, then spaces (what cost 14.7 s and 3.5 GB).
  'npy-header-100mb.npy': (file) => {
    const length = 100_000_000;
    const fd = fs.openSync(file, 'w');
    const dict = Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 'latin1');
    fs.writeSync(fd, Buffer.concat([npyPrefix(2, length), dict]));
    const spaces = Buffer.alloc(1024 * 1024, 0x20);
    for (let left = length - dict.length - 1; left > 0; left -= spaces.length) fs.writeSync(fd, spaces, 0, Math.min(left, spaces.length));
    fs.writeSync(fd, Buffer.from('\n\0\0\0\0', 'latin1'));
    fs.closeSync(fd);
  },
  // A version 2.0 header of 99,000,116 bytes whose shape has 33,000,000 sizes: the header the
  // reader parsed in 18 s and 1.3 GB before it checked the length first.
  'npy-header-100mb-shape.npy': (file) => {
    const fd = fs.openSync(file, 'w');
    const sizes = 33_000_000;
    const open = Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (", 'latin1');
    const close = Buffer.from('), }', 'latin1');
    const dictLength = open.length + 3 * sizes + close.length;
    // Padded with spaces and a newline to a multiple of 64 bytes, counting the 12-byte prefix.
    const length = dictLength + (63 - ((12 + dictLength) % 64)) + 1;
    fs.writeSync(fd, Buffer.concat([npyPrefix(2, length), open]));
    const ones = Buffer.from('1, '.repeat(1_000_000), 'latin1');
    for (let left = sizes; left > 0; left -= 1_000_000) fs.writeSync(fd, ones, 0, 3 * Math.min(left, 1_000_000));
    fs.writeSync(fd, Buffer.concat([close, Buffer.alloc(length - dictLength - 1, 0x20), Buffer.from('\n', 'latin1'), Buffer.alloc(4)]));
    fs.closeSync(fd);
  },
  // A version 3.0 prefix announcing a 4 GB header, the file that long (sparse).
  'npy-header-4gb-sparse.npy': (file) => sparse(file, npyPrefix(3, 0xffffffff), 12 + 0xffffffff),
  // 60,000,000 float32 values, present (sparse zeros): past the default maxElements of 50,000,000.
  'npy-60m-elements-sparse.npy': (file) => sparse(file, Buffer.concat([npyPrefix(1, 118), npyHeader('(60000000,)')]), 128 + 4 * 60_000_000),
  // 10⁹ float32 values, 4 GB, present (sparse).
  'npy-4gb-data-sparse.npy': (file) => sparse(file, Buffer.concat([npyPrefix(1, 118), npyHeader('(1000000000,)')]), 128 + 4 * 1_000_000_000),
  fifo: (file) => execFileSync('mkfifo', [file]),
  folder: (file) => fs.mkdirSync(file),
  'cr-only.py': (file) => fs.writeFileSync(file, 'import torch\rx = torch.zeros(2, 3)\ry = x.view(6)\r'),
  'nul-bytes.py': (file) => fs.writeFileSync(file, 'import torch\nx = torch.zeros(2, 3)\0\0\ny = x\0.T\n'),
  'nul-only.py': (file) => fs.writeFileSync(file, Buffer.alloc(4096)),
  'invalid-utf8.py': (file) => fs.writeFileSync(file, Buffer.concat([
    Buffer.from('import torch\n# \xff\xfe\n', 'latin1'), Buffer.from([0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a]),
    Buffer.from("x = torch.zeros(2, 3)\ns = '", 'latin1'), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from("'\n", 'latin1'),
  ])),
  'bom.py': (file) => fs.writeFileSync(file, '\ufeffimport torch\nx = torch.zeros(2, 3)\n'),
  'utf16.py': (file) => fs.writeFileSync(file, Buffer.from('\ufeffimport torch\nx = torch.zeros(2, 3)\n', 'utf16le')),
  'random-bytes.py': (file) => {
    // A fixed pseudo-random sequence (xorshift), so the case is the same bytes every run.
    const bytes = Buffer.alloc(65536);
    let s = 0x2545f491;
    for (let i = 0; i < bytes.length; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      bytes[i] = s & 0xff;
    }
    fs.writeFileSync(file, bytes);
  },
  'invalid-utf8.ipynb': (file) => fs.writeFileSync(file, Buffer.concat([Buffer.from('{"cells": [{"cell_type": "code", "source": "x = 1 # '), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')])),
  'nul.ipynb': (file) => fs.writeFileSync(file, '{"cells": [{"cell_type": "code", "source": "x = 1\\u0000\\u0000\\ny = 2"}]}'),
  'cr-only.ipynb': (file) => fs.writeFileSync(file, JSON.stringify({ cells: [{ cell_type: 'code', source: 'import torch\rx = torch.zeros(2, 3)\r' }] })),
};

/** The inputs made so far, by path: concurrent cases share them. */
const made = new Map();

/** Makes the input `name` in `dir` (once per run) and returns its path. */
export function makeInput(name, dir) {
  const file = path.join(dir, name);
  if (!made.has(file)) made.set(file, Promise.resolve().then(() => write(name, file)).then(() => file));
  return made.get(file);
}

function write(name, file) {
  const special = Object.hasOwn(SPECIAL_RECIPES, name) ? SPECIAL_RECIPES[name] : undefined;
  if (special) return special(file);
  for (const [pattern, text] of TEXT_RECIPES) {
    const size = pattern.exec(name)?.[1];
    if (size !== undefined) return fs.writeFileSync(file, text(Number(size)));
  }
  throw new Error(`no recipe makes {gen:${name}}`);
}
