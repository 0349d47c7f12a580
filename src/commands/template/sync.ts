import { syncEveryAccount, syncAccountTemplates, overallOutcome, type SyncResult } from '../../core/templates/sync.js';
import type { CommandContext } from '../../context.js';
import { EXIT, FailedError, UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';
import { noteRids } from '../rids.js';

function printResult(ctx: CommandContext, r: SyncResult): void {
  const { c } = ctx.out;
  const who = `account ${r.account.id} ${r.account.appid ?? ''}${r.account.nickname ? ` (${r.account.nickname})` : ''}`;
  if (r.error) {
    ctx.out.line(`${who}: ${c.red(`failed: ${r.error.message}`)}`);
    noteRids(ctx.out, [r.error.message]);
    return;
  }
  const source = r.industrySource === 'none' ? 'no industries' : `industries ${r.industries.join(', ')} (${r.industrySource === 'local' ? 'local record' : 'from WeChat'})`;
  ctx.out.line(`${who}: ${source}`);
  const would = r.dryRun ? 'would add' : 'added';
  const rows: Array<{ action: string; code: string | null; title: string | null; templateId: string | null; note: string; bad?: boolean }> = [
    ...r.added.map((i) => ({ action: would, code: i.code, title: i.title, templateId: i.templateId, note: '' })),
    ...r.kept.map((i) => ({ action: i.adopted ? 'mapped' : 'kept', code: i.code, title: i.title, templateId: i.templateId, note: i.adopted ? 'already at WeChat' : '' })),
    ...r.removed.map((i) => ({ action: r.dryRun ? 'gone' : 'removed', code: i.code, title: i.title, templateId: i.templateId, note: 'no longer at WeChat' })),
    ...r.failed.map((f) => ({ action: 'failed', code: f.code, title: f.title, templateId: null, note: f.error, bad: true })),
    ...r.unmapped.map((u) => ({ action: 'other', code: null, title: u.title, templateId: u.templateId, note: 'not in the catalogue; left alone' })),
  ];
  if (rows.length > 0) {
    ctx.out.table(
      [
        { header: '', value: (x) => x.action, style: (t, x, c) => (x.bad ? c.red(t) : t) },
        { header: 'code', value: (x) => x.code ?? '—', keep: true },
        { header: 'title', value: (x) => x.title },
        { header: 'template id', value: (x) => x.templateId, keep: true },
        ...(rows.some((x) => x.note)
          ? [{ header: '', value: (x: (typeof rows)[number]) => x.note, style: (t: string, x: (typeof rows)[number], c: typeof ctx.out.c) => (x.bad ? c.red(t) : c.dim(t)) }]
          : []),
      ],
      rows,
    );
  }
  noteRids(ctx.out, r.failed.map((f) => f.error));
  for (const w of r.warnings) ctx.out.warn(w);
  const counts = `${r.added.length} ${would}, ${r.kept.length} kept, ${r.removed.length} removed, ${r.failed.length} failed`;
  ctx.out.line(`  ${counts}${r.dryRun ? ' — dry run: nothing was changed' : ''}`);
}

export async function run(
  ctx: CommandContext,
  { args, opts }: InputOf<typeof specs.sync>,
): Promise<void> {
  if (args[0] !== undefined && opts.all) throw new UsageError('give an <account> or --all, not both');
  const db = await ctx.db();
  const dryRun = Boolean(opts.dryRun);
  if (!opts.all) {
    const row = await accountArgument(ctx, args[0], { missing: '<account> (or --all)' });
    const result = await syncAccountTemplates({ db, wechat: await ctx.wechat(), clock: ctx.clock }, row, { dryRun });
    ctx.out.result(result, (r) => printResult(ctx, r));
    if (result.outcome === 'failed') throw new FailedError(
        `template sync of account ${result.account.id}: WeChat refused ${result.failed.length} template(s) and none of the catalogue's is in place`,
      );
    if (result.outcome === 'partial') {
      ctx.out.warn(`${result.failed.length} template(s) could not be added; the rest is done`);
      ctx.exitCode = EXIT.partial;
    }
    return;
  }
  const results = await syncEveryAccount({ db, wechat: await ctx.wechat(), clock: ctx.clock }, { dryRun, signal: ctx.signal });
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
