import { getAccountIndustries, type Industry } from '../../core/industries/get.js';
import { accountLabel } from '../../core/accounts/view.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';

function industryText(side: Industry | null | undefined): string {
  if (!side) return '—';
  return `${side.code ?? '?'}  ${side.main ?? '?'} / ${side.sub ?? '?'}`;
}

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.get>): Promise<void> {
  const row = await accountArgument(ctx, args[0]);
  const result = await getAccountIndustries({ db: await ctx.db(), wechat: await ctx.wechat() }, row);
  ctx.out.result(result, (r) => {
    ctx.out.line(`account ${accountLabel(row)}`);
    ctx.out.table(
      [
        { header: '', value: (x) => x.which },
        { header: 'at WeChat (code  names)', value: (x) => x.wechat },
        { header: `recorded here${r.local?.updatedAt ? ` (${r.local.updatedAt.slice(0, 10)})` : ''}`, value: (x) => x.local },
      ],
      [
        { which: 'primary', wechat: industryText(r.wechat?.primary), local: industryText(r.local?.primary) },
        { which: 'secondary', wechat: industryText(r.wechat?.secondary), local: industryText(r.local?.secondary) },
      ],
    );
    if (r.note) ctx.out.note(r.note);
    if (r.inSync === false) ctx.out.warn('WeChat and the local record differ: `wxplat industry set` records what you set');
  });
}
