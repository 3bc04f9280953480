import type { Ctx } from './ctx';
import { runNpy, type RunNpyArgs } from './runNpy';

/** Commands as data: id → factory taking the context. `package.json` declares the same ids. */
export const commands: Record<string, (ctx: Ctx) => (...args: never[]) => unknown> = {
  'convLab.showLog': (ctx) => () => ctx.log.show(),
  'convLab.openPanel': (ctx) => () => ctx.panel.open(),
  'convLab.runOnNpyFiles': (ctx) => (args?: RunNpyArgs) => runNpy(ctx, args),
};
