// nn.RNN, nn.LSTM and nn.GRU (PyTorch 1.13): the constructor's arguments, and what a call gives —
// `(output, h_n)`, or `(output, (h_n, c_n))` for an LSTM — with RNNBase's checks in its order:
// the hidden state's rank, the input's rank and feature size, then each hidden state's size.
import { isKnown, mulDims, type Dim } from '../interpreter/dim';
import { knownFlag, knownInt, sizeOf, tupleOf, type Layer, type TensorValue, type Value } from '../interpreter/values';
import type { Call } from './context';
import { messages } from './messages';

type RecurrentLayer = Extract<Layer, { type: 'recurrent' }>;

/** `nn.LSTM(input_size, hidden_size, num_layers, ...)`; 'unknown' when an argument that shapes the output is not known. */
export function recurrentLayer(call: Call, mode: RecurrentLayer['mode']): RecurrentLayer | 'unknown' {
  // nn.RNN moves a fourth positional argument to `nonlinearity`: only keywords are read past the third.
  if (mode === 'RNN' && call.positional.length > 3) return 'unknown';
  const b = call.bind([
    'input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout', 'bidirectional', 'proj_size', 'device', 'dtype', ...(mode === 'RNN' ? ['nonlinearity'] : []),
  ]);
  const inputSize = sizeOf(b.get('input_size'));
  const hiddenSize = sizeOf(b.get('hidden_size'));
  const numLayers = b.has('num_layers') ? knownInt(b.get('num_layers')) : 1;
  const batchFirst = knownFlag(b.get('batch_first'), false);
  const bidirectional = knownFlag(b.get('bidirectional'), false);
  const projSize = b.has('proj_size') ? knownInt(b.get('proj_size')) : 0;
  if (inputSize === undefined || hiddenSize === undefined || numLayers === undefined || batchFirst === undefined || bidirectional === undefined || projSize === undefined) return 'unknown';
  if (projSize !== 0 && mode !== 'LSTM') throw messages.projSizeNotLstm();
  if (projSize < 0) throw messages.projSizeNegative();
  if (projSize > 0 && isKnown(hiddenSize) && projSize >= hiddenSize) throw messages.projSizeTooLarge();
  return { type: 'recurrent', mode, inputSize, hiddenSize, numLayers, batchFirst, bidirectional, projSize, bias: knownFlag(b.get('bias'), true) };
}

const GATES: Record<RecurrentLayer['mode'], number> = { RNN: 1, GRU: 3, LSTM: 4 };

/**
 * The sizes of the weight matrices RNNBase makes, per layer and direction: `weight_ih_l{k}`
 * (gates·hidden × the layer's input), `weight_hh_l{k}` (gates·hidden × hidden, or × proj_size) and
 * an LSTM's `weight_hr_l{k}` (proj_size × hidden); undefined when a size is not known.
 */
function recurrentWeights(layer: RecurrentLayer): number[] | undefined {
  const { inputSize, hiddenSize, projSize } = layer;
  if (!isKnown(inputSize) || !isKnown(hiddenSize)) return undefined;
  const gated = GATES[layer.mode] * hiddenSize;
  const state = projSize > 0 ? projSize : hiddenSize;
  const directions = layer.bidirectional ? 2 : 1;
  const weights: number[] = [];
  for (let k = 0; k < layer.numLayers; k++) {
    const input = k === 0 ? inputSize : state * directions;
    for (let d = 0; d < directions; d++) weights.push(gated * input, gated * state, ...(projSize > 0 ? [projSize * hiddenSize] : []));
  }
  return weights;
}

/** `sum(p.numel() for p in lstm.parameters())`: the weights, and two bias vectors (gates·hidden) per layer and direction. */
export function recurrentParameterCount(layer: RecurrentLayer): number | undefined {
  const weights = recurrentWeights(layer);
  if (!weights || layer.bias === undefined || !isKnown(layer.hiddenSize)) return undefined;
  const biases = layer.bias ? 2 * GATES[layer.mode] * layer.hiddenSize * layer.numLayers * (layer.bidirectional ? 2 : 1) : 0;
  return weights.reduce((a, b) => a + b, 0) + biases;
}

/**
 * Multiply-accumulates of a call on `input`: every weight element multiplies once per time step
 * and batch element (the input's elements over its feature size); undefined when not known.
 */
export function recurrentMacs(layer: RecurrentLayer, input: readonly Dim[] | undefined): number | undefined {
  const weights = recurrentWeights(layer);
  if (!weights || !input || input.length < 2 || !input.every(isKnown)) return undefined;
  const tokens = (input as number[]).slice(0, -1).reduce((a, b) => a * b, 1);
  return tokens * weights.reduce((a, b) => a + b, 0);
}

/** `lstm(input, hx)`: the output and the final hidden state(s), shaped as PyTorch gives them. */
export function applyRecurrent(layer: RecurrentLayer, input: Value, hx: Value | undefined): Value {
  const dtype = input.kind === 'tensor' ? input.dtype : undefined;
  const tensor = (shape: readonly Dim[] | undefined): TensorValue => ({ kind: 'tensor', shape, dtype });
  const result = (out: readonly Dim[] | undefined, h: readonly Dim[] | undefined, c: readonly Dim[] | undefined): Value =>
    tupleOf([tensor(out), layer.mode === 'LSTM' ? tupleOf([tensor(h), tensor(c)]) : tensor(h)]);
  const shape = input.kind === 'tensor' ? input.shape : undefined;
  // The pair's structure is known even when the sizes are not: `out, (h, c) = lstm(x)` unpacks.
  if (!shape) return result(undefined, undefined, undefined);
  const batched = shape.length === 3;
  const states = hx === undefined || hx.kind === 'none' ? [] : layer.mode !== 'LSTM' ? [hx] : hx.kind === 'tuple' || hx.kind === 'list' ? hx.items : undefined;
  // An LSTM's state that is not a pair: PyTorch fails on it in a way not modelled.
  if (!states || (layer.mode === 'LSTM' && states.length !== 0 && states.length !== 2)) return result(undefined, undefined, undefined);
  const ranks = states.map((s) => (s.kind === 'tensor' ? s.shape?.length : undefined));
  if (ranks.every((r): r is number => r !== undefined) && ranks.some((r) => r !== (batched ? 3 : 2))) {
    throw messages.recurrentHiddenRank(batched, layer.mode === 'LSTM', ranks);
  }
  // An unbatched input is run as a batch of one.
  const unsqueezedRank = batched ? 3 : shape.length + 1;
  if (unsqueezedRank !== 3) throw messages.recurrentInputRank(unsqueezedRank);
  const features = shape[shape.length - 1] as Dim;
  if (isKnown(features) && isKnown(layer.inputSize) && features !== layer.inputSize) throw messages.recurrentInputSize(layer.inputSize, features);
  const directions = layer.bidirectional ? 2 : 1;
  const hiddenOut = layer.projSize > 0 ? layer.projSize : layer.hiddenSize;
  const [sequence, batch] = !batched ? [shape[0] as Dim, 1] : layer.batchFirst ? [shape[1] as Dim, shape[0] as Dim] : [shape[0] as Dim, shape[1] as Dim];
  const stateShape = (size: Dim): Dim[] => [directions * layer.numLayers, batch, size];
  states.forEach((state, i) => {
    const given = state.kind === 'tensor' ? state.shape : undefined;
    if (!given || given.length !== (batched ? 3 : 2)) return;
    const expected = stateShape(i === 0 ? hiddenOut : layer.hiddenSize);
    const actual = batched ? given : [given[0] as Dim, 1, given[1] as Dim];
    if (expected.some((d, k) => isKnown(d) && isKnown(actual[k] as Dim) && d !== actual[k])) throw messages.recurrentHiddenSize(layer.mode === 'LSTM' ? i : undefined, expected, actual);
  });
  const width = mulDims(hiddenOut, directions);
  const out = !batched ? [sequence, width] : layer.batchFirst ? [batch, sequence, width] : [sequence, batch, width];
  const drop = (s: Dim[]): Dim[] => (batched ? s : [s[0] as Dim, s[2] as Dim]);
  return result(out, drop(stateShape(hiddenOut)), drop(stateShape(layer.hiddenSize)));
}
