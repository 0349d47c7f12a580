// `wxplat template send <account> --template … (--to … | --to-file … | --all-followers) …`
import { readFile } from 'node:fs/promises';
import type { CommandContext } from '../../context.js';
import { sendTemplate, type DryRunPreview, type SendSummary } from '../../core/sending/send.js';
import { EXIT, UsageError } from '../../errors.js';
import { escapeControl } from '../../output/escape.js';
import { describeWeChatError } from '../../core/errcodes.js';
import { startProgress, type Progress } from '../../output/progress.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { noteRids } from '../rids.js';



async function readDataFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--data-file ${path}: cannot read it`);
  }
  try {
    // A UTF-8 byte order mark (Windows editors write one) is not part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`--data-file ${path} is not JSON: ${(err as Error).message}`);
  }
}

export async function run(ctx: CommandContext, { args: [account], opts }: InputOf<typeof specs.send>): Promise<void> {
  if (!opts.template) throw new UsageError('--template is required: a catalogue code or one of the account\'s template_ids');
  const { concurrency, rate, leaseSeconds: lease } = opts;
  const dataFile = opts.dataFile === undefined ? undefined : await readDataFile(opts.dataFile);

  let bar: Progress | undefined;
  const result = await sendTemplate(
    {
      db: await ctx.db(),
      wechat: await ctx.wechat(),
      clock: ctx.clock,
      logger: ctx.logger,
      signal: ctx.signal,
      onWarning: (w) => ctx.out.warn(w),
      onPhase: async (phase, total) => {
        bar?.stop();
        bar = await startProgress(ctx.io, phase === 'preparing' ? 'writing recipients' : 'sending', total, !ctx.out.json);
      },
      onProgress: (done) => bar?.update(done),
    },
    {
      account,
      template: opts.template,
      to: opts.to,
      toFile: opts.toFile,
      allFollowers: opts.allFollowers,
      message: { dataPairs: opts.data, dataFile, dataFileName: opts.dataFile, url: opts.url, miniprogram: opts.miniprogram },
      idempotencyKey: opts.idempotencyKey,
      allowRepeat: opts.allowRepeat,
      dryRun: opts.dryRun,
      settings: {
        ...(concurrency ? { concurrency } : {}),
        ...(rate ? { ratePerSecond: rate } : {}),
        ...(lease ? { leaseMs: lease * 1000 } : {}),
      },
    },
  ).finally(() => bar?.stop());

  if (result.dryRun) {
    ctx.out.result(result, (p) => printPreview(ctx, p));
    // The check failed: what a real send would refuse (exit 2).
    if (!result.valid) ctx.exitCode = EXIT.usage;
    return;
  }
  ctx.out.result(result, (s) => printSummary(ctx, s));
  if (result.exitCode !== 0) ctx.exitCode = result.exitCode;
}

function printPreview(ctx: CommandContext, p: DryRunPreview): void {
  const { out } = ctx;
  out.line(`dry run: nothing stored, nothing sent`);
  out.line(`account   ${p.account.appid} (${p.account.nickname ?? 'no nickname'})`);
  out.line(`template  ${p.templateId}${p.templateCode ? ` (catalogue ${p.templateCode})` : ''}${p.templateTitle ? ` ${p.templateTitle}` : ''}`);
  if (p.message.url) out.line(`url       ${p.message.url}`);
  if (p.message.miniprogram) out.line(`mini app  ${p.message.miniprogram.appid}:${p.message.miniprogram.pagepath ?? ''}`);
  out.line('message');
  // The values and openids came from flags and files: shown, never obeyed.
  for (const line of p.content.split('\n')) out.line(`  ${escapeControl(line)}`);
  out.line(`recipients ${p.recipients}${p.firstRecipients.length ? `, first: ${escapeControl(p.firstRecipients.join(', '))}` : ''}`);
  out.line('values');
  out.table(
    [
      { header: 'keyword', value: (c) => c.key },
      { header: 'type', value: (c) => c.type ?? 'untyped' },
      { header: 'value', value: (c) => c.value },
      {
        header: 'check',
        value: (c) => (c.type === null ? 'not checked by WeChat (industry template)' : c.ok ? 'ok' : `${c.problem}: ${c.type} allows ${c.rule}`),
        style: (text, c, chalk) => (c.ok ? chalk.green(text) : chalk.red(text)),
      },
    ],
    p.checks,
  );
  if (!p.valid) out.note('a value breaks its keyword\'s rule: WeChat would refuse every message with 47003, so `template send` refuses to start (exit 2)');
}

function printSummary(ctx: CommandContext, s: SendSummary): void {
  const { out } = ctx;
  const c = out.c;
  out.line(
    `job ${s.jobId}${s.idempotencyKey ? ` (key ${s.idempotencyKey})` : ''} · ${s.account.appid} · template ${s.templateCode ?? s.templateId} · ${s.state}`,
  );
  const parts = [
    c.green(`${s.sent} sent`),
    s.failed ? c.red(`${s.failed} failed`) : `${s.failed} failed`,
    s.unknown ? c.yellow(`${s.unknown} unknown`) : `${s.unknown} unknown`,
    s.pending + s.sending ? c.yellow(`${s.pending + s.sending} left`) : '0 left',
  ];
  out.line(`  ${s.total} recipients: ${parts.join(', ')}${s.skipped ? ` (${s.skipped} duplicates skipped)` : ''}`);
  if (s.delivered || s.blocked || s.systemFailed) {
    out.line(`  receipts so far: ${s.delivered} delivered, ${s.blocked} blocked, ${s.systemFailed} failed at WeChat`);
  }
  out.line(`  this run: ${s.run.sent} sent, ${s.run.failed} failed in ${s.run.seconds.toFixed(1)} s (${s.run.perSecond.toFixed(0)}/s)${s.run.resumed ? ', resuming the job' : ''}`);
  if (s.stopReason) out.line(`  stopped: ${s.stopReason}${s.pausedUntil ? `; resumable after ${out.beijingTime(s.pausedUntil)}` : ''}`);
  for (const f of s.failures) out.line(`  ${f.state} ${escapeControl(`${f.openid}: ${f.errcode === null ? (f.errmsg ?? '') : describeWeChatError(f.errcode, f.errmsg)}`.trimEnd())}`);
  noteRids(out, s.failures.map((f) => f.errmsg));
  if (s.exitCode === 3) out.note('some recipients failed or are left: run the same command with the same --idempotency-key to carry on');
}
