// `token keys add / list / remove`: the keys the platform's own services present to the token service
// (`serve` with WXPLAT_TOKENS_LISTEN). A key is 256 random bits, shown once by `add` and stored only as
// its SHA-256: a random key needs no slow hash, and the database never holds what a request carries.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { Secret } from '../../config/secret.js';
import type { Database } from '../../db/database.js';
import { lockedTransaction } from '../../db/locks.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { TokenKeyRepository } from '../../db/repositories/token-keys.js';
import { STATUS, type TokenKeyRow } from '../../db/rows.js';
import { isoOrNull, toSqlDateTime } from '../../db/time.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { isAppid } from '../../formats.js';

/** Keys start with this, so that one found in a file or a paste is recognised for what it is. */
export const KEY_PREFIX = 'wxk_';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function newKey(): Secret {
  return new Secret(`${KEY_PREFIX}${randomBytes(32).toString('base64url')}`);
}

/** Hex SHA-256: what is stored, and what a presented key is compared with. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function checkKeyName(name: string | undefined): string {
  if (name === undefined || name.trim() === '') throw new UsageError('--name is required: the name of the service the key is for (e.g. --name orders)');
  const value = name.trim();
  if (!NAME.test(value)) {
    throw new UsageError(`--name must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (got "${value.slice(0, 70)}")`);
  }
  return value;
}

/** `--appid wx…,wx…` → the appids, each once; undefined → null (every account). */
export function parseAppidList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const appids = [...new Set(value.split(',').map((a) => a.trim()).filter(Boolean))];
  if (appids.length === 0) throw new UsageError('--appid names no appid: give wx…,wx… or leave it out for every account');
  const bad = appids.find((a) => !isAppid(a));
  if (bad !== undefined) throw new UsageError(`--appid: "${bad.slice(0, 40)}" is not an appid ("wx" followed by 16 letters or digits)`);
  return appids;
}

export interface KeyView {
  name: string;
  /** null: every account and the component token. */
  appids: string[] | null;
  createdAt: string | null;
  lastUsedAt: string | null;
}

export interface NewKeyResult extends KeyView {
  /** Shown once, by `token keys add`; nowhere else. */
  key: Secret;
  /** The name belonged to a removed key. */
  revived: boolean;
}

function view(row: TokenKeyRow): KeyView {
  return {
    name: row.name,
    appids: row.appids === null ? null : row.appids.split(',').filter(Boolean),
    createdAt: isoOrNull(row.created_at),
    lastUsedAt: isoOrNull(row.last_used_at),
  };
}

export async function addKey(deps: { db: Database; clock: Clock }, input: { name: string | undefined; appids: string | undefined }): Promise<NewKeyResult> {
  const name = checkKeyName(input.name);
  const appids = parseAppidList(input.appids);
  if (appids) {
    const accounts = new AccountRepository(deps.db.knex);
    for (const appid of appids) {
      if (!(await accounts.findByAppid(appid))) {
        throw new NotFoundError(`--appid: no account has the appid ${appid}`, '`wxplat account list --all` shows the accounts; authorize it first');
      }
    }
  }
  const key = newKey();
  const stamp = toSqlDateTime(deps.clock.now());
  // Serialised, so that two adds of one name cannot both find it free.
  const added = await lockedTransaction(deps.db, 'token-keys', (trx) =>
    new TokenKeyRepository(trx).add({ name, keyHash: hashKey(key.reveal()), appids }, stamp),
  );
  if (!added) {
    throw new UsageError(`a key named "${name}" exists already`, `pick another name, or \`wxplat token keys remove ${name}\` first`);
  }
  const row = (await new TokenKeyRepository(deps.db.knex).findByName(name))!;
  return { ...view(row), key, revived: added.revived };
}

export async function listKeys(deps: { db: Database }): Promise<KeyView[]> {
  return (await new TokenKeyRepository(deps.db.knex).list()).map(view);
}

export async function findKey(deps: { db: Database }, name: string): Promise<KeyView> {
  const row = await new TokenKeyRepository(deps.db.knex).findByName(name);
  if (!row || Number(row.status) !== STATUS.valid) throw new NotFoundError(`no key is named "${name.slice(0, 70)}"`, '`wxplat token keys list` shows the keys');
  return view(row);
}

export async function removeKey(deps: { db: Database; clock: Clock }, name: string): Promise<KeyView> {
  const key = await findKey(deps, name);
  if (!(await new TokenKeyRepository(deps.db.knex).remove(key.name, toSqlDateTime(deps.clock.now())))) {
    throw new NotFoundError(`no key is named "${name.slice(0, 70)}"`, '`wxplat token keys list` shows the keys');
  }
  return key;
}
