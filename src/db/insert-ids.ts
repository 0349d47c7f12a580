// Learning the ids of a multi-row INSERT on MySQL without reading them back. The statement reports its
// first id; whether the others follow it one by one depends on the server: under
// innodb_autoinc_lock_mode 0 or 1 with an auto_increment_increment of 1, one statement's rows get
// consecutive values in their order; under mode 2 (MySQL 8's default, "interleaved") or with a step,
// they may not, and the caller must read them back. SQLite's RETURNING gives them directly.

interface QueryConnection {
  query(sql: string, cb: (err: Error | null, rows: unknown) => void): void;
}

/** Asked once for each connection (a setting can differ by session). */
const answers = new WeakMap<object, Promise<boolean>>();

/** Whether a multi-row INSERT on this MySQL connection numbers its rows consecutively. */
export function consecutiveInsertIds(conn: QueryConnection): Promise<boolean> {
  let answer = answers.get(conn);
  if (!answer) {
    answer = new Promise<boolean>((resolve, reject) =>
      conn.query('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step', (err, rows) => {
        if (err) return reject(err);
        const { mode, step } = (rows as Array<{ mode: number | string; step: number | string }>)[0];
        resolve((Number(mode) === 0 || Number(mode) === 1) && Number(step) === 1);
      }),
    );
    answer.catch(() => answers.delete(conn));
    answers.set(conn, answer);
  }
  return answer;
}
