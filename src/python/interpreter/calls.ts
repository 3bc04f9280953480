// Calls and attributes: library functions (through the rule tables), tensor methods, layers and
// containers, and the file's own code. A function or method is followed at each call with the
// values that reach it; classes run their body once, `__init__` at each instantiation; `super()`
// and `nn.Module`/`nn.Sequential` bases are understood. A call Python itself would refuse (an
// argument missing or too many) ends that path: its value is unknown, and says why.
import type { SyntaxNode } from '@lezer/common';
import { callParserMethod, namespaceAttribute } from '../rules/argparse';
import { CONSTANTS, MODULE_PARAMETERS } from '../rules/builtins';
import { Call, notStatic, type CallArgs } from '../rules/context';
import { dtypeOfPath } from '../rules/dtypes';
import { callLibrary, functionName } from '../rules/library';
import { callDictMethod, callListMethod } from '../rules/collections';
import { applyRecurrent } from '../rules/recurrent';
import { messages, type PythonError } from '../rules/messages';
import { callConvLayer, layerParameter } from '../rules/conv';
import { applyLayer, layerHasParameters, unpoolShape } from '../rules/nn';
import { UNKNOWN_DIM } from '../rules/shapes';
import { callTensorMethod, tensorAttribute } from '../rules/tensorMethods';
import type { TracedCallee } from './callTrace';
import { RaisedInCall, type Activation, type Flow, type Machine, type SuperValue } from './machine';
import { assignmentParts, callArguments } from '../syntax/nodes';
import { mergeValues } from './merge';
import {
  Frame, intOf, itemsOf, knownFlag, knownInt, NONE, PLACEHOLDER, tupleOf, UNKNOWN, unknownBecause, type ClassValue, type FunctionValue, type InstanceValue, type Layer, type TensorValue, type Value,
} from './values';

/** Calls of the file's own functions nested deeper than this are not followed. */
const MAX_CALL_DEPTH = 24;

const DATA_PARALLEL = new Set(['torch.nn.DataParallel', 'torch.nn.parallel.DataParallel', 'torch.nn.parallel.DistributedDataParallel']);

const MODULE_IDENTITY_METHODS = new Set(['to', 'cuda', 'cpu', 'train', 'eval', 'float', 'double', 'requires_grad_', 'apply', 'half', 'share_memory', 'zero_grad']);

export class CallRunner {
  /** Every function and method defined, with the statement index that defined it. */
  readonly functions: { fn: FunctionValue; definer: number }[] = [];
  readonly classes: ClassValue[] = [];
  /** Function bodies analysed at least once (by their start). */
  readonly analysed = new Set<number>();
  private readonly classInstances = new Map<ClassValue, InstanceValue>();
  private readonly callStack: SyntaxNode[] = [];
  /** `torch.nn`, `np.float32`: library paths and their members, each worked out once per analysis. */
  private readonly pathMembers = new Map<string, Map<string, Value>>();
  /** What each function's syntax says (body, locals, parameters), read once per analysis, by where the def starts. */

  constructor(private readonly m: Machine, private readonly definer: () => number) {}

  get depth(): number {
    return this.callStack.length;
  }

  /**
   * Calls a value: library functions, layers, methods, the file's functions, classes and modules.
   * A result not known because an argument is not says that argument's reason.
   */
  call(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value {
    const result = this.callValue(callee, args, node);
    const generic = result.kind === 'unknown' ? !result.why || (result.why.code === 'not-static' && !result.why.message)
      : result.kind === 'tensor' && !result.elements && (!result.why || (result.why.code === 'not-static' && !result.why.message));
    if (!generic) return result;
    const unknownArgument = [...args.positional, ...args.keywords.values()].find((a) => a.kind === 'unknown' && a.why);
    const why = unknownArgument?.kind === 'unknown' ? unknownArgument.why : undefined;
    return why ? { ...result, why } as Value : result;
  }

  private callValue(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value {
    const trace = this.m.trace;
    if (!trace) return this.callUntraced(callee, args, node);
    const traced = tracedCallee(callee);
    // A tensor method's operands start with the tensor (`a.bmm(b)` multiplies a by b, as torch.bmm(a, b)).
    const operands = callee.kind === 'method' && callee.self.kind === 'tensor' ? [callee.self, ...args.positional] : args.positional;
    const call = trace.begin(traced, operands, args.keywords, node && this.m.siteOf(node));
    let output: Value | undefined;
    try {
      output = this.callUntraced(callee, args, node);
      return output;
    } finally {
      trace.end(call, output);
    }
  }

  private callUntraced(callee: Value, args: CallArgs, node: SyntaxNode | undefined): Value {
    const m = this.m;
    m.tick();
    switch (callee.kind) {
      case 'path': {
        if (callee.path === 'torch.nn.Parameter' || callee.path === 'torch.nn.parameter.Parameter') return asParameter(args);
        // On one device (or none), DataParallel's forward is its module's: the wrapper is followed as the module.
        if (DATA_PARALLEL.has(callee.path)) return args.positional[0] ?? args.keywords.get('module') ?? UNKNOWN;
        if ((callee.path === 'copy.deepcopy' || callee.path === 'copy.copy') && args.positional.length === 1) return copiedValue(args.positional[0] as Value, callee.path === 'copy.deepcopy');
        if (callee.path === 'getattr') return this.getattr(args, node);
        const call = new Call(functionName(callee.path), args, m.rules(node));
        return callLibrary(call, callee.path) ?? { kind: 'unknown', why: notStatic(node && m.siteOf(node)) };
      }
      case 'method':
        return this.callMethod(callee.self, callee.name, args, node);
      case 'function':
        return this.callFunction(callee, args, false, undefined, node);
      case 'class':
        return this.instantiate(callee, args, node);
      case 'instance': {
        const forward = this.findMethod(callee.cls, '__call__') ?? this.findMethod(callee.cls, 'forward');
        if (forward?.value.kind === 'function') return this.callFunction({ ...forward.value, self: callee }, args, false, forward.owner, node);
        const container = callee.attributes.get('__container__');
        return container ? this.call(container, args, node) : UNKNOWN;
      }
      case 'layer':
        return this.callLayer(callee.layer, args, node);
      case 'unknown':
        return unknownBecause(callee.why ?? notStatic(node && m.siteOf(node)));
      default:
        return { kind: 'unknown', why: notStatic(node && m.siteOf(node)) };
    }
  }

  /** A method read from an instance (bound to it) or a class (not bound), as its decorator says. */
  private bound(fn: FunctionValue, cls: ClassValue, instance: InstanceValue | undefined): FunctionValue {
    const decorated = fn.node.parent?.name === 'DecoratedStatement' ? fn.node.parent : undefined;
    let kind: string | undefined;
    for (let d = decorated?.firstChild; d; d = d.nextSibling) {
      const text = d.name === 'Decorator' ? this.m.srcIn(fn.module, d).replace(/^@\s*/, '').trim() : '';
      if (text === 'staticmethod' || text === 'classmethod') kind = text;
    }
    if (kind === 'staticmethod') return fn;
    if (kind === 'classmethod') return { ...fn, boundClass: cls };
    return instance ? { ...fn, self: instance } : fn;
  }

  /** `getattr(obj, 'name')` with a known name reads the attribute; a default is not used (whether it would be is not known). */
  private getattr(args: CallArgs, node: SyntaxNode | undefined): Value {
    const [object, name] = args.positional;
    if (!object || name?.kind !== 'str' || name.value === undefined || args.positional.length > 2) return UNKNOWN;
    return this.attribute(object, name.value, node);
  }

  private callLayer(layer: Layer, args: CallArgs, node: SyntaxNode | undefined): Value {
    const m = this.m;
    const input = args.positional[0] ?? args.keywords.get('input') ?? UNKNOWN;
    if (layer.type === 'container') {
      if (layer.name !== 'Sequential') return UNKNOWN;
      let value = input;
      for (const child of layer.children) value = this.call(child, { positional: [value], keywords: new Map(), spread: false }, node);
      return value;
    }
    if (layer.type === 'loss') {
      const keywords = new Map(args.keywords);
      if (layer.reduction !== undefined) keywords.set('reduction', { kind: 'str', value: layer.reduction });
      return this.call({ kind: 'path', path: `torch.nn.functional.${layer.functional}` }, { ...args, keywords }, node);
    }
    if (input.kind !== 'tensor' && input.kind !== 'unknown') return UNKNOWN;
    const shape = input.kind === 'tensor' ? input.shape : undefined;
    m.layerCalled(layer, shape);
    if (layer.type === 'recurrent') return applyRecurrent(layer, input, args.positional[1] ?? args.keywords.get('hx'));
    if (layer.type === 'unpool') {
      const indices = args.positional[1] ?? args.keywords.get('indices');
      const asked = args.positional[2] ?? args.keywords.get('output_size');
      const sizes = asked === undefined || asked.kind === 'none' ? undefined : itemsOf(asked)?.map(knownInt);
      const output = shape && (asked === undefined || asked.kind === 'none' || sizes) ? unpoolShape(layer, shape, indices?.kind === 'tensor' ? indices.shape : undefined, sizes) : undefined;
      return { kind: 'tensor', shape: output, dtype: input.kind === 'tensor' ? input.dtype : undefined, requiresGrad: input.kind === 'tensor' ? input.requiresGrad : undefined };
    }
    if (shape === undefined) {
      // Symbols (`N, C, H, W`) stand only for a parameter no call gives; after an op Conv Lab could
      // not follow, the input might be anything, and so is the output. An elementwise layer keeps the parameter.
      const parameter = input.kind === 'unknown' && input.name !== undefined;
      if (parameter && (layer.type === 'elementwise' || layer.type === 'batchNorm')) return input;
      if (!parameter) return { kind: 'tensor', shape: undefined, dtype: input.kind === 'tensor' ? input.dtype : undefined, why: input.why ?? notStatic(node && m.siteOf(node)) };
    }
    if (layer.type === 'conv') {
      const outputSize = args.keywords.get('output_size') ?? args.positional[1];
      const sizes = outputSize ? outputSize.kind === 'tuple' || outputSize.kind === 'list' ? outputSize.items.map(knownInt) : undefined : undefined;
      if (outputSize && outputSize.kind !== 'none' && (!sizes || sizes.some((s) => s === undefined))) return { kind: 'tensor', shape: undefined, dtype: input.kind === 'tensor' ? input.dtype : undefined };
      const tensor: TensorValue = input.kind === 'tensor' ? input : { kind: 'tensor', shape: undefined, why: input.why };
      return callConvLayer(m.rules(node), layer, tensor, sizes as number[] | undefined);
    }
    const dtype = input.kind === 'tensor' ? input.dtype : undefined;
    const inputGrad = input.kind === 'tensor' ? input.requiresGrad : undefined;
    const output = applyLayer(layer, shape, dtype, inputGrad);
    // Norms, activations and dropout pass the conv they follow on to quick fixes.
    const origin = input.kind === 'tensor' && (layer.type === 'elementwise' || layer.type === 'batchNorm') ? input.origin : undefined;
    // A layer's parameters need gradients, so its output does exactly when autograd is on.
    const requiresGrad = layerHasParameters(layer) ? m.rules(node).gradEnabled : inputGrad;
    const result: TensorValue = { kind: 'tensor', shape: output, dtype: layer.type === 'embedding' ? 'float32' : dtype, origin, why: notStatic(node && m.siteOf(node)), requiresGrad };
    // `MaxPool2d(2, return_indices=True)(x)`: the output and the int64 indices of its maxima, alike in shape.
    if ((layer.type === 'pool' || layer.type === 'adaptivePool') && layer.returnIndices) return tupleOf([result, { ...result, dtype: 'int64', origin: undefined }]);
    return result;
  }

  private callMethod(self: Value, name: string, args: CallArgs, node: SyntaxNode | undefined): Value {
    const m = this.m;
    if (self.kind === 'tensor') return callTensorMethod(new Call(name, args, m.rules(node)), self, name);
    if (self.kind === 'list') {
      const result = callListMethod(self, name, args);
      if (result) return result;
    }
    if (self.kind === 'dict' && self.argparse === 'parser') return callParserMethod(self, name, args) ?? UNKNOWN;
    if (self.kind === 'dict') {
      const result = callDictMethod(self, name, args);
      if (result) return result;
    }
    if (self.kind === 'layer' && self.layer.type === 'container') {
      const c = self.layer;
      if (name === 'append' && args.positional[0]) {
        c.children.push(args.positional[0]);
        c.keys.push(undefined);
        return self;
      }
      if (name === 'add_module' && args.positional[1]) {
        c.children.push(args.positional[1]);
        const key = args.positional[0];
        c.keys.push(key?.kind === 'str' ? key.value : undefined);
        return NONE;
      }
      if (name === 'extend') {
        for (const item of itemsOf(args.positional[0]) ?? (args.positional[0]?.kind === 'layer' && args.positional[0].layer.type === 'container' ? args.positional[0].layer.children : [])) {
          c.children.push(item);
          c.keys.push(undefined);
        }
        return self;
      }
      if (name === 'forward') return this.callLayer(c, args, node);
    }
    if (self.kind === 'layer' && name === 'forward') return this.callLayer(self.layer, args, node);
    if (self.kind === 'instance') {
      if (name.startsWith('__base_init__:')) {
        this.initLibraryBase(self, name.slice('__base_init__:'.length), args);
        return NONE;
      }
      if (name === 'add_module' || name === 'register_module') {
        const key = args.positional[0];
        if (key?.kind === 'str' && key.value !== undefined && args.positional[1]) self.attributes.set(key.value, args.positional[1]);
        return NONE;
      }
      if (name === 'register_buffer' || name === 'register_parameter') {
        const key = args.positional[0];
        if (key?.kind === 'str' && key.value !== undefined) self.attributes.set(key.value, args.positional[1] ?? UNKNOWN);
        return NONE;
      }
      if (MODULE_IDENTITY_METHODS.has(name)) {
        m.trace?.moduleMethod(self, name);
        return self;
      }
    }
    if (self.kind === 'layer' && MODULE_IDENTITY_METHODS.has(name)) {
      m.trace?.moduleMethod(self, name);
      return self;
    }
    if ((self.kind === 'instance' || self.kind === 'layer') && name === 'parameters') return { kind: 'unknown', why: MODULE_PARAMETERS };
    return { kind: 'unknown', why: notStatic(node && m.siteOf(node)) };
  }

  /** `obj.name`. */
  attribute(object: Value | SuperValue, name: string, node: SyntaxNode | undefined): Value {
    const m = this.m;
    if (name === 'requires_grad_' && object.kind !== 'super') m.trace?.freezing(object);
    switch (object.kind) {
      case 'path': {
        let members = this.pathMembers.get(object.path);
        if (!members) this.pathMembers.set(object.path, (members = new Map()));
        let member = members.get(name);
        if (!member) members.set(name, (member = pathMember(`${object.path}.${name}`)));
        return member;
      }
      case 'instance': {
        const own = object.attributes.get(name);
        if (own) return node ? m.fresh(own, node) : own;
        const method = this.findMethod(object.cls, name);
        if (method?.value.kind === 'function') return this.bound(method.value, object.cls, object);
        if (method) return method.value;
        const container = object.attributes.get('__container__');
        if (container) return this.attribute(container, name, node);
        return { kind: 'method', self: object, name };
      }
      case 'super': {
        for (const base of object.cls.bases) {
          if (base.kind === 'class') {
            const found = this.findMethod(base, name);
            if (found?.value.kind === 'function') return { ...found.value, self: object.self };
          } else if (base.kind === 'path' && name === '__init__') {
            return { kind: 'method', self: object.self, name: `__base_init__:${base.path}` };
          }
        }
        return UNKNOWN;
      }
      case 'tensor':
        return tensorAttribute(new Call(name, { positional: [], keywords: new Map(), spread: false }, m.rules(node)), object, name);
      case 'layer': {
        const layer = object.layer;
        if (layer.type === 'container') {
          const at = layer.keys.indexOf(name);
          if (at >= 0) return layer.children[at] ?? UNKNOWN;
        }
        const found = layerAttribute(layer, name, m.defaultDtype);
        // A layer's weight and bias are its parameters: freezing one is seen as freezing it.
        return found?.kind === 'tensor' && (name === 'weight' || name === 'bias') ? { ...found, parameter: 'read' } : (found ?? { kind: 'method', self: object, name });
      }
      case 'class': {
        const found = this.findMethod(object, name)?.value;
        return found?.kind === 'function' ? this.bound(found, object, undefined) : (found ?? UNKNOWN);
      }
      case 'tuple':
        // The named tuples of max(dim), topk, sort: (values, indices).
        if (object.items.length === 2 && (name === 'values' || name === 'indices')) return object.items[name === 'values' ? 0 : 1] as Value;
        return { kind: 'method', self: object, name };
      case 'dict':
        if (object.argparse === 'namespace') return namespaceAttribute(object, name);
        return { kind: 'method', self: object, name };
      case 'list':
      case 'str':
        return { kind: 'method', self: object, name };
      case 'module':
        // `resnet.__dict__[arch]`: the module's names (what the file bound so far).
        if (name === '__dict__') return { kind: 'dict', entries: new Map(object.frame.names) };
        return object.frame.names.get(name) ?? { kind: 'unknown', why: { code: 'not-static', message: `cannot evaluate '${object.name}.${name}' statically: Conv Lab does not find '${name}' in module '${object.name}'`, site: node && m.siteOf(node) } };
      case 'unknown':
        return unknownBecause(object.why);
      default:
        return { kind: 'unknown', why: notStatic(node && m.siteOf(node)) };
    }
  }

  // -------------------------------------------------------------------------------------------
  // The file's own functions and classes.

  defineFunction(node: SyntaxNode, act: Activation): void {
    const nameNode = node.getChild('VariableName');
    if (!nameNode) return;
    const fn: FunctionValue = { kind: 'function', node, name: this.m.src(nameNode), closure: act.frame, module: this.m.currentModule };
    act.frame.names.set(fn.name, fn);
    this.functions.push({ fn, definer: this.definer() });
  }

  defineClass(node: SyntaxNode, act: Activation): void {
    const m = this.m;
    const nameNode = node.getChild('VariableName');
    const body = node.getChild('Body');
    if (!nameNode || !body) return;
    const argList = node.getChild('ArgList');
    const bases = argList ? m.syntax.of(callArguments, argList).positional.map((b) => m.evalSafely(b, act)) : [];
    const cls: ClassValue = { kind: 'class', node, name: m.src(nameNode), methods: new Map(), bases, module: m.currentModule };
    // The class body runs once; its functions close over the enclosing scope, not the class.
    const classFrame = new Frame(act.frame);
    const classAct: Activation = { frame: classFrame, returns: [], self: undefined, cls };
    for (let child = body.firstChild; child; child = child.nextSibling) {
      if (!child.type.is('Statement')) continue;
      const def = child.name === 'DecoratedStatement' ? child.lastChild : child;
      if (def?.name === 'FunctionDefinition') {
        const fnName = def.getChild('VariableName');
        if (!fnName) continue;
        const fn: FunctionValue = { kind: 'function', node: def, name: m.src(fnName), closure: act.frame, module: m.currentModule };
        cls.methods.set(fn.name, fn);
        this.functions.push({ fn, definer: this.definer() });
      } else {
        m.exec(child, classAct);
      }
    }
    for (const [k, v] of classFrame.names) if (!cls.methods.has(k)) cls.methods.set(k, v);
    act.frame.names.set(cls.name, cls);
    this.classes.push(cls);
  }

  findMethod(cls: ClassValue, name: string): { value: Value; owner: ClassValue } | undefined {
    const own = cls.methods.get(name);
    if (own) return { value: own, owner: cls };
    for (const base of cls.bases) {
      if (base.kind === 'class') {
        const found = this.findMethod(base, name);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The library class a user class derives from, e.g. `torch.nn.Sequential`. */
  private libraryBase(cls: ClassValue): string | undefined {
    for (const base of cls.bases) {
      if (base.kind === 'path') return base.path;
      if (base.kind === 'class') {
        const found = this.libraryBase(base);
        if (found) return found;
      }
    }
    return undefined;
  }

  private instantiate(cls: ClassValue, args: CallArgs, node: SyntaxNode | undefined): Value {
    const instance: InstanceValue = { kind: 'instance', cls, attributes: new Map() };
    const init = this.findMethod(cls, '__init__');
    if (init?.value.kind === 'function') {
      const result = this.callFunction({ ...init.value, self: instance }, args, false, init.owner, node);
      // `__init__` refused its arguments: Python raises, the instance never exists.
      if (result.kind === 'unknown' && result.why?.code === 'invalid-argument') return result;
    } else if (this.libraryBase(cls) === 'torch.nn.Sequential') this.initLibraryBase(instance, 'torch.nn.Sequential', args);
    if (!this.classInstances.has(cls)) this.classInstances.set(cls, instance);
    return instance;
  }

  /** `super().__init__(*layers)` of a class deriving from nn.Sequential: the instance is that Sequential. */
  private initLibraryBase(instance: InstanceValue, path: string, args: CallArgs): void {
    if (path !== 'torch.nn.Sequential' && path !== 'torch.nn.ModuleList') return;
    const container = this.call({ kind: 'path', path }, args, undefined);
    if (container.kind === 'layer') instance.attributes.set('__container__', container);
  }

  /**
   * `self` for a method no call reached: the class's first instance, else one whose `__init__`
   * ran with its parameters as named unknowns (so `nn.Conv2d(cin, cout, 3)` gives `cout` channels).
   */
  instanceForUncalledMethod(fn: FunctionValue): InstanceValue | undefined {
    const cls = this.classes.find((c) => [...c.methods.values()].some((method) => method.kind === 'function' && method.node === fn.node));
    if (!cls) return undefined;
    const existing = this.classInstances.get(cls);
    if (existing) return existing;
    const instance: InstanceValue = { kind: 'instance', cls, attributes: new Map() };
    this.classInstances.set(cls, instance);
    const init = this.findMethod(cls, '__init__');
    if (init?.value.kind === 'function') this.callFunction({ ...init.value, self: instance }, { positional: [], keywords: new Map(), spread: false }, true, init.owner);
    return instance;
  }

  /** A call of the user's function (from `call`): its body runs with the arguments' values, in its own file. */
  callFunction(fn: FunctionValue, args: CallArgs, symbolic: boolean, owner?: ClassValue, call?: SyntaxNode): Value {
    const m = this.m;
    if (this.callStack.length >= MAX_CALL_DEPTH || this.callStack.includes(fn.node)) {
      m.trace?.record({ kind: 'unfollowed' }, args.positional, args.keywords, UNKNOWN, call && m.siteOf(call));
      return { kind: 'unknown', why: { code: 'not-static', message: `cannot evaluate the recursive call of '${fn.name}' statically`, site: fn.module === m.currentModule ? m.siteOf(fn.node) : undefined } };
    }
    const leave = m.enterFunction(fn, call);
    try {
      return this.runFunction(fn, args, symbolic, owner);
    } finally {
      leave();
    }
  }

  private runFunction(fn: FunctionValue, args: CallArgs, symbolic: boolean, owner: ClassValue | undefined): Value {
    const m = this.m;
    this.analysed.add(m.functionKey(fn));
    const { body, locals } = this.syntaxOf(fn);
    const frame = new Frame(fn.closure, new Map(), locals);
    const cls = owner ?? (fn.self ? this.ownerOf(fn.self.cls, fn.node) : undefined);
    const act: Activation = { frame, returns: [], self: fn.self, cls };
    const refused = this.bindParameters(fn, args, frame, symbolic);
    if (refused) return refused;
    this.callStack.push(fn.node);
    let flow: Flow = 'next';
    try {
      if (fn.node.name === 'LambdaExpression') return this.lambdaResult(fn, act, symbolic);
      if (body) flow = m.execBlock(body, act);
    } finally {
      this.callStack.pop();
    }
    // Every path raised: so does the call (a function analysed without a call just ends).
    const raised = flow === 'raise' && act.returns.length === 0 && !symbolic ? m.lastRaisedError() : undefined;
    if (raised) throw new RaisedInCall(raised, fn.name);
    if (act.returns.length === 0) return NONE;
    return act.returns.reduce((a, b) => mergeValues(a, b));
  }

  /** A lambda's value: its expression's; an error PyTorch raises in it makes the call raise too. */
  private lambdaResult(fn: FunctionValue, act: Activation, symbolic: boolean): Value {
    const m = this.m;
    const expression = fn.node.lastChild;
    if (!expression || expression.name === ':') return UNKNOWN;
    const raisedBefore = m.raised;
    const value = m.evalSafely(expression, act);
    const raised = m.raised > raisedBefore && !symbolic ? m.lastRaisedError() : undefined;
    if (raised) throw new RaisedInCall(raised, fn.name);
    return value;
  }

  private ownerOf(cls: ClassValue, fnNode: SyntaxNode): ClassValue | undefined {
    if ([...cls.methods.values()].some((method) => method.kind === 'function' && method.node === fnNode)) return cls;
    for (const base of cls.bases) {
      if (base.kind === 'class') {
        const found = this.ownerOf(base, fnNode);
        if (found) return found;
      }
    }
    return undefined;
  }

  /**
   * Python's binding of the call's arguments to the function's parameters; the refusal Python
   * would raise (as an unknown value saying why) when they do not fit.
   */
  private bindParameters(fn: FunctionValue, args: CallArgs, frame: Frame, symbolic: boolean): Value | undefined {
    const m = this.m;
    const declared = this.syntaxOf(fn).parameters;
    if (!declared) return undefined;
    const first = fn.self ?? fn.boundClass;
    const positional = first ? [first as Value, ...args.positional] : [...args.positional];
    const keywords = new Map(args.keywords);
    const refusal = (e: PythonError): Value => ({ kind: 'unknown', why: { code: e.code, message: e.message, kind: e.kind, site: m.siteOf(fn.node) } });
    let index = 0;
    const missing: string[] = [];
    for (const p of declared) {
      if (p.star === '*') {
        frame.names.set(p.name, args.spread ? UNKNOWN : tupleOf(positional.slice(index)));
        index = positional.length;
      } else if (p.star === '**') {
        frame.names.set(p.name, args.spread ? UNKNOWN : { kind: 'dict', entries: new Map([...keywords].filter(([k]) => !declared.some((d) => d.name === k && d.star === ''))) });
        for (const k of [...keywords.keys()]) if (!declared.some((d) => d.name === k && d.star === '')) keywords.delete(k);
      } else {
        const byPosition = !p.keywordOnly && index < positional.length ? positional[index++] : undefined;
        const byKeyword = keywords.get(p.name);
        if (byPosition && byKeyword && !args.spread) return refusal(messages.multipleValues(fn.name, p.name));
        keywords.delete(p.name);
        const given = byPosition ?? byKeyword;
        const defaultNode = p.default;
        // A function analysed without a call keeps its defaults (`stride=2`); a parameter without one
        // names the sizes it gives (`nn.Conv2d(cin, cout, 3)` makes `cout` channels).
        const fallback = defaultNode && !args.spread
          ? m.evalSafely(defaultNode, { frame: fn.closure, returns: [], self: undefined, cls: undefined })
          : symbolic || args.spread ? parameterUnknown(p.name, symbolic, m.siteOf(p.node)) : undefined;
        if (given === undefined && fallback === undefined) missing.push(p.name);
        frame.names.set(p.name, given ?? fallback ?? UNKNOWN);
      }
    }
    if (args.spread || symbolic) return undefined;
    if (index < positional.length) return refusal(messages.takesPositional(fn.name, declared.filter((p) => p.star === '' && !p.keywordOnly).length - (first ? 1 : 0), positional.length - (first ? 1 : 0)));
    const unexpected = [...keywords.keys()][0];
    if (unexpected !== undefined) return refusal(messages.unexpectedKeyword(fn.name, unexpected));
    if (missing.length > 0) return refusal(messages.missingPositional(fn.name, missing));
    return undefined;
  }

  /** A function's body, local names and parameters (it runs in its own file: the memo is that file's). */
  private syntaxOf(fn: FunctionValue): FunctionSyntax {
    return this.m.syntax.of(functionSyntax, fn.node);
  }
}

interface Parameter {
  readonly name: string;
  readonly node: SyntaxNode;
  readonly star: '' | '*' | '**';
  readonly keywordOnly: boolean;
  readonly default: SyntaxNode | undefined;
}

interface FunctionSyntax {
  readonly body: SyntaxNode | null;
  readonly locals: ReadonlySet<string> | undefined;
  /** Undefined when the def has no parameter list (half-typed). */
  readonly parameters: readonly Parameter[] | undefined;
}

/** A def's (or lambda's) body, local names and parameters, read from its syntax. */
function functionSyntax(def: SyntaxNode, text: string): FunctionSyntax {
  const body = def.getChild('Body');
  const params = def.getChild('ParamList');
  return { body, locals: body ? localNames(body, text) : undefined, parameters: params ? parametersOf(params, text) : undefined };
}

function parametersOf(params: SyntaxNode, text: string): Parameter[] {
  const declared: Parameter[] = [];
  let star: '' | '*' | '**' = '';
  let keywordOnly = false;
  for (let c = params.firstChild; c; c = c.nextSibling) {
    if (c.name === '*' || c.name === '**') {
      star = c.name;
      if (c.name === '*') keywordOnly = true;
      continue;
    }
    if (c.name !== 'VariableName' || c.prevSibling?.name === 'AssignOp') continue;
    declared.push({ name: text.slice(c.from, c.to), node: c, star, keywordOnly: keywordOnly && star === '', default: defaultOf(c) });
    star = '';
  }
  return declared;
}

/**
 * The names a function body binds (assignment targets, loop variables, defs and classes): its
 * locals, less those declared `global` or `nonlocal`. Read statement by statement, into compound
 * statements' blocks but never into expressions (nor into nested defs: another scope).
 */
function localNames(body: SyntaxNode, text: string): ReadonlySet<string> {
  const src = (node: SyntaxNode): string => text.slice(node.from, node.to);
  const names = new Set<string>();
  const outer: string[] = [];
  const collect = (target: SyntaxNode): void => {
    if (target.name === 'VariableName') names.add(src(target));
    else if (target.name === 'TupleExpression' || target.name === 'ArrayExpression' || target.name === 'ParenthesizedExpression') {
      for (let t = target.firstChild; t; t = t.nextSibling) collect(t);
    }
  };
  const block = (container: SyntaxNode): void => {
    for (let statement = container.firstChild; statement; statement = statement.nextSibling) {
      switch (statement.name) {
        case 'AssignStatement':
          for (const group of assignmentParts(statement).targets) group.forEach(collect);
          break;
        case 'UpdateStatement': {
          const target = statement.firstChild;
          if (target) collect(target);
          break;
        }
        case 'FunctionDefinition':
        case 'ClassDefinition': {
          const name = statement.getChild('VariableName');
          if (name) names.add(src(name));
          break;
        }
        case 'DecoratedStatement': {
          const name = statement.lastChild?.getChild('VariableName');
          if (name) names.add(src(name));
          break;
        }
        case 'ScopeStatement':
          for (let c = statement.firstChild; c; c = c.nextSibling) if (c.name === 'VariableName') outer.push(src(c));
          break;
        case 'ForStatement': {
          const target = statement.getChild('for')?.nextSibling;
          if (target) collect(target);
          block(statement);
          break;
        }
        case 'Body':
          block(statement);
          break;
        default:
          // if / while / try / with: their blocks are Body children.
          if (statement.type.is('Statement')) block(statement);
      }
    }
  };
  block(body);
  for (const name of outer) names.delete(name);
  return names;
}

/**
 * `copy.copy(x)` / `copy.deepcopy(x)` of a value whose copy Conv Lab can make: a new list or dict
 * (a shallow copy shares the items; a deep one copies the lists and dicts inside too, so that a
 * change to the original's never shows in the copy), an immutable value itself.
 */
function copiedValue(v: Value, deep: boolean): Value {
  const item = (x: Value): Value => (deep ? copiedValue(x, true) : x);
  switch (v.kind) {
    case 'list': return { kind: 'list', items: v.items.map(item) };
    case 'tuple': return deep ? { kind: 'tuple', items: v.items.map(item) } : v;
    case 'dict': return v.argparse ? v : { kind: 'dict', entries: new Map([...v.entries].map(([k, x]) => [k, item(x)])) };
    case 'int': case 'float': case 'bool': case 'str': case 'none': case 'dtype': case 'path': case 'tensor':
      return v;
    default: return UNKNOWN;
  }
}

/** What a trace calls a callee: modules by identity, library functions by path; what a call of anything else does is not followed. */
function tracedCallee(callee: Value): TracedCallee {
  if (callee.kind === 'instance') return { kind: 'module', module: callee };
  if (callee.kind === 'layer') return { kind: 'module', module: callee.layer };
  if (callee.kind === 'path') return { kind: 'library', path: callee.path };
  if (callee.kind === 'method' && callee.self.kind === 'tensor') return { kind: 'library', path: `torch.Tensor.${callee.name}` };
  // The file's own functions and classes run inside the call: what they call is traced.
  if (callee.kind === 'function' || callee.kind === 'class' || callee.kind === 'method') return { kind: 'code' };
  return { kind: 'unfollowed' };
}

/** `nn.Parameter(t)`: the tensor, known to be a parameter (what a module counts, unlike a buffer or a plain attribute). */
function asParameter(args: CallArgs): Value {
  const value = args.positional[0] ?? args.keywords.get('data');
  const requiresGrad = knownFlag(args.positional[1] ?? args.keywords.get('requires_grad'), true);
  return value?.kind === 'tensor' ? { ...value, parameter: 'created', requiresGrad } : (value ?? UNKNOWN);
}

/** A library path's value: a constant (`math.pi`), a dtype (`torch.float64`), or a path to call or read further. */
function pathMember(path: string): Value {
  const dtype = dtypeOfPath(path);
  return CONSTANTS.get(path) ?? (dtype ? { kind: 'dtype', ...dtype } : { kind: 'path', path });
}

/** A parameter no call gives a value: a named unknown (its sizes are symbols) that says why. */
function parameterUnknown(name: string, symbolic: boolean, site: ReturnType<Machine['siteOf']>): Value {
  return {
    kind: 'unknown',
    name: symbolic ? name : undefined,
    why: { code: 'not-static', message: `cannot evaluate '${name}' statically: it is a parameter: its value is only known at a call site`, site },
  };
}

/** The default value expression of a parameter: the node after its `=`. */
function defaultOf(param: SyntaxNode): SyntaxNode | undefined {
  let next = param.nextSibling;
  if (next?.name === 'TypeDef') next = next.nextSibling;
  if (next?.name !== 'AssignOp') return undefined;
  return next.nextSibling ?? undefined;
}

/** `conv.weight`, `conv.out_channels`, `linear.in_features`... */
function layerAttribute(layer: Layer, name: string, defaultDtype: 'float32' | 'float64'): Value | undefined {
  if (layer.type === 'conv') {
    switch (name) {
      case 'weight': return layerParameter(layer, 'weight', defaultDtype);
      case 'bias': return layer.bias ? layerParameter(layer, 'bias', defaultDtype) : NONE;
      case 'in_channels': return intOf(layer.inChannels);
      case 'out_channels': return intOf(layer.outChannels);
      case 'kernel_size': return tupleOf(layer.kernelSize.map(intOf));
      case 'groups': return intOf(layer.args.groups ?? 1);
      case 'stride':
      case 'padding':
      case 'dilation': {
        const v = layer.args[name];
        return typeof v === 'string' ? { kind: 'str', value: v } : tupleOf((v as readonly number[]).map(intOf));
      }
    }
  }
  if (layer.type === 'linear') {
    switch (name) {
      case 'weight': return layer.weight ?? { kind: 'tensor', shape: [layer.outFeatures, layer.inFeatures ?? UNKNOWN_DIM], dtype: defaultDtype, why: PLACEHOLDER };
      case 'bias': return layer.bias ? { kind: 'tensor', shape: [layer.outFeatures], dtype: defaultDtype } : NONE;
      case 'in_features': return intOf(layer.inFeatures);
      case 'out_features': return intOf(layer.outFeatures);
    }
  }
  if (layer.type === 'batchNorm' && name === 'num_features') return intOf(layer.numFeatures);
  if (layer.type === 'embedding' && name === 'embedding_dim') return intOf(layer.embeddingDim);
  return undefined;
}
