// Where a rid was met: the failed sends keep WeChat's errmsg, which carries the rid, so the account a
// call was made for can be found from the rid alone.
import type { Knex } from 'knex';

export class RidRepository {
  constructor(private readonly knex: Knex) {}

  /** The official_account_id of a send whose error carries this rid, or null. */
  async accountOfRid(rid: string): Promise<number | null> {
    const row = await this.knex('wxplat_send_deliveries')
      .select('official_account_id')
      .whereNotNull('errmsg')
      .andWhere('errmsg', 'like', `%rid: ${rid.replace(/[%_\\]/g, '')}%`)
      .first();
    return row ? Number(row.official_account_id) : null;
  }
}
