// What the Python benchmarks share: the generated model file they read, and their table.
/** About `lines` lines of model code: literals, layers, a class with a forward called on an input, loops. */
export function modelFile(lines: number): string {
  const out = ['import torch', 'from torch import nn', 'import numpy as np', '', 'X = torch.arange(9.0).reshape(3, 3)', ''];
  for (let block = 0; out.length < lines - 2; block++) {
    out.push(
      `class Block${block}(nn.Module):`,
      '    def __init__(self, channels):',
      '        super().__init__()',
      `        self.conv = nn.Conv2d(channels, channels * 2, kernel_size=3, padding=1, stride=${1 + (block % 2)})`,
      '        self.norm = nn.BatchNorm2d(channels * 2)',
      '',
      '    def forward(self, x):',
      '        y = self.norm(self.conv(x))',
      '        for _ in range(2):',
      '            y = torch.relu(y)',
      '        return y.flatten(1)',
      '',
      `K${block} = torch.tensor([[${block}., 1.], [2., 3.]]).reshape(1, 1, 2, 2)`,
      `W${block} = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32).T`,
      `y${block} = Block${block}(8)(torch.randn(1, 8, 32, 32))`,
      '',
    );
  }
  out.push('Y = X.T');
  return out.join('\n');
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Prints `rows` (step, median ms) with each one's ratio to `anchorMs`. */
export function printTable(title: string, rows: readonly (readonly [string, number])[], anchorMs: number): void {
  const width = Math.max(34, ...rows.map(([step]) => step.length + 2));
  console.log(`\n${title}`);
  console.log(`  ${'step'.padEnd(width)}${'median'.padStart(12)}${'vs anchor'.padStart(12)}`);
  for (const [step, ms] of rows) console.log(`  ${step.padEnd(width)}${`${ms.toFixed(2)} ms`.padStart(12)}${`${(ms / anchorMs).toFixed(3)}×`.padStart(12)}`);
}
