// Builds a database the way production was built: by running seed-schema.sql.
import { readFileSync } from 'node:fs';
import type { Database } from '../../src/db/database.js';

export const SEED_SQL = readFileSync(new URL('../fixtures/seed-schema.sql', import.meta.url), 'utf8');

export async function runSeedSchema(db: Database): Promise<void> {
  for (const statement of SEED_SQL.split(/;\s*\n/)) {
    if (statement.trim()) await db.knex.raw(statement);
  }
}
