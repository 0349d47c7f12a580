import { refreshAccount, refreshAccounts, refreshableAccounts } from '../../core/accounts/refresh.js';
import type { CommandContext } from '../../context.js';
import { EXIT, FailedError, UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { noteRids } from '../rids.js';
import { accountArgument } from './ask.js';

export async function run(ctx: CommandContext, { args, opts }: InputOf<typeof specs.refresh>): Promise<void> {
  const db = await ctx.db();
  if (args[0] !== undefined && opts.all) throw new UsageError('give an <account> or --all, not both');
  if (!opts.all) {
    const row = await accountArgument(ctx, args[0], { missing: '<account> (or --all)' });
    const refreshed = await refreshAccount({ db, wechat: await ctx.wechat(), clock: ctx.clock }, row);
    ctx.out.result(refreshed, (r) => {
      const what = r.changed.length > 0 ? `changed: ${r.changed.join(', ')}` : 'no change';
      ctx.out.line(`refreshed account ${r.account.id} ${r.account.appid ?? ''} (${r.account.nickname ?? ''}): ${what}`);
    });
    return;
  }
  const rows = await refreshableAccounts({ db });
  const outcomes = await refreshAccounts({ db, wechat: await ctx.wechat(), clock: ctx.clock }, rows, ctx.signal);
  ctx.out.result(outcomes, (list) => {
    if (list.length === 0) {
      ctx.out.note('no accounts to refresh');
      return;
    }
    ctx.out.table(
      [
        { header: 'id', value: (o) => o.account.id, keep: true },
        { header: 'appid', value: (o) => o.account.appid, keep: true },
        { header: 'nickname', value: (o) => o.account.nickname },
        {
          header: 'result',
          value: (o) => (o.ok ? (o.changed.length > 0 ? `changed: ${o.changed.join(', ')}` : 'no change') : `failed: ${o.error}`),
          style: (t, o, c) => (o.ok ? t : c.red(t)),
        },
      ],
      list,
    );
    noteRids(ctx.out, list.map((o) => (o.ok ? null : o.error)));
  });
  const failed = outcomes.filter((o) => !o.ok).length;
  if (failed > 0 && failed === outcomes.length) throw new FailedError(`refreshing failed for every account (${failed})`);
  if (failed > 0) {
    ctx.out.warn(`${failed} of ${outcomes.length} account(s) could not be refreshed`);
    ctx.exitCode = EXIT.partial;
  }
}
