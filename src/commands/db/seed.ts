import { seedDatabase } from '../../core/database/seed.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.seed>): Promise<void> {
  const db = await ctx.db();
  const results = await seedDatabase(db, ctx.clock);
  ctx.out.result(results, (rs) => {
    for (const r of rs) {
      ctx.out.line(`${r.name}: ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`);
    }
  });
}
