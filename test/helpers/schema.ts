// What a database's schema is, as data to compare: every table, column and index (MySQL, from
// information_schema) or every schema object's definition (SQLite, from sqlite_master).
import type { Database } from '../../src/db/database.js';

export interface SchemaSnapshot {
  tables: unknown[];
  columns: unknown[];
  indexes: unknown[];
}

export async function schemaSnapshot(db: Database): Promise<SchemaSnapshot> {
  if (db.dialect === 'sqlite') {
    const objects: Array<{ type: string; name: string; tbl_name: string; sql: string | null }> = await db.knex.raw(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    );
    return {
      tables: objects.filter((o) => o.type === 'table'),
      columns: [],
      indexes: objects.filter((o) => o.type === 'index'),
    };
  }
  const schema = db.target.kind === 'mysql' ? db.target.database : '';
  const [tables] = await db.knex.raw(
    'SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [schema],
  );
  const [columns] = await db.knex.raw(
    `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_KEY, EXTRA, COLUMN_COMMENT,
            CHARACTER_SET_NAME, COLLATION_NAME
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [schema],
  );
  const [indexes] = await db.knex.raw(
    `SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [schema],
  );
  return { tables, columns, indexes };
}
