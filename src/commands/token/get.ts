import type { CommandContext } from '../../context.js';
import { obtainGrant } from '../../core/tokens/grants.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';
import { printGrant } from './print.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.get>): Promise<void> {
  const db = await ctx.db();
  if (args[0]?.trim() === 'component') {
    const grant = await obtainGrant({ db, keeper: (await ctx.wechat()).tokens }, { kind: 'component' });
    printGrant(ctx, grant, 'the component_access_token');
    return;
  }
  // Removed accounts too: whether it still holds a token is the keeper's to say.
  const row = await accountArgument(ctx, args[0], { includeRemoved: true, missing: '<account> or component' });
  if (!row.appid) throw new UsageError(`account ${row.official_account_id} has no appid`, 'authorize it again: `wxplat account authorize`');
  const grant = await obtainGrant({ db, keeper: (await ctx.wechat()).tokens }, { kind: 'account', appid: row.appid });
  printGrant(ctx, grant, `the authorizer_access_token of ${row.appid}`);
}
