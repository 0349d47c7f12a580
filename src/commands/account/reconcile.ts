// `wxplat account reconcile [--dry-run]`
import type { ChalkInstance } from 'chalk';
import type { CommandContext } from '../../context.js';
import { reconcileAccounts, type ReconcileItem, type ReconcileSummary } from '../../core/accounts/reconcile.js';
import { EXIT } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { noteRids } from '../rids.js';

const ACTION_WORDS: Record<ReconcileItem['action'], string> = {
  adopt: 'adopt',
  restore: 'restore',
  'take-token': "take WeChat's token",
  repair: 'retry its token',
  remove: 'mark removed',
  none: '—',
  ignore: 'ignore',
};

function styleResult(text: string, item: ReconcileItem, c: ChalkInstance): string {
  if (item.result === 'done') return c.green(text);
  if (item.result === 'undone') return c.red(text);
  if (item.result === 'planned') return c.yellow(text);
  return c.dim(text);
}

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.reconcile>): Promise<void> {
  const summary = await reconcileAccounts(
    { db: await ctx.db(), wechat: await ctx.wechat(), clock: ctx.clock, signal: ctx.signal },
    { dryRun: Boolean(opts.dryRun) },
  );
  ctx.out.result(summary, (s) => print(ctx, s));
  if (summary.exitCode === EXIT.partial) ctx.exitCode = EXIT.partial;
}

function print(ctx: CommandContext, s: ReconcileSummary): void {
  const { out } = ctx;
  // Accounts in agreement are counted, not listed: a platform may have thousands.
  const notable = s.items.filter((i) => i.result !== 'unchanged' || i.detail !== 'authorized, same refresh token');
  if (notable.length > 0) {
    out.table(
      [
        { header: 'appid', value: (i) => i.appid, keep: true },
        { header: 'account', value: (i) => (i.account ? `${i.account.id}${i.account.nickname ? ` ${i.account.nickname}` : ''}` : '—') },
        { header: 'action', value: (i) => ACTION_WORDS[i.action] },
        { header: 'result', value: (i) => i.result, style: (t, i, c) => styleResult(t, i, c) },
        { header: 'detail', value: (i) => i.detail },
      ],
      notable,
    );
  }
  noteRids(out, notable.map((i) => (i.result === 'undone' ? i.detail : null)));
  const k = s.counts;
  out.line(
    `${s.dryRun ? 'dry run: nothing changed · ' : ''}WeChat lists ${s.listed} authorization${s.listed === 1 ? '' : 's'} (${s.pages} page${s.pages === 1 ? '' : 's'}): ` +
      `${k.done} done, ${k.planned} planned, ${k.undone} left undone, ${k.unchanged} in agreement, ${k.ignored} ignored`,
  );
  if (k.undone > 0 && !s.dryRun) out.note('some accounts were left undone (see detail): fix what it says and run `wxplat account reconcile` again');
}
