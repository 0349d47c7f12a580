import { listAccounts } from '../../core/accounts/list.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { styleStatus, styleToken, tokenWords } from './print.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.list>): Promise<void> {
  const accounts = await listAccounts({ db: await ctx.db(), clock: ctx.clock }, { includeRemoved: Boolean(opts.all) });
  ctx.out.result(accounts, (rows) => {
    if (rows.length === 0) {
      ctx.out.note(opts.all ? 'no accounts' : 'no accounts yet: run `wxplat account authorize` (`--all` shows removed ones)');
      return;
    }
    ctx.out.table(
      [
        { header: 'id', value: (a) => a.id, keep: true },
        { header: 'appid', value: (a) => a.appid, keep: true },
        { header: 'nickname', value: (a) => a.nickname },
        { header: 'original id', value: (a) => a.originalId, drop: 3 },
        { header: 'service type', value: (a) => a.serviceType, drop: 1 },
        { header: 'verify type', value: (a) => a.verifyType, drop: 2 },
        { header: 'func ids', value: (a) => a.funcIds.join(','), drop: 4 },
        { header: 'state', value: (a) => a.state, style: (t, a, c) => styleStatus(t, a.state, c) },
        { header: 'token', value: (a) => tokenWords(a.token.state), style: (t, a, c) => styleToken(t, a.token.state, c) },
      ],
      rows,
    );
  });
}
