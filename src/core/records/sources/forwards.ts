// Forward deliveries (wxplat_forward_deliveries) as a change log, read along (updated_at) with the
// states as a filter: each delivery when it is delivered, dead or failed, and on each failed attempt.
import type { ChangeFilter, ForwardTailRow, RecordsRepository } from '../../../db/repositories/records.js';
import type { AccountDirectory } from '../directory.js';
import type { ForwardStatus } from '../kinds.js';
import { forwardRecord } from '../record.js';
import { ChangeLogSource, type ChangeTable } from './changes.js';
import type { Bound } from './source.js';

export function forwardsSource(
  repo: RecordsRepository,
  directory: AccountDirectory,
  options: { statuses: readonly ForwardStatus[]; bound: Bound },
): ChangeLogSource<ForwardTailRow> {
  const table: ChangeTable<ForwardTailRow> = {
    latest: (f, limit) => repo.latestForwards(f, limit),
    keys: (f, limit) => repo.forwardKeys(f, limit),
    byIds: (ids) => repo.forwardsByIds(ids),
    newest: () => repo.newestForwardChange(),
    keyOf: (row) => ({ id: Number(row.id), state: row.state, updatedAt: row.updated_at }),
    stillMatches: (row, f) => f.states.includes(row.state) && (!f.retryingOnly || (Number(row.attempts) > 0 && row.lease_owner === null)),
    async toRecords(rows) {
      await directory.ensure([], rows.map((r) => r.appid));
      return rows.map((row) => forwardRecord(row, directory.id(row.appid)));
    },
  };
  const filters: ChangeFilter[] = [];
  const wanted = new Set(options.statuses);
  for (const status of wanted) {
    if (status === 'retrying') {
      if (!wanted.has('pending')) filters.push({ states: ['pending'], retryingOnly: true });
    } else {
      filters.push({ states: [status] });
    }
  }
  return new ChangeLogSource(table, filters, options.bound);
}
