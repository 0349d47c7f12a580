// Learning the ids of a multi-row INSERT without reading every row back. The statement reports one id:
// SQLite the last (its one writer numbers a statement's rows consecutively), MySQL the first. Whether
// MySQL's other rows follow the first one by one depends on the server: under innodb_autoinc_lock_mode 0
// or 1 with an auto_increment_increment of 1, one statement's rows get consecutive values in their order;
// under mode 2 (MySQL 8's default, "interleaved") or with a step they may not. There the block the ids
// would span is read back and checked to hold our rows; if another writer's rows landed in it, the
// statement is undone (a savepoint) and the rows are written one at a time, each telling its own id.
import type { Knex } from 'knex';
import type { Dialect } from './database.js';

interface QueryConnection {
  query(sql: string, cb: (err: Error | null, rows: unknown) => void): void;
}

const AUTOINC_SQL = 'SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step';

function consecutive(rows: unknown): boolean {
  const { mode, step } = (rows as Array<{ mode: number | string; step: number | string }>)[0];
  return (Number(mode) === 0 || Number(mode) === 1) && Number(step) === 1;
}

/** Asked once for each connection (a setting can differ by session). */
const answers = new WeakMap<object, Promise<boolean>>();

/** Whether a multi-row INSERT on this MySQL connection (a driver connection) numbers its rows consecutively. */
export function consecutiveInsertIds(conn: QueryConnection): Promise<boolean> {
  let answer = answers.get(conn);
  if (!answer) {
    answer = new Promise<boolean>((resolve, reject) =>
      conn.query(AUTOINC_SQL, (err, rows) => (err ? reject(err) : resolve(consecutive(rows)))),
    );
    answer.catch(() => answers.delete(conn));
    answers.set(conn, answer);
  }
  return answer;
}

/** The same question through knex, asked once for each pool (knex gives each transaction a client of its own, sharing the config). */
function consecutiveOnPool(db: Knex): Promise<boolean> {
  const key = (db.client as Knex.Client).config as object;
  let answer = answers.get(key);
  if (!answer) {
    answer = db.raw(AUTOINC_SQL).then((r: [unknown]) => consecutive(r[0]));
    answer.catch(() => answers.delete(key));
    answers.set(key, answer);
  }
  return answer;
}

class Interleaved extends Error {}

export interface InsertIdsSpec<Row extends Record<string, unknown>> {
  table: string;
  idColumn: string;
  /** Columns that tell one row from another in the table, compared when a block is read back. */
  key: ReadonlyArray<keyof Row & string>;
  /**
   * Writes one statement of rows and answers the id the store reports (SQLite: the last row's; MySQL:
   * the first's). By default a knex insert; a caller with a faster statement of its own passes it.
   */
  insert?: (db: Knex, rows: readonly Row[]) => Promise<number>;
}

/** Inserts the rows (one statement's worth: the caller chunks) and returns their ids in order. */
export async function insertWithIds<Row extends Record<string, unknown>>(
  db: Knex,
  dialect: Dialect,
  rows: readonly Row[],
  spec: InsertIdsSpec<Row>,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const insert = spec.insert ?? (async (d: Knex, r: readonly Row[]) => Number((await d(spec.table).insert(r))[0]));
  if (dialect === 'sqlite') {
    const last = await insert(db, rows);
    return rows.map((_, i) => last - rows.length + 1 + i);
  }
  if (rows.length === 1) return [await insert(db, rows)];
  if (await consecutiveOnPool(db)) {
    const first = await insert(db, rows);
    return rows.map((_, i) => first + i);
  }
  try {
    return await db.transaction(async (savepoint) => {
      const first = await insert(savepoint, rows);
      const block: Array<Record<string, unknown>> = await savepoint(spec.table)
        .select(spec.idColumn, ...spec.key)
        .whereBetween(spec.idColumn, [first, first + rows.length - 1])
        .orderBy(spec.idColumn);
      const ours =
        block.length === rows.length &&
        block.every((b, i) => Number(b[spec.idColumn]) === first + i && spec.key.every((k) => String(b[k]) === String(rows[i][k])));
      if (!ours) throw new Interleaved();
      return rows.map((_, i) => first + i);
    });
  } catch (err) {
    if (!(err instanceof Interleaved)) throw err;
    const ids: number[] = [];
    for (const row of rows) ids.push(await insert(db, [row]));
    return ids;
  }
}
