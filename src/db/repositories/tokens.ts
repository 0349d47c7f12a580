// The token keeper's store (src/wechat/tokens.ts) on wxplat_component_credentials,
// wxplat_authorizer_tokens and wxplat_jsapi_tickets. Every change of a token goes through a conditional UPDATE, so that
// concurrent processes on one database agree on who refreshes.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.js';
import type {
  AuthorizerTokenRecord,
  AuthorizerTokens,
  TicketRecord,
  TokenKind,
  TokenRecord,
  TokenStore,
} from '../../wechat/tokens.js';
import type { AuthorizerTokenRow, ComponentCredentialsRow, JsapiTicketRow } from '../rows.js';
import { fromSqlDateTime, toSqlDateTime } from '../time.js';

const COMPONENT = 'wxplat_component_credentials';
const AUTHORIZER = 'wxplat_authorizer_tokens';
const JSAPI = 'wxplat_jsapi_tickets';
const EPOCH = '1970-01-01 00:00:00';
/** What an AuthorizerTokenRecord is made of (not the timestamps of the row). */
const AUTHORIZER_RECORD: string[] = [
  'authorizer_appid',
  'access_token',
  'access_token_expires_at',
  'version',
  'lease_owner',
  'lease_until',
  'refresh_token',
  'needs_reauth',
  'reauth_reason',
];

/** Each kind's table, key column, and the columns of its value and expiry. */
function table(kind: TokenKind): { name: string; key: string; value: string; expiresAt: string } {
  if (kind === 'component') return { name: COMPONENT, key: 'component_appid', value: 'access_token', expiresAt: 'access_token_expires_at' };
  if (kind === 'jsapi') return { name: JSAPI, key: 'authorizer_appid', value: 'ticket', expiresAt: 'ticket_expires_at' };
  return { name: AUTHORIZER, key: 'authorizer_appid', value: 'access_token', expiresAt: 'access_token_expires_at' };
}

function record(row: ComponentCredentialsRow | AuthorizerTokenRow): TokenRecord {
  return {
    token: row.access_token,
    expiresAt: fromSqlDateTime(row.access_token_expires_at),
    version: Number(row.version),
    leaseOwner: row.lease_owner,
    leaseUntil: fromSqlDateTime(row.lease_until),
  };
}

export class TokenRepository implements TokenStore {
  constructor(
    private readonly knex: Knex,
    private readonly clock: Clock,
  ) {}

  private stamp(): string {
    return toSqlDateTime(this.clock.now());
  }

  /** Makes sure the record exists, so that the compare-and-set always has a row to compare. */
  private async ensure(kind: TokenKind, appid: string): Promise<void> {
    const { name, key } = table(kind);
    await this.knex(name)
      .insert({ [key]: appid, version: 0, updated_at: this.stamp() })
      .onConflict(key)
      .ignore();
  }

  async readTicket(componentAppid: string): Promise<TicketRecord | null> {
    const row = await this.knex<ComponentCredentialsRow>(COMPONENT).where('component_appid', componentAppid).first();
    if (!row?.verify_ticket || !row.ticket_received_at) return null;
    return { ticket: row.verify_ticket, receivedAt: fromSqlDateTime(row.ticket_received_at)! };
  }

  async saveTicket(componentAppid: string, ticket: string, receivedAt: Date): Promise<void> {
    await this.ensure('component', componentAppid);
    // A push delayed in the inbox must not replace a newer ticket.
    await this.knex(COMPONENT)
      .where('component_appid', componentAppid)
      .andWhere((q) => q.whereNull('ticket_received_at').orWhere('ticket_received_at', '<=', toSqlDateTime(receivedAt)))
      .update({ verify_ticket: ticket, ticket_received_at: toSqlDateTime(receivedAt), updated_at: this.stamp() });
  }

  async readComponentToken(componentAppid: string): Promise<TokenRecord | null> {
    const row = await this.knex<ComponentCredentialsRow>(COMPONENT).where('component_appid', componentAppid).first();
    return row ? record(row) : null;
  }

  async readAuthorizerToken(authorizerAppid: string): Promise<AuthorizerTokenRecord | null> {
    return (await this.readAuthorizerTokens([authorizerAppid])).get(authorizerAppid) ?? null;
  }

  /** Several accounts' records in one statement (the token listener reads them in batches). */
  async readAuthorizerTokens(appids: readonly string[]): Promise<Map<string, AuthorizerTokenRecord>> {
    const rows: AuthorizerTokenRow[] = await this.knex(AUTHORIZER).select(AUTHORIZER_RECORD).whereIn('authorizer_appid', appids);
    const records = new Map<string, AuthorizerTokenRecord>();
    for (const row of rows) {
      // Built in one literal: the token listener maps thousands of these a second.
      records.set(row.authorizer_appid, {
        token: row.access_token,
        expiresAt: fromSqlDateTime(row.access_token_expires_at),
        version: Number(row.version),
        leaseOwner: row.lease_owner,
        leaseUntil: fromSqlDateTime(row.lease_until),
        refreshToken: row.refresh_token,
        needsReauth: Number(row.needs_reauth) === 1,
        reauthReason: row.reauth_reason,
      });
    }
    return records;
  }

  async readJsapiTicket(authorizerAppid: string): Promise<TokenRecord | null> {
    return (await this.readJsapiTickets([authorizerAppid])).get(authorizerAppid) ?? null;
  }

  async readJsapiTickets(appids: readonly string[]): Promise<Map<string, TokenRecord>> {
    const rows = await this.knex<JsapiTicketRow>(JSAPI).whereIn('authorizer_appid', appids);
    return new Map(
      rows.map((row) => [
        row.authorizer_appid,
        {
          token: row.ticket,
          expiresAt: fromSqlDateTime(row.ticket_expires_at),
          version: Number(row.version),
          leaseOwner: row.lease_owner,
          leaseUntil: fromSqlDateTime(row.lease_until),
        },
      ]),
    );
  }

  async claimRefresh(kind: TokenKind, appid: string, version: number, owner: string, leaseUntil: Date): Promise<boolean> {
    const { name, key } = table(kind);
    if (version === 0) await this.ensure(kind, appid);
    const changed = await this.knex(name)
      .where({ [key]: appid, version })
      .update({
        version: this.knex.raw('version + 1'),
        lease_owner: owner,
        lease_until: toSqlDateTime(leaseUntil),
        updated_at: this.stamp(),
      });
    return changed === 1;
  }

  async releaseRefresh(kind: TokenKind, appid: string, owner: string): Promise<void> {
    const { name, key } = table(kind);
    await this.knex(name).where({ [key]: appid, lease_owner: owner }).update({ lease_owner: null, lease_until: null });
  }

  async saveComponentToken(appid: string, owner: string, token: string, expiresAt: Date): Promise<boolean> {
    const changed = await this.knex(COMPONENT)
      .where({ component_appid: appid, lease_owner: owner })
      .update({
        access_token: token,
        access_token_expires_at: toSqlDateTime(expiresAt),
        version: this.knex.raw('version + 1'),
        lease_owner: null,
        lease_until: null,
        updated_at: this.stamp(),
      });
    return changed === 1;
  }

  async saveAuthorizerTokens(appid: string, owner: string | null, tokens: AuthorizerTokens): Promise<boolean> {
    const values = {
      access_token: tokens.accessToken,
      access_token_expires_at: toSqlDateTime(tokens.expiresAt),
      refresh_token: tokens.refreshToken,
      version: this.knex.raw('version + 1'),
      lease_owner: null,
      lease_until: null,
      updated_at: this.stamp(),
    };
    if (owner === null) {
      await this.ensure('authorizer', appid);
      await this.knex(AUTHORIZER)
        .where('authorizer_appid', appid)
        .update({ ...values, needs_reauth: 0, reauth_reason: null, authorized_at: this.stamp() });
      return true;
    }
    const changed = await this.knex(AUTHORIZER).where({ authorizer_appid: appid, lease_owner: owner }).update(values);
    return changed === 1;
  }

  async saveJsapiTicket(appid: string, owner: string, ticket: string, expiresAt: Date): Promise<boolean> {
    const changed = await this.knex(JSAPI)
      .where({ authorizer_appid: appid, lease_owner: owner })
      .update({
        ticket,
        ticket_expires_at: toSqlDateTime(expiresAt),
        version: this.knex.raw('version + 1'),
        lease_owner: null,
        lease_until: null,
        updated_at: this.stamp(),
      });
    return changed === 1;
  }

  async expireToken(kind: TokenKind, appid: string, token: string): Promise<boolean> {
    const { name, key, value, expiresAt } = table(kind);
    // Matched rows, not changed ones: a second report of a token already marked is still a match.
    const changed = await this.knex(name)
      .where({ [key]: appid, [value]: token })
      .update({ [expiresAt]: EPOCH, updated_at: this.stamp() });
    return changed === 1;
  }

  async markNeedsReauth(appid: string, reason: string): Promise<void> {
    await this.knex(AUTHORIZER)
      .where('authorizer_appid', appid)
      .update({ needs_reauth: 1, reauth_reason: reason, lease_owner: null, lease_until: null, updated_at: this.stamp() });
  }

  async dropAuthorizer(appid: string): Promise<void> {
    await this.knex(AUTHORIZER).where('authorizer_appid', appid).update({
      access_token: null,
      access_token_expires_at: null,
      refresh_token: null,
      lease_owner: null,
      lease_until: null,
      version: this.knex.raw('version + 1'),
      updated_at: this.stamp(),
    });
    await this.knex(JSAPI).where('authorizer_appid', appid).update({
      ticket: null,
      ticket_expires_at: null,
      lease_owner: null,
      lease_until: null,
      version: this.knex.raw('version + 1'),
      updated_at: this.stamp(),
    });
  }

  /** Every account's token state, for `account list`, `platform status` and `doctor` (no token values). */
  async authorizerStates(): Promise<
    Array<{ appid: string; expiresAt: Date | null; hasRefreshToken: boolean; needsReauth: boolean; reason: string | null }>
  > {
    const rows = await this.knex<AuthorizerTokenRow>(AUTHORIZER).select(
      'authorizer_appid',
      'access_token_expires_at',
      'refresh_token',
      'needs_reauth',
      'reauth_reason',
    );
    return rows.map((r) => ({
      appid: r.authorizer_appid,
      expiresAt: fromSqlDateTime(r.access_token_expires_at),
      hasRefreshToken: Boolean(r.refresh_token),
      needsReauth: Number(r.needs_reauth) === 1,
      reason: r.reauth_reason,
    }));
  }
}
