// `wxplat user list <account> [--limit N] [--after ID] [--all]`
import type { ChalkInstance } from 'chalk';
import type { CommandContext } from '../../context.js';
import { accountLabel } from '../../core/accounts/view.js';
import { checkListOptions, listFollowers, type FollowerView } from '../../core/followers/list.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';


export async function run(ctx: CommandContext, { args: [ref], opts }: InputOf<typeof specs.list>): Promise<void> {
  const options = { limit: opts.limit, after: opts.after, all: opts.all };
  checkListOptions(options);
  const account = await accountArgument(ctx, ref);
  const page = await listFollowers({ db: await ctx.db() }, account, options);
  if (ctx.out.json) {
    ctx.out.document(page.followers);
    return;
  }
  if (page.followers.length === 0) {
    if (opts.after !== undefined) ctx.out.note('no more followers');
    else if (!page.sync) ctx.out.note(`no followers stored for account ${accountLabel(account)}: run \`wxplat user sync ${account.official_account_id}\``);
    else ctx.out.note(`account ${accountLabel(account)} has no followers${opts.all ? '' : ' following'}`);
    return;
  }
  ctx.out.table<FollowerView>(
    [
      { header: 'id', value: (f) => f.id, keep: true },
      { header: 'openid', value: (f) => f.openid, keep: true },
      ...(opts.all ? [{ header: 'following', value: (f: FollowerView) => (f.following ? 'yes' : 'no'), style: (t: string, f: FollowerView, c: ChalkInstance) => (f.following ? t : c.dim(t)) }] : []),
      { header: 'subscribed', value: (f) => f.subscribedAt?.slice(0, 10) },
      { header: 'scene', value: (f) => f.subscribeScene?.replace(/^ADD_SCENE_/, '') },
      { header: 'unionid', value: (f) => f.unionid },
      { header: 'remark', value: (f) => f.remark },
      { header: 'tags', value: (f) => f.tags.join(',') },
    ],
    page.followers,
  );
  if (page.next) ctx.out.note(`more: wxplat user list ${account.official_account_id} --after ${page.next}${opts.limit ? ` --limit ${opts.limit}` : ''}${opts.all ? ' --all' : ''}`);
  if (page.sync && page.sync.state !== 'done') ctx.out.note(`a sync of this account is unfinished: run \`wxplat user sync ${account.official_account_id}\` to complete it`);
}
