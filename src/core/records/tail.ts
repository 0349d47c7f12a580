// `records tail [sends|receipts|events|forwards]`: the newest records, oldest first, and with `follow` every
// record that appears after, until the signal ends it.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { RecordsRepository } from '../../db/repositories/records.js';
import type { SqlDateTime } from '../../db/rows.js';
import { toSqlDateTime } from '../../db/time.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { resolveAccount } from '../accounts/resolve.js';
import { AccountDirectory } from './directory.js';
import { parseNoun, parseStatuses, type Noun, type StatusFilter } from './kinds.js';
import { compareRecords, type TailRecord } from './record.js';
import { parseSince, type Since } from './since.js';
import { eventsSource } from './sources/events.js';
import { forwardsSource } from './sources/forwards.js';
import { ReceiptsSource } from './sources/receipts.js';
import { sendsSource } from './sources/sends.js';
import type { Bound, Source } from './sources/source.js';
import { LIMITS } from '../limits.js';

export const DEFAULT_LIMIT = LIMITS.records.tailLimit.default;
export const MAX_LIMIT = LIMITS.records.tailLimit.max;
/** A row committed now is printed within about this long (plus the time the queries take). */
export const DEFAULT_POLL_MS = 400;

export interface TailRequest {
  noun?: string;
  account?: string;
  status?: string;
  since?: string;
  limit?: string | number;
  follow?: boolean;
}

export interface TailPlan {
  noun: Noun | undefined;
  statuses: StatusFilter;
  account: string | undefined;
  since: Since | undefined;
  limit: number;
  follow: boolean;
}

/** Checks the request without touching the database: bad input ends here with exit 2. */
export function planTail(req: TailRequest, now: Date): TailPlan {
  const noun = parseNoun(req.noun);
  const limit = req.limit === undefined ? DEFAULT_LIMIT : String(req.limit).trim();
  if (typeof limit === 'string' && (!/^\d+$/.test(limit) || Number(limit) > MAX_LIMIT)) {
    throw new UsageError(`--limit must be a whole number from 0 to ${MAX_LIMIT} (0: print only what comes next, with --follow)`);
  }
  const account = req.account?.trim();
  if (req.account !== undefined && !account) throw new UsageError('--account names no account: give an id, an appid (wx…) or an original id (gh_…)');
  if (account !== undefined && noun === 'forwards') throw new UsageError('records tail forwards has no --account filter: `wxplat forward list` shows each rule\'s deliveries');
  return {
    noun,
    statuses: parseStatuses(noun, req.status),
    account,
    since: req.since === undefined ? undefined : parseSince(req.since, noun, now),
    limit: Number(limit),
    follow: Boolean(req.follow),
  };
}

export interface TailDeps {
  db: Database;
  clock: Clock;
  /** Ends --follow. */
  signal?: AbortSignal;
  pollMs?: number;
  /** A poll failed (the database went away): the tail waits and tries again. */
  onPollError?: (err: Error, attempt: number) => void;
  /** The database answers again after a failed poll. */
  onRecovered?: () => void;
}

export type Emit = (record: TailRecord) => void | Promise<void>;

export async function tailRecords(deps: TailDeps, plan: TailPlan, emit: Emit): Promise<void> {
  const { db, clock } = deps;
  const repo = new RecordsRepository(db);
  const account = plan.account ? await resolveAccount(db, plan.account, { includeRemoved: true }) : undefined;
  const directory = new AccountDirectory(db);
  await directory.load();
  const sources = await makeSources(repo, directory, plan, account ? { id: Number(account.official_account_id), appid: account.appid ?? '' } : undefined, clock);

  if (plan.follow) for (const s of sources) await s.prime();
  if (plan.limit > 0) {
    const records: TailRecord[] = [];
    for (const s of sources) records.push(...(await s.latest(plan.limit)));
    records.sort(compareRecords);
    for (const r of records.slice(-plan.limit)) await emit(r);
  }
  if (!plan.follow) return;

  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  let failures = 0;
  while (!deps.signal?.aborted) {
    await pause(failures === 0 ? pollMs : Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)), deps.signal);
    if (deps.signal?.aborted) break;
    try {
      const records: TailRecord[] = [];
      for (const s of sources) records.push(...(await s.poll()));
      if (failures > 0) deps.onRecovered?.();
      failures = 0;
      records.sort(compareRecords);
      for (const r of records) await emit(r);
    } catch (err) {
      if (deps.signal?.aborted) break;
      failures++;
      deps.onPollError?.(err as Error, failures);
    }
  }
}

async function makeSources(
  repo: RecordsRepository,
  directory: AccountDirectory,
  plan: TailPlan,
  account: { id: number; appid: string } | undefined,
  clock: Clock,
): Promise<Source[]> {
  const bounds = await resolveBounds(repo, plan.since);
  const list: Source[] = [];
  const { sends, receipts, events, forwards } = plan.statuses;
  if (sends.length > 0) list.push(sendsSource(repo, directory, { states: sends, accountId: account?.id, bound: bounds.send }));
  if (receipts.length > 0) list.push(new ReceiptsSource(repo, directory, { statuses: receipts, appid: account?.appid, bound: bounds.receipt }, clock));
  if (events.length > 0) list.push(eventsSource(repo, directory, { statuses: events, appid: account?.appid, bound: bounds.event }));
  if (forwards.length > 0) list.push(forwardsSource(repo, directory, { statuses: forwards, bound: bounds.forward }));
  return list;
}

/**
 * --since as each kind's bound: a time for all of them; a record id as "after this record" for its
 * own kind and "from this record's time" for the other one in the mixed tail.
 */
async function resolveBounds(repo: RecordsRepository, since: Since | undefined): Promise<Record<'send' | 'receipt' | 'event' | 'forward', Bound>> {
  if (!since) return { send: {}, receipt: {}, event: {}, forward: {} };
  if (since.kind === 'time') {
    const at = toSqlDateTime(since.at);
    return { send: { since: at }, receipt: { since: at }, event: { since: at }, forward: { since: at } };
  }
  let time: SqlDateTime | null;
  if (since.record === 'send') time = (await repo.findSendKey(since.id))?.updatedAt ?? null;
  else if (since.record === 'event') time = (await repo.findEventKey(since.id))?.updatedAt ?? null;
  else if (since.record === 'forward') time = (await repo.findForwardKey(since.id))?.updatedAt ?? null;
  else {
    const receipt = await repo.findReceipt(since.id);
    if (!receipt) time = null;
    else time = receipt.createdAt ?? '1970-01-01 00:00:00';
  }
  if (time === null) {
    throw new NotFoundError(`--since: there is no ${since.record} with id ${since.id}`, 'use an id the tail printed, or a duration such as 10m');
  }
  const after = { time, id: since.id };
  return {
    send: since.record === 'send' ? { after } : { since: time },
    receipt: since.record === 'receipt' ? { after } : { since: time },
    event: since.record === 'event' ? { after } : { since: time },
    forward: since.record === 'forward' ? { after } : { since: time },
  };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
