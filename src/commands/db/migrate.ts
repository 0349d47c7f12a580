import { migrate } from '../../core/database/migrations.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.migrate>): Promise<void> {
  const waitMs = opts.wait * 1000;
  const db = await ctx.db({ requireMigrated: false, createIfMissing: !opts.dryRun, ifMissing: opts.dryRun ? 'empty' : 'create' });
  const result = await migrate(db, {
    dryRun: Boolean(opts.dryRun),
    waitMs,
    onWait: (holder) => ctx.out.note(`another \`db migrate\` is running on this database (${holder}); waiting for it to finish…`),
    onStart: (name) => ctx.logger.debug('applying migration', { name }),
  });
  if (result.interrupted) {
    ctx.out.warn(
      result.dryRun
        ? 'an earlier `db migrate` was interrupted and left its lock behind (nobody holds it): a real run clears it and finishes the work'
        : 'an earlier `db migrate` was interrupted and left its lock behind, held by nobody: cleared it, and finished what it had left undone',
    );
  }
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
