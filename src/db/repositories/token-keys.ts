// wxplat_token_keys: the keys the platform's own services present to the token service. Only a key's
// SHA-256 is stored. Removing a key marks it -2 and keeps its row (and name, which old log lines
// carry); adding that name again gives the row a new key.
import type { Knex } from 'knex';
import { STATUS, type TokenKeyRow } from '../rows.js';

const KEYS = 'wxplat_token_keys';

export interface NewTokenKey {
  name: string;
  keyHash: string;
  /** null: every account and the component token. */
  appids: readonly string[] | null;
}

/** What the token service needs of a valid key to check a request (src/core/tokens/keyring.ts). */
export type KeyCredential = Pick<TokenKeyRow, 'id' | 'name' | 'key_hash' | 'appids' | 'last_used_at'>;

export class TokenKeyRepository {
  constructor(private readonly knex: Knex) {}

  findByName(name: string): Promise<TokenKeyRow | undefined> {
    return this.knex<TokenKeyRow>(KEYS).where('name', name).first();
  }

  /**
   * Stores a new key, or a new key under the name of a removed one; undefined when a valid key has the
   * name. Run it in a transaction that serialises adds (src/core/tokens/keys.ts).
   */
  async add(key: NewTokenKey, stamp: string): Promise<{ id: number; revived: boolean } | undefined> {
    const existing = await this.findByName(key.name);
    const values = {
      key_hash: key.keyHash,
      appids: key.appids === null ? null : key.appids.join(','),
      status: STATUS.valid,
      created_at: stamp,
      last_used_at: null,
      removed_at: null,
      updated_at: stamp,
    };
    if (existing) {
      if (Number(existing.status) === STATUS.valid) return undefined;
      await this.knex(KEYS).where('id', existing.id).update(values);
      return { id: existing.id, revived: true };
    }
    const [id] = await this.knex(KEYS).insert({ name: key.name, ...values });
    return { id: Number(id), revived: false };
  }

  /** Valid keys by name (removed ones too with `includeRemoved`). */
  list(includeRemoved = false): Promise<TokenKeyRow[]> {
    const q = this.knex<TokenKeyRow>(KEYS).select('*').orderBy('name');
    if (!includeRemoved) q.where('status', STATUS.valid);
    return q;
  }

  credentials(): Promise<KeyCredential[]> {
    return this.knex<TokenKeyRow>(KEYS).select('id', 'name', 'key_hash', 'appids', 'last_used_at').where('status', STATUS.valid);
  }

  /** false when no valid key has that name. */
  async remove(name: string, stamp: string): Promise<boolean> {
    const changed = await this.knex(KEYS)
      .where({ name, status: STATUS.valid })
      .update({ status: STATUS.deleted, removed_at: stamp, updated_at: stamp });
    return changed === 1;
  }

  /** Records that these keys were used (the token service writes this at most once a minute a key). */
  async touch(ids: readonly number[], stamp: string): Promise<void> {
    if (ids.length === 0) return;
    await this.knex(KEYS).whereIn('id', ids).where('status', STATUS.valid).update({ last_used_at: stamp });
  }
}
