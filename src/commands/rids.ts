// Failures printed in a table or a list carry WeChat's rid in their words: one line under them says
// how to look a rid up, so that every WeChat error printed leads to `wxplat rid`.
import { ridOf } from '../core/errcodes.js';
import type { Output } from '../output/output.js';

const RID_IN_TEXT = /\brid:? ([0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8})\b/i;

export function noteRids(out: Output, texts: ReadonlyArray<string | null | undefined>): void {
  const rids = texts.map((t) => (t ? (ridOf(t) ?? RID_IN_TEXT.exec(t)?.[1] ?? null) : null)).filter((r): r is string => r !== null);
  if (rids.length === 0) return;
  out.note(`\`wxplat rid ${rids[0]}\` shows the request WeChat received${rids.length > 1 ? ' (each rid above works the same way)' : ''}`);
}
