// wxplat_authorizer_status: each account's account_status as WeChat last gave it.
import type { Knex } from 'knex';
import type { AuthorizerStatusRow } from '../rows.js';

const TABLE = 'wxplat_authorizer_status';

export class AuthorizerStatusRepository {
  constructor(private readonly knex: Knex) {}

  async record(appid: string, accountStatus: number | null, checkedAt: string): Promise<void> {
    await this.knex(TABLE)
      .insert({ authorizer_appid: appid, account_status: accountStatus, checked_at: checkedAt })
      .onConflict('authorizer_appid')
      .merge(['account_status', 'checked_at']);
  }

  find(appid: string): Promise<AuthorizerStatusRow | undefined> {
    return this.knex<AuthorizerStatusRow>(TABLE).where('authorizer_appid', appid).first();
  }

  all(): Promise<AuthorizerStatusRow[]> {
    return this.knex<AuthorizerStatusRow>(TABLE).select('*');
  }
}
