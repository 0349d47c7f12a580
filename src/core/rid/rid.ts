// `wxplat rid <rid>`: what WeChat kept of a failed call (openapi/rid/get, 7 days): when, how long, the
// request and the answer. WeChat shows a rid only to the identity that made the call: the platform for
// its own calls, the account for calls made for it. Asked as the account given with --account, else as
// the account whose failed send carries the rid, else as the platform. Tokens and secrets in what
// WeChat gives back are masked before anything is shown.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { RidRepository } from '../../db/repositories/rids.js';
import { FailedError, UsageError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import { explainErrcode } from '../../wechat/errcodes.js';
import { maskSecretFields, WeChatError } from '../../wechat/errors.js';
import { requireAuthorized } from '../accounts/authorized.js';
import { resolveAccount } from '../accounts/resolve.js';
import { accountRef, type AccountRef } from '../accounts/view.js';

const RID = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/i;

/** The rid as WeChat prints it (`rid: …` pasted whole is fine); exit 2 for anything else. */
export function parseRid(input: string): string {
  const rid = input.trim().replace(/^rid:\s*/i, '');
  if (!RID.test(rid)) {
    throw new UsageError(`"${input.slice(0, 60)}" is not a rid`, 'a rid is three groups of 8 hex digits, as WeChat appends it to errmsg: 61725984-6126f6f9-040f19c4');
  }
  return rid.toLowerCase();
}

/** WeChat would not show the rid to the platform: it may belong to a call made for an account. */
export class RidNotShownError extends FailedError {
  constructor(
    readonly errcode: number,
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

export type RidAsker = { kind: 'component'; appid: string } | ({ kind: 'account' } & AccountRef);

export interface RidReport {
  rid: string;
  askedAs: RidAsker;
  /** How the identity was chosen. */
  chosenBy: 'option' | 'records' | 'default';
  invokedAt: string;
  costMs: number;
  clientIp: string;
  /** The query string of the call, tokens masked. */
  requestUrl: string;
  requestBody: string;
  responseBody: string;
}

export interface RidDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
}

export async function lookupRid(deps: RidDeps, rid: string, accountOption?: string): Promise<RidReport> {
  let asker: RidAsker = { kind: 'component', appid: deps.wechat.componentAppid };
  let chosenBy: RidReport['chosenBy'] = 'default';
  if (accountOption !== undefined) {
    const row = await resolveAccount(deps.db, accountOption, { includeRemoved: true });
    await requireAuthorized(deps.db, deps.clock, row);
    asker = { kind: 'account', ...accountRef(row) };
    chosenBy = 'option';
  } else {
    const id = await new RidRepository(deps.db.knex).accountOfRid(rid);
    const row = id === null ? undefined : await new AccountRepository(deps.db.knex).findById(id);
    if (row?.appid) {
      asker = { kind: 'account', ...accountRef(row) };
      chosenBy = 'records';
    }
  }
  let res;
  try {
    res = asker.kind === 'component' ? await deps.wechat.componentRid(rid) : await deps.wechat.account(asker.appid!).rid(rid);
  } catch (err) {
    // Asked as the platform about an account's call: say how to ask as the account.
    if (err instanceof WeChatError && chosenBy === 'default' && (err.errcode === 76003 || err.errcode === 76001)) {
      throw new RidNotShownError(
        err.errcode,
        `${err.message}: asked as the platform`,
        `${explainErrcode(err.errcode)?.meaning ?? 'WeChat would not show it'}; a call made for an account is shown only to that account: \`wxplat rid ${rid} --account <account>\``,
      );
    }
    throw err;
  }
  const r = res.request ?? ({} as Partial<typeof res.request>);
  return {
    rid,
    askedAs: asker,
    chosenBy,
    invokedAt: new Date(Number(r.invoke_time ?? 0) * 1000).toISOString(),
    costMs: Number(r.cost_in_ms ?? 0),
    clientIp: String(r.client_ip ?? ''),
    requestUrl: maskSecretFields(String(r.request_url ?? '')),
    requestBody: maskSecretFields(String(r.request_body ?? '')),
    responseBody: maskSecretFields(String(r.response_body ?? '')),
  };
}
