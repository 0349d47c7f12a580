// official_accounts (the authorized 公众号) and official_accounts_pay_params (their merchant settings).
import type { Knex } from 'knex';
import { STATUS, type OfficialAccountRow } from '../rows.js';

export type AccountProfile = Omit<OfficialAccountRow, 'official_account_id' | 'status' | 'created_at' | 'updated_at'>;

export class AccountRepository {
  constructor(private readonly knex: Knex) {}

  findById(id: number): Promise<OfficialAccountRow | undefined> {
    return this.knex<OfficialAccountRow>('official_accounts').where('official_account_id', id).first();
  }

  /** A valid row first, then the oldest: production may hold a removed duplicate. */
  findByAppid(appid: string): Promise<OfficialAccountRow | undefined> {
    return this.knex<OfficialAccountRow>('official_accounts')
      .where('appid', appid)
      .orderByRaw('CASE WHEN status = ? THEN 0 ELSE 1 END', [STATUS.valid])
      .orderBy('official_account_id')
      .first();
  }

  findByOriginalId(originalId: string): Promise<OfficialAccountRow | undefined> {
    return this.knex<OfficialAccountRow>('official_accounts')
      .where('original_id', originalId)
      .orderByRaw('CASE WHEN status = ? THEN 0 ELSE 1 END', [STATUS.valid])
      .orderBy('official_account_id')
      .first();
  }

  list(includeRemoved: boolean): Promise<OfficialAccountRow[]> {
    const q = this.knex<OfficialAccountRow>('official_accounts').select('*').orderBy('official_account_id');
    if (!includeRemoved) q.where('status', STATUS.valid);
    return q;
  }

  /** Inserts or updates the account with this appid; never makes a second row for it. */
  async upsertByAppid(profile: AccountProfile, stamp: string): Promise<{ id: number; created: boolean }> {
    const existing = await this.findByAppid(profile.appid!);
    if (existing) {
      await this.knex('official_accounts')
        .where('official_account_id', existing.official_account_id)
        .update({ ...profile, status: STATUS.valid, updated_at: stamp });
      return { id: existing.official_account_id, created: false };
    }
    const [id] = await this.knex('official_accounts').insert({ ...profile, status: STATUS.valid, created_at: stamp, updated_at: stamp });
    return { id: Number(id), created: true };
  }

  async setStatus(id: number, status: number, stamp: string): Promise<void> {
    await this.knex('official_accounts').where('official_account_id', id).update({ status, updated_at: stamp });
  }
}
