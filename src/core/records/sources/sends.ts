// Send rows (wxplat_send_deliveries beside account_message_send_records) as a change log, read along
// (updated_at) — or (official_account_id, updated_at) for one account — with the states as a filter.
import type { ChangeFilter, RecordsRepository, SendTailRow } from '../../../db/repositories/records.js';
import type { AccountDirectory } from '../directory.js';
import { sendRecord, type TailRecord } from '../record.js';
import { ChangeLogSource, type ChangeTable } from './changes.js';
import type { Bound } from './source.js';

export function sendsSource(
  repo: RecordsRepository,
  directory: AccountDirectory,
  options: { states: readonly string[]; accountId?: number; bound: Bound },
): ChangeLogSource<SendTailRow> {
  const table: ChangeTable<SendTailRow> = {
    latest: (f, limit) => repo.latestSends(f, limit),
    keys: (f, limit) => repo.sendKeys(f, limit),
    byIds: (ids) => repo.sendsByIds(ids),
    newest: () => repo.newestSendChange(),
    keyOf: (row) => ({ id: Number(row.send_record_id), state: row.state, updatedAt: row.updated_at }),
    stillMatches: (row, f) => f.states.includes(row.state),
    async toRecords(rows) {
      await directory.ensure(
        rows.filter((r) => !r.appid).map((r) => Number(r.official_account_id)),
        [],
      );
      return rows.map((row): TailRecord => {
        const record = sendRecord(row);
        // The job names the appid; a row whose job is gone still has its account.
        return record.appid ? record : { ...record, appid: directory.appid(Number(row.official_account_id)) };
      });
    },
  };
  // One filter for every state: send rows are read along (updated_at), whatever their state.
  const filters: ChangeFilter[] = [{ states: [...options.states], accountId: options.accountId }];
  return new ChangeLogSource(table, filters, options.bound);
}
