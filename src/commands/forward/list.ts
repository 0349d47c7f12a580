// `wxplat forward list`
import type { CommandContext } from '../../context.js';
import { listForwardRules } from '../../core/forwarding/manage.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { ruleFilter } from './print.js';

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.list>): Promise<void> {
  const rules = await listForwardRules({ db: await ctx.db(), clock: ctx.clock });
  ctx.out.result(rules, (rows) => {
    if (rows.length === 0) {
      ctx.out.note('no forwarding rules: add one with `wxplat forward add --to URL`');
      return;
    }
    ctx.out.table(
      [
        { header: 'id', value: (r) => r.id, keep: true },
        { header: 'name', value: (r) => r.name },
        { header: 'mode', value: (r) => `${r.mode} ${r.format}` },
        { header: 'takes', value: (r) => ruleFilter(r) },
        { header: 'to', value: (r) => r.target },
        { header: 'waiting', value: (r) => (r.backlog.pending ? `${r.backlog.pending} since ${ctx.out.time(r.backlog.oldestPendingAt)}` : '0') },
        { header: 'dead', value: (r) => r.backlog.dead, style: (text, r, c) => (r.backlog.dead ? c.red(text) : text) },
        { header: 'delivered', value: (r) => r.backlog.delivered },
      ],
      rows,
    );
  });
}
