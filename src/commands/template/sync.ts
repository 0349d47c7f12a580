import { syncAccounts, syncAccountTemplates, overallOutcome, type SyncResult } from '../../core/templates/sync.js';
import type { CommandContext } from '../../context.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { EXIT, FailedError, UsageError } from '../../errors.js';
import type { Input } from '../action.js';
import { accountArgument } from '../account/ask.js';

function printResult(ctx: CommandContext, r: SyncResult): void {
  const { c } = ctx.out;
  const who = `account ${r.account.id} ${r.account.appid ?? ''}${r.account.nickname ? ` (${r.account.nickname})` : ''}`;
  if (r.error) {
    ctx.out.line(`${who}: ${c.red(`failed: ${r.error.message}`)}`);
    return;
  }
  const source = r.industrySource === 'none' ? 'no industries' : `industries ${r.industries.join(', ')} (${r.industrySource === 'local' ? 'local record' : 'from WeChat'})`;
  ctx.out.line(`${who}: ${source}`);
  const line = (label: string, code: string | null, title: string | null, rest: string) =>
    ctx.out.line(`  ${label.padEnd(8)} ${(code ?? '—').padEnd(16)} ${(title ?? '').padEnd(12)} ${rest}`);
  const would = r.dryRun ? 'would add' : 'added';
  for (const i of r.added) line(would, i.code, i.title, i.templateId ?? '');
  for (const i of r.kept) line(i.adopted ? 'mapped' : 'kept', i.code, i.title, i.templateId ?? '');
  for (const i of r.removed) line(r.dryRun ? 'gone' : 'removed', i.code, i.title, `${i.templateId ?? ''} (no longer at WeChat)`);
  for (const f of r.failed) line('failed', f.code, f.title, c.red(f.error));
  for (const u of r.unmapped) line('other', null, u.title, `${u.templateId} (not in the catalogue; left alone)`);
  for (const w of r.warnings) ctx.out.warn(w);
  const counts = `${r.added.length} ${would}, ${r.kept.length} kept, ${r.removed.length} removed, ${r.failed.length} failed`;
  ctx.out.line(`  ${counts}${r.dryRun ? ' — dry run: nothing was changed' : ''}`);
}

export async function run(
  ctx: CommandContext,
  { args, opts }: Input<[string | undefined], { all?: boolean; dryRun?: boolean }>,
): Promise<void> {
  if (args[0] !== undefined && opts.all) throw new UsageError('give an <account> or --all, not both');
  const db = await ctx.db();
  const dryRun = Boolean(opts.dryRun);
  if (!opts.all) {
    const row = await accountArgument(ctx, args[0], { missing: '<account> (or --all)' });
    const result = await syncAccountTemplates({ db, wechat: await ctx.wechat(), clock: ctx.clock }, row, { dryRun });
    ctx.out.result(result, (r) => printResult(ctx, r));
    if (result.outcome === 'failed') throw new FailedError(`no template could be added to account ${result.account.id}`);
    if (result.outcome === 'partial') ctx.exitCode = EXIT.partial;
    return;
  }
  const rows = await new AccountRepository(db.knex).list(false);
  const results = await syncAccounts({ db, wechat: await ctx.wechat(), clock: ctx.clock }, rows, { dryRun, signal: ctx.signal });
  ctx.out.result(results, (list) => {
    if (list.length === 0) ctx.out.note('no accounts to sync');
    for (const r of list) printResult(ctx, r);
  });
  const outcome = overallOutcome(results);
  const notOk = results.filter((r) => r.outcome !== 'ok').length;
  if (outcome === 'failed' && results.length > 0) throw new FailedError(`template sync failed for every account (${results.length})`);
  if (outcome !== 'ok') {
    ctx.out.warn(`${notOk} of ${results.length} account(s) were not fully synced`);
    ctx.exitCode = EXIT.partial;
  }
}
