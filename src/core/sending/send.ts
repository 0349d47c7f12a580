// `template send`: check everything, make (or find) the job, write its recipients, deliver, and sum up.
// Crash-safe and exactly-once: every recipient is a row before the first send; each send carries a
// client_msg_id derived from job and recipient; a row whose outcome is unknown is resent only while
// WeChat still dedupes that id, and is reported `unknown` after that, never resent blindly.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { SendRepository, type StateCounts } from '../../db/repositories/sends.js';
import type { OfficialAccountRow, SendJobRow } from '../../db/rows.js';
import { databaseErrorText } from '../../db/errors.js';
import { fromSqlDateTime } from '../../db/time.js';
import { EXIT, FailedError, UsageError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { WeChatClient } from '../../wechat/client.js';
import { realSleep, type Sleep } from '../../wechat/retry.js';
import type { ValueCheck } from '../../wechat/values.js';
import { requireAuthorized } from '../accounts/authorized.js';
import { resolveAccount } from '../accounts/resolve.js';
import { DEFAULT_DELIVERY_SETTINGS, deliver, type DeliverySettings, type StopReason } from './deliver.js';
import { buildMessage, checkRenderedLength, renderContent, type MessageBody, type MessageInput } from './message.js';
import { newOwner } from './owner.js';
import { prepareJob } from './prepare.js';
import { quotaWarning } from './quota-warning.js';
import { checkRecipients, recipientSource, type RecipientSpec } from './recipients.js';
import { findAccountTemplate, resolveTemplate } from './template.js';
import { LIMITS } from '../limits.js';

export interface SendRequest {
  account: string;
  template: string;
  to?: readonly string[];
  toFile?: string;
  allFollowers?: boolean;
  message: MessageInput;
  idempotencyKey?: string;
  /** Send even if the same send was made in the last 24 hours (without a key such a send is refused). */
  allowRepeat?: boolean;
  dryRun?: boolean;
  settings?: Partial<DeliverySettings>;
}

/** How far back a send without --idempotency-key is compared with earlier ones. */
export const REPEAT_WINDOW_MS = 24 * 3600_000;

export interface SendDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  sleep?: Sleep;
  onWarning?: (message: string) => void;
  /** Phases for the progress display: writing recipients, then sending. */
  onPhase?: (phase: 'preparing' | 'sending', total: number) => void | Promise<void>;
  onProgress?: (done: number) => void;
}

export interface DryRunPreview {
  dryRun: true;
  account: { id: number; appid: string; nickname: string | null };
  templateId: string;
  /** The catalogue code, as records call it. */
  templateCode: string | null;
  templateTitle: string | null;
  message: MessageBody;
  content: string;
  recipients: number;
  firstRecipients: string[];
  warnings: string[];
  /** Each value against its keyword's type; the send would be refused (exit 2) unless all are ok. */
  checks: ValueCheck[];
  valid: boolean;
}

export interface SendSummary {
  dryRun: false;
  jobId: number;
  idempotencyKey: string | null;
  account: { id: number; appid: string; nickname: string | null };
  templateId: string;
  /** The catalogue code, as records call it. */
  templateCode: string | null;
  state: SendJobRow['state'];
  total: number;
  /** Duplicates dropped from the input, when the recipients were written in this run. */
  skipped: number;
  /** Accepted by WeChat (including those whose receipt has come back). */
  sent: number;
  delivered: number;
  blocked: number;
  systemFailed: number;
  failed: number;
  unknown: number;
  pending: number;
  sending: number;
  run: { attempted: number; sent: number; failed: number; seconds: number; perSecond: number; resumed: boolean };
  stopReason: string | null;
  pausedUntil: string | null;
  failures: Array<{ openid: string; state: string; errcode: number | null; errmsg: string | null }>;
  warnings: string[];
  exitCode: number;
}

function recipientSpec(req: SendRequest, account: OfficialAccountRow): RecipientSpec {
  const given = [req.to && req.to.length > 0, Boolean(req.toFile), Boolean(req.allFollowers)].filter(Boolean).length;
  if (given !== 1) throw new UsageError('name the recipients once: --to OPENID…, --to-file FILE or --all-followers');
  if (req.to && req.to.length > 0) return { kind: 'list', openids: [...new Set(req.to)] };
  if (req.toFile) return { kind: 'file', path: req.toFile };
  return { kind: 'followers', officialAccountId: account.official_account_id };
}

/** WeChat's daily quotas reset at midnight Beijing time (UTC+8). */
export function nextQuotaReset(now: Date): Date {
  const beijing = new Date(now.getTime() + 8 * 3600_000);
  const midnight = Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate() + 1);
  return new Date(midnight - 8 * 3600_000);
}

function describeStop(stop: StopReason): string {
  switch (stop.kind) {
    case 'quota':
      return `WeChat's daily quota for this account is used up (45009); the rest waits for the reset`;
    case 'unreachable':
      return `WeChat kept failing (${stop.error.errcode ?? stop.error.errmsg}); the rest is left pending`;
    case 'job-error':
      return stop.error.message;
    case 'interrupted':
      return 'interrupted';
    case 'lease-lost':
      return `its leases could not be renewed (${stop.error ? databaseErrorText(stop.error) : 'the renewal did not end in time'}) and ran out on ${stop.rows} rows, which are left to other processes`;
  }
}

export async function sendTemplate(deps: SendDeps, req: SendRequest): Promise<SendSummary | DryRunPreview> {
  const { db, clock } = deps;
  const sleep = deps.sleep ?? realSleep;
  const settings: DeliverySettings = { ...DEFAULT_DELIVERY_SETTINGS, ...req.settings };
  const { min, max } = LIMITS.send.concurrency;
  if (!Number.isInteger(settings.concurrency) || settings.concurrency < min || settings.concurrency > max) {
    throw new UsageError(`--concurrency must be a whole number from ${min} to ${max}`);
  }
  if (req.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,191}$/.test(req.idempotencyKey)) {
    throw new UsageError('--idempotency-key must be 1 to 191 printable ASCII characters without spaces');
  }
  const repo = new SendRepository(db);
  const account = await resolveAccount(db, req.account);
  const spec = recipientSpec(req, account);
  const source = recipientSource(db, spec);
  await requireAuthorized(db, clock, account);
  const accountClient = deps.wechat.account(account.appid!);
  const accountView = { id: account.official_account_id, appid: account.appid!, nickname: account.nickname };

  let job = req.idempotencyKey ? await repo.findJobByKey(req.idempotencyKey) : undefined;
  let warnings: string[] = [];
  let readCount: number | null = null;
  if (job) {
    await checkSameJob(db, job, account, req);
  } else {
    const template = await resolveTemplate(db, accountClient, account.official_account_id, req.template);
    const built = buildMessage(req.message, template.templateId, template.placeholders, { collectValueProblems: req.dryRun });
    warnings = built.warnings;
    for (const w of warnings) deps.onWarning?.(w);
    const content = renderContent(template.content, built.body);
    checkRenderedLength(content);
    const check = await checkRecipients(source, spec);
    readCount = check.read;
    // Every check of the real run comes before the dry run's preview: a dry run that passes means the
    // command would run.
    if (check.read === 0) throw new UsageError('there are no recipients to send to');
    const requestDigest = createHash('sha256')
      .update(JSON.stringify([account.official_account_id, template.templateId, built.body, check.digest]))
      .digest('hex');
    // Without a key, the same send twice is most likely a command run again by accident.
    if (!req.idempotencyKey && !req.allowRepeat) await refuseRepeat(repo, clock, account, requestDigest);
    const quota = await quotaWarning(accountClient, check.read, deps.logger);
    if (quota) {
      warnings.push(quota);
      deps.onWarning?.(quota);
    }
    if (req.dryRun) {
      return {
        dryRun: true,
        account: accountView,
        templateId: template.templateId,
        templateCode: template.code,
        templateTitle: template.title,
        message: built.body,
        content,
        recipients: check.read,
        firstRecipients: check.first,
        warnings,
        checks: built.checks,
        valid: built.checks.every((c) => c.ok),
      };
    }
    const created = await repo.createJob(
      {
        idempotencyKey: req.idempotencyKey ?? null,
        officialAccountId: account.official_account_id,
        appid: account.appid!,
        templateId: template.templateId,
        templateCode: template.code,
        messageJson: JSON.stringify(built.body),
        content,
        source: source.describe(),
        clientMsgPrefix: randomBytes(3).toString('hex'),
        requestDigest,
      },
      clock.now(),
    );
    job = created.job;
    if (!created.created) await checkSameJob(db, job, account, req);
  }
  if (req.dryRun) throw new UsageError(`--dry-run: idempotency key ${req.idempotencyKey} already belongs to job ${job.job_id}; nothing to preview`);

  const owner = newOwner();
  const jobId = Number(job.job_id);
  const resumed = job.state !== 'preparing' || readCount === null;
  const started = clock.now().getTime();
  if (job.state === 'preparing') {
    await deps.onPhase?.('preparing', readCount ?? 0);
    job = await prepareJob(
      { repo, clock, sleep, signal: deps.signal, owner, leaseMs: settings.leaseMs, onProgress: deps.onProgress },
      job,
      source,
    );
  }

  const body = JSON.parse(job.message_json) as MessageBody;
  let attempted = 0;
  let sentNow = 0;
  let failedNow = 0;
  let stop: StopReason | null = null;
  const pausedUntil = fromSqlDateTime(job.paused_until);
  if (job.state === 'stopped' && pausedUntil && pausedUntil.getTime() > clock.now().getTime()) {
    stop = null;
  } else if (job.state !== 'done') {
    const before = await repo.stateCounts(jobId);
    await deps.onPhase?.('sending', job.total);
    let done = job.total - (before.pending ?? 0) - (before.sending ?? 0);
    deps.onProgress?.(done);
    if (job.state === 'stopped') await repo.setJobState(jobId, 'ready', clock.now(), { stopReason: null, pausedUntil: null });
    let idle = 0;
    for (let round = 0; ; round++) {
      const r = await deliver(
        { repo, account: accountClient, clock, logger: deps.logger, sleep, signal: deps.signal, owner },
        {
          jobId,
          body,
          settings,
          onProgress: (d) => {
            done += d.sent + d.failed;
            deps.onProgress?.(done);
          },
        },
      );
      attempted += r.attempted;
      sentNow += r.sent;
      failedNow += r.failed;
      if (r.stop) {
        stop = r.stop;
        break;
      }
      const counts = await repo.stateCounts(jobId);
      if ((counts.pending ?? 0) > 0) {
        if (r.attempted === 0 && round > 0) break;
        // Rows went back to pending after transient failures: try them again after a pause.
        await sleep(Math.min(5_000, 500 * 2 ** Math.min(round, 4)));
        continue;
      }
      if ((counts.sending ?? 0) === 0) break;
      // Rows other processes (hosts) hold: wait for them, so that both print the same result. What
      // they leave when their leases run out (they died, or lost their hold) is this run's to send.
      await waitForOtherProcesses(repo, jobId, owner, clock, sleep, deps.signal);
      idle = r.attempted === 0 ? idle + 1 : 0;
      if (deps.signal.aborted || idle > 2) break;
    }
    if (stop?.kind === 'lease-lost') {
      // Not the job's fault: other processes carry it on. This one says what happened and ends.
      throw new FailedError(
        `stopped sending job ${jobId}: ${describeStop(stop)}`,
        'the other processes on this job carry on; run the same command (the same --idempotency-key) to join them again',
      );
    }
    if (stop?.kind === 'quota') {
      await repo.setJobState(jobId, 'stopped', clock.now(), { stopReason: describeStop(stop), pausedUntil: nextQuotaReset(clock.now()) });
    } else if (stop && stop.kind !== 'interrupted') {
      await repo.setJobState(jobId, 'stopped', clock.now(), { stopReason: describeStop(stop) });
    }
  }

  await repo.settleWaitingReceipts(clock.now());
  const counts = await repo.stateCounts(jobId);
  const open = (counts.pending ?? 0) + (counts.sending ?? 0);
  const fresh = (await repo.findJob(jobId))!;
  if (open === 0 && fresh.state !== 'done') await repo.setJobState(jobId, 'done', clock.now(), { finished: true, stopReason: null, pausedUntil: null });
  const final = (await repo.findJob(jobId))!;
  const seconds = (clock.now().getTime() - started) / 1000;
  return summarize(final, counts, {
    account: accountView,
    skipped: readCount !== null && !resumed ? Math.max(0, readCount - final.total) : 0,
    // Rounded as every rate in JSON: seconds to the millisecond, rates to the whole.
    run: {
      attempted,
      sent: sentNow,
      failed: failedNow,
      seconds: Math.round(seconds * 1000) / 1000,
      perSecond: seconds > 0 ? Math.round(sentNow / seconds) : 0,
      resumed,
    },
    stop,
    failures: await repo.failures(jobId, 10),
    warnings,
  });
}

/** A second invocation with the same key must mean the same send. */
async function checkSameJob(db: Database, job: SendJobRow, account: OfficialAccountRow, req: SendRequest): Promise<void> {
  const key = req.idempotencyKey;
  if (job.official_account_id !== account.official_account_id) {
    throw new UsageError(`idempotency key ${key} belongs to job ${job.job_id} of account ${job.appid}, not ${account.appid}`);
  }
  // The template named must still be this account's: a failure here (a database error, or a template
  // removed since) is the command's, never a reason to skip the check.
  const local = await findAccountTemplate(db, account.official_account_id, req.template);
  if (local.templateId !== job.template_id) {
    throw new UsageError(`idempotency key ${key} belongs to job ${job.job_id}, which sends template ${job.template_id}, not ${local.templateId}`);
  }
  const stored = JSON.parse(job.message_json) as MessageBody;
  let given: MessageBody;
  try {
    given = buildMessage(req.message, job.template_id, Object.keys(stored.data)).body;
  } catch {
    throw new UsageError(`idempotency key ${key} belongs to job ${job.job_id}, whose data differs from this command's`);
  }
  if (JSON.stringify(given) !== JSON.stringify(stored)) {
    throw new UsageError(`idempotency key ${key} belongs to job ${job.job_id}, whose message differs from this command's`, 'use a new key for a new message');
  }
}

async function refuseRepeat(repo: SendRepository, clock: Clock, account: OfficialAccountRow, digest: string): Promise<void> {
  const now = clock.now();
  const earlier = await repo.findRepeat(account.official_account_id, digest, new Date(now.getTime() - REPEAT_WINDOW_MS));
  if (!earlier) return;
  const made = fromSqlDateTime(earlier.created_at);
  const ago = made ? ` ${describeAgo(now.getTime() - made.getTime())}` : '';
  throw new UsageError(
    `job ${earlier.job_id}${earlier.idempotency_key ? ` (key ${earlier.idempotency_key})` : ''} sent this template with the same data to the same recipients from ${account.appid}${ago} (${earlier.state}): not sending it twice`,
    'to send it again on purpose, add --allow-repeat; to carry on an unfinished send, give every run the same --idempotency-key',
  );
}

function describeAgo(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'less than a minute ago';
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  return `${Math.round(minutes / 60)} hours ago`;
}

/** Another process (host) is still sending rows of this job: wait for it, so that both print the same result. */
async function waitForOtherProcesses(repo: SendRepository, jobId: number, owner: string, clock: Clock, sleep: Sleep, signal: AbortSignal) {
  for (;;) {
    if (signal.aborted) return;
    const leases = await repo.foreignLeases(jobId, owner, clock.now());
    if (leases.length === 0) return;
    await sleep(500);
  }
}

function summarize(
  job: SendJobRow,
  counts: StateCounts,
  extra: {
    account: SendSummary['account'];
    skipped: number;
    run: SendSummary['run'];
    stop: StopReason | null;
    failures: SendSummary['failures'];
    warnings: string[];
  },
): SendSummary {
  const n = (k: keyof StateCounts) => counts[k] ?? 0;
  const accepted = n('sent') + n('delivered') + n('blocked') + n('system-failed');
  const left = n('failed') + n('unknown') + n('pending') + n('sending');
  let exitCode: number = EXIT.ok;
  if (left > 0) exitCode = accepted === 0 && n('unknown') === 0 ? EXIT.failed : EXIT.partial;
  if (extra.stop?.kind === 'interrupted') exitCode = EXIT.interrupted;
  const pausedUntil = fromSqlDateTime(job.paused_until);
  return {
    dryRun: false,
    jobId: Number(job.job_id),
    idempotencyKey: job.idempotency_key,
    account: extra.account,
    templateId: job.template_id,
    templateCode: job.template_code,
    state: job.state,
    total: job.total,
    skipped: extra.skipped,
    sent: accepted,
    delivered: n('delivered'),
    blocked: n('blocked'),
    systemFailed: n('system-failed'),
    failed: n('failed'),
    unknown: n('unknown'),
    pending: n('pending'),
    sending: n('sending'),
    run: extra.run,
    stopReason: job.stop_reason ?? (extra.stop ? describeStop(extra.stop) : null),
    pausedUntil: pausedUntil && job.state === 'stopped' ? pausedUntil.toISOString() : null,
    failures: extra.failures.map((f) => ({ openid: f.openid, state: f.state, errcode: f.errcode, errmsg: f.errmsg })),
    warnings: extra.warnings,
    exitCode,
  };
}
