// Conv Lab's reading of Python source, without running it (pure TypeScript, no `vscode`): one
// interpreter that every client asks, in four folders:
//   syntax/       the text: a document parsed by @lezer/python (and the fast first parse), re-parsed
//                 incrementally after edits; the expression a selection means; `# %%` cells
//   interpreter/  the one interpreter: the value domain (a tensor's dtype, shape and, when known,
//                 elements), statements, expressions, calls, what paths merge to, the incremental
//                 bookkeeping, and the analysis every client reads
//   rules/        what torch, torch.nn, torch.nn.functional, NumPy and Python's builtins do: one
//                 rule per op, shapes and elements, and every message they raise (messages.ts)
//   features/     what the editor and the CLI show: hovers, inlay hints, quick fixes, selections
//                 evaluated to tensors, replayed cells, kernel choices, pre-filled arguments, reports
export { PythonDocument, textDifference, type LineColumn, type Span, type TextEdit } from './syntax/document';
export { percentCells, wholeCellStatements } from './syntax/cells';
export { NotebookError, notebookSource } from './notebook';
export { analyzeShapes, type AnalysisOptions, type LocatedDiagnostic, type ShapeAnalysis, type ShapeBinding } from './interpreter/analysis';
export { checkerboardHints, type LintHint, type LintSettings } from './features/checkerboard';
export { evaluateExpressions, evaluateTensorExpression, expressionAt, TypedExpressions, type EvaluatedTensor, type Evaluation, type EvaluateOptions, type SourceError } from './features/evaluation';
export { hoverAt, type Hover } from './features/hover';
export { inlayHints, type InlayHint, type InlayHintsMode } from './features/inlayHints';
export { kernelChoices, type KernelChoice } from './features/kernelChoices';
export { convCallAt, layerAtOffset } from './features/layerAt';
export { nearestLayerArguments, type LayerArguments, type LayerKind } from './features/layerArgs';
export { quickFixes, type QuickFix } from './features/quickFixes';
export { replayStatements, type ReplayOutcome, type ReplayStep } from './features/replay';
export { analysisJson, analysisText, reportJson, reportText, type ReportedFile } from './features/report';
