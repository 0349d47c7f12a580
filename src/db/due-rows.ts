// Taking due rows of a work queue (the inbox to process, pushes to forward, deliveries to send) inside
// the caller's transaction, so that workers on several hosts take disjoint rows.
//
// MySQL: in two steps. A locking read (FOR UPDATE SKIP LOCKED) along a queue's index locks every entry it
// passes, and a busy queue's index holds thousands of entries of rows just taken or finished that InnoDB
// has not purged yet: for the inbox, that read cost four times what these two do (bench/serve). So the
// ids are found by a plain read, which locks nothing, and then locked by primary key with the conditions
// checked again (another worker may have taken or finished some meanwhile). Twice the batch is read at a
// time, and the next ids after those when other workers hold too many of them.
//
// SQLite: one read; the caller's write transaction already excludes every other writer.
import type { Knex } from 'knex';
import type { Dialect } from './database.js';

export interface DueRows {
  table: string;
  /** What makes a row due (the query with its conditions); applied to both reads. */
  where: (q: Knex.QueryBuilder) => Knex.QueryBuilder;
  /** Rows are taken in the order of this column, then id (by id alone when absent). */
  orderColumn?: string;
  columns: readonly string[];
  limit: number;
}

/** Up to `limit` due rows, locked until the transaction ends (MySQL), in id order. */
export async function lockDueRows<T>(trx: Knex.Transaction, dialect: Dialect, due: DueRows): Promise<T[]> {
  const order = due.orderColumn ? [{ column: due.orderColumn }, { column: 'id' }] : [{ column: 'id' }];
  const base = () => due.where(trx(due.table));
  if (dialect !== 'mysql') {
    const rows = (await base()
      .select(...due.columns)
      .orderBy(order)
      .limit(due.limit)) as T[];
    return rows.sort((a, b) => Number((a as { id: unknown }).id) - Number((b as { id: unknown }).id));
  }
  const found: T[] = [];
  let after: { at: unknown; id: number } | null = null;
  for (;;) {
    const page = base()
      .select(due.orderColumn ? ['id', due.orderColumn] : ['id'])
      .orderBy(order)
      .limit(due.limit * 2);
    if (after) {
      const { at, id } = after;
      const column = due.orderColumn;
      if (column) page.andWhere((q) => q.where(column, '>', at as Knex.Value).orWhere((q2) => q2.where(column, at as Knex.Value).andWhere('id', '>', id)));
      else page.andWhere('id', '>', id);
    }
    const candidates = (await page) as Array<Record<string, unknown>>;
    if (candidates.length === 0) break;
    const locked = base()
      .select(...due.columns)
      .whereIn(
        'id',
        candidates.map((c) => Number(c.id)),
      )
      .orderBy('id')
      .limit(due.limit - found.length)
      .forUpdate()
      .skipLocked();
    found.push(...((await locked) as T[]));
    if (found.length >= due.limit || candidates.length < due.limit * 2) break;
    const last = candidates[candidates.length - 1];
    after = { at: due.orderColumn ? last[due.orderColumn] : null, id: Number(last.id) };
  }
  return found;
}
