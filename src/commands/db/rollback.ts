import { rollback } from '../../core/database/migrations.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.rollback>): Promise<void> {
  const waitMs = opts.wait * 1000;
  const db = await ctx.db({ requireMigrated: false, ifMissing: 'empty' });
  const result = await rollback(db, {
    force: Boolean(opts.force),
    dryRun: Boolean(opts.dryRun),
    waitMs,
    onWait: (holder) => ctx.out.note(`another \`db migrate\` is running on this database (${holder}); waiting for it to finish…`),
    onStart: (name) => ctx.logger.debug('undoing migration', { name }),
  });
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
