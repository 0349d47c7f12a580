// The receiver's one statement: a batch of accepted pushes in one INSERT, one commit, prepared once and
// run on the pool's own driver connection — below knex, which built and escaped the whole statement
// again for every batch (bench/serve: the SQL builder and the text protocol's escaping of each body
// cost more than the database did).
//
// Nothing is read back in the common case. A key already stored (a retry of WeChat's) adds one to that
// row's `retries` instead of being inserted, and the statement tells how many of its rows were new:
// MySQL counts 1 for an inserted row and 2 for an updated one; on SQLite the statement skips a stored
// key (DO NOTHING) and counts the rows it inserted. Ids come from the statement too, where the server
// numbers a multi-row insert consecutively (db/insert-ids.ts; SQLite always does: each new rowid is one
// past the largest); when some key was a duplicate, the keys are read back and, on SQLite, their
// retries counted in a transaction of their own. (SQLite's RETURNING, which told the same of every row, cost
// 2-4 µs a row more in a micro-bench of 40-row statements on this schema.)
import type { Knex } from 'knex';
import type { Dialect } from '../database.js';
import { consecutiveInsertIds } from '../insert-ids.js';

const INBOX = 'wxplat_callback_inbox';

/** One row of the statement, its values in COLUMNS order. */
export interface InboxInsertRow {
  dedupeKey: string;
  route: string;
  appid: string | null;
  eventType: string;
  messageTime: string | null;
  openid: string | null;
  decryptedXml: string;
  /** The async forwarding rules that took the push (comma-separated ids), or null. */
  forwardRules: string | null;
}

const COLUMNS = [
  'dedupe_key',
  'route',
  'appid',
  'event_type',
  'message_time',
  'openid',
  'decrypted_xml',
  'forward_rules',
  'forward_state',
  'batch_tag',
  'received_at',
  'next_attempt_at',
  'updated_at',
] as const;
// raw_body is written empty: the decrypted message is the one body kept (migration 20261206130000).
const PLACEHOLDERS = `(${COLUMNS.map(() => '?').join(', ')}, 'pending', 0, 0, '')`;
// MySQL lets a value name a column set earlier in its row: the three times and the forward state are
// sent once a row instead of four values (fewer parameters to encode, bench/serve).
const MYSQL_DERIVED: Partial<Record<(typeof COLUMNS)[number], string>> = {
  forward_state: "IF(forward_rules IS NULL, NULL, 'pending')",
  next_attempt_at: 'received_at',
  updated_at: 'received_at',
};
const MYSQL_PLACEHOLDERS = `(${COLUMNS.map((c) => MYSQL_DERIVED[c] ?? '?').join(', ')}, 'pending', 0, 0, '')`;
// A derived value reads a column set before it in the row; moved after it, MySQL would read its default.
for (const [column, from] of [['forward_state', 'forward_rules'], ['next_attempt_at', 'received_at'], ['updated_at', 'received_at']] as const) {
  if (COLUMNS.indexOf(from) > COLUMNS.indexOf(column)) throw new Error(`inbox-insert: ${from} must come before ${column}`);
}
const HEAD = `INSERT INTO ${INBOX} (${COLUMNS.join(', ')}, state, attempts, retries, raw_body) VALUES `;

/** The statement for `n` rows (one text per size, so each is prepared once per connection). */
const statements = new Map<string, string>();
function statementFor(dialect: Dialect, n: number): string {
  const key = `${dialect}:${n}`;
  let sql = statements.get(key);
  if (!sql) {
    const values = Array.from({ length: n }, () => (dialect === 'mysql' ? MYSQL_PLACEHOLDERS : PLACEHOLDERS)).join(', ');
    sql =
      dialect === 'mysql'
        ? `${HEAD}${values} ON DUPLICATE KEY UPDATE retries = retries + 1`
        : `${HEAD}${values} ON CONFLICT (dedupe_key) DO NOTHING`;
    statements.set(key, sql);
  }
  return sql;
}

function params(dialect: Dialect, rows: readonly InboxInsertRow[], tag: string, stamp: string): unknown[] {
  const mysql = dialect === 'mysql';
  const out: unknown[] = new Array(rows.length * (mysql ? COLUMNS.length - 3 : COLUMNS.length));
  let k = 0;
  for (const r of rows) {
    out[k++] = r.dedupeKey;
    out[k++] = r.route;
    out[k++] = r.appid;
    out[k++] = r.eventType;
    out[k++] = r.messageTime;
    out[k++] = r.openid;
    out[k++] = r.decryptedXml;
    out[k++] = r.forwardRules;
    if (!mysql) out[k++] = r.forwardRules === null ? null : 'pending';
    out[k++] = tag;
    out[k++] = stamp;
    if (!mysql) {
      out[k++] = stamp;
      out[k++] = stamp;
    }
  }
  return out;
}

/** What became of each row (in the order given): its id, and whether it was stored by this statement. */
export interface InsertedRow {
  id: number;
  fresh: boolean;
}

interface MysqlResult {
  affectedRows: number;
  insertId: number;
}
interface MysqlConnection {
  execute(sql: string, values: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  query(sql: string, cb: (err: Error | null, rows: unknown) => void): void;
}
interface SqliteStatement {
  run(...values: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...values: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  transaction<T>(fn: () => T): () => T;
}

function execute<T>(conn: MysqlConnection, sql: string, values: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => conn.execute(sql, values, (err, result) => (err ? reject(err) : resolve(result as T))));
}

/** SQLite statements prepared on the one connection, by text (the connection lives as long as the pool). */
const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

function preparedOn(conn: SqliteConnection, sql: string): SqliteStatement {
  let cache = prepared.get(conn);
  if (!cache) prepared.set(conn, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
  return stmt;
}

function keysIn(n: number): string {
  return `SELECT id, dedupe_key, batch_tag FROM ${INBOX} WHERE dedupe_key IN (${Array.from({ length: n }, () => '?').join(', ')})`;
}

/** A stored row, read back by its key. */
interface KeyRow {
  id: number | string;
  dedupe_key: string;
  batch_tag: string | null;
}

/** Each row's id and whether it carries this statement's tag, from the rows stored under the keys. */
function byKey(rows: readonly InboxInsertRow[], got: readonly KeyRow[], tag: string): InsertedRow[] {
  const back = new Map<string, { id: number; tag: string | null }>();
  for (const r of got) back.set(r.dedupe_key, { id: Number(r.id), tag: r.batch_tag });
  return rows.map((r) => {
    const found = back.get(r.dedupeKey);
    if (!found) throw new Error('an inbox row of this statement is missing');
    return { id: found.id, fresh: found.tag === tag };
  });
}

function insertSqlite(conn: SqliteConnection, sql: string, values: unknown[], rows: readonly InboxInsertRow[], tag: string): InsertedRow[] {
  // One statement is its own transaction: wrapping it in BEGIN and COMMIT cost 3-4 µs a row more in a
  // micro-bench of 20-row statements. The batch's rows are committed here, whatever follows.
  const r = preparedOn(conn, sql).run(...values);
  if (r.changes === rows.length) {
    const first = Number(r.lastInsertRowid) - rows.length + 1;
    return rows.map((_, i) => ({ id: first + i, fresh: true }));
  }
  // Some key was stored before (WeChat's retry): read the keys back and count the retries, together.
  return conn.transaction(() => {
    const stored = byKey(rows, preparedOn(conn, keysIn(rows.length)).all(...rows.map((x) => x.dedupeKey)) as KeyRow[], tag);
    const retried = stored.filter((x) => !x.fresh).map((x) => x.id);
    conn.prepare(`UPDATE ${INBOX} SET retries = retries + 1 WHERE id IN (${retried.map(() => '?').join(', ')})`).run(...retried);
    return stored;
  })();
}

/**
 * Inserts rows with distinct keys in one statement (one commit: the connections autocommit; on SQLite a
 * read-back of duplicates and their retries follow in a transaction of their own) and tells, for each,
 * its id and whether this statement stored it.
 */
export async function insertInboxRows(
  knex: Knex,
  dialect: Dialect,
  rows: readonly InboxInsertRow[],
  tag: string,
  stamp: string,
): Promise<InsertedRow[]> {
  const sql = statementFor(dialect, rows.length);
  const values = params(dialect, rows, tag, stamp);
  const conn = (await knex.client.acquireConnection()) as MysqlConnection & SqliteConnection;
  try {
    if (dialect === 'sqlite') return insertSqlite(conn, sql, values, rows, tag);
    const result = await execute<MysqlResult>(conn, sql, values);
    // 1 a row inserted, 2 a row whose retries went up.
    const duplicates = result.affectedRows - rows.length;
    if (duplicates === 0 && (await consecutiveInsertIds(conn))) {
      return rows.map((_, i) => ({ id: Number(result.insertId) + i, fresh: true }));
    }
    const keys = rows.map((r) => r.dedupeKey);
    return byKey(rows, await execute<KeyRow[]>(conn, keysIn(keys.length), keys), tag);
  } finally {
    await knex.client.releaseConnection(conn);
  }
}
