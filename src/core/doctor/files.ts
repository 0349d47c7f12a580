// The files that hold secrets: the SQLite database (the ticket, every token, the pay keys) with its -wal
// and -shm files, and a .env that holds the appsecret or the AES key. Each must be readable by its
// owner only; wxplat creates them so, but a file made before, or copied, may not be.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { VARIABLES, readDotEnv, type DatabaseTarget } from '../../config/load.js';
import { check, type Check } from './check.js';

function openToOthers(file: string): number | null {
  if (!existsSync(file)) return null;
  const mode = statSync(file).mode & 0o777;
  return (mode & 0o077) !== 0 ? mode : null;
}

export function filePermissionsCheck(database: DatabaseTarget | null, cwd: string): Check {
  const name = 'file permissions';
  const files: string[] = [];
  if (database?.kind === 'sqlite' && database.path !== ':memory:') {
    files.push(database.path, `${database.path}-wal`, `${database.path}-shm`);
  }
  const envFile = path.join(cwd, '.env');
  let dotenv: Record<string, string | undefined> = {};
  try {
    dotenv = readDotEnv(cwd);
  } catch {
    // An unreadable .env is the configuration check's to report.
  }
  if (dotenv[VARIABLES.appsecret] !== undefined || dotenv[VARIABLES.aesKey] !== undefined) files.push(envFile);
  const present = files.filter((file) => existsSync(file));
  const open = present.flatMap((file) => {
    const mode = openToOthers(file);
    return mode === null ? [] : [`${file} (${mode.toString(8).padStart(4, '0')})`];
  });
  if (present.length === 0) return check(name, 'ok', 'no local file holds secrets');
  if (open.length > 0) {
    return check(
      name,
      'fail',
      `readable by other users, and holding secrets: ${open.join(', ')}`,
      `chmod 600 ${open.map((o) => o.replace(/ \(\d+\)$/, '')).join(' ')}`,
    );
  }
  return check(name, 'ok', `${present.map((f) => path.basename(f)).join(', ')}: readable by the owner only`);
}
