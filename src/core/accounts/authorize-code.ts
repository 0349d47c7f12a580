// `account authorize` with a code in hand: completeAuthorization (authorize.ts), with WeChat's refusal
// of the code itself turned into bad input: nothing was changed, and running again with the same code
// cannot help.
//
// One refusal is not a failure: when `wxplat serve` runs, WeChat pushes the same code in the
// `authorized` event, and the receiver may exchange it first. Then the account is (or is about to be)
// authorized already: find that event in the inbox, wait for it to be processed, and report the account.
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { InboxRepository } from '../../db/repositories/inbox.js';
import { UsageError } from '../../errors.js';
import type { Sleep } from '../../wechat/retry.js';
import { realSleep } from '../../wechat/retry.js';
import { WeChatError } from '../../wechat/errors.js';
import { parseFlatXml } from '../../wechat/xml.js';
import { completeAuthorization, type AuthorizationResult, type AuthorizeDeps } from './authorize.js';

export class AuthorizationCodeError extends UsageError {
  constructor(
    readonly errcode: number,
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

export interface CodeAuthorizationResult extends AuthorizationResult {
  /** The receiver exchanged the code from WeChat's `authorized` event (inbox row id). */
  viaReceiver?: number;
}

/** How long to wait for the receiver to finish the authorization it started. */
const RECEIVER_WAIT_MS = 20_000;

async function completedByReceiver(db: Database, code: string, now: Date, sleep: Sleep): Promise<CodeAuthorizationResult | null> {
  const inbox = new InboxRepository(db.knex, db.dialect);
  const events = await inbox.recentAuthorizationEvents(new Date(now.getTime() - 2 * 3600_000));
  const event = events.find((e) => {
    try {
      return parseFlatXml(e.decryptedXml).AuthorizationCode?.trim() === code;
    } catch {
      return false;
    }
  });
  if (!event) return null;
  const appid = parseFlatXml(event.decryptedXml).AuthorizerAppid?.trim();
  if (!appid) return null;
  for (let waited = 0; ; waited += 250) {
    const row = await inbox.findById(event.id);
    if (row?.state === 'done') break;
    if (row?.state === 'failed' || row?.state === 'ignored' || waited >= RECEIVER_WAIT_MS) return null;
    await sleep(250);
  }
  const account = await new AccountRepository(db.knex).findByAppid(appid);
  if (!account) return null;
  return {
    account,
    // The receiver made the row for this authorization, or updated an older one.
    created: account.created_at !== null && account.created_at === account.updated_at,
    funcIds: (account.func_ids ?? '').split(',').filter(Boolean).map(Number),
    viaReceiver: event.id,
  };
}

export async function authorizeWithCode(deps: AuthorizeDeps & { sleep?: Sleep }, code: string): Promise<CodeAuthorizationResult> {
  try {
    return await completeAuthorization(deps, code);
  } catch (err) {
    if (err instanceof WeChatError && (err.errcode === 61009 || err.errcode === 61010)) {
      const done = await completedByReceiver(deps.db, code, deps.clock.now(), deps.sleep ?? realSleep);
      if (done) return done;
    }
    if (err instanceof WeChatError && err.errcode === 61009) {
      throw new AuthorizationCodeError(
        61009,
        `WeChat refused the authorization code (61009 ${err.errmsg}): it was already used, or it is not this platform's`,
        'a code works once: run `wxplat account authorize` for a new link',
      );
    }
    if (err instanceof WeChatError && err.errcode === 61010) {
      throw new AuthorizationCodeError(
        61010,
        `WeChat refused the authorization code (61010 ${err.errmsg}): it has expired`,
        'run `wxplat account authorize` for a new link and exchange the code right away',
      );
    }
    throw err;
  }
}

/**
 * While the operator is asked for the redirect address: the authorization of this pre-auth code,
 * completed by `wxplat serve` from WeChat's `authorized` event (which carries the PreAuthCode), so that
 * the command can end with the account instead of waiting for a paste. Resolves null when `signal`
 * aborts first. Polls the inbox: `serve` may run in another process, on another host.
 */
export async function awaitReceiverAuthorization(
  deps: { db: Database; clock: { now(): Date }; sleep?: Sleep },
  preAuthCode: string,
  signal: AbortSignal,
): Promise<CodeAuthorizationResult | null> {
  const sleep = deps.sleep ?? realSleep;
  const inbox = new InboxRepository(deps.db.knex, deps.db.dialect);
  const since = new Date(deps.clock.now().getTime() - 60_000);
  while (!signal.aborted) {
    for (const e of await inbox.recentAuthorizationEvents(since)) {
      let fields: Record<string, string | undefined>;
      try {
        fields = parseFlatXml(e.decryptedXml);
      } catch {
        continue;
      }
      if (fields.PreAuthCode?.trim() !== preAuthCode || e.state !== 'done') continue;
      const appid = fields.AuthorizerAppid?.trim();
      const account = appid ? await new AccountRepository(deps.db.knex).findByAppid(appid) : undefined;
      if (!account) continue;
      return {
        account,
        created: account.created_at !== null && account.created_at === account.updated_at,
        funcIds: (account.func_ids ?? '').split(',').filter(Boolean).map(Number),
        viaReceiver: e.id,
      };
    }
    await sleep(500);
  }
  return null;
}
