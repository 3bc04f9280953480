// The public entry of the compute core: one request type for every op, validated against
// PyTorch's rules by the geometry module, computed by the reference kernels.
// CONTRACT (shared by the worker pool, the CLI and the editor):
//   outputShapeOf(req)      validates and returns the full output shape (throws TorchError)
//   runOp(req)              computes the whole output
//   runOpRegion(req, r)     computes one block of the output (batch × out-channel × first output
//                           spatial dim), shape [b1-b0, c1-c0, r1-r0, ...rest] for batched NC...
//                           layouts; the pool splits work with it and the result must not depend
//                           on the split.
import type { Tensor } from './tensor';

export type ConvOpName = 'conv1d' | 'conv2d' | 'conv3d';
export type ConvTransposeOpName = 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d';
export type OpName = ConvOpName | ConvTransposeOpName | 'corr2d' | 'trans_conv';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface OpArgs {
  stride?: number | readonly number[];
  padding?: number | readonly number[] | 'same' | 'valid';
  dilation?: number | readonly number[];
  groups?: number;
  outputPadding?: number | readonly number[];
  paddingMode?: PaddingMode;
  /** `ConvTranspose*d.forward(input, output_size=...)`. */
  outputSize?: readonly number[];
}

export interface OpRequest {
  op: OpName;
  input: Tensor;
  weight: Tensor;
  bias?: Tensor;
  args?: OpArgs;
}

/** Half-open ranges of the output a worker computes. */
export interface OutputRegion {
  batch: readonly [number, number];
  channels: readonly [number, number];
  rows: readonly [number, number];
}

export declare function outputShapeOf(req: OpRequest): number[];
export declare function runOp(req: OpRequest): Tensor;
export declare function runOpRegion(req: OpRequest, region: OutputRegion): Tensor;
