import type { CommandContext } from '../../context.js';
import { obtainGrant } from '../../core/tokens/grants.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';
import { printGrant } from './print.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.jsapiTicket>): Promise<void> {
  const db = await ctx.db();
  const row = await accountArgument(ctx, args[0], { includeRemoved: true });
  if (!row.appid) throw new UsageError(`account ${row.official_account_id} has no appid`, 'authorize it again: `wxplat account authorize`');
  const grant = await obtainGrant({ db, keeper: (await ctx.wechat()).tokens }, { kind: 'jsapi', appid: row.appid });
  printGrant(ctx, grant, `the jsapi_ticket of ${row.appid}`);
}
