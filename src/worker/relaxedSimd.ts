// Relaxed SIMD (the FMA kernels) on Node 20, where V8 has it behind --experimental-wasm-relaxed-simd.
// Node 22+ and VS Code's Electron have it on by default and never need this; Node 20's V8 takes the
// flag at run time, and worker threads started afterwards see it too (V8 flags are per process).
import * as v8 from 'node:v8';
import { relaxedSimdSupported } from '../core/kernels/fast';

const FLAG = '--experimental-wasm-relaxed-simd';

/**
 * Turns relaxed SIMD on where the runtime has it behind the flag, unless the command line turned
 * it off (`--no-experimental-wasm-relaxed-simd`). Call before the first op: each thread picks its
 * kernel build once. Returns whether relaxed SIMD is on.
 */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdSupported()) return true;
  if (process.execArgv.includes(`--no-${FLAG.slice(2)}`)) return false;
  v8.setFlagsFromString(FLAG);
  return relaxedSimdSupported();
}
