// The rule tables by library path: which rule a call of `torch.zeros`, `torch.nn.Conv2d`,
// `F.conv2d`, `np.array`, d2l's `corr2d` or a Python builtin runs. Every call of a library
// function goes through here.
import { UNKNOWN, type Value } from '../interpreter/values';
import { callArgparse } from './argparse';
import { callBuiltin } from './builtins';
import type { Call } from './context';
import { NUMPY_FACTORIES } from './factories';
import { constructLayer } from './nn';
import { callFunctional, callTorch, corr2d } from './torch';

/** The name a library function has in its messages: `zeros` for `torch.zeros`. */
export function functionName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** A call of the library function at `path`, or undefined when Conv Lab does not know it. */
export function callLibrary(call: Call, path: string): Value | undefined {
  // `nn.parallel.data_parallel(module, inputs)` gathers what `module(inputs)` gives; `Variable(x)` is x.
  if (path === 'torch.nn.parallel.data_parallel' && call.positional.length >= 2) return call.ctx.call(call.positional[0] as Value, { positional: [call.positional[1] as Value], keywords: new Map(), spread: false });
  if (path === 'torch.autograd.Variable' || path === 'torch.autograd.variable.Variable') return call.positional[0] ?? UNKNOWN;
  // `torch.cuda.FloatTensor(...)` makes the same tensor on the GPU: its shape and dtype are torch.FloatTensor's.
  if (/^torch\.cuda\.[A-Z]\w*Tensor$/.test(path)) return callTorch(call, path.slice('torch.cuda.'.length));
  if (path.startsWith('torch.nn.functional.')) return callFunctional(call, path.slice('torch.nn.functional.'.length));
  if (path.startsWith('torch.nn.')) return constructLayer(call, path.slice('torch.nn.'.length));
  if (path.startsWith('torch.')) return callTorch(call, path.slice('torch.'.length));
  if (path.startsWith('numpy.')) return NUMPY_FACTORIES.get(path.slice('numpy.'.length))?.(call);
  if (path === 'd2l.torch.corr2d' || path === 'd2l.corr2d') return corr2d(call);
  if (path.startsWith('argparse.')) return callArgparse(call, path.slice('argparse.'.length));
  return callBuiltin(call, path);
}
