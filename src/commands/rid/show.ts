// `wxplat rid <rid> [--account A]`
import type { CommandContext } from '../../context.js';
import { lookupRid, parseRid, type RidReport } from '../../core/rid/rid.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { args: [input], opts }: InputOf<typeof specs.show>): Promise<void> {
  const rid = parseRid(input);
  const report = await lookupRid({ db: await ctx.db(), wechat: await ctx.wechat(), clock: ctx.clock }, rid, opts.account);
  ctx.out.result(report, (r) => print(ctx, r));
}

function print(ctx: CommandContext, r: RidReport): void {
  const { c } = ctx.out;
  const who =
    r.askedAs.kind === 'component'
      ? `the platform (component ${r.askedAs.appid})`
      : `account ${r.askedAs.id} ${r.askedAs.appid ?? ''}${r.askedAs.nickname ? ` (${r.askedAs.nickname})` : ''}${r.chosenBy === 'records' ? ', whose send met it' : ''}`;
  const fields: Array<[string, string]> = [
    ['rid', r.rid],
    ['asked as', who],
    ['invoked at', r.invokedAt],
    ['cost', `${r.costMs} ms`],
    ['client ip', r.clientIp],
    ['request url', r.requestUrl || '—'],
    ['request body', r.requestBody || '—'],
    ['response', r.responseBody || '—'],
  ];
  for (const [label, value] of fields) ctx.out.line(`${c.dim(label.padEnd(13))}${value}`);
}
