// official_accounts_pay_params: an account's WeChat Pay merchant settings. The pay key (`appkey`) is a
// secret: it goes in and stays in; reads for display take only its mask (src/core/accounts/pay.ts).
import type { Knex } from 'knex';
import { STATUS, type OfficialAccountsPayParamRow } from '../rows.js';

export interface PayParams {
  mchId: string;
  name: string;
  appkey: string;
}

export class PayParamsRepository {
  constructor(private readonly knex: Knex) {}

  /** The account's valid settings, the newest if production holds several. */
  current(accountId: number): Promise<OfficialAccountsPayParamRow | undefined> {
    return this.knex<OfficialAccountsPayParamRow>('official_accounts_pay_params')
      .where({ official_account_id: accountId, status: STATUS.valid })
      .orderBy('official_accounts_pay_param_id', 'desc')
      .first();
  }

  /**
   * Writes the account's settings into its current row (or a new one) and retires any older valid row,
   * so that exactly one stays valid. Nothing is hard-deleted.
   */
  async save(accountId: number, params: PayParams, stamp: string): Promise<{ id: number; created: boolean }> {
    const existing = await this.current(accountId);
    const values = { mch_id: params.mchId, name: params.name, appkey: params.appkey, status: STATUS.valid, updated_at: stamp };
    let id: number;
    let created = false;
    if (existing) {
      id = existing.official_accounts_pay_param_id;
      await this.knex('official_accounts_pay_params').where('official_accounts_pay_param_id', id).update(values);
    } else {
      const [inserted] = await this.knex('official_accounts_pay_params').insert({
        ...values,
        official_account_id: accountId,
        created_at: stamp,
      });
      id = Number(inserted);
      created = true;
    }
    await this.knex('official_accounts_pay_params')
      .where({ official_account_id: accountId, status: STATUS.valid })
      .whereNot('official_accounts_pay_param_id', id)
      .update({ status: STATUS.deleted, updated_at: stamp });
    return { id, created };
  }
}
