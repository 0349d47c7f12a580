import { migrate } from '../../core/database/migrations.js';
import type { CommandContext } from '../../context.js';
import type { Input } from '../action.js';

export async function run(ctx: CommandContext, { opts }: Input<[], { dryRun?: boolean }>): Promise<void> {
  const db = await ctx.db({ requireMigrated: false, createIfMissing: !opts.dryRun });
  const result = await migrate(db, { dryRun: Boolean(opts.dryRun) });
  ctx.out.result(result, (r) => {
    for (const t of r.adopted) ctx.out.line(`kept existing table ${t.table} (${t.rows} rows)`);
    if (r.migrations.length === 0) {
      ctx.out.line(`${r.database}: up to date`);
      return;
    }
    const verb = r.dryRun ? 'would apply' : 'applied';
    for (const name of r.migrations) ctx.out.line(`${verb} ${name}`);
    ctx.out.line(`${r.database}: ${r.migrations.length} migration(s) ${r.dryRun ? 'pending' : 'applied'}`);
  });
}
