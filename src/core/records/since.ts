// `--since WHEN`: a duration back from now (30s, 10m, 2h, 1d) or a record to start after (its id as
// shown by the tail; `send:ID` / `receipt:ID` / `event:ID` / `forward:ID` where the kind is not implied by the noun).
import { UsageError } from '../../errors.js';
import type { Noun, RecordKind } from './kinds.js';

export type Since = { kind: 'time'; at: Date } | { kind: 'record'; record: RecordKind; id: number };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const NOUN_KIND: Record<Noun, RecordKind> = { sends: 'send', receipts: 'receipt', events: 'event', forwards: 'forward' };
/** Ten years: anything longer is a typo. */
const MAX_MS = 3650 * UNIT_MS.d;

export function parseSince(value: string, noun: Noun | undefined, now: Date): Since {
  const v = value.trim();
  const duration = /^(\d+)\s*([smhd])$/i.exec(v);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2].toLowerCase()];
    if (ms > MAX_MS) throw new UsageError(`--since ${value} reaches back more than ten years`);
    return { kind: 'time', at: new Date(now.getTime() - ms) };
  }
  const typed = /^(send|receipt|event|forward)s?[:#](\d+)$/i.exec(v);
  if (typed) {
    const record = typed[1].toLowerCase() as RecordKind;
    if (noun !== undefined && NOUN_KIND[noun] !== record) {
      throw new UsageError(`--since ${value} names a ${record}, but this tail shows ${noun}`);
    }
    if (noun === undefined && (record === 'event' || record === 'forward')) {
      throw new UsageError(`--since ${value}: ${record}s are not in this tail; run \`wxplat records tail ${record}s --since ${typed[2]}\``);
    }
    return { kind: 'record', record, id: positiveId(typed[2], value) };
  }
  if (/^\d+$/.test(v)) {
    if (noun === undefined) {
      throw new UsageError(
        `--since ${value}: sends and receipts have separate ids here; say send:${v} or receipt:${v} (as the tail prints them)`,
      );
    }
    return { kind: 'record', record: NOUN_KIND[noun], id: positiveId(v, value) };
  }
  throw new UsageError(
    `--since "${value}" is neither a duration nor a record id`,
    'e.g. --since 30s, 10m, 2h or 1d, or the id of a record the tail printed',
  );
}

function positiveId(digits: string, value: string): number {
  const id = Number(digits);
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`--since ${value}: not a record id`);
  return id;
}
