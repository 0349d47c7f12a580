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
