import { migrationStatus } from '../../core/database/migrations.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.status>): Promise<void> {
  const db = await ctx.db({ requireMigrated: false, ifMissing: 'empty' });
  const status = await migrationStatus(db);
  ctx.out.result(status, (s) => {
    const rows = [
      ...s.applied.map((m) => ({ name: m.name, state: 'applied', batch: m.batch, at: ctx.out.time(m.migratedAt) })),
      ...s.pending.map((name) => ({ name, state: 'pending', batch: null, at: '' })),
    ];
    ctx.out.table(
      [
        { header: 'migration', value: (r) => r.name, keep: true },
        {
          header: 'state',
          value: (r) => r.state,
          style: (text, _r, c) => (text === 'pending' ? c.yellow(text) : c.green(text)),
        },
        { header: 'batch', value: (r) => r.batch },
        { header: 'applied at', value: (r) => r.at },
      ],
      rows,
    );
    ctx.out.line(
      s.pending.length === 0
        ? `${s.database}: up to date`
        : `${s.database}: ${s.pending.length} pending — run \`wxplat db migrate\``,
    );
  });
}
