import { seedDatabase } from '../../core/database/seed.js';
import type { CommandContext } from '../../context.js';
import type { Input } from '../action.js';

export async function run(ctx: CommandContext, _input: Input<[], {}>): Promise<void> {
  const db = await ctx.db();
  const results = await seedDatabase(db, ctx.clock);
  ctx.out.result(results, (rs) => {
    for (const r of rs) {
      ctx.out.line(`${r.name}: ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`);
    }
  });
}
