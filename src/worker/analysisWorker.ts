// Shape-analysis worker (bundled to dist/analysis.js): keeps the host's Python programs parsed,
// analyses each version once (a per-version cache, each analysis building on the one before it,
// so an edit re-runs only the statements it can affect), and answers hovers, inlay hints,
// diagnostics and quick fixes from that one analysis, so the extension host never waits on a parse.
import { parentPort } from 'node:worker_threads';
import { isTorchError } from '../core/errors';
import { PythonDocument, textDifference } from '../python/parse';
import { analyzeShapes, type ShapeAnalysis } from '../python/shapes/analyze';
import { shapeText, allKnown } from '../python/shapes/dim';
import { hoverAt, inlayHints, layerAtOffset, quickFixes } from '../python/shapes/editor';
import { applyConvLayer, convWeightShape } from '../python/shapes/layers';
import type { AnalysisHostEndpoint, FromAnalysisMessage, LayerOp, SyncMessage, ToAnalysisMessage } from '../protocol/analysis';
import { HOVER_LINK_PLACEHOLDERS } from '../protocol/analysis';
import { RpcEndpoint } from '../protocol/rpc';

interface Program {
  version: number;
  doc: PythonDocument;
  analysis: ShapeAnalysis | undefined;
  /** The last analysis of an earlier version of `doc`, which the next analysis builds on. */
  previous: ShapeAnalysis | undefined;
  analysisMs: number;
}

const programs = new Map<string, Program>();

/**
 * Brings a program to the host's text: by the host's edits when they apply to the version the
 * worker has, otherwise (notebooks, which are sent whole, or edits that do not reproduce the
 * text) by the one edit between the texts. Either way the program is re-parsed incrementally
 * and its next analysis builds on the last one.
 */
function sync(message: SyncMessage): FromAnalysisMessage {
  const existing = programs.get(message.key);
  if (!existing) {
    programs.set(message.key, { version: message.version, doc: new PythonDocument(message.text), analysis: undefined, previous: undefined, analysisMs: 0 });
    return { type: 'synced', key: message.key, version: message.version, incremental: false };
  }
  const { doc } = existing;
  if (message.edits && message.baseVersion === existing.version) {
    try {
      for (const edit of message.edits) doc.edit([edit]);
    } catch {
      // Edits that do not fit the text: the difference below brings it to the host's text.
    }
  }
  if (doc.text !== message.text) doc.edit([textDifference(doc.text, message.text)]);
  const previous = existing.analysis ?? existing.previous;
  programs.set(message.key, { version: message.version, doc, analysis: undefined, previous, analysisMs: 0 });
  return { type: 'synced', key: message.key, version: message.version, incremental: true };
}

/** The analysis of the version asked about (computed once per version). */
function analysisOf(key: string, version: number): Program & { analysis: ShapeAnalysis } {
  const program = programs.get(key);
  if (!program || program.version !== version) throw new Error(`program ${key} is not at version ${version}`);
  if (!program.analysis) {
    const started = performance.now();
    program.analysis = analyzeShapes(program.doc, { timeBudgetMs: 1_000 }, program.previous);
    program.previous = undefined;
    program.analysisMs = performance.now() - started;
  }
  return program as Program & { analysis: ShapeAnalysis };
}

function layerOp(analysis: ShapeAnalysis, offset: number): { op: LayerOp | undefined; reason?: string } {
  const found = layerAtOffset(analysis, offset);
  if (!found || found.layer.type !== 'conv') return { op: undefined, reason: 'no conv layer here' };
  const layer = found.layer;
  const input = found.inputs.find((i) => i !== undefined && allKnown(i));
  if (!input || !allKnown(input)) return { op: undefined, reason: 'the input reaching this layer is not known statically' };
  const weight = convWeightShape(layer, input[input.length - layer.spatialDims - 1]);
  if (!allKnown(weight)) return { op: undefined, reason: 'its weight shape is not known' };
  try {
    applyConvLayer(layer, input, undefined);
  } catch (e) {
    // The input reaching it is one PyTorch refuses (the diagnostic at the call says so too).
    if (isTorchError(e)) return { op: undefined, reason: `PyTorch refuses the ${shapeText(input)} input that reaches it: ${e.toPythonString()}` };
    throw e;
  }
  return {
    op: {
      op: layer.op, inputShape: input, weightShape: weight, args: layer.args,
      layer: `nn.${layer.name}`, line: analysis.doc.lineColumnAt(found.site.from).line,
    },
  };
}

function handle(message: ToAnalysisMessage): FromAnalysisMessage {
  switch (message.type) {
    case 'sync':
      return sync(message);
    case 'close':
      programs.delete(message.key);
      return { type: 'synced', key: message.key, version: -1, incremental: false };
    case 'diagnostics': {
      const program = analysisOf(message.key, message.version);
      const diagnostics = program.analysis.diagnostics.map(({ from, to, line, column, code, message: text, kind, related }) => ({ from, to, line, column, code, message: text, kind, related }));
      return { type: 'diagnostics', diagnostics, analysisMs: program.analysisMs, truncated: program.analysis.truncated };
    }
    case 'inlayHints':
      return { type: 'inlayHints', hints: inlayHints(analysisOf(message.key, message.version).analysis, message.mode, message.range) };
    case 'hover':
      return { type: 'hover', hover: hoverAt(analysisOf(message.key, message.version).analysis, message.offset, { links: (kind) => HOVER_LINK_PLACEHOLDERS[kind] }) };
    case 'codeActions': {
      const { analysis } = analysisOf(message.key, message.version);
      const d = message.diagnostic;
      const diagnostic = analysis.diagnostics.find((x) => x.from === d.from && x.to === d.to && x.code === d.code && x.message === d.message);
      return { type: 'codeActions', fixes: diagnostic ? quickFixes(analysis, diagnostic) : [] };
    }
    case 'layerOp':
      return { type: 'layerOp', ...layerOp(analysisOf(message.key, message.version).analysis, message.offset) };
    case 'bindings': {
      const { analysis } = analysisOf(message.key, message.version);
      return { type: 'bindings', bindings: analysis.bindings.map((b) => ({ line: b.line, name: b.name, shape: b.shape ? shapeText(b.shape) : 'unknown' })) };
    }
  }
}

const port = parentPort;
if (port === null) throw new Error('dist/analysis.js must run in a worker thread');
const endpoint: AnalysisHostEndpoint = new RpcEndpoint<FromAnalysisMessage, ToAnalysisMessage>(
  (envelope) => port.postMessage(envelope),
  handle,
);
port.on('message', (envelope) => endpoint.handleMessage(envelope));
