import { rollback } from '../../core/database/migrations.js';
import type { CommandContext } from '../../context.js';
import type { Input } from '../action.js';

export async function run(ctx: CommandContext, { opts }: Input<[], { force?: boolean; dryRun?: boolean }>): Promise<void> {
  const db = await ctx.db({ requireMigrated: false });
  const result = await rollback(db, { force: Boolean(opts.force), dryRun: Boolean(opts.dryRun) });
  ctx.out.result(result, (r) => {
    if (r.migrations.length === 0) {
      ctx.out.line('nothing to roll back');
      return;
    }
    const verb = opts.dryRun ? 'would undo' : 'undid';
    for (const name of r.migrations) ctx.out.line(`${verb} ${name}`);
    for (const t of r.droppedTables) ctx.out.line(`${opts.dryRun ? 'would drop' : 'dropped'} ${t.table} (${t.rows} rows)`);
  });
}
