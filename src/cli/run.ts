// `conv-lab run <op> --input x.npy --weight w.npy ...`: one op on .npy files, as PyTorch computes it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTensor } from '../core/format';
import { runPlan } from '../core/engine';
import { NpyError, readNpy, serializeNpy } from '../core/npy';
import { planOp, type OpPlan } from '../core/plan';
import { DEFAULT_MAX_ELEMENTS, type Tensor } from '../core/tensor';
import { OP_NAMES, PADDING_MODES, type OpArgs, type OpRequest } from '../core/vocabulary';
import { WorkerPool } from '../worker/pool';
import {
  CliError, integer, intList, intOrList, oneOf, parseFlags, requiredFlag, stringFlag, type FlagSpec, type ParsedArgs,
} from './args';

/**
 * Ops the plan estimates below this many milliseconds run in the CLI's own thread: a cold pool
 * costs 23-30 ms idle and 100-200 ms under load (npm run bench, on the 2-core dev machine).
 */
export const CLI_INLINE_MS = 30;

/** How each op-argument flag's text becomes an OpArgs field. */
const OP_ARG_FLAGS: Readonly<Record<string, (args: OpArgs, text: string) => void>> = {
  stride: (args, text) => { args.stride = intOrList('stride', text); },
  padding: (args, text) => { args.padding = text === 'same' || text === 'valid' ? text : intOrList('padding', text); },
  'output-padding': (args, text) => { args.outputPadding = intOrList('output-padding', text); },
  dilation: (args, text) => { args.dilation = intOrList('dilation', text); },
  groups: (args, text) => { args.groups = integer('groups', text); },
  'padding-mode': (args, text) => { args.paddingMode = oneOf('padding-mode', text, PADDING_MODES); },
  'output-size': (args, text) => { args.outputSize = intList('output-size', text); },
};

const RUN_FLAGS: FlagSpec = {
  input: { type: 'string' },
  weight: { type: 'string' },
  bias: { type: 'string' },
  out: { type: 'string' },
  print: { type: 'boolean' },
  ...Object.fromEntries(Object.keys(OP_ARG_FLAGS).map((flag) => [flag, { type: 'string' } as const])),
};

export const RUN_USAGE = `usage: conv-lab run <op> --input x.npy --weight w.npy [options]

Runs one op on .npy tensors as PyTorch would and prints the result in PyTorch's printed form
(unless --out is given without --print).

ops: ${OP_NAMES.join(', ')}
  conv*d / conv_transpose*d   torch.nn.functional.<op>(input, weight, bias, ...)
  corr2d, trans_conv          d2l's 2-D cross-correlation and transposed convolution of X by K

options:
  --input FILE          input tensor (.npy)
  --weight FILE         weight (kernel K for corr2d / trans_conv) (.npy)
  --bias FILE           bias (.npy)
  --stride N|N,M        stride (default 1)
  --padding N|N,M|same|valid
  --output-padding N|N,M    (conv_transpose*d)
  --dilation N|N,M
  --groups N
  --padding-mode zeros|reflect|replicate|circular   (conv*d)
  --output-size N,M     output_size= of ConvTranspose*d.forward
  --out FILE            write the result as .npy
  --print               print the result (the default without --out)`;

/** Streams the file, so a hostile one (`/dev/zero`, a huge header, a lying shape) is refused unread. */
async function readTensor(flag: string, file: string): Promise<Tensor> {
  const cannotRead = (e: unknown): CliError => new CliError(`cannot read --${flag} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  let handle: fs.promises.FileHandle;
  try {
    // Opening a FIFO would wait for a writer, maybe forever.
    const stat = await fs.promises.stat(file);
    if (stat.isFIFO() || stat.isSocket()) throw new Error(`a ${stat.isFIFO() ? 'FIFO' : 'socket'}, not a file`);
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    throw cannotRead(e);
  }
  try {
    const stat = await handle.stat();
    return await readNpy(handle, { maxElements: DEFAULT_MAX_ELEMENTS, ...(stat.isFile() ? { size: stat.size } : {}) });
  } catch (e) {
    if (e instanceof NpyError) throw new CliError(`--${flag} ${file} is not a readable .npy file: ${e.message}`);
    throw cannotRead(e);
  } finally {
    await handle.close();
  }
}

function opArgsOf(flags: ParsedArgs): OpArgs {
  const args: OpArgs = {};
  for (const [flag, apply] of Object.entries(OP_ARG_FLAGS)) {
    const text = stringFlag(flags, flag);
    if (text !== undefined) apply(args, text);
  }
  return args;
}

/** Computes inline when a worker's start-up would cost more than the op, else on the pool. */
async function compute(plan: OpPlan): Promise<Tensor> {
  if (plan.cost.ms < CLI_INLINE_MS) return runPlan(plan);
  const pool = new WorkerPool({ workerScript: path.join(__dirname, 'worker.js') });
  try {
    return await pool.run(plan);
  } finally {
    await pool.dispose();
  }
}

export async function runCommand(argv: readonly string[], stdout: (text: string) => void): Promise<void> {
  const flags = parseFlags(argv, RUN_FLAGS);
  const [opText, ...extra] = flags.positionals;
  if (opText === undefined) throw new CliError(`which op? one of ${OP_NAMES.join(', ')}`);
  if (extra.length > 0) throw new CliError(`unexpected argument '${extra.join(' ')}'`);
  const op = OP_NAMES.find((o) => o === opText);
  if (op === undefined) throw new CliError(`unknown op '${opText}'; one of ${OP_NAMES.join(', ')}`);

  const biasFile = stringFlag(flags, 'bias');
  const req: OpRequest = {
    op,
    input: await readTensor('input', requiredFlag(flags, 'input')),
    weight: await readTensor('weight', requiredFlag(flags, 'weight')),
    ...(biasFile === undefined ? {} : { bias: await readTensor('bias', biasFile) }),
    args: opArgsOf(flags),
  };
  // The size limit and PyTorch's checks come before the output is allocated.
  const result = await compute(planOp(req));

  const outFile = stringFlag(flags, 'out');
  if (outFile !== undefined) {
    try {
      fs.writeFileSync(outFile, serializeNpy(result));
    } catch (e) {
      throw new CliError(`cannot write --out ${outFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (outFile === undefined || flags.values['print'] === true) stdout(formatTensor(result));
}
