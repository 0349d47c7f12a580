import { checkMchId, checkPayKey, checkPayName, setPayParams } from '../../core/accounts/pay.js';
import { accountLabel } from '../../core/accounts/view.js';
import { Secret } from '../../config/secret.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument, readStdin, valueOrAsk } from './ask.js';


export async function run(ctx: CommandContext, { args, opts }: InputOf<typeof specs.paySet>): Promise<void> {
  if (opts.key !== undefined || opts.payKey !== undefined || opts.appkey !== undefined) {
    throw new UsageError(
      'the pay key is never taken from the command line (shell history and the process list would keep it); nothing was changed',
      'pipe it on stdin (`wxplat account pay set ACCOUNT --mch-id ID --name NAME < keyfile`) or type it at the hidden prompt',
    );
  }
  const row = await accountArgument(ctx, args[0]);
  const mchId = await valueOrAsk(ctx, opts.mchId, { flag: '--mch-id', question: 'Merchant number (mch_id):', validate: checkMchId });
  const name = await valueOrAsk(ctx, opts.name, { flag: '--name', question: 'Company name:', validate: checkPayName });

  let key: string;
  if (!ctx.io.stdin.isTTY) {
    key = (await readStdin(ctx)).trim();
    if (key === '') {
      throw new UsageError('no pay key on stdin: pipe the 32-character key in', `e.g. wxplat account pay set ${row.official_account_id} --mch-id ID --name NAME < keyfile`);
    }
  } else if (ctx.prompter.canPrompt) {
    key = await ctx.prompter.password('Pay key (32 characters, not shown):', checkPayKey);
  } else {
    throw new UsageError('the pay key is read from stdin or a hidden prompt: pipe it on stdin (there is no terminal to ask on)');
  }
  const problem = checkPayKey(key);
  if (problem !== true) throw new UsageError(problem);

  const result = await setPayParams({ db: await ctx.db(), clock: ctx.clock }, row, { mchId, name, key: new Secret(key) });
  ctx.out.result(result, (r) => {
    ctx.out.line(`${r.created ? 'saved' : 'updated'} pay settings of account ${accountLabel(row)}: mch id ${r.mchId}, ${r.name}, key ${r.key}`);
  });
}
