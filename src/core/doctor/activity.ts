// What the sends and the receiver left behind: quota stops today, send rows unknown or left pending,
// inbox rows failing.
import type { Database } from '../../db/database.js';
import { HealthRepository } from '../../db/repositories/health.js';
import { fromSqlDateTime, toSqlDateTime } from '../../db/time.js';
import { describeDuration } from '../platform/age.js';
import { check, type Check } from './check.js';

/** Unknown rows stay unknown for good (they are never resent): only recent ones are worth a warning. */
export const UNKNOWN_WINDOW_MS = 7 * 86_400_000;
/** An unfinished job nothing changed for this long, with no process sending it, has stopped. */
export const STALE_PENDING_MS = 3_600_000;
/** A failed inbox row younger than this fails the doctor; older ones only warn (they may be beyond repair). */
export const FAILED_EVENT_WINDOW_MS = 86_400_000;
/** A fresh inbox row waiting longer than this means nothing is processing the inbox. */
export const WAITING_EVENT_MS = 5 * 60_000;

const sql = (d: Date) => toSqlDateTime(d);
const ago = (now: Date, ms: number) => new Date(now.getTime() - ms);

function list(ids: number[], max = 5): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}

export async function quotaCheck(db: Database, now: Date): Promise<Check> {
  const jobs = await new HealthRepository(db.knex).quotaStoppedJobs(sql(now));
  if (jobs.length === 0) return check('quota', 'ok', 'no job stopped by the daily quota (45009) today');
  const appids = [...new Set(jobs.map((j) => j.appid))];
  const left = jobs.reduce((n, j) => n + j.pending, 0);
  const until = fromSqlDateTime(jobs[0].pausedUntil)!;
  return check(
    'quota',
    'warn',
    `the daily quota ran out today for ${appids.join(', ')}: ${jobs.length === 1 ? 'job' : 'jobs'} ${list(jobs.map((j) => j.jobId))}, ${left} messages waiting`,
    `they go out when \`template send\` runs again with the same --idempotency-key after the reset (${until.toISOString()}, midnight Beijing time)`,
  );
}

export async function sendsCheck(db: Database, now: Date): Promise<Check> {
  const repo = new HealthRepository(db.knex);
  const recent = sql(ago(now, UNKNOWN_WINDOW_MS));
  const unknown = await repo.deliveriesSince(await repo.activeJobIds(recent), 'unknown', recent);
  // A job is left when it has rows to send, nothing changed it for an hour, and no process holds a
  // lease on its rows; a job paused for the quota is reported by the quota check.
  const paused = new Set((await repo.quotaStoppedJobs(sql(now))).map((j) => j.jobId));
  const quiet = (await repo.quietJobs(sql(ago(now, STALE_PENDING_MS)))).filter((id) => !paused.has(id));
  const open = await repo.jobsWithOpenRows(quiet);
  const busy = await repo.jobsBeingSent(open.map((j) => j.jobId), sql(now));
  const left = open.filter((j) => !busy.has(j.jobId));
  const leftRows = left.reduce((n, j) => n + j.rows, 0);
  if (unknown === 0 && left.length === 0) {
    return check('sends', 'ok', `none unknown in the last ${describeDuration(UNKNOWN_WINDOW_MS)}, none left pending`);
  }
  const parts: string[] = [];
  const advice: string[] = [];
  if (unknown > 0) {
    parts.push(`${unknown} unknown in the last ${describeDuration(UNKNOWN_WINDOW_MS)}`);
    advice.push('unknown rows may or may not have reached WeChat and are never resent: `wxplat records tail sends --status unknown --since 7d`');
  }
  if (left.length > 0) {
    parts.push(`${leftRows} left pending in ${left.length === 1 ? 'job' : 'jobs'} ${list(left.map((j) => j.jobId))}, which no process is sending`);
    advice.push('run the same `template send` with its --idempotency-key to carry them on');
  }
  return check('sends', 'warn', parts.join('; '), advice.join('; '));
}

export async function inboxCheck(db: Database, now: Date): Promise<Check> {
  const h = await new HealthRepository(db.knex).inbox(sql(ago(now, FAILED_EVENT_WINDOW_MS)), sql(ago(now, WAITING_EVENT_MS)));
  const parts: string[] = [];
  if (h.failedRecently) parts.push(`${h.failedRecently} failed in the last 24 h`);
  if (h.failedEarlier) parts.push(`${h.failedEarlier} failed before that`);
  if (h.retrying) parts.push(`${h.retrying} being retried`);
  if (h.waiting) {
    const since = fromSqlDateTime(h.oldestWaitingAt);
    parts.push(`${h.waiting} waiting${since ? ` for ${describeDuration(now.getTime() - since.getTime())}` : ''}`);
  }
  if (parts.length === 0) return check('inbox', 'ok', 'no callback failing or waiting');
  const advice: string[] = [];
  if (h.failedRecently || h.failedEarlier || h.retrying) {
    advice.push('`wxplat records tail events --status failed,retrying` shows why; `wxplat events replay <id>` runs one again once the cause is fixed');
  }
  if (h.waiting) advice.push('nothing is processing the inbox: is `wxplat serve` running (without --no-process somewhere)?');
  return check('inbox', h.failedRecently ? 'fail' : 'warn', parts.join(', '), advice.join('; '));
}
