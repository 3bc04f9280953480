// `npm run bench:project [-- --json FILE]`: whole-project shape analysis (issue #15 item 6) on a
// generated project of 200 files / ~20,000 lines, read from memory (no disk): a package `nets/`
// (`__init__.py` star-re-exporting `blocks`, `utils` and `heads`, imported by every model), 150
// model files and 45 training scripts, all valid PyTorch (the bench checks no diagnostics and
// thousands of known shapes, so it measures real work). Anchor: one typical training script
// analysed alone in a fresh Project (after a warm-up, like every figure). Reported against it, in the same run:
//   cold whole project        a fresh Project, `view` of every file with all 200 as scripts (as
//                             `conv-lab shapes DIR` is to): target < 1 s
//   edit in nets/blocks.py    a one-line edit in the module every run imports, then what the
//                             editor re-analyses: blocks.py and the scripts open with it (10),
//                             each one's view (as the analysis worker does): target < 50 ms;
//                             and, for the record, `analyze` of every file of the project (every
//                             run reads blocks.py: all but the untouched ones re-run)
//   edit in a training script a one-line edit in a leaf, then `analyze` of it: target < 10 ms
// Then the heap the cold analysis retains (run with --expose-gc).
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PythonDocument, type ShapeAnalysis } from '../src/python';
import { Project, type ProjectFiles } from '../src/python/project/project';
import { median, printTable } from './models';

const ROOT = '/bench/proj';
const MODELS = 150;
const SCRIPTS = 45;
const RUNS = 7;
/** Scripts open in the editor beside the edited module. */
const OPEN_SCRIPTS = 10;
const WARM_UP = 2;

// ---------------------------------------------------------------------------------------------
// The generated project (deterministic: every choice is a function of the file's number).

const pad3 = (n: number): string => String(n).padStart(3, '0');

function initFile(): string {
  return [
    '"""nets: the building blocks and models of the benchmark project.',
    '',
    'Everything a model needs is re-exported here, so that `from nets import DoubleConv` works',
    'as well as `from nets.blocks import DoubleConv`.',
    '"""',
    'from .blocks import *',
    'from .utils import *',
    'from .heads import *',
    '',
    "__version__ = '0.3.1'",
    '',
  ].join('\n');
}

function blocksFile(): string {
  const out = [
    '"""Convolutional blocks shared by every model of the package."""',
    'import torch',
    'from torch import nn',
    '',
    '# Batch-norm momentum used by every block (PyTorch\'s default).',
    'BN_MOMENTUM = 0.1',
    'BN_EPS = 1e-5',
    '',
    '',
    'class ConvBNReLU(nn.Module):',
    '    """3x3 convolution (or `kernel_size`), batch norm, ReLU; `stride` 2 halves the size."""',
    '',
    '    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1):',
    '        super().__init__()',
    '        padding = kernel_size // 2',
    '        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=False)',
    '        self.bn = nn.BatchNorm2d(out_channels, eps=BN_EPS, momentum=BN_MOMENTUM)',
    '        self.relu = nn.ReLU(inplace=True)',
    '',
    '    def forward(self, x):',
    '        x = self.conv(x)',
    '        x = self.bn(x)',
    '        return self.relu(x)',
    '',
    '',
    'class DoubleConv(nn.Module):',
    '    """Two ConvBNReLU in a row (the U-Net block)."""',
    '',
    '    def __init__(self, in_channels, out_channels, mid_channels=None):',
    '        super().__init__()',
    '        if mid_channels is None:',
    '            mid_channels = out_channels',
    '        self.first = ConvBNReLU(in_channels, mid_channels)',
    '        self.second = ConvBNReLU(mid_channels, out_channels)',
    '',
    '    def forward(self, x):',
    '        return self.second(self.first(x))',
    '',
    '',
    'class Down(nn.Module):',
    '    """Max-pooling by 2, then a DoubleConv."""',
    '',
    '    def __init__(self, in_channels, out_channels):',
    '        super().__init__()',
    '        self.pool = nn.MaxPool2d(2)',
    '        self.conv = DoubleConv(in_channels, out_channels)',
    '',
    '    def forward(self, x):',
    '        x = self.pool(x)',
    '        return self.conv(x)',
    '',
    '',
    'class ResidualBlock(nn.Module):',
    '    """Two 3x3 convolutions with an identity shortcut (channels and size kept)."""',
    '',
    '    def __init__(self, channels):',
    '        super().__init__()',
    '        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)',
    '        self.bn1 = nn.BatchNorm2d(channels, momentum=BN_MOMENTUM)',
    '        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)',
    '        self.bn2 = nn.BatchNorm2d(channels, momentum=BN_MOMENTUM)',
    '        self.relu = nn.ReLU()',
    '',
    '    def forward(self, x):',
    '        identity = x',
    '        out = self.relu(self.bn1(self.conv1(x)))',
    '        out = self.bn2(self.conv2(out))',
    '        out = out + identity',
    '        return self.relu(out)',
    '',
    '',
    'class Bottleneck(nn.Module):',
    '    """1x1 reduce, 3x3, 1x1 expand, with a projection shortcut when the channels change."""',
    '',
    '    def __init__(self, in_channels, out_channels, reduction=4):',
    '        super().__init__()',
    '        mid = max(out_channels // reduction, 4)',
    '        self.reduce = ConvBNReLU(in_channels, mid, kernel_size=1)',
    '        self.conv = ConvBNReLU(mid, mid)',
    '        self.expand = nn.Conv2d(mid, out_channels, 1, bias=False)',
    '        self.bn = nn.BatchNorm2d(out_channels)',
    '        self.shortcut = nn.Conv2d(in_channels, out_channels, 1, bias=False)',
    '        self.relu = nn.ReLU()',
    '',
    '    def forward(self, x):',
    '        out = self.bn(self.expand(self.conv(self.reduce(x))))',
    '        return self.relu(out + self.shortcut(x))',
    '',
    '',
    'def conv_stack(in_channels, out_channels, depth):',
    '    """`depth` ConvBNReLU as one nn.Sequential."""',
    '    layers = [ConvBNReLU(in_channels, out_channels)]',
    '    for _ in range(depth - 1):',
    '        layers.append(ConvBNReLU(out_channels, out_channels))',
    '    return nn.Sequential(*layers)',
    '',
  ];
  return out.join('\n');
}

function utilsFile(): string {
  return [
    '"""Helpers every model and script uses."""',
    'import math',
    'import torch',
    'from torch import nn',
    '',
    "DEFAULTS = {'width': 16, 'classes': 10, 'dropout': 0.1, 'seed': 0}",
    '',
    '',
    'def make_divisible(value, divisor=8):',
    '    """The nearest multiple of `divisor` not below 90% of `value`."""',
    '    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)',
    '    if rounded < 0.9 * value:',
    '        rounded += divisor',
    '    return rounded',
    '',
    '',
    'def stage_channels(width, stages):',
    '    """The channels of each stage, doubling from `width`."""',
    '    return [width * 2 ** i for i in range(stages)]',
    '',
    '',
    'def count_parameters(model):',
    '    return sum(p.numel() for p in model.parameters())',
    '',
    '',
    'def init_weights(module):',
    '    """He initialisation for convolutions, ones and zeros for batch norm."""',
    '    if isinstance(module, nn.Conv2d):',
    "        nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')",
    '    elif isinstance(module, nn.BatchNorm2d):',
    '        nn.init.ones_(module.weight)',
    '        nn.init.zeros_(module.bias)',
    '',
    '',
    'def cosine_lr(step, total, base=0.1):',
    '    return base * 0.5 * (1 + math.cos(math.pi * step / total))',
    '',
  ].join('\n');
}

function headsFile(): string {
  return [
    '"""Classification heads."""',
    'import torch',
    'from torch import nn',
    '',
    '',
    'class ClassifierHead(nn.Module):',
    '    """Global average pooling, dropout, a linear layer."""',
    '',
    '    def __init__(self, in_channels, classes, dropout=0.0):',
    '        super().__init__()',
    '        self.pool = nn.AdaptiveAvgPool2d(1)',
    '        self.drop = nn.Dropout(dropout)',
    '        self.fc = nn.Linear(in_channels, classes)',
    '',
    '    def forward(self, x):',
    '        x = self.pool(x)',
    '        x = torch.flatten(x, 1)',
    '        return self.fc(self.drop(x))',
    '',
  ].join('\n');
}

function configFile(): string {
  return [
    '"""Training configuration shared by the scripts."""',
    '',
    "CFG = {'batch_size': 2, 'image_size': 64, 'epochs': 3, 'lr': 0.05, 'momentum': 0.9}",
    "DATASETS = ['cifar10', 'svhn', 'stl10']",
    '',
  ].join('\n');
}

/** How model `k` imports the blocks: the styles a real package mixes. */
const IMPORT_STYLES: readonly ((k: number) => { lines: string[]; q: string; head: string })[] = [
  () => ({ lines: ['from .blocks import ConvBNReLU, DoubleConv, Down, ResidualBlock, Bottleneck, conv_stack', 'from .heads import ClassifierHead', 'from .utils import stage_channels'], q: '', head: '' }),
  () => ({ lines: ['from nets.blocks import ConvBNReLU, DoubleConv, Down, ResidualBlock, Bottleneck, conv_stack', 'from nets.heads import ClassifierHead', 'from nets.utils import stage_channels'], q: '', head: '' }),
  () => ({ lines: ['from . import blocks as B', 'from . import heads as H', 'from .utils import stage_channels'], q: 'B.', head: 'H.' }),
  () => ({ lines: ['from nets import ConvBNReLU, DoubleConv, Down, ResidualBlock, Bottleneck, conv_stack, ClassifierHead, stage_channels'], q: '', head: '' }),
];

function modelFile(k: number): string {
  const style = (IMPORT_STYLES[k % IMPORT_STYLES.length] ?? IMPORT_STYLES[0]!)(k);
  const { q, head } = style;
  const width = 8 * (1 + (k % 4)); // 8, 16, 24, 32
  const downs = 1 + (k % 3); // 1..3 (64 → 32 → 16 → 8)
  const classes = 10 + (k % 7);
  const depth = 1 + (k % 2);
  const modules = 2 + (k % 3); // 2..4 classes
  const out = [
    `"""Model ${k}: a stem, ${downs} down-sampling stage(s), a classification head."""`,
    'import torch',
    'from torch import nn',
    ...style.lines,
    '',
    `# Hyper-parameters of model ${k}.`,
    `WIDTH = ${width}`,
    `DOWNS = ${downs}`,
    `NUM_CLASSES = ${classes}`,
    `CONFIG_${pad3(k)} = {'width': WIDTH, 'downs': DOWNS, 'classes': NUM_CLASSES, 'depth': ${depth}}`,
    '',
    '',
    `class Stem${k}(nn.Module):`,
    '    """The first convolutions: 3 channels in, WIDTH out, size kept."""',
    '',
    '    def __init__(self, in_channels=3, width=WIDTH):',
    '        super().__init__()',
    `        self.conv = ${q}ConvBNReLU(in_channels, width)`,
    `        self.refine = ${q}conv_stack(width, width, ${depth})`,
    '',
    '    def forward(self, x):',
    '        x = self.conv(x)',
    '        x = self.refine(x)',
    '        return x',
    '',
    '',
  ];
  // Body: the down-sampling stages; with 3 or 4 modules it is a class of its own.
  const bodyLines = [
    `class Body${k}(nn.Module):`,
    '    """Down-sampling stages, each halving the size and doubling the channels."""',
    '',
    '    def __init__(self, width=WIDTH, downs=DOWNS):',
    '        super().__init__()',
    '        channels = stage_channels(width, downs + 1)',
    '        stages = []',
    '        for i in range(downs):',
    `            stages.append(${q}Down(channels[i], channels[i + 1]))`,
    '        self.stages = nn.Sequential(*stages)',
    `        self.res = ${q}ResidualBlock(channels[-1])`,
    '',
    '    def forward(self, x):',
    '        x = self.stages(x)',
    '        return self.res(x)',
    '',
    '',
  ];
  const extraLines = [
    `class Neck${k}(nn.Module):`,
    '    """A bottleneck block keeping the channels."""',
    '',
    '    def __init__(self, channels):',
    '        super().__init__()',
    `        self.block = ${q}Bottleneck(channels, channels)`,
    `        self.mix = ${q}DoubleConv(channels, channels, mid_channels=channels // 2)`,
    '',
    '    def forward(self, x):',
    '        return self.mix(self.block(x))',
    '',
    '',
  ];
  if (modules >= 3) out.push(...bodyLines);
  if (modules >= 4) out.push(...extraLines);
  const top = width * 2 ** downs;
  out.push(
    `class Net${k}(nn.Module):`,
    `    """Model ${k}: (N, 3, H, W) → (N, NUM_CLASSES)."""`,
    '',
    '    def __init__(self, in_channels=3, num_classes=NUM_CLASSES):',
    '        super().__init__()',
    `        self.stem = Stem${k}(in_channels)`,
  );
  if (modules >= 3) out.push(`        self.body = Body${k}()`);
  else out.push(`        self.body = nn.Sequential(${Array.from({ length: downs }, (_, i) => `${q}Down(${width * 2 ** i}, ${width * 2 ** (i + 1)})`).join(', ')})`);
  if (modules >= 4) out.push(`        self.neck = Neck${k}(${top})`);
  out.push(
    `        self.head = ${head}ClassifierHead(${top}, num_classes, dropout=0.1)`,
    '',
    '    def forward(self, x):',
    '        features = self.stem(x)',
    '        features = self.body(features)',
  );
  if (modules >= 4) out.push('        features = self.neck(features)');
  out.push(
    '        logits = self.head(features)',
    '        return logits',
    '',
    '    def features(self, x):',
    '        """The last feature map, before the head."""',
    '        return self.body(self.stem(x))',
    '',
    '',
  );
  // Padding: what a real model file carries around its classes, up to ~100 lines.
  out.push(
    `def build_net${k}(num_classes=NUM_CLASSES, pretrained=False):`,
    `    """Builds Net${k}; \`pretrained\` is accepted for API compatibility and ignored."""`,
    `    model = Net${k}(num_classes=num_classes)`,
    '    if pretrained:',
    "        print('no pretrained weights for this model')",
    '    return model',
    '',
    '',
    `def describe_net${k}():`,
    `    lines = ['Net${k}']`,
    `    for key, value in CONFIG_${pad3(k)}.items():`,
    "        lines.append(f'  {key}: {value}')",
    "    return '\\n'.join(lines)",
    '',
    '',
  );
  let note = 0;
  while (out.length < 96) {
    out.push(
      `# Note ${note}: stage ${note % Math.max(1, downs)} of model ${k} keeps the channel count a multiple of 8,`,
      '# which the fused kernels prefer; see the design notes in the repository README.',
      `SCALE_${note} = ${((k * 7 + note * 3) % 11) / 10}`,
      '',
    );
    note++;
  }
  out.push(
    "if __name__ == '__main__':",
    `    net = Net${k}()`,
    '    out = net(torch.randn(2, 3, 64, 64))',
    '    print(out.shape)',
    '',
  );
  return out.join('\n');
}

/** The models training script `s` imports (1 to 3 of them, spread over all 150). */
function scriptModels(s: number): number[] {
  const count = 1 + (s % 3);
  return Array.from({ length: count }, (_, i) => (s * 7 + i * 53) % MODELS);
}

function trainFile(s: number): string {
  const models = scriptModels(s);
  const out = [
    '#!/usr/bin/env python',
    `"""Training script ${s}: trains ${models.map((m) => `Net${m}`).join(', ')} on random data."""`,
    'import math',
    'import torch',
    'from torch import nn',
    'import torch.nn.functional as F',
  ];
  models.forEach((m, i) => {
    if (i % 2 === 0) out.push(`from nets.model_${pad3(m)} import Net${m}`);
    else out.push(`import nets.model_${pad3(m)} as M${m}`);
  });
  out.push(
    'from nets.utils import count_parameters, cosine_lr',
    'from config import CFG',
    '',
    `RUN_NAME = 'run_${pad3(s)}'`,
    `SEED = ${1000 + s}`,
    `LOG_EVERY = ${10 + (s % 5) * 10}`,
    "OPTIM = {'lr': 0.05, 'momentum': 0.9, 'weight_decay': 5e-4, 'nesterov': True}",
    '',
    '',
    'def batch(size=2):',
    '    """A random batch of images and labels."""',
    '    images = torch.randn(size, 3, 64, 64)',
    '    labels = torch.zeros(size, dtype=torch.long)',
    '    return images, labels',
    '',
    '',
    'def accuracy(logits, labels):',
    '    predicted = logits.argmax(dim=1)',
    '    return (predicted == labels).float().mean()',
    '',
    '',
    'def log(step, loss, acc):',
    "    print(f'{RUN_NAME} step {step}: loss {loss:.4f}, accuracy {acc:.3f}')",
    '',
    '',
  );
  models.forEach((m, i) => {
    const ctor = i % 2 === 0 ? `Net${m}` : `M${m}.Net${m}`;
    out.push(
      `def train_net${m}(steps=2):`,
      `    """A few steps of Net${m} on random data."""`,
      `    model = ${ctor}()`,
      '    x = torch.randn(2, 3, 64, 64)',
      '    logits = model(x)',
      '    labels = torch.zeros(2, dtype=torch.long)',
      '    loss = F.cross_entropy(logits, labels)',
      '    return logits, loss',
      '',
      '',
    );
  });
  out.push(
    'def evaluate(model, batches=1):',
    '    total = 0.0',
    '    for _ in range(batches):',
    '        images, labels = batch()',
    '        logits = model(images)',
    '        total += float(accuracy(logits, labels))',
    '    return total / batches',
    '',
    '',
  );
  // Module level: build each model and run it on a batch (what the analysis follows into nets/).
  models.forEach((m, i) => {
    const ctor = i % 2 === 0 ? `Net${m}` : `M${m}.Net${m}`;
    out.push(
      `# Net${m}`,
      `model_${m} = ${ctor}()`,
      `x_${m} = torch.randn(2, 3, 64, 64)`,
      `y_${m} = model_${m}(x_${m})`,
      `f_${m} = model_${m}.features(x_${m})`,
      `probs_${m} = torch.softmax(y_${m}, dim=1)`,
      `logits_${m}, loss_${m} = train_net${m}()`,
      '',
    );
  });
  let note = 0;
  while (out.length < 94) {
    out.push(
      `# Schedule note ${note}: the learning rate follows a cosine over CFG['epochs'] epochs;`,
      '# warm-up is not needed at this batch size.',
      `WARMUP_${note} = ${(s + note) % 4}`,
      '',
    );
    note++;
  }
  out.push(
    "if __name__ == '__main__':",
    '    torch.manual_seed(SEED)',
    `    for step in range(CFG['epochs']):`,
    '        lr = cosine_lr(step, CFG[\'epochs\'])',
    `        log(step, float(loss_${models[0]}), 0.0)`,
    '',
  );
  return out.join('\n');
}

function generateProject(): Map<string, string> {
  const files = new Map<string, string>();
  files.set(`${ROOT}/nets/__init__.py`, initFile());
  files.set(`${ROOT}/nets/blocks.py`, blocksFile());
  files.set(`${ROOT}/nets/utils.py`, utilsFile());
  files.set(`${ROOT}/nets/heads.py`, headsFile());
  files.set(`${ROOT}/config.py`, configFile());
  for (let k = 0; k < MODELS; k++) files.set(`${ROOT}/nets/model_${pad3(k)}.py`, modelFile(k));
  for (let s = 0; s < SCRIPTS; s++) files.set(`${ROOT}/train_${pad3(s)}.py`, trainFile(s));
  return files;
}

/** The project's files in memory: a ProjectFiles over a Map (folders are the paths' prefixes). */
function memoryFiles(files: ReadonlyMap<string, string>): ProjectFiles {
  const dirs = new Set<string>();
  for (const path of files.keys()) {
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) dirs.add(path.slice(0, at));
  }
  return {
    isFile: (path) => files.has(path),
    isDirectory: (path) => dirs.has(path),
    readText: (path) => files.get(path),
  };
}

// ---------------------------------------------------------------------------------------------
// Measurements.

function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

interface Totals { diagnostics: number; known: number; bindings: number; truncated: number }

/** Diagnostics, bindings with a known shape, and truncated runs over `views`. */
function totals(views: readonly (ShapeAnalysis | undefined)[]): Totals {
  const t: Totals = { diagnostics: 0, known: 0, bindings: 0, truncated: 0 };
  for (const v of views) {
    if (!v) throw new Error('bench: a file of the project could not be read');
    t.diagnostics += v.diagnostics.length;
    t.bindings += v.bindings.length;
    t.known += v.bindings.filter((b) => b.shape !== undefined).length;
    if (v.truncated) t.truncated++;
  }
  return t;
}

function describe(v: ShapeAnalysis): string {
  return v.diagnostics.slice(0, 3).map((d) => JSON.stringify(d).slice(0, 300)).join('\n    ');
}

/** Asserts `views` are clean and did real work; prints the first problems otherwise. */
function check(label: string, paths: readonly string[], views: readonly (ShapeAnalysis | undefined)[], minKnown: number): Totals {
  const t = totals(views);
  if (t.diagnostics > 0 || t.truncated > 0 || t.known < minKnown) {
    views.forEach((v, i) => {
      if (v && (v.diagnostics.length > 0 || v.truncated)) console.error(`  ${paths[i]}: ${v.truncated ? 'truncated ' : ''}${describe(v)}`);
    });
    throw new Error(`bench: ${label}: ${t.diagnostics} diagnostics, ${t.truncated} truncated, ${t.known} known shapes (want 0, 0, ≥ ${minKnown})`);
  }
  return t;
}

/**
 * Asserts training script `s`'s run followed its models through nets/: each `y_M` is
 * `(2, classes)` and each `f_M` the last feature map, as PyTorch computes them.
 */
function checkScript(s: number, analysis: ShapeAnalysis | undefined): void {
  for (const m of scriptModels(s)) {
    const downs = 1 + (m % 3);
    const side = 64 / 2 ** downs;
    const want: Record<string, number[]> = { [`y_${m}`]: [2, 10 + (m % 7)], [`f_${m}`]: [2, 8 * (1 + (m % 4)) * 2 ** downs, side, side] };
    for (const [name, shape] of Object.entries(want)) {
      const found = analysis?.bindings.find((b) => b.name === name)?.shape;
      if (JSON.stringify(found) !== JSON.stringify(shape)) throw new Error(`bench: train_${pad3(s)}.py: ${name} is ${JSON.stringify(found)}, not ${JSON.stringify(shape)}`);
    }
  }
}

/** `text` with the first `find` replaced by `replace` (which must differ). */
function edited(text: string, find: string, replace: string): string {
  const at = text.indexOf(find);
  if (at < 0) throw new Error(`bench: ${JSON.stringify(find)} not found`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}

interface Setup {
  readonly sources: ReadonlyMap<string, string>;
  readonly files: ProjectFiles;
  readonly paths: readonly string[];
  fresh(): Project;
}

/** The medians of the cold runs: one script alone (the anchor) and the whole project. */
function measureCold(setup: Setup): { anchor: number; runs: number; views: number; cold: number; totals: Totals } {
  const { paths, fresh } = setup;
  const anchorScript = `${ROOT}/train_${pad3(7)}.py`;
  // Warm-up: the whole project once, so that the anchor is measured on optimised code too.
  for (let run = 0; run < WARM_UP; run++) {
    const project = fresh();
    paths.forEach((p) => project.view(p, paths));
  }
  const anchor: number[] = [];
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    const project = fresh();
    const [analysis, ms] = timed(() => project.analyze(anchorScript));
    check('anchor', [anchorScript], [analysis], 10);
    checkScript(7, analysis);
    if (run >= WARM_UP) anchor.push(ms);
  }
  // Every file's view, all 200 as scripts, measured in two halves: each file's own run (`analyze`), then
  // the views merging the other scripts' runs in (what `view` of every file does, in that order).
  const runs: number[] = [];
  const views: number[] = [];
  const cold: number[] = [];
  let found: Totals | undefined;
  for (let run = 0; run < RUNS; run++) {
    const project = fresh();
    const [, a] = timed(() => paths.map((p) => project.analyze(p)));
    const [all, b] = timed(() => paths.map((p) => project.view(p, paths)));
    found = check('cold whole project', paths, all, 2000);
    for (let i = 0; i < SCRIPTS; i++) checkScript(i, all[paths.indexOf(`${ROOT}/train_${pad3(i)}.py`)]);
    runs.push(a);
    views.push(b);
  }
  // As the CLI would: `view` of each file straight away (its first call runs every script).
  for (let run = 0; run < RUNS; run++) {
    const project = fresh();
    const [, ms] = timed(() => paths.map((p) => project.view(p, paths)));
    cold.push(ms);
  }
  if (!found) throw new Error('bench: no runs');
  return { anchor: median(anchor), runs: median(runs), views: median(views), cold: median(cold), totals: found };
}

/** One project analysed once, then one-line edits, each a new document (setOpen), alternating between two texts so that every edit is a change. */
function measureEdits(setup: Setup): { wide: number; wideModels: number; wideViews: number; wideOne: number; wideEditor: number; rerun: number; leaf: number; leafIncremental: number } {
  const { sources, paths, fresh } = setup;
  const blocks = `${ROOT}/nets/blocks.py`;
  const leaf = `${ROOT}/train_${pad3(7)}.py`;
  const project = fresh();
  paths.forEach((p) => project.view(p, paths));
  const blocksText = sources.get(blocks) ?? '';
  const blocksEdited = edited(blocksText, 'BN_EPS = 1e-5', 'BN_EPS = 1e-3');
  const leafText = sources.get(leaf) ?? '';
  const leafEdited = edited(leafText, 'LOG_EVERY = ', 'LOG_EVERY = 1');
  const wide: number[] = [];
  const wideViews: number[] = [];
  const wideModels: number[] = [];
  const wideOne: number[] = [];
  const wideEditor: number[] = [];
  const open = [blocks, ...Array.from({ length: OPEN_SCRIPTS }, (_, s) => `${ROOT}/train_${pad3(s)}.py`)];
  const leafTimes: number[] = [];
  let rerun = 0;
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    // A training script (a leaf: nothing imports it): only its own run is dropped.
    project.setOpen(leaf, new PythonDocument(run % 2 === 0 ? leafEdited : leafText));
    const [analysis, leafMs] = timed(() => project.analyze(leaf));
    check('edit in a training script', [leaf], [analysis], 10);
    checkScript(7, analysis);
    // nets/blocks.py: the runs that read it are dropped; `analyze` of every file re-runs them
    // (and only them: the others' are cached).
    project.setOpen(blocks, new PythonDocument(run % 2 === 0 ? blocksEdited : blocksText));
    rerun = paths.length - project.analysed.length;
    let modelsMs = 0;
    const [again, ms] = timed(() => paths.map((p) => {
      const [analysis, fileMs] = timed(() => project.analyze(p));
      if (p.includes('/nets/model_')) modelsMs += fileMs;
      return analysis;
    }));
    check('edit in nets/blocks.py', paths, again, 2000);
    // Then the views of every file (each merging the other scripts' runs, all cached now).
    const [, viewsMs] = timed(() => paths.map((p) => project.view(p, paths)));
    // An editor with one training script visible: only that one re-runs.
    project.setOpen(blocks, new PythonDocument(run % 2 === 0 ? blocksText : blocksEdited));
    const [one, oneMs] = timed(() => project.analyze(leaf));
    check('edit in nets/blocks.py, one script', [leaf], [one], 10);
    checkScript(7, one);
    // The editor: blocks.py and the scripts open beside it, each one's view over the open files.
    project.setOpen(blocks, new PythonDocument(run % 2 === 0 ? blocksEdited : blocksText));
    const [views, editorMs] = timed(() => open.map((p) => project.view(p, open)));
    check('edit in nets/blocks.py, the editor', open, views, 10);
    if (run >= WARM_UP) {
      leafTimes.push(leafMs);
      wide.push(ms);
      wideModels.push(modelsMs);
      wideViews.push(viewsMs);
      wideOne.push(oneMs);
      wideEditor.push(editorMs);
    }
  }
  // The editor's path for the leaf: the open document edited in place, its previous run built on.
  const doc = new PythonDocument(leafText);
  project.setOpen(leaf, doc);
  project.analyze(leaf);
  const at = leafText.indexOf('LOG_EVERY = ') + 'LOG_EVERY = '.length;
  const incremental: number[] = [];
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    doc.edit(run % 2 === 0 ? [{ from: at, to: at, insert: '1' }] : [{ from: at, to: at + 1, insert: '' }]);
    project.changed(leaf);
    const [analysis, ms] = timed(() => project.analyze(leaf));
    check('incremental edit in a training script', [leaf], [analysis], 10);
    if (run >= WARM_UP) incremental.push(ms);
  }
  return { wide: median(wide), wideModels: median(wideModels), wideViews: median(wideViews), wideOne: median(wideOne), wideEditor: median(wideEditor), rerun, leaf: median(leafTimes), leafIncremental: median(incremental) };
}

/** The heap (MiB, after a GC) before and after a cold whole-project analysis, the Project kept alive. */
function measureMemory(setup: Setup): { before: number; after: number } {
  const { paths, fresh } = setup;
  const before = heapMiB();
  const project = fresh();
  for (const p of paths) project.view(p, paths);
  const after = heapMiB();
  // Keeps `project` alive up to here.
  if (project.analysed.length !== paths.length) throw new Error('bench: runs missing');
  return { before, after };
}

function main(): void {
  const jsonAt = process.argv.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
  const sources = generateProject();
  const files = memoryFiles(sources);
  const paths = [...sources.keys()].sort();
  const setup: Setup = { sources, files, paths, fresh: () => new Project(files, { roots: [ROOT] }) };
  const lines = [...sources.values()].reduce((n, text) => n + text.split('\n').length, 0);

  // Memory first, while nothing else is kept: the heap a whole-project analysis adds.
  const memory = measureMemory(setup);
  const cold = measureCold(setup);
  const edits = measureEdits(setup);

  const t = cold.totals;
  const rows: Array<[string, number]> = [
    ['one training script alone, cold (anchor)', cold.anchor],
    [`cold whole project: view of ${paths.length} files`, cold.cold],
    [`  of which: ${paths.length} files run as scripts`, cold.runs],
    ['  of which: the views (merges)', cold.views],
    [`edit in nets/blocks.py, editor: it and ${OPEN_SCRIPTS} open scripts`, edits.wideEditor],
    ['  or one open script re-analysed', edits.wideOne],
    [`  or every file of the project (${edits.rerun} runs)`, edits.wide],
    [`    of which: the ${MODELS} model files`, edits.wideModels],
    ['    then the views of every file', edits.wideViews],
    ['edit in a training script: re-analysis', edits.leaf],
    ['  edited in place (incremental)', edits.leafIncremental],
  ];
  printTable(`project: ${paths.length} files, ${lines} lines, ${t.known} of ${t.bindings} bindings with a known shape, ${t.diagnostics} diagnostics; medians of ${RUNS} runs`, rows, cold.anchor);
  const gcNote = (globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: heap figures include garbage)';
  console.log(`  heap: ${memory.before.toFixed(1)} MiB before, ${memory.after.toFixed(1)} MiB after a cold whole-project analysis (${(memory.after - memory.before).toFixed(1)} MiB retained by the Project)${gcNote}`);
  const targets: Array<[string, number, number]> = [
    ['cold whole project', cold.cold, 1000],
    [`edit in nets/blocks.py, editor (${OPEN_SCRIPTS} open scripts)`, edits.wideEditor, 50],
    ['edit in a training script', edits.leaf, 10],
  ];
  for (const [label, ms, target] of targets) console.log(`  ${label}: ${ms.toFixed(1)} ms, target < ${target} ms: ${ms < target ? 'met' : 'MISSED'}`);

  if (jsonFile !== undefined) {
    const round = (x: number): number => Number(x.toFixed(3));
    fs.writeFileSync(jsonFile, `${JSON.stringify({
      files: paths.length,
      lines,
      bindings: t.bindings,
      known_shapes: t.known,
      anchor_ms: round(cold.anchor),
      cold_project_ms: round(cold.cold),
      cold_runs_ms: round(cold.runs),
      cold_views_ms: round(cold.views),
      edit_wide_runs: edits.rerun,
      edit_wide_ms: round(edits.wide),
      edit_wide_models_ms: round(edits.wideModels),
      edit_wide_views_ms: round(edits.wideViews),
      edit_wide_one_script_ms: round(edits.wideOne),
      edit_wide_editor_ms: round(edits.wideEditor),
      edit_wide_editor_open_scripts: OPEN_SCRIPTS,
      edit_leaf_ms: round(edits.leaf),
      edit_leaf_incremental_ms: round(edits.leafIncremental),
      heap_before_mib: round(memory.before),
      heap_after_mib: round(memory.after),
      heap_retained_mib: round(memory.after - memory.before),
    }, null, 2)}\n`);
    console.error(`wrote ${jsonFile}`);
  }
}

main();
