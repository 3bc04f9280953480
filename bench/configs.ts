// Issue #4's configurations C1-C7, which bench:core and kernelTimes run, and their seeded tensors.
import type { OpArgs, OpName, OpRequest } from '../src/core/vocabulary';
import { randomTensor } from './workloads';

export interface Config {
  id: string;
  op: OpName;
  input: number[];
  weight: number[];
  args: OpArgs & { stride: number; padding: number; groups?: number };
}

export const CONFIGS: Config[] = [
  { id: 'C1', op: 'conv2d', input: [1, 10, 16, 16], weight: [20, 10, 5, 5], args: { stride: 3, padding: 2 } },
  { id: 'C2', op: 'conv_transpose2d', input: [1, 20, 6, 6], weight: [20, 10, 5, 5], args: { stride: 3, padding: 2 } },
  { id: 'C3', op: 'conv2d', input: [1, 64, 56, 56], weight: [64, 64, 3, 3], args: { stride: 1, padding: 1 } },
  { id: 'C4', op: 'conv_transpose2d', input: [8, 128, 16, 16], weight: [128, 64, 4, 4], args: { stride: 2, padding: 1 } },
  { id: 'C5', op: 'conv_transpose2d', input: [1, 21, 10, 10], weight: [21, 21, 64, 64], args: { stride: 32, padding: 16 } },
  { id: 'C6', op: 'conv2d', input: [1, 32, 112, 112], weight: [32, 1, 3, 3], args: { stride: 1, padding: 1, groups: 32 } },
  { id: 'C7', op: 'conv2d', input: [1, 3, 224, 224], weight: [64, 3, 7, 7], args: { stride: 2, padding: 3 } },
];

/** The config's op on seeded random input, weight and bias (the same every run). */
export function requestOf(config: Config, seed: number): OpRequest {
  const transposed = config.op.startsWith('conv_transpose');
  const groups = config.args.groups ?? 1;
  const outChannels = transposed ? (config.weight[1] ?? 0) * groups : (config.weight[0] ?? 0);
  return {
    op: config.op, args: config.args,
    input: randomTensor(config.input, seed), weight: randomTensor(config.weight, seed + 1), bias: randomTensor([outChannels], seed + 2),
  };
}
