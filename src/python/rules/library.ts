// The rule tables by library path: which rule a call of `torch.zeros`, `torch.nn.Conv2d`,
// `F.conv2d`, `np.array`, d2l's `corr2d` or a Python builtin runs. Every call of a library
// function goes through here.
import type { Value } from '../interpreter/values';
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
  if (path.startsWith('torch.nn.functional.')) return callFunctional(call, path.slice('torch.nn.functional.'.length));
  if (path.startsWith('torch.nn.')) return constructLayer(call, path.slice('torch.nn.'.length));
  if (path.startsWith('torch.')) return callTorch(call, path.slice('torch.'.length));
  if (path.startsWith('numpy.')) return NUMPY_FACTORIES.get(path.slice('numpy.'.length))?.(call);
  if (path === 'd2l.torch.corr2d' || path === 'd2l.corr2d') return corr2d(call);
  if (path.startsWith('argparse.')) return callArgparse(call, path.slice('argparse.'.length));
  return callBuiltin(call, path);
}
