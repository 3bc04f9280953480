// What a run did with modules, for the model summary (features/summary.ts): every call of an
// nn.Module (a user class's instance or a torch.nn layer), nested as the calls nest, with the
// values that went in and came out, and the library ops (`F.conv2d`, `torch.matmul`, `@`) and
// calls Conv Lab could not follow made inside them. A run records only when its options carry a
// trace, so the analysis on every keystroke pays one undefined check per call.
import type { Site } from './site';
import type { InstanceValue, Layer, Value } from './values';

/**
 * What was called: a module; a library function by its dotted path (`@` is `operator.matmul`, a
 * tensor method `torch.Tensor.mm`); the file's own code (followed: what it calls is traced inside
 * it); or something whose call Conv Lab does not follow.
 */
export type TracedCallee =
  | { readonly kind: 'module'; readonly module: InstanceValue | Layer }
  | { readonly kind: 'library'; readonly path: string }
  | { readonly kind: 'code' }
  | { readonly kind: 'unfollowed' };

export interface TracedCall {
  readonly callee: TracedCallee;
  /** The positional arguments (a tensor method's tensor first), then the keyword ones, as the call got them. */
  readonly positional: readonly Value[];
  readonly keywords: ReadonlyMap<string, Value>;
  /** Undefined while the call runs, and for a call that raised. */
  output: Value | undefined;
  readonly children: TracedCall[];
  /** Made on a path the analysis cannot tell runs (a branch on an unknown condition, a loop run an unknown number of times). */
  readonly uncertain: boolean;
  /** Where the call is written. */
  readonly site: Site | undefined;
}

const CASTS = new Set(['to', 'double', 'half', 'float', 'bfloat16', 'type']);

/** A freezing Conv Lab cannot attribute: `requires_grad` changed on a value it does not know. */
export const ANY_MODULE = Symbol('any module');

export class CallTrace {
  /** The calls made outside any traced call (the file's top level, its functions). */
  readonly roots: TracedCall[] = [];
  /** Modules whose parameters' `requires_grad` may have been changed (ANY_MODULE: some parameter, which is not known). */
  readonly frozen = new Set<InstanceValue | Layer | typeof ANY_MODULE>();
  /** Modules whose parameters may have been cast (`.double()`, `.to(...)`): their dtype is then not known. */
  readonly recast = new Set<InstanceValue | Layer>();
  /** Layers whose weight or bias was set by assignment (their parameter count is then not known). */
  readonly reassigned = new Set<Layer>();
  private readonly open: TracedCall[] = [];
  private uncertainDepth = 0;
  /** Nonzero while functions no call reached are analysed with unknown arguments: those are not calls of the program. */
  paused = 0;

  /** A call begins; `end` it with its output (or nothing when it raised). */
  begin(callee: TracedCallee, positional: readonly Value[], keywords: ReadonlyMap<string, Value>, site: Site | undefined): TracedCall | undefined {
    if (this.paused > 0) return undefined;
    const call: TracedCall = { callee, positional, keywords, output: undefined, children: [], uncertain: this.uncertainDepth > 0, site };
    (this.open[this.open.length - 1]?.children ?? this.roots).push(call);
    this.open.push(call);
    return call;
  }

  end(call: TracedCall | undefined, output: Value | undefined): void {
    if (!call) return;
    call.output = output;
    // A call that raised may leave the calls it made open: they end here too.
    const at = this.open.lastIndexOf(call);
    if (at >= 0) this.open.length = at;
  }

  /** A call made and finished at once (a library op). */
  record(callee: TracedCallee, positional: readonly Value[], keywords: ReadonlyMap<string, Value>, output: Value, site: Site | undefined): void {
    this.end(this.begin(callee, positional, keywords, site), output);
  }

  /** Runs a path the analysis cannot tell is taken. */
  uncertainly<T>(run: () => T): T {
    this.uncertainDepth++;
    try {
      return run();
    } finally {
      this.uncertainDepth--;
    }
  }

  /** A module method that returns the module (`model.to(...)`, `model.eval()`): the casts change its parameters' dtype. */
  moduleMethod(self: InstanceValue | Extract<Value, { kind: 'layer' }>, name: string): void {
    if (CASTS.has(name)) this.recast.add(self.kind === 'instance' ? self : self.layer);
  }

  /** `requires_grad` set, or `requires_grad_` read, on `owner`: a module, a parameter whose module is not known, or something unknown. */
  freezing(owner: Value): void {
    if (this.paused > 0) return;
    if (owner.kind === 'instance') this.frozen.add(owner);
    else if (owner.kind === 'layer') this.frozen.add(owner.layer);
    else if (owner.kind !== 'tensor' || owner.parameter) this.frozen.add(ANY_MODULE);
  }
}
