// `user sync`: one pass over an account's followers at WeChat, into official_account_users.
//
// A pass walks user/get from the first page (10,000 openids) to the end, a page at a time: the page's
// details come from user/info/batchget (100 a call, several at once), and the page is written in one
// transaction with the checkpoint (wxplat_follower_syncs.next_openid), so that a run that dies — even
// by kill -9 — is carried on by the next from the page after the last one written. While a page is
// written the next ones are already being fetched; at most a few pages are held, never the list.
// When the walk reaches the end, the followers the pass did not see are marked -2 (the sweep): only a
// complete pass may say someone no longer follows. A follower whose subscribe/unsubscribe event was
// processed after the page was read keeps what the event said.
//
// user_wx_infos is not written, deliberately. Its columns are nickname, sex, province, city, country,
// headimgurl and privilege, plus user_id (the platform's own user, which a sync cannot know). WeChat
// stopped returning nickname and headimgurl on 2021-12-27 and blanked sex and region in October 2021;
// privilege belongs to OAuth's sns/userinfo, never to user/info (wechat-api.md §5.4). A row made now
// would hold nothing but NULLs (or a made-up "unknown"): it would claim a record of the person with no
// information in it, a million times over. So official_account_users.user_wx_info_id is left as it is
// (NULL for followers wxplat adds; an older link, with the pre-2021 data behind it, is kept), and what
// WeChat does still return — unionid, subscribe_time, subscribe_scene, qr_scene, qr_scene_str, remark,
// tagid_list — is kept in wxplat_followers.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { FollowerSyncRepository, LostSyncLeaseError, type FollowerDetails, type SyncPass } from '../../db/repositories/followers.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import type { FollowerSyncRow, OfficialAccountRow } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';
import { FailedError, InterruptedError, UsageError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import { realSleep, type Sleep } from '../../wechat/retry.js';
import { accountLabel, accountRef, type AccountRef } from '../accounts/view.js';
import { deadLocalOwners, newOwner } from '../sending/owner.js';
import { DEFAULT_PATIENCE, StoppedError, fetchDetails, limiter, patiently, type DetailsResult, type Patience } from './details.js';
import { LIMITS } from '../limits.js';

export const DEFAULT_CONCURRENCY = LIMITS.followers.syncConcurrency.default;
export const MAX_CONCURRENCY = LIMITS.followers.syncConcurrency.max;
/**
 * Pages fetched while one is written. One is enough: on MySQL writing a page takes longer than fetching
 * the next, and every page held raises the peak memory (the heap grows with what is live).
 */
const PAGES_AHEAD = 1;
const DEFAULT_LEASE_MS = 5 * 60_000;
const SWEEP_CHUNK = 2000;

export interface SyncProgress {
  phase: 'walking' | 'sweeping';
  /** Followers written in this pass so far (walking), or marked -2 (sweeping). */
  done: number;
  /** WeChat's follower total, once known. */
  total: number | null;
}

export interface SyncDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
  signal: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  sleep?: Sleep;
}

export interface SyncOptions {
  /** batchget calls in flight at once (default 8). */
  concurrency?: number;
  /** Drop an interrupted pass and start a new one from the first page. */
  restart?: boolean;
  leaseMs?: number;
  patience?: Patience;
}

/** Ctrl-C: what the pass had done, so that the command ends as an interrupted send does. */
export class SyncInterruptedError extends InterruptedError {
  constructor(
    message: string,
    readonly account: AccountRef,
    readonly seen: number,
    readonly total: number | null,
    readonly again: string,
  ) {
    super(message);
  }
}

export interface SyncSummary {
  account: AccountRef;
  /** The pass's number (1 for an account's first). */
  generation: number;
  state: 'done';
  /** WeChat's follower total, from the last page. */
  total: number | null;
  /** Followers the pass saw and wrote with status 1. */
  following: number;
  /** Of those, new rows. */
  added: number;
  /** Of those, rows that were -2 and follow again. */
  refollowed: number;
  /** Rows the pass did not see, marked -2 at its end. */
  unfollowed: number;
  /** Second rows of one openid (written by other software), marked -2. */
  duplicatesRetired: number;
  startedAt: string | null;
  finishedAt: string | null;
  run: {
    /** This run carried on an interrupted pass. */
    resumed: boolean;
    /** Followers the pass had written before this run. */
    resumedAfter: number;
    /** Followers written by this run. */
    followers: number;
    pages: number;
    requests: { userGet: number; batchget: number };
    /** Listed by user/get but no longer following by the time batchget was asked (or refused). */
    skipped: number;
    /** Production rows written by other software, taken into wxplat_followers at the pass's start. */
    adopted: number;
    seconds: number;
    perSecond: number;
  };
}

interface Page {
  openids: string[];
  next: string;
  /** No page follows (next_openid empty). */
  last: boolean;
  total: number;
  fetchedAt: Date;
  details: Promise<DetailsResult>;
}

const noop = () => {};

async function checkAuthorized(db: Database, clock: Clock, account: OfficialAccountRow): Promise<void> {
  const rec = await new TokenRepository(db.knex, clock).readAuthorizerToken(account.appid ?? '');
  if (!rec?.refreshToken) {
    throw new UsageError(`account ${accountLabel(account)} is not authorized (wxplat holds no tokens for it)`, 'run `wxplat account authorize`');
  }
  if (rec.needsReauth) {
    throw new UsageError(`account ${accountLabel(account)} needs re-authorization: ${rec.reauthReason ?? ''}`.trim(), 'run `wxplat account authorize`');
  }
}

export async function syncFollowers(deps: SyncDeps, account: OfficialAccountRow, options: SyncOptions = {}): Promise<SyncSummary> {
  const { db, clock, signal } = deps;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  if (!account.appid) throw new UsageError(`account ${accountLabel(account)} has no appid`);
  await checkAuthorized(db, clock, account);
  const accountId = Number(account.official_account_id);
  const label = accountLabel(account);
  const again = `run \`wxplat user sync ${accountId}\` again to carry on from there`;
  const repo = new FollowerSyncRepository(db);
  const sleep = deps.sleep ?? realSleep;
  const patience = options.patience ?? DEFAULT_PATIENCE;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const started = process.hrtime.bigint();

  // The lease: one sync of an account at a time; one that died on this host is taken over at once.
  const owner = newOwner();
  const before = await repo.checkpoint(accountId);
  const dead = before?.lease_owner ? deadLocalOwners([before.lease_owner], owner) : [];
  const begun = await repo.begin(accountId, owner, clock.now(), leaseMs, { restart: options.restart, dead });
  if (begun.kind === 'busy') {
    throw new FailedError(
      `another wxplat process (${begun.row.lease_owner}) is syncing the followers of account ${label}`,
      `wait for it to finish; if it died, its claim runs out at ${isoOrNull(begun.row.lease_until)}`,
    );
  }
  const pass: SyncPass = { accountId, generation: Number(begun.row.generation), owner, leaseMs };
  const resumedAfter = begun.newPass ? 0 : Number(begun.row.seen);
  const run = { followers: 0, pages: 0, userGet: 0, batchget: 0, skipped: 0, adopted: 0 };
  let seen = resumedAfter;
  let total = begun.row.total === null ? null : Number(begun.row.total);
  let stop = false;
  const stopped = () => stop || signal.aborted;

  try {
    if (begun.newPass) run.adopted = await repo.adopt(accountId, clock.now());

    if (begun.row.state === 'running') {
      const client = deps.wechat.account(account.appid);
      const gate = limiter(concurrency);
      const details = { client, gate, patience, sleep, stopped };

      const fetchPage = async (cursor: string | undefined): Promise<Page | null> => {
        const fetchedAt = clock.now();
        const res = await patiently(() => client.getFollowers(cursor), patience, sleep, stopped);
        run.userGet++;
        // The end: no data (the call after the last page), count 0, or nothing listed.
        const listed = res.data?.openid ?? [];
        if (listed.length === 0 || Number(res.count) === 0) return null;
        const openids = [...new Set(listed.filter((o) => typeof o === 'string' && o !== ''))];
        const next = res.next_openid || openids[openids.length - 1];
        const detailsPromise = fetchDetails(details, openids);
        detailsPromise.catch(noop);
        return { openids, next, last: !res.next_openid, total: Number(res.total), fetchedAt, details: detailsPromise };
      };

      // A chain of pages (each needs the one before's next_openid), PAGES_AHEAD of them in flight
      // beside the one being written.
      let tail: Promise<Page | null> = fetchPage(begun.row.next_openid ?? undefined);
      tail.catch(noop);
      const queue: Array<Promise<Page | null>> = [tail];
      const topUp = () => {
        while (queue.length < PAGES_AHEAD) {
          tail = tail.then((p) => (p && !p.last ? fetchPage(p.next) : null));
          tail.catch(noop);
          queue.push(tail);
        }
      };
      topUp();
      for (;;) {
        const page = await queue.shift()!;
        if (!page) break;
        topUp();
        const found = await page.details;
        if (signal.aborted) throw new InterruptedError();
        const counts = await repo.writePage(pass, {
          followers: found.followers,
          fetchedAt: page.fetchedAt,
          nextOpenid: page.next,
          total: page.total,
          now: clock.now(),
        });
        run.pages++;
        run.batchget += found.calls;
        run.skipped += found.skipped;
        run.followers += counts.written;
        seen += counts.written;
        total = page.total;
        deps.onProgress?.({ phase: 'walking', done: seen, total });
        if (page.last) break;
      }
      stop = true;
      await repo.walked(pass, clock.now());
    }

    // The sweep: only now, after a complete walk, are those not seen marked as gone.
    let after = 0;
    let unfollowed = 0;
    for (;;) {
      if (signal.aborted) throw new InterruptedError();
      const chunk = await repo.markUnseen(pass, begun.row.started_at, after, clock.now(), SWEEP_CHUNK);
      unfollowed += chunk.marked;
      after = chunk.last;
      deps.onProgress?.({ phase: 'sweeping', done: unfollowed, total });
      if (chunk.marked < SWEEP_CHUNK) break;
    }
    await repo.retireDuplicates(pass, clock.now());
    const done = await repo.finish(pass, clock.now());
    return summarize(account, done, begun.newPass, resumedAfter, run, started);
  } catch (err) {
    stop = true;
    const interrupted = signal.aborted || err instanceof InterruptedError || err instanceof StoppedError;
    const where = `after ${seen} follower${seen === 1 ? '' : 's'} of ${total ?? '?'}`;
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof LostSyncLeaseError)) await repo.release(pass, clock.now(), interrupted ? 'interrupted' : message).catch(noop);
    if (interrupted) throw new SyncInterruptedError(`follower sync of account ${label} interrupted ${where}; ${again}`, accountRef(account), seen, total ?? null, again);
    if (err instanceof LostSyncLeaseError) throw new FailedError(`${err.message} (account ${label})`);
    if (err instanceof FailedError || err instanceof UsageError) {
      // What the error says to do (WeChat's errcode explained), and that the pass carries on from here.
      const failed = new FailedError(`follower sync of account ${label} stopped ${where}: ${message}`, err.hint ? `${err.hint}; ${again}` : again);
      // --json errors name WeChat's errcode.
      const errcode = (err as { errcode?: unknown }).errcode;
      if (typeof errcode === 'number') Object.assign(failed, { errcode });
      throw failed;
    }
    throw err;
  }
}

function summarize(
  account: OfficialAccountRow,
  row: FollowerSyncRow,
  newPass: boolean,
  resumedAfter: number,
  run: { followers: number; pages: number; userGet: number; batchget: number; skipped: number; adopted: number },
  started: bigint,
): SyncSummary {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    account: accountRef(account),
    generation: Number(row.generation),
    state: 'done',
    total: row.total === null ? null : Number(row.total),
    following: Number(row.seen),
    added: Number(row.added),
    refollowed: Number(row.refollowed),
    unfollowed: Number(row.unfollowed),
    duplicatesRetired: Number(row.retired),
    startedAt: isoOrNull(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    run: {
      resumed: !newPass,
      resumedAfter,
      followers: run.followers,
      pages: run.pages,
      requests: { userGet: run.userGet, batchget: run.batchget },
      skipped: run.skipped,
      adopted: run.adopted,
      // Rounded as every rate in JSON: seconds to the millisecond, rates to the whole.
      seconds: Math.round(seconds * 1000) / 1000,
      perSecond: seconds > 0 ? Math.round(run.followers / seconds) : 0,
    },
  };
}

export type { FollowerDetails };
