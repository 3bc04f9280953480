// The model summary (torchinfo's `summary(model, input_size)`, without running Python): from the
// calls a run traced (interpreter/callTrace.ts), the rows of one call of an nn.Module — each
// module it called and each matrix-multiplying library op (`F.conv2d`, `torch.matmul`, `@`,
// `F.linear`) as a row, nested as the calls nest, named as `named_modules()` names them — with
// shapes in and out, kernel, groups, parameters, multiply-accumulates, trainable, the receptive
// field of conv-like layers; and the totals. A number Conv Lab cannot be sure of is undefined
// (unknown), never a guess.
//
// Definitions (scripts/golden/gen_summary.py computes the same under PyTorch):
// - parameters of a row: those the module holds itself (`parameters(recurse=False)`), so the
//   column adds up to the total; a module reached under several names, or called again, is counted
//   once in the totals (PyTorch's `parameters()` lists a shared parameter once).
// - MACs (multiply-accumulates) of a row, per call, batch included:
//   conv: output elements × in_channels/groups × kernel taps;
//   transposed conv: input elements × out_channels/groups × kernel taps (each input element is
//   scattered through the kernel once; not the output size, which overcounts);
//   linear: output elements × in_features; matmul / `@` / mm / bmm / mv / dot: output elements ×
//   the contracted size. Every other layer (norms, activations, pools, ...) counts 0: its work is
//   not multiply-accumulates. FLOPs = 2 × MACs. RNN / GRU / LSTM: each weight element once per time
//   step and batch element (the input's elements over its feature size); biases not counted.
// - memory, in MB of 10^6 bytes as torchinfo prints them, at each tensor's dtype (float32 unless
//   the analysis knows another): input = the model input's bytes; forward activations = the
//   output bytes of every leaf row (a row with no rows under it), every call counted (torchinfo's
//   "forward/backward pass size" is twice this, for the gradients); parameters = the total
//   parameters' bytes; total = their sum.
import { opMacs } from '../../core/plan';
import { convWindows, INPUT_FIELD, throughWindow, type ReceptiveField, type WindowStep } from '../../core/receptiveField';
import type { DType } from '../../core/tensor';
import type { OpName } from '../../core/vocabulary';
import type { ShapeAnalysis } from '../interpreter/analysis';
import { ANY_MODULE, type CallTrace, type TracedCall } from '../interpreter/callTrace';
import { allKnown, productOfDims, type Dim } from '../interpreter/dim';
import type { ClassValue, InstanceValue, Layer, TensorValue, Value } from '../interpreter/values';
import { applyConvLayer, convWeightShape } from '../rules/conv';
import { layerParameterCount } from '../rules/nn';
import { recurrentMacs } from '../rules/recurrent';

export type Module = InstanceValue | Layer;

export interface SummaryRow {
  /** As `named_modules()` names it ('' for the model itself); an op's row is named by the op (`F.conv2d`). */
  readonly name: string;
  /** The module's class (`Conv2d`, `ResNet`), or the op (`conv2d`, `matmul`). */
  readonly type: string;
  readonly kind: 'module' | 'op';
  /** 0 for the model, 1 for what its forward calls, ... */
  readonly depth: number;
  readonly input: readonly Dim[] | undefined;
  readonly output: readonly Dim[] | undefined;
  readonly kernel: readonly number[] | undefined;
  readonly groups: number | undefined;
  /** The parameters the module holds itself (0 for an op). */
  readonly parameters: number | undefined;
  /** Whether those parameters train: undefined when some code may have changed `requires_grad`, or there are none. */
  readonly trainable: boolean | undefined;
  readonly macs: number | undefined;
  /** Per spatial dim, in the model input's elements; conv and pool layers only, when their input's is known. */
  readonly receptiveField: readonly ReceptiveField[] | undefined;
  /** The module's other names (a module registered twice is one module). */
  readonly aliases: readonly string[];
  /** Called before in this forward: its parameters are counted at its first call. */
  readonly reused: boolean;
  /** On a path the analysis cannot tell runs (a branch on an unknown condition). */
  readonly uncertain: boolean;
  /** 1-based line of the call in the file analysed, when it is there. */
  readonly line: number | undefined;
  /** Where the call starts in the file analysed (an offset), when it is there: the editor reveals it. */
  readonly from: number | undefined;
}

export interface SummaryTotals {
  readonly parameters: number | undefined;
  readonly trainable: number | undefined;
  readonly nonTrainable: number | undefined;
  readonly macs: number | undefined;
  /** Bytes. */
  readonly inputBytes: number | undefined;
  readonly activationBytes: number | undefined;
  readonly parameterBytes: number | undefined;
  readonly totalBytes: number | undefined;
}

export interface ModelSummary {
  /** The model's class. */
  readonly model: string;
  readonly input: readonly Dim[] | undefined;
  readonly rows: readonly SummaryRow[];
  readonly totals: SummaryTotals;
  /** Why a total is not known, for people. */
  readonly notes: readonly string[];
}

/** A call of a module no other module's call holds: a model the file builds and calls. */
export interface ModelCall {
  readonly call: TracedCall;
  readonly module: Module;
  /** The class's name (`ResNet`, `Sequential`). */
  readonly className: string;
  /** The callee as written at the call (`model`, `net.encoder`), when the call is in the file analysed. */
  readonly callee: string | undefined;
  readonly line: number | undefined;
}

/** The outermost module calls of a run, in the order they ran. */
export function modelCalls(trace: CallTrace, analysis: ShapeAnalysis): ModelCall[] {
  const found: ModelCall[] = [];
  const visit = (calls: readonly TracedCall[]): void => {
    for (const call of calls) {
      if (call.callee.kind === 'module') {
        const span = analysis.spanOf(call.site);
        const text = span ? analysis.doc.textOf(span) : undefined;
        const open = text?.indexOf('(') ?? -1;
        found.push({
          call, module: call.callee.module, className: moduleType(call.callee.module),
          callee: text !== undefined && open > 0 ? text.slice(0, open).trim() : undefined,
          line: span ? analysis.doc.lineColumnAt(span.from).line : undefined,
        });
      } else visit(call.children);
    }
  };
  visit(trace.roots);
  return found;
}

/** A model's first call whose input shape is known (else its first), each model once. */
export function oneCallPerModel(calls: readonly ModelCall[]): ModelCall[] {
  const chosen = new Map<ModelCall['module'], ModelCall>();
  for (const call of calls) {
    const known = inputOf(call)?.shape !== undefined;
    const before = chosen.get(call.module);
    if (!before || (known && inputOf(before)?.shape === undefined)) chosen.set(call.module, call);
  }
  return [...chosen.values()];
}

/** The tensor a model call was given, when it was one. */
export function inputOf(call: ModelCall): TensorValue | undefined {
  const input = call.call.positional[0] ?? call.call.keywords.get('input');
  return input?.kind === 'tensor' ? input : undefined;
}

/**
 * The source with a call of the model `expression` on zeros of `inputSize` appended (the summary
 * for a size the user gives), and how many lines the source had: the model calls past them are
 * the appended one's.
 */
export function withModelCall(source: string, expression: string, inputSize: readonly number[]): { source: string; lines: number } {
  return { source: `${source}\nimport torch as _conv_lab_torch\n${expression}(_conv_lab_torch.zeros(${inputSize.join(', ')}))\n`, lines: source.split('\n').length };
}

/** PyTorch's class name of a module. */
export function moduleType(module: Module): string {
  if ('kind' in module) return module.cls.name;
  switch (module.type) {
    case 'conv':
    case 'pool':
    case 'container':
    case 'elementwise':
      return module.name;
    case 'recurrent':
      return module.mode;
    case 'batchNorm':
      return `BatchNorm${module.spatialDims}d`;
    case 'unpool':
      return `MaxUnpool${module.spatialDims}d`;
    default:
      return LAYER_CLASSES[module.type];
  }
}

/** The class of a layer whose record does not keep it (an adaptive pool's max or avg, a pad's mode): a name that says what it is. */
const LAYER_CLASSES: Record<Exclude<Layer['type'], 'conv' | 'pool' | 'container' | 'elementwise' | 'recurrent' | 'batchNorm' | 'unpool'>, string> = {
  linear: 'Linear', adaptivePool: 'AdaptivePool', flatten: 'Flatten', unflatten: 'Unflatten',
  layerNorm: 'LayerNorm', upsample: 'Upsample', pixelShuffle: 'PixelShuffle', embedding: 'Embedding', loss: 'Loss', pad: 'Pad',
};

// ---------------------------------------------------------------------------------------------
// The module tree: names as `named_modules()` gives them (registration order, each module once).

interface ModuleTree {
  /** Every name of each module, the first being `named_modules()`'s. */
  readonly names: Map<Module, string[]>;
  /** A registered child whose value is not known (it may hold parameters). */
  readonly unknownChildren: string[];
}

function moduleOf(v: Value | undefined): Module | undefined {
  if (v?.kind === 'instance') return v;
  if (v?.kind === 'layer') return v.layer;
  return undefined;
}

/** The modules an nn.Module registers, by name: attributes holding modules (a list is not registered), a container's children. */
function childrenOf(module: Module): [string, Value][] {
  if ('kind' in module) {
    const children: [string, Value][] = [];
    for (const [key, value] of module.attributes) {
      if (key === '__container__' && value.kind === 'layer') children.push(...childrenOf(value.layer));
      else if (value.kind === 'instance' || value.kind === 'layer' || value.kind === 'unknown') children.push([key, value]);
    }
    return children;
  }
  if (module.type !== 'container') return [];
  return module.children.map((child, i) => [module.keys[i] ?? String(i), child]);
}

function moduleTree(root: Module): ModuleTree {
  const names = new Map<Module, string[]>();
  const unknownChildren: string[] = [];
  const visit = (module: Module, name: string): void => {
    const known = names.get(module);
    if (known) {
      known.push(name);
      return;
    }
    names.set(module, [name]);
    for (const [key, child] of childrenOf(module)) {
      const childName = name === '' ? key : `${name}.${key}`;
      const found = moduleOf(child);
      if (found) visit(found, childName);
      else unknownChildren.push(childName);
    }
  };
  visit(root, '');
  return { names, unknownChildren };
}

/** The parameters a module holds itself, and how many of them train (undefined: not known). */
function ownParameters(module: Module, trace: CallTrace): { count: number | undefined; trainable: number | undefined } {
  if (!('kind' in module)) {
    const count = trace.reassigned.has(module) ? undefined : layerParameterCount(module);
    return { count, trainable: count };
  }
  // A library base other than nn.Module (nn.Transformer, nn.Conv2d) makes parameters in its own __init__, not read here.
  if (hasLibraryBaseWithParameters(module.cls)) return { count: undefined, trainable: undefined };
  let count: number | undefined = 0;
  let trainable: number | undefined = 0;
  for (const [key, value] of module.attributes) {
    if (key === '__container__' || value.kind !== 'tensor' && value.kind !== 'unknown') continue;
    // An attribute not known may be a parameter; one read from another module is a tied one, counted there.
    if (value.kind === 'unknown' || value.parameter === 'read') return { count: undefined, trainable: undefined };
    if (value.parameter !== 'created') continue;
    const size = value.shape && allKnown(value.shape) ? (productOfDims(value.shape) as number) : undefined;
    count = count === undefined || size === undefined ? undefined : count + size;
    if (value.requiresGrad !== false) trainable = trainable === undefined || size === undefined ? undefined : trainable + size;
    if (value.requiresGrad === undefined) trainable = undefined;
  }
  return { count, trainable };
}

/** Library bases whose own parameters are none (a container's are its children's, in the module tree). */
const PARAMETERLESS_BASES = new Set(['torch.nn.Module', 'torch.nn.modules.module.Module', 'torch.nn.Sequential', 'torch.nn.ModuleList', 'torch.nn.ModuleDict']);

function hasLibraryBaseWithParameters(cls: ClassValue): boolean {
  return cls.bases.some((base) => (base.kind === 'class' ? hasLibraryBaseWithParameters(base) : base.kind !== 'path' || !PARAMETERLESS_BASES.has(base.path)));
}

// ---------------------------------------------------------------------------------------------
// MACs.

const MATMUL_OPS = new Set(['operator.matmul', 'torch.matmul', 'torch.mm', 'torch.bmm', 'torch.mv', 'torch.dot', 'torch.Tensor.matmul', 'torch.Tensor.mm', 'torch.Tensor.bmm', 'torch.Tensor.mv', 'torch.Tensor.dot']);
const CONV_OPS = /^torch\.(?:nn\.functional\.)?(conv(?:_transpose)?[123]d)$/;
const LINEAR_OPS = new Set(['torch.nn.functional.linear']);
/** Library ops that multiply-accumulate whose count is not worked out here: their rows say unknown. */
const UNCOUNTED_OPS = /^torch\.(?:Tensor\.)?(?:addmm|addbmm|baddbmm|addmv|addr|einsum|tensordot|bilinear|chain_matmul|linalg\.multi_dot|inner|outer|cdist|nn\.functional\.(?:bilinear|multi_head_attention_forward|scaled_dot_product_attention|unfold|fold))$/;

function tensorShape(v: Value | undefined): readonly Dim[] | undefined {
  return v?.kind === 'tensor' ? v.shape : undefined;
}

function numel(shape: readonly Dim[] | undefined): number | undefined {
  return shape && allKnown(shape) ? (productOfDims(shape) as number) : undefined;
}

/** A library call's op row name and MACs, or undefined when the call is not an op the summary shows. */
function libraryOp(path: string, call: TracedCall): { type: string; macs: number | undefined; input: readonly Dim[] | undefined; kernel?: readonly number[] | undefined; groups?: number | undefined } | undefined {
  const output = call.output?.kind === 'tensor' ? call.output : undefined;
  const conv = CONV_OPS.exec(path);
  if (conv) {
    const ran = output?.op;
    const input = ran?.input.shape;
    const weight = ran?.weight.shape;
    const out = output?.shape;
    const macs = input && weight && out && allKnown(input) && allKnown(weight) && allKnown(out) ? opMacs(conv[1] as OpName, input, weight, out) : undefined;
    return { type: conv[1] as string, macs, input: input ?? tensorShape(call.positional[0]), kernel: weight && allKnown(weight) ? weight.slice(2) : undefined, groups: typeof ran?.args.groups === 'number' ? ran.args.groups : 1 };
  }
  if (LINEAR_OPS.has(path)) {
    const weight = tensorShape(call.positional[1] ?? call.keywords.get('weight'));
    const out = numel(output?.shape);
    const inFeatures = weight?.[1];
    return { type: 'linear', macs: out !== undefined && typeof inFeatures === 'number' ? out * inFeatures : undefined, input: tensorShape(call.positional[0] ?? call.keywords.get('input')) };
  }
  if (MATMUL_OPS.has(path)) {
    // The trace puts a tensor method's tensor first.
    const left = tensorShape(call.positional[0]);
    const contracted = left?.[left.length - 1];
    const out = numel(output?.shape);
    return { type: path === 'operator.matmul' ? '@' : path.replace(/^torch\.(Tensor\.)?/, ''), macs: out !== undefined && typeof contracted === 'number' ? out * contracted : undefined, input: left };
  }
  if (UNCOUNTED_OPS.test(path)) return { type: path.replace(/^torch\.(nn\.functional\.|Tensor\.)?/, ''), macs: undefined, input: tensorShape(call.positional[0]) };
  return undefined;
}

/** A layer call's MACs: from its input and output shapes when it counts any; `ran`: the call returned. */
function layerMacs(layer: Layer, input: readonly Dim[] | undefined, output: readonly Dim[] | undefined, ran: boolean): number | undefined {
  switch (layer.type) {
    case 'conv': {
      const weight = convWeightShape(layer);
      return input && output && allKnown(input) && allKnown(output) && allKnown(weight) ? opMacs(layer.op, input, weight, output) : undefined;
    }
    case 'linear': {
      const out = numel(output);
      return out !== undefined && typeof layer.inFeatures === 'number' ? out * layer.inFeatures : undefined;
    }
    case 'recurrent':
      return ran ? recurrentMacs(layer, input) : undefined;
    default:
      return ran ? 0 : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Receptive fields: followed through the rows, by the tensor each row gave.

/** Layers that keep every element where it was (a field passes through them unchanged). */
function keepsPositions(layer: Layer): boolean {
  return layer.type === 'elementwise' || layer.type === 'batchNorm';
}

function windowsOf(layer: Layer, input: readonly Dim[]): WindowStep[] | undefined {
  if (layer.type === 'conv' && !layer.transposed) {
    try {
      const geometry = applyConvLayer(layer, input, undefined).geometry;
      return geometry ? convWindows(geometry) : undefined;
    } catch {
      return undefined;
    }
  }
  if (layer.type === 'pool' && !layer.ceilMode) {
    return layer.kernel.map((k, d) => ({ effectiveKernel: (layer.dilation[d] ?? 1) * (k - 1) + 1, stride: layer.stride[d] ?? 1, padBefore: layer.padding[d] ?? 0 }));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The summary.

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1 };

function bytesOf(v: Value | undefined, fallback: DType): number | undefined {
  if (v?.kind === 'tensor') {
    const n = numel(v.shape);
    return n === undefined ? undefined : n * BYTES[v.dtype ?? fallback];
  }
  if (v?.kind === 'tuple' || v?.kind === 'list') return sumKnown(v.items.map((item) => bytesOf(item, fallback)));
  return undefined;
}

function sumKnown(values: readonly (number | undefined)[]): number | undefined {
  let sum = 0;
  for (const v of values) {
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum;
}

export interface SummaryOptions {
  /** Rows deeper than this are left out (their numbers still count in the totals). */
  readonly depth?: number | undefined;
  /** The parameters' dtype when nothing casts them: the analysis's default dtype. */
  readonly parameterDtype?: DType;
}

/** The summary of one traced call of a model. */
export function summarize(trace: CallTrace, analysis: ShapeAnalysis, model: ModelCall, options: SummaryOptions = {}): ModelSummary {
  const root = model.module;
  const tree = moduleTree(root);
  const parameterDtype = options.parameterDtype ?? 'float32';
  const notes: string[] = [];
  const rows: (SummaryRow & { leaf: boolean; outputBytes: number | undefined })[] = [];
  const sequentialBases = new Set<Module>([...tree.names.keys()].flatMap((m) => {
    const base = 'kind' in m ? m.attributes.get('__container__') : undefined;
    return base?.kind === 'layer' ? [base.layer] : [];
  }));
  const fields = new Map<TensorValue, readonly ReceptiveField[]>();
  const called = new Set<Module>();
  const frozen = (module: Module): boolean => trace.frozen.has(ANY_MODULE) || [...trace.frozen].some((f) => f !== ANY_MODULE && (f === module || (tree.names.get(f)?.length ?? 0) > 0 && isUnder(tree, module, f)));
  let unfollowed = false;
  let uncertain = false;
  const input = model.call.positional[0] ?? model.call.keywords.get('input');
  if (input?.kind === 'tensor' && input.shape && input.shape.length > 2) fields.set(input, input.shape.slice(2).map(() => INPUT_FIELD));
  const placeOf = (call: TracedCall): { line: number | undefined; from: number | undefined } => {
    const span = analysis.spanOf(call.site);
    return span ? { line: analysis.doc.lineColumnAt(span.from).line, from: span.from } : { line: undefined, from: undefined };
  };

  const addRow = (call: TracedCall, depth: number): void => {
    const callee = call.callee;
    const output = call.output?.kind === 'tensor' ? call.output : undefined;
    if (call.uncertain) uncertain = true;
    if (callee.kind === 'unfollowed') {
      unfollowed = true;
      return;
    }
    // A call whose result is not known may have stopped anywhere, or be something not followed at
    // all (`self.encoder(...)` where an nn.Transformer base made `encoder`): what it ran is not all known.
    const known = call.output !== undefined && call.output.kind !== 'unknown' && !(call.output.kind === 'tensor' && call.output.shape === undefined);
    if (callee.kind === 'code' && !known) unfollowed = true;
    // An nn.Sequential subclass's call runs the Sequential it is: one module, one row.
    if (callee.kind === 'code' || (callee.kind === 'module' && sequentialBases.has(callee.module))) {
      for (const child of call.children) addRow(child, depth);
      return;
    }
    if (callee.kind === 'library') {
      const op = libraryOp(callee.path, call);
      // Other library calls are not rows; what they run inside (F.max_pool2d's pool) is the library's own.
      if (!op) {
        if (!known) unfollowed = true;
        return;
      }
      rows.push({
        name: callee.path === 'operator.matmul' ? '@' : callee.path.replace(/^torch\.nn\.functional\./, 'F.').replace(/^torch\.Tensor\./, 'Tensor.'),
        type: op.type, kind: 'op', depth, input: op.input, output: output?.shape, kernel: op.kernel, groups: op.groups,
        parameters: 0, trainable: undefined, macs: call.output ? op.macs : undefined, receptiveField: undefined,
        aliases: [], reused: false, uncertain: call.uncertain, ...placeOf(call), leaf: true, outputBytes: bytesOf(call.output, parameterDtype),
      });
      return;
    }
    const module = callee.module;
    // A module call whose result is not known may have stopped anywhere: what it ran is not all known.
    if (call.output === undefined || call.output.kind === 'unknown') unfollowed = true;
    const names = tree.names.get(module);
    const inputValue = call.positional[0] ?? call.keywords.get('input');
    const inputShape = tensorShape(inputValue);
    const layer = 'kind' in module ? undefined : module;
    const own = ownParameters(module, trace);
    const reused = called.has(module);
    called.add(module);
    let receptiveField: readonly ReceptiveField[] | undefined;
    const inputField = inputValue?.kind === 'tensor' ? fields.get(inputValue) : undefined;
    if (layer && inputField && inputShape) {
      const windows = windowsOf(layer, inputShape);
      receptiveField = windows?.length === inputField.length ? inputField.map((f, d) => throughWindow(f, windows[d] as WindowStep)) : undefined;
      const passed = receptiveField ?? (keepsPositions(layer) ? inputField : undefined);
      if (passed && output) fields.set(output, passed);
    }
    const at = rows.length;
    rows.push({
      name: names?.[0] ?? '(not registered)', type: moduleType(module), kind: 'module', depth, input: inputShape, output: output?.shape,
      kernel: layer?.type === 'conv' ? layer.kernelSize : layer?.type === 'pool' ? layer.kernel : undefined,
      groups: layer?.type === 'conv' ? (layer.args.groups ?? 1) : undefined,
      parameters: own.count, trainable: own.count === 0 || frozen(module) ? undefined : own.trainable === own.count ? true : own.trainable === 0 ? false : undefined,
      macs: layer ? layerMacs(layer, inputShape, output?.shape, call.output !== undefined) : call.output ? 0 : undefined,
      receptiveField, aliases: names?.slice(1) ?? [], reused, uncertain: call.uncertain, ...placeOf(call), leaf: true, outputBytes: bytesOf(call.output, parameterDtype),
    });
    for (const child of call.children) addRow(child, depth + 1);
    if (rows.length > at + 1) (rows[at] as { leaf: boolean }).leaf = false;
  };
  addRow(model.call, 0);

  // Totals: each module of the tree once, called or not (PyTorch's `parameters()`).
  let parameters: number | undefined = 0;
  let trainable: number | undefined = 0;
  for (const module of tree.names.keys()) {
    const own = ownParameters(module, trace);
    parameters = parameters === undefined || own.count === undefined ? undefined : parameters + own.count;
    trainable = trainable === undefined || own.trainable === undefined || (own.count !== 0 && frozen(module)) ? undefined : trainable + own.trainable;
  }
  if (tree.unknownChildren.length > 0) {
    parameters = trainable = undefined;
    notes.push(`not known: the module${tree.unknownChildren.length === 1 ? '' : 's'} ${tree.unknownChildren.slice(0, 4).join(', ')}`);
  }
  if (parameters === undefined) notes.push('parameters: some module\'s count is not known');
  else if (trainable === undefined) notes.push('trainable: the file may change requires_grad in a way not followed');
  const macs = unfollowed || uncertain ? undefined : sumKnown(rows.map((r) => r.macs));
  if (unfollowed) notes.push('MACs: the forward calls something Conv Lab does not follow, or a call\'s result is not known');
  else if (uncertain) notes.push('MACs: some calls are on a path the analysis cannot tell runs');
  else if (macs === undefined) notes.push('MACs: some row\'s count is not known');
  const recast = [...tree.names.keys()].some((m) => trace.recast.has(m));
  const inputBytes = bytesOf(input, parameterDtype);
  const activationBytes = unfollowed || uncertain ? undefined : sumKnown(rows.filter((r) => r.leaf).map((r) => r.outputBytes));
  const parameterBytes = parameters === undefined || recast ? undefined : parameters * BYTES[parameterDtype];
  if (recast) notes.push('parameter memory: the model is cast (.to / .double / .half), to a dtype not followed');
  const depthLimit = options.depth ?? Infinity;
  return {
    model: model.className,
    input: tensorShape(input),
    rows: rows.filter((r) => r.depth <= depthLimit).map(({ leaf: _leaf, outputBytes: _bytes, ...row }) => row),
    totals: {
      parameters, trainable, nonTrainable: parameters === undefined || trainable === undefined ? undefined : parameters - trainable, macs,
      inputBytes, activationBytes, parameterBytes, totalBytes: sumKnown([inputBytes, activationBytes, parameterBytes]),
    },
    notes,
  };
}

/** Whether `module` is registered under `ancestor`. */
function isUnder(tree: ModuleTree, module: Module, ancestor: Module): boolean {
  const prefixes = tree.names.get(ancestor) ?? [];
  return (tree.names.get(module) ?? []).some((name) => prefixes.some((p) => p === '' || name === p || name.startsWith(`${p}.`)));
}
