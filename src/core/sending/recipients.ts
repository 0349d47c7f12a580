// Where the recipients of a send come from: `--to`, `--to-file` (one openid a line, read as a stream;
// blank lines and # comments skipped), or the account's followers with status 1. Each source can be
// read twice: once to check and count before anything is stored, once to write the job's rows.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Database } from '../../db/database.js';
import { STATUS } from '../../db/rows.js';
import { UsageError } from '../../errors.js';
import { looksLikeOpenid } from './message.js';

export type RecipientSpec =
  | { kind: 'list'; openids: readonly string[] }
  | { kind: 'file'; path: string }
  | { kind: 'followers'; officialAccountId: number };

export interface RecipientSource {
  /** For the job record and the summary. */
  describe(): string;
  /** Every recipient in order, duplicates included (the job's unique key drops them). */
  read(): AsyncIterable<string>;
}

export function recipientSource(db: Database, spec: RecipientSpec): RecipientSource {
  switch (spec.kind) {
    case 'list':
      return {
        describe: () => `--to (${spec.openids.length})`,
        async *read() {
          yield* spec.openids;
        },
      };
    case 'file':
      return {
        describe: () => `--to-file ${spec.path}`,
        async *read() {
          const lines = createInterface({ input: createReadStream(spec.path, { encoding: 'utf8' }), crlfDelay: Infinity });
          let number = 0;
          for await (const line of lines) {
            number++;
            const openid = line.trim();
            if (openid === '' || openid.startsWith('#')) continue;
            if (!looksLikeOpenid(openid)) {
              throw new UsageError(`${spec.path} line ${number}: "${openid.slice(0, 40)}" does not look like an openid`);
            }
            yield openid;
          }
        },
      };
    case 'followers':
      return {
        describe: () => '--all-followers',
        async *read() {
          // Keyset pages keep memory flat for a million followers.
          let after = 0;
          for (;;) {
            const rows = (await db
              .knex('official_account_users')
              .select('official_account_user_id', 'openid')
              .where({ official_account_id: spec.officialAccountId, status: STATUS.valid })
              .andWhere('official_account_user_id', '>', after)
              .orderBy('official_account_user_id')
              .limit(5000)) as Array<{ official_account_user_id: number; openid: string | null }>;
            if (rows.length === 0) return;
            for (const r of rows) if (r.openid) yield r.openid;
            after = Number(rows[rows.length - 1]!.official_account_user_id);
          }
        },
      };
  }
}

export interface RecipientCheck {
  /** Recipients read, duplicates included. */
  read: number;
  /** The first few, for --dry-run. */
  first: string[];
}

/** Reads the source once: every openid must look like one (exit 2 naming the first that does not). */
export async function checkRecipients(source: RecipientSource, spec: RecipientSpec, keep = 5): Promise<RecipientCheck> {
  if (spec.kind === 'file') {
    try {
      await access(spec.path);
    } catch {
      throw new UsageError(`--to-file ${spec.path}: no such file`);
    }
  }
  if (spec.kind === 'list') {
    const bad = spec.openids.find((o) => !looksLikeOpenid(o));
    if (bad !== undefined) throw new UsageError(`--to "${bad.slice(0, 40)}" does not look like an openid`);
  }
  let read = 0;
  const first: string[] = [];
  for await (const openid of source.read()) {
    read++;
    if (first.length < keep && !first.includes(openid)) first.push(openid);
  }
  return { read, first };
}
