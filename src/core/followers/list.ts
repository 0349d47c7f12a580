// `user list`: an account's followers as wxplat knows them, a page at a time in row order. `after` is
// the id of the last row of the page before (or its openid); the next page starts after it.
import type { Database } from '../../db/database.js';
import { FOLLOWING, FollowerSyncRepository, type FollowerListRow } from '../../db/repositories/followers.js';
import type { FollowerSyncState, OfficialAccountRow } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { accountLabel } from '../accounts/view.js';
import { LIMITS } from '../limits.js';

export const DEFAULT_LIMIT = LIMITS.followers.listLimit.default;
export const MAX_LIMIT = LIMITS.followers.listLimit.max;

export interface ListOptions {
  /** A row id, or an openid of the account. */
  after?: string;
  limit?: number;
  /** Rows no longer following (-2) too. */
  all?: boolean;
}

export interface FollowerView {
  /** official_account_users.official_account_user_id: what --after takes. */
  id: number;
  openid: string;
  /** The row's status is 1 (following); -2 is no longer following. */
  following: boolean;
  unionid: string | null;
  subscribedAt: string | null;
  subscribeScene: string | null;
  qrScene: number | null;
  qrSceneStr: string | null;
  remark: string | null;
  tags: number[];
  /** When a sync last read this follower's details; null for one only an event has told of. */
  detailsAt: string | null;
  createdAt: string | null;
}

export interface FollowerPage {
  followers: FollowerView[];
  /** What --after takes for the next page; null when this page is the last. */
  next: string | null;
  /** The account's last sync: its pass, state and when it finished. */
  sync: { generation: number; state: FollowerSyncState; finishedAt: string | null; total: number | null } | null;
}

function view(row: FollowerListRow): FollowerView {
  let tags: number[] = [];
  try {
    const parsed: unknown = row.tagid_list ? JSON.parse(row.tagid_list) : [];
    if (Array.isArray(parsed)) tags = parsed.filter((n): n is number => typeof n === 'number');
  } catch {
    tags = [];
  }
  const status = row.status === null ? null : Number(row.status);
  return {
    id: Number(row.official_account_user_id),
    openid: row.openid,
    following: status === FOLLOWING,
    unionid: row.unionid,
    subscribedAt: isoOrNull(row.subscribe_time),
    subscribeScene: row.subscribe_scene,
    qrScene: row.qr_scene === null ? null : Number(row.qr_scene),
    qrSceneStr: row.qr_scene_str,
    remark: row.remark,
    tags,
    detailsAt: isoOrNull(row.details_at),
    createdAt: isoOrNull(row.created_at),
  };
}

/** Checks the paging options before anything is read (bad ones are usage errors, exit 2). */
export function checkListOptions(options: ListOptions): void {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  if (options.after !== undefined && !/^\d+$/.test(options.after) && !/^[\w-]{6,64}$/.test(options.after)) {
    throw new UsageError(`--after "${options.after.slice(0, 40)}" is neither a row id nor an openid`, 'give the id (or openid) of the last row of the page before');
  }
}

export async function listFollowers(deps: { db: Database }, account: OfficialAccountRow, options: ListOptions = {}): Promise<FollowerPage> {
  checkListOptions(options);
  const repo = new FollowerSyncRepository(deps.db);
  const accountId = Number(account.official_account_id);
  const limit = options.limit ?? DEFAULT_LIMIT;
  let after = 0;
  if (options.after !== undefined) {
    if (/^\d+$/.test(options.after)) after = Number(options.after);
    else {
      const id = await repo.idOf(accountId, options.after);
      if (id === undefined) throw new NotFoundError(`account ${accountLabel(account)} has no follower ${options.after}`);
      after = id;
    }
  }
  const rows = await repo.list(accountId, { after, limit, all: Boolean(options.all) });
  const followers = rows.map(view);
  const checkpoint = await repo.checkpoint(accountId);
  const sync =
    checkpoint && Number(checkpoint.generation) > 0
      ? {
          generation: Number(checkpoint.generation),
          state: checkpoint.state,
          finishedAt: isoOrNull(checkpoint.finished_at),
          total: checkpoint.total === null ? null : Number(checkpoint.total),
        }
      : null;
  return { followers, next: followers.length === limit ? String(followers[followers.length - 1].id) : null, sync };
}
