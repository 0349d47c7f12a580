// The callback inbox (wxplat_callback_inbox) as a change log: each event once it is processed,
// ignored or failed, and again on each failed attempt while it is retried.
import type { ChangeFilter, EventTailRow, RecordsRepository } from '../../../db/repositories/records.js';
import type { AccountDirectory } from '../directory.js';
import type { EventStatus } from '../kinds.js';
import { eventRecord } from '../record.js';
import { ChangeLogSource, type ChangeTable } from './changes.js';
import type { Bound } from './source.js';

export function eventsSource(
  repo: RecordsRepository,
  directory: AccountDirectory,
  options: { statuses: readonly EventStatus[]; appid?: string; bound: Bound },
): ChangeLogSource<EventTailRow> {
  const table: ChangeTable<EventTailRow> = {
    latest: (f, limit) => repo.latestEvents(f, limit),
    keys: (f, limit) => repo.eventKeys(f, limit),
    byIds: (ids) => repo.eventsByIds(ids),
    newest: (f) => repo.newestEventChange(f.states),
    keyOf: (row) => ({ id: Number(row.id), state: row.state, updatedAt: row.updated_at }),
    stillMatches: (row, f) =>
      f.states.includes(row.state) && (!f.retryingOnly || (row.last_error !== null && row.lease_owner === null)),
    async toRecords(rows) {
      await directory.ensure([], rows.map((r) => r.appid));
      return rows.map((row) => eventRecord(row, directory.id(row.appid)));
    },
  };
  // One filter a state, each read in (state, updated_at) index order.
  const filters: ChangeFilter[] = [];
  const wanted = new Set(options.statuses);
  for (const status of wanted) {
    // `pending` already includes the retrying rows.
    if (status === 'retrying') {
      if (!wanted.has('pending')) filters.push({ states: ['pending'], retryingOnly: true, appid: options.appid });
    } else {
      filters.push({ states: [status], appid: options.appid });
    }
  }
  return new ChangeLogSource(table, filters, options.bound);
}
