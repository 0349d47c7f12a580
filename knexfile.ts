// For the knex CLI (`npm run knex -- migrate:make NAME --migrations-directory migrations -x ts`).
// wxplat's own `db migrate` is the supported path; this file points knex at the same database and the
// same extensionless migration source, so both see one history.
import { loadConfig } from './src/config/load.js';
import { migratorConfig } from './src/db/migration-source.js';

const { database } = loadConfig({ env: process.env, cwd: process.cwd() });

const config =
  database.kind === 'sqlite'
    ? { client: 'better-sqlite3', connection: { filename: database.path }, useNullAsDefault: true }
    : {
        client: 'mysql2',
        connection: {
          host: database.host,
          port: database.port,
          user: database.user,
          password: database.password?.reveal() ?? '',
          database: database.database,
          charset: 'utf8mb4',
          supportBigNumbers: true,
          bigNumberStrings: true,
          dateStrings: true,
          timezone: 'Z',
        },
      };

export default { ...config, migrations: migratorConfig() };
