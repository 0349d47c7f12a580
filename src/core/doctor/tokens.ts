// The token service: whether `serve` is set to answer token requests (WXPLAT_TOKENS_LISTEN), and which
// keys were never used — a key nobody uses is a credential lying about, or a service never set up.
import type { ListenAddress } from '../../config/load.js';
import type { Database } from '../../db/database.js';
import { TokenKeyRepository } from '../../db/repositories/token-keys.js';
import { check, type Check } from './check.js';

const NAME = 'token service';

function names(list: string[], max = 5): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

export async function tokenServiceCheck(db: Database, listen: ListenAddress | null): Promise<Check> {
  const keys = await new TokenKeyRepository(db.knex).list();
  const never = keys.filter((k) => k.last_used_at === null).map((k) => k.name);
  const count = `${keys.length} ${keys.length === 1 ? 'key' : 'keys'}`;
  if (!listen) {
    if (keys.length === 0) return check(NAME, 'ok', 'off (WXPLAT_TOKENS_LISTEN is not set)');
    return check(
      NAME,
      'warn',
      `off (WXPLAT_TOKENS_LISTEN is not set here), yet ${count} exist${keys.length === 1 ? 's' : ''}${never.length ? `; never used: ${names(never)}` : ''}`,
      'set WXPLAT_TOKENS_LISTEN=127.0.0.1:8081 where `wxplat serve` runs, or remove the keys no service needs (`wxplat token keys remove <name>`)',
    );
  }
  const on = `listener set to ${listen.display}`;
  if (keys.length === 0) {
    return check(NAME, 'warn', `${on}, but there are no keys: every request is refused`, 'make one per service: `wxplat token keys add --name <service>`');
  }
  if (never.length > 0) {
    return check(
      NAME,
      'warn',
      `${on}; ${count}, never used: ${names(never)}`,
      'give each key to its service, or remove the ones nobody needs: `wxplat token keys remove <name>`',
    );
  }
  return check(NAME, 'ok', `${on}; ${count}, each used`);
}
