// Where the recipients of a send come from: `--to`, `--to-file` (one openid a line, read as a stream;
// blank lines and # comments skipped), or the account's followers with status 1. Each source can be
// read twice: once to check and count before anything is stored, once to write the job's rows.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Database } from '../../db/database.js';
import { FollowerRepository } from '../../db/repositories/followers.js';
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
          let number = 0;
          for await (const line of boundedLines(spec.path)) {
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
    case 'followers': {
      const followers = new FollowerRepository(db.knex);
      return {
        describe: () => '--all-followers',
        async *read() {
          // Keyset pages keep memory flat for a million followers.
          let after = 0;
          for (;;) {
            const rows = await followers.subscribedPage(spec.officialAccountId, after, 5000);
            if (rows.length === 0) return;
            for (const r of rows) if (r.openid) yield r.openid;
            after = rows[rows.length - 1].id;
          }
        },
      };
    }
  }
}

/** Longer than any openid (at most 64 characters) or any sensible comment: a line this long is not a list of openids. */
export const MAX_LINE_BYTES = 1024;

/**
 * The lines of a file (UTF-8, \n or \r\n), each held only up to MAX_LINE_BYTES: a file of one endless
 * line (a 1 GB dump, /dev/zero) is refused at its first kilobyte, naming the line, instead of being
 * gathered into one string until memory runs out.
 */
async function* boundedLines(path: string): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 1;
  const tooLong = () =>
    new UsageError(
      `${path} line ${number} is longer than ${MAX_LINE_BYTES} bytes: not an openid`,
      '--to-file takes one openid a line (# comments and blank lines are skipped)',
    );
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (pendingBytes + nl - start > MAX_LINE_BYTES) throw tooLong();
      pending.push(chunk.subarray(start, nl));
      yield Buffer.concat(pending).toString('utf8');
      pending = [];
      pendingBytes = 0;
      number++;
      start = nl + 1;
    }
    pendingBytes += chunk.length - start;
    if (pendingBytes > MAX_LINE_BYTES) throw tooLong();
    pending.push(chunk.subarray(start));
  }
  if (pendingBytes > 0) yield Buffer.concat(pending).toString('utf8');
}

export interface RecipientCheck {
  /** Recipients read, duplicates included. */
  read: number;
  /** The first few, for --dry-run. */
  first: string[];
  /** sha256 (hex) of the recipients in order, one a line: what a repeated send is recognised by. */
  digest: string;
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
  // Hashed while read, in chunks (one update a recipient costs more than the hash itself).
  const hash = createHash('sha256');
  let chunk = '';
  for await (const openid of source.read()) {
    read++;
    if (first.length < keep && !first.includes(openid)) first.push(openid);
    chunk += `${openid}\n`;
    if (chunk.length >= 65536) {
      hash.update(chunk);
      chunk = '';
    }
  }
  hash.update(chunk);
  return { read, first, digest: hash.digest('hex') };
}
