// PyTorch's default dtype (`torch.get_default_dtype()`): what Python floats, float factories and
// true division of integers give. Like `torch.set_default_dtype`, it is one setting that holds for
// the whole of an evaluation; evaluations are synchronous, so setting it around one is safe.
export type DefaultFloatDType = 'float32' | 'float64';

let current: DefaultFloatDType = 'float32';

export function defaultFloatDType(): DefaultFloatDType {
  return current;
}

/** Runs `evaluate` with `dtype` as the default dtype (float32 when undefined, as PyTorch starts). */
export function withDefaultDType<T>(dtype: DefaultFloatDType | undefined, evaluate: () => T): T {
  const before = current;
  current = dtype ?? 'float32';
  try {
    return evaluate();
  } finally {
    current = before;
  }
}
