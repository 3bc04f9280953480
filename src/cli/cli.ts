// `conv-lab` (bundled to dist/cli.js): Conv Lab's ops from a terminal. Subcommands are table
// entries; every failure is one line on stderr and exit code 2, never a stack trace.
import { isTorchError } from '../core/errors';
import { OpTooLargeError } from '../core/plan';
import { WorkerPoolError } from '../worker/pool';
import { enableRelaxedSimd } from '../worker/relaxedSimd';
import { CliError } from './args';
import { runCommand, RUN_USAGE } from './run';
import { shapesCommand, SHAPES_USAGE } from './shapes';
import { sizesCommand, SIZES_USAGE } from './sizes';
import { summaryCommand, SUMMARY_USAGE } from './summary';

interface Subcommand {
  readonly summary: string;
  readonly usage: string;
  /** Resolves to the exit code (0 when it resolves to nothing). */
  main(argv: readonly string[], stdout: (text: string) => void): Promise<number | void>;
}

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  run: { summary: 'run one conv / transposed conv on .npy files', usage: RUN_USAGE, main: runCommand },
  shapes: { summary: 'infer tensor shapes in a .py / .ipynb file and report shape errors', usage: SHAPES_USAGE, main: shapesCommand },
  sizes: { summary: 'the input sizes a model accepts and gives back unchanged, per spatial axis', usage: SIZES_USAGE, main: sizesCommand },
  summary: { summary: 'layer-by-layer model summary (shapes, parameters, MACs) without running Python', usage: SUMMARY_USAGE, main: summaryCommand },
};

const USAGE = `usage: conv-lab <command> [options]   (conv-lab <command> --help for its options)

commands:
${Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`).join('\n')}`;

const EXIT_USAGE_OR_INPUT = 2;

/** The message a user sees for a failure: PyTorch's traceback line for TorchErrors. */
function describe(e: unknown): string {
  if (isTorchError(e)) return e.toPythonString();
  if (e instanceof CliError || e instanceof WorkerPoolError || e instanceof OpTooLargeError) return `conv-lab: ${e.message}`;
  return `conv-lab: internal error: ${e instanceof Error ? e.message : String(e)}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const stdout = (text: string): void => void process.stdout.write(`${text}\n`);
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    stdout(USAGE);
    return 0;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`conv-lab: unknown command '${name}'\n${USAGE}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout(command.usage);
    return 0;
  }
  try {
    return (await command.main(rest, stdout)) ?? 0;
  } catch (e) {
    process.stderr.write(`${describe(e)}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
}

// The FMA kernels on Node 20 too (worker/relaxedSimd.ts), before any op picks its kernel build.
enableRelaxedSimd();
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
