// wxplat's own tables (prefixed wxplat_) sit beside the production ones; on MySQL they get the same
// engine and collation.
import type { Knex } from 'knex';

export function isMysql(knex: Knex): boolean {
  return (knex.client.config.client as string) === 'mysql2';
}

export function tableOptions(knex: Knex, t: Knex.CreateTableBuilder): void {
  if (isMysql(knex)) {
    t.engine('InnoDB');
    t.charset('utf8mb4');
    t.collate('utf8mb4_general_ci');
  }
}

/**
 * Whether the table has an index of this name. Migrations check before creating one: MySQL cannot roll
 * back DDL, so a migration cut off halfway must be able to run again.
 */
export async function hasIndex(knex: Knex, table: string, index: string): Promise<boolean> {
  if (isMysql(knex)) {
    const [rows] = (await knex.raw('SHOW INDEX FROM ?? WHERE Key_name = ?', [table, index])) as [unknown[]];
    return rows.length > 0;
  }
  const rows = (await knex.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?", [table, index])) as unknown[];
  return rows.length > 0;
}
