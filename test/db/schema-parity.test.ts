// After `wxplat db migrate` on an empty MariaDB database, information_schema for the ten production
// tables is identical to that of a database made by running seed-schema.sql.
import t from 'tap';
import { openDatabase } from '../../src/db/database.js';
import { SEED_TABLE_NAMES } from '../../src/db/schema/seed-tables.js';
import { runCli } from '../helpers/cli.js';
import { makeDatabase, mysqlOnly } from '../helpers/databases.js';
import { runSeedSchema } from '../helpers/seed-schema.js';

const COLUMN_FIELDS = [
  'COLUMN_NAME',
  'ORDINAL_POSITION',
  'COLUMN_TYPE',
  'IS_NULLABLE',
  'COLUMN_DEFAULT',
  'COLUMN_KEY',
  'EXTRA',
  'COLUMN_COMMENT',
  'CHARACTER_SET_NAME',
  'COLLATION_NAME',
];

mysqlOnly(t, 'migrated schema equals seed-schema.sql', async (t, migrated) => {
  const reference = await makeDatabase(t, 'mysql');
  const refDb = await openDatabase(reference.target);
  t.teardown(() => refDb.close());
  await runSeedSchema(refDb);

  const res = await runCli(['db', 'migrate'], { env: { WXPLAT_DATABASE_URL: migrated.url } });
  t.equal(res.code, 0, res.stderr);

  const columns = async (schema: string) =>
    refDb.knex
      .select(['TABLE_NAME', ...COLUMN_FIELDS])
      .from('information_schema.COLUMNS')
      .where('TABLE_SCHEMA', schema)
      .whereIn('TABLE_NAME', SEED_TABLE_NAMES as string[])
      .orderBy(['TABLE_NAME', 'ORDINAL_POSITION']);
  const tables = async (schema: string) =>
    refDb.knex
      .select('TABLE_NAME', 'ENGINE', 'TABLE_COLLATION')
      .from('information_schema.TABLES')
      .where('TABLE_SCHEMA', schema)
      .whereIn('TABLE_NAME', SEED_TABLE_NAMES as string[])
      .orderBy('TABLE_NAME');

  const want = await columns(reference.name);
  const got = await columns(migrated.name);
  t.equal(want.length, 92, 'the seed has 92 columns in ten tables');
  t.same(got, want, 'every column of the ten tables is identical');

  const wantTables = await tables(reference.name);
  t.equal(wantTables.length, 10);
  t.same(await tables(migrated.name), wantTables, 'engine and collation identical');
  for (const table of wantTables) {
    t.equal(table.ENGINE, 'InnoDB');
    t.equal(table.TABLE_COLLATION, 'utf8mb4_general_ci');
  }

  const indexes = async (schema: string) =>
    refDb.knex
      .select('TABLE_NAME', 'INDEX_NAME', 'COLUMN_NAME', 'NON_UNIQUE', 'SEQ_IN_INDEX')
      .from('information_schema.STATISTICS')
      .where('TABLE_SCHEMA', schema)
      .whereIn('TABLE_NAME', SEED_TABLE_NAMES as string[])
      .orderBy(['TABLE_NAME', 'INDEX_NAME', 'SEQ_IN_INDEX']);
  t.same(await indexes(migrated.name), await indexes(reference.name), 'the same keys: wxplat indexes only its own tables');
});
