// The ten tables of the production schema. CREATE TABLE IF NOT EXISTS: on a database that already has
// them (production), this changes nothing and the rows stay — that is how wxplat adopts it.
import type { Knex } from 'knex';
import { SEED_TABLES, SEED_TABLE_NAMES, mysqlCreateTable, sqliteCreateTable } from '../src/db/schema/seed-tables.js';

export const droppedTables = SEED_TABLE_NAMES;

export async function up(knex: Knex): Promise<void> {
  const client = knex.client.config.client as string;
  for (const table of SEED_TABLES) {
    if (client === 'mysql2') {
      await knex.raw(mysqlCreateTable(table));
    } else if (!(await knex.schema.hasTable(table.name))) {
      await knex.schema.createTable(table.name, (t) => sqliteCreateTable(t, table));
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const name of [...SEED_TABLE_NAMES].reverse()) {
    await knex.schema.dropTableIfExists(name);
  }
}
