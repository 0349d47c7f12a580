// `wxplat user sync <account> [--concurrency N] [--restart]`
import type { CommandContext } from '../../context.js';
import { accountLabel } from '../../core/accounts/view.js';
import { SyncInterruptedError, syncFollowers, type SyncSummary } from '../../core/followers/sync.js';
import { EXIT } from '../../errors.js';
import { startProgress } from '../../output/progress.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';


export async function run(ctx: CommandContext, { args: [ref], opts }: InputOf<typeof specs.sync>): Promise<void> {
  const account = await accountArgument(ctx, ref);
  const bar = await startProgress(ctx.io, 'followers', 0, !ctx.out.json);
  const summary = await syncFollowers(
    {
      db: await ctx.db(),
      wechat: await ctx.wechat(),
      clock: ctx.clock,
      signal: ctx.signal,
      onProgress: (p) => {
        // The bar follows the walk; the sweep after it is short.
        if (p.phase !== 'walking') return;
        if (p.total !== null) bar.setTotal(Math.max(p.total, p.done));
        bar.update(p.done);
      },
    },
    account,
    { concurrency: opts.concurrency, restart: opts.restart },
  )
    .catch((err: unknown) => {
      if (err instanceof SyncInterruptedError) return err;
      throw err;
    })
    .finally(() => bar.stop());
  if (summary instanceof SyncInterruptedError) {
    // Ctrl-C ends as an interrupted send does: what was done, "stopped: interrupted", exit 130.
    const stopped = { account: summary.account, state: 'stopped', stopReason: 'interrupted', seen: summary.seen, total: summary.total };
    ctx.out.result(stopped, (s) => {
      const n = (v: number) => v.toLocaleString('en-US');
      ctx.out.line(`followers of account ${accountLabel({ official_account_id: s.account.id, appid: s.account.appid, nickname: s.account.nickname })}: ${n(s.seen)} of ${s.total === null ? '?' : n(s.total)} written`);
      ctx.out.line(`  stopped: interrupted; ${summary.again}`);
    });
    ctx.exitCode = EXIT.interrupted;
    return;
  }
  ctx.out.result(summary, (s) => print(ctx, s));
}

function print(ctx: CommandContext, s: SyncSummary): void {
  const { out } = ctx;
  const c = out.c;
  const n = (v: number) => v.toLocaleString('en-US');
  out.line(`followers of ${accountLabel({ official_account_id: s.account.id, appid: s.account.appid, nickname: s.account.nickname })}: pass ${s.generation} complete`);
  out.line(
    `  ${n(s.following)} following${s.total !== null ? ` (WeChat counts ${n(s.total)})` : ''}: ${c.green(`${n(s.added)} new`)}, ${n(s.refollowed)} following again; ${
      s.unfollowed ? c.yellow(`${n(s.unfollowed)} no longer following`) : '0 no longer following'
    } (marked -2)`,
  );
  if (s.duplicatesRetired) out.line(`  ${n(s.duplicatesRetired)} duplicate rows of one openid marked -2`);
  const r = s.run;
  out.line(
    `  this run: ${n(r.followers)} followers in ${r.seconds.toFixed(1)} s (${n(Math.round(r.perSecond))}/s), ${r.requests.userGet} user/get and ${n(r.requests.batchget)} batchget calls${
      r.resumed ? `; carried on after ${n(r.resumedAfter)}` : ''
    }${r.adopted ? `; ${n(r.adopted)} rows written elsewhere taken in` : ''}`,
  );
}
