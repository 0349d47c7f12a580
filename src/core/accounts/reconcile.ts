// `account reconcile`: make official_accounts agree with WeChat's list of the platform's authorizations
// (api_get_authorizer_list, 500 a page). WeChat's list is the truth:
//   - authorized there, missing here → adopted: profile fetched, WeChat's refresh token taken;
//   - authorized there, removed here (-2) → restored the same way;
//   - here (status 1) but not listed → marked removed (-2), tokens dropped (as the unauthorized event does);
//   - a refresh token that differs from WeChat's (or one marked dead) → WeChat's is taken.
// A refresh token is taken only once WeChat gave an access token for it (api_authorizer_token): one it
// refuses (61023 …) is left undone, and nothing of that account changes. The whole list is read before
// anything changes, so a failure while paging changes nothing. Each account's change is its own: a
// failure leaves the others done, and running it again carries on.
import type { Clock } from '../../clock.js';
import { sameSecret } from '../../config/secret.js';
import type { Database } from '../../db/database.js';
import { lockedTransaction } from '../../db/locks.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import { STATUS, type OfficialAccountRow } from '../../db/rows.js';
import { toSqlDateTime } from '../../db/time.js';
import { InterruptedError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import { storeAccountProfile } from './authorize.js';
import { accountRef, type AccountRef } from './view.js';

export const LIST_PAGE = 500;

export type ReconcileAction = 'adopt' | 'restore' | 'take-token' | 'repair' | 'remove' | 'none' | 'ignore';
export type ReconcileResult = 'done' | 'planned' | 'undone' | 'unchanged' | 'ignored';

export interface ReconcileItem {
  appid: string;
  /** The account here, when there is (or now is) one. */
  account: AccountRef | null;
  action: ReconcileAction;
  result: ReconcileResult;
  detail: string;
  /** WeChat's errcode, when WeChat refused something of an undone item. */
  errcode: number | null;
}

export interface ReconcileSummary {
  dryRun: boolean;
  /** WeChat's total_count. */
  listed: number;
  pages: number;
  items: ReconcileItem[];
  counts: Record<ReconcileResult, number>;
  /** 3 when something was left undone (never for --dry-run). */
  exitCode: 0 | 3;
}

export interface ReconcileDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
  signal: AbortSignal;
}

interface Listed {
  appid: string;
  refreshToken: string | null;
}

/** Every authorization WeChat lists, page by page. */
async function readList(wechat: WeChatClient): Promise<{ listed: Listed[]; total: number; pages: number }> {
  const listed: Listed[] = [];
  const seen = new Set<string>();
  let total: number;
  let pages = 0;
  for (let offset = 0; ; ) {
    const page = await wechat.getAuthorizerList(offset, LIST_PAGE);
    pages++;
    total = Number(page.total_count ?? 0);
    const list = page.list ?? [];
    for (const a of list) {
      if (!a?.authorizer_appid || seen.has(a.authorizer_appid)) continue;
      seen.add(a.authorizer_appid);
      listed.push({ appid: a.authorizer_appid, refreshToken: a.refresh_token || null });
    }
    offset += list.length;
    if (list.length === 0 || offset >= total) return { listed, total, pages };
  }
}

function errcodeOf(err: unknown): number | null {
  const code = (err as { errcode?: unknown })?.errcode;
  return typeof code === 'number' ? code : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function reconcileAccounts(deps: ReconcileDeps, options: { dryRun: boolean }): Promise<ReconcileSummary> {
  const { db, wechat, clock } = deps;
  const dry = options.dryRun;
  const { listed, total, pages } = await readList(wechat);
  const accounts = new AccountRepository(db.knex);
  const tokens = new TokenRepository(db.knex, clock);
  const items: ReconcileItem[] = [];
  const listedAppids = new Set(listed.map((l) => l.appid));

  const checkAbort = () => {
    if (deps.signal.aborted) throw new InterruptedError('interrupted: what was reconciled so far is kept; run it again to carry on');
  };

  /** Takes WeChat's refresh token for the account once WeChat gives an access token for it. */
  const takeToken = async (item: ReconcileItem, refreshToken: string): Promise<boolean> => {
    try {
      await wechat.tokens.adoptRefreshToken(item.appid, refreshToken);
      return true;
    } catch (err) {
      item.result = 'undone';
      item.errcode = errcodeOf(err);
      item.detail = `WeChat refused its listed refresh token: ${messageOf(err)}`;
      return false;
    }
  };

  for (const entry of listed) {
    checkAbort();
    const row = await accounts.findByAppid(entry.appid);
    const held = await tokens.readAuthorizerToken(entry.appid);
    const item: ReconcileItem = {
      appid: entry.appid,
      account: row ? accountRef(row) : null,
      action: 'none',
      result: 'unchanged',
      detail: 'authorized, same refresh token',
      errcode: null,
    };
    items.push(item);

    if (!row || Number(row.status) === STATUS.deleted) {
      item.action = row ? 'restore' : 'adopt';
      if (!entry.refreshToken) {
        item.result = 'undone';
        item.detail = 'WeChat lists the authorization without a refresh token (its code was never exchanged): the admin must authorize again';
        continue;
      }
      if (dry) {
        item.result = 'planned';
        item.detail = row ? 'removed here, authorized at WeChat: would be restored' : 'authorized at WeChat, unknown here: would be adopted (if an official account)';
        continue;
      }
      try {
        const info = await wechat.getAuthorizerInfo(entry.appid);
        if (info.authorizer_info?.MiniProgramInfo !== undefined) {
          item.action = 'ignore';
          item.result = 'ignored';
          item.detail = 'a mini program: wxplat manages official accounts only';
          continue;
        }
        if (!(await takeToken(item, entry.refreshToken))) continue;
        const { account } = await storeAccountProfile({ db, clock }, entry.appid, info);
        item.account = accountRef(account);
        item.result = 'done';
        item.detail = row ? 'restored: status 1, profile fetched, WeChat\'s refresh token taken' : 'adopted: profile fetched, WeChat\'s refresh token taken';
      } catch (err) {
        item.result = 'undone';
        item.errcode = errcodeOf(err);
        item.detail = messageOf(err);
      }
      continue;
    }

    // A valid account here: do the refresh tokens agree?
    if (!entry.refreshToken) {
      if (held?.refreshToken) {
        item.detail = 'WeChat lists no refresh token for it; wxplat keeps its own';
      } else {
        item.result = 'undone';
        item.detail = 'neither WeChat nor wxplat holds a refresh token (the code was never exchanged): the admin must authorize again';
      }
      continue;
    }
    const differs = !held?.refreshToken || !sameSecret(held.refreshToken, entry.refreshToken);
    if (!differs && !held?.needsReauth) continue;
    item.action = differs ? 'take-token' : 'repair';
    if (dry) {
      item.result = 'planned';
      item.detail = differs ? 'wxplat\'s refresh token differs from WeChat\'s: WeChat\'s would be taken' : 'marked for re-authorization, but WeChat still lists its refresh token: it would be tried again';
      continue;
    }
    if (!(await takeToken(item, entry.refreshToken))) continue;
    item.result = 'done';
    item.detail = differs ? 'WeChat\'s refresh token taken' : 'WeChat\'s refresh token works again: the re-authorization mark is cleared';
  }

  // Accounts here that WeChat no longer lists: their authorization is gone.
  const valid = await accounts.list(false);
  for (const row of valid) {
    checkAbort();
    if (!row.appid || listedAppids.has(row.appid)) continue;
    const item: ReconcileItem = { appid: row.appid, account: accountRef(row), action: 'remove', result: 'planned', detail: '', errcode: null };
    items.push(item);
    if (dry) {
      item.detail = 'not authorized at WeChat: would be marked removed (-2)';
      continue;
    }
    try {
      await removeUnlisted(db, clock, row);
      item.result = 'done';
      item.detail = 'not authorized at WeChat: marked removed (-2), tokens dropped';
    } catch (err) {
      item.result = 'undone';
      item.detail = messageOf(err);
    }
  }

  const counts: Record<ReconcileResult, number> = { done: 0, planned: 0, undone: 0, unchanged: 0, ignored: 0 };
  for (const i of items) counts[i.result]++;
  return { dryRun: dry, listed: total, pages, items, counts, exitCode: !dry && counts.undone > 0 ? 3 : 0 };
}

async function removeUnlisted(db: Database, clock: Clock, row: OfficialAccountRow): Promise<void> {
  const stamp = toSqlDateTime(clock.now());
  await lockedTransaction(db, `account:${row.appid}`, async (trx) => {
    await new AccountRepository(trx).setStatus(row.official_account_id, STATUS.deleted, stamp);
    await new TokenRepository(trx, clock).dropAuthorizer(row.appid!);
  });
}
