// Conv Lab's reading of Python source without running it (pure TypeScript, no `vscode`):
//   parse.ts      one document parsed by @lezer/python, re-parsed incrementally after edits;
//                 the expression a selection or cursor means; the grammar's flat shapes regrouped
//   bindings.ts   which statement last bound a name before a point, per scope
//   evaluate.ts   the tensor an expression denotes (literals, factories, view chains, names)
//   literals.ts, library.ts, numpyFactories.ts, methods.ts, indexing.ts, assignment.ts,
//   arithmetic.ts, strided.ts, dtypes.ts: its parts
export { PythonDocument, expressionAtCursor, expressionCovering, type LineColumn, type Span, type TextEdit } from './parse';
export { evaluateTensorExpression, type EvaluatedTensor, type Evaluation, type EvaluateOptions, type SourceError } from './evaluate';
