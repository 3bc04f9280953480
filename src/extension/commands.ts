import { checkShapes, runLayerAt, runOnRange, type RangeLinkArgs } from './analysis/commands';
import type { LayerLinkArgs } from './analysis/service';
import type { CommandFactory } from './ctx';
import { runNpy, type RunNpyArgs } from './runNpy';
import { openExample } from './walkthrough';
import { copyResult, insertResultAsLiteral } from './selection/lastResult';
import { showKernelMatrix } from './selection/kernelMatrix';
import { replaySelection } from './selection/replay';
import { runOnSelection, type RunSelectionArgs } from './selection/runSelection';

/** Commands as data: id → factory taking the context. `package.json` declares the same ids. */
export const commands: Readonly<Record<string, CommandFactory>> = {
  'convLab.showLog': (ctx) => () => ctx.log.show(),
  'convLab.openPanel': (ctx) => () => ctx.panel.open(),
  'convLab.openExample': (ctx) => () => openExample(ctx),
  'convLab.runOnNpyFiles': (ctx) => (args?: RunNpyArgs) => runNpy(ctx, args),
  'convLab.runConvOnSelection': (ctx) => (args?: RunSelectionArgs) => runOnSelection(ctx, 'conv', args),
  'convLab.runConvTransposeOnSelection': (ctx) => (args?: RunSelectionArgs) => runOnSelection(ctx, 'convTranspose', args),
  'convLab.corr2dOnSelection': (ctx) => (args?: RunSelectionArgs) => runOnSelection(ctx, 'corr2d', args),
  'convLab.showKernelMatrix': (ctx) => (args?: RunSelectionArgs) => showKernelMatrix(ctx, args),
  'convLab.replaySelection': (ctx) => () => replaySelection(ctx),
  'convLab.insertResultAsLiteral': (ctx) => (args?: { name?: string }) => insertResultAsLiteral(ctx, args),
  'convLab.copyResultAsPyTorch': (ctx) => () => copyResult(ctx, 'pytorch'),
  'convLab.copyResultAsNumpy': (ctx) => () => copyResult(ctx, 'numpy'),
  'convLab.checkShapes': (ctx) => () => checkShapes(ctx),
  'convLab.runLayerAt': (ctx) => (args?: LayerLinkArgs) => runLayerAt(ctx, args, false),
  'convLab.visualizeLayerAt': (ctx) => (args?: LayerLinkArgs) => runLayerAt(ctx, args, true),
  'convLab.runOnRange': () => (args?: RangeLinkArgs) => runOnRange(args),
  'convLab.showSummary': (ctx) => (args?: unknown) => ctx.summary.show(args),
  'convLab.showInputSizes': (ctx) => (args?: unknown) => ctx.inputSizes.show(args),
  'convLab.copySummaryAsMarkdown': (ctx) => () => ctx.summary.export('copyMarkdown'),
  'convLab.exportSummaryAsCsv': (ctx) => () => ctx.summary.export('saveCsv'),
};
