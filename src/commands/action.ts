// Wires a commander command to a verb module loaded on first use, so that `--help` and every other
// command never pay for the modules one command needs.
import type { Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../context.js';
import type { Runtime } from './runtime.js';

export interface Input<Args extends unknown[] = string[], Opts = Record<string, unknown>> {
  args: Args;
  opts: Opts;
}

export type VerbModule = { run(ctx: CommandContext, input: Input<any, any>): Promise<void> };

export function lazy(runtime: Runtime, load: () => Promise<VerbModule>) {
  return async (...received: unknown[]): Promise<void> => {
    const command = received[received.length - 1] as Command;
    const args = received.slice(0, -2);
    const all = command.optsWithGlobals<Record<string, unknown> & GlobalOptions>();
    const globals: GlobalOptions = {
      db: all.db,
      json: Boolean(all.json),
      color: all.color !== false,
      yes: Boolean(all.yes),
      verbose: Boolean(all.verbose),
    };
    const { createContext } = await import('../context.js');
    const ctx = createContext(runtime.io, globals, runtime.signal, runtime.overrides);
    try {
      const mod = await load();
      await mod.run(ctx, { args, opts: command.opts() });
      runtime.exitCode = ctx.exitCode;
    } finally {
      await ctx.close();
    }
  };
}
