import type { Ctx } from './ctx';

/** Commands as data: id → factory taking the context. `package.json` declares the same ids. */
export const commands: Record<string, (ctx: Ctx) => (...args: never[]) => unknown> = {
  'convLab.showLog': (ctx) => () => ctx.log.show(),
};
