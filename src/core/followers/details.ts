// Followers' details from user/info/batchget (wechat-api.md §5.3): at most 100 openids a call, several
// calls at once. What comes back is stored as WeChat gives it — the fields it still returns — and
// nothing is made up for the ones it stopped returning (§5.4).
import type { FollowerDetails } from '../../db/repositories/followers.js';
import type { AccountClient } from '../../wechat/client.js';
import type { UserInfo } from '../../wechat/types.js';
import type { Sleep } from '../../wechat/retry.js';

export const BATCH_LIMIT = 100;

/** Extra rounds for calls that still failed transiently after the client's own retries. */
export interface Patience {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_PATIENCE: Patience = { retries: 4, baseDelayMs: 500, maxDelayMs: 5_000 };

/** The run stopped (failure elsewhere, Ctrl-C): calls not yet made are not made. */
export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

function errorShape(err: unknown): { errcode: number | null; errorClass?: string } | null {
  if (!(err instanceof Error)) return null;
  const e = err as { errcode?: unknown; errorClass?: unknown };
  if (typeof e.errorClass !== 'string') return null;
  return { errcode: typeof e.errcode === 'number' ? e.errcode : null, errorClass: e.errorClass };
}

/** Runs `fn`, trying again after transient WeChat failures, with growing pauses. */
export async function patiently<T>(fn: () => Promise<T>, patience: Patience, sleep: Sleep, stopped: () => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (stopped()) throw new StoppedError();
    try {
      return await fn();
    } catch (err) {
      const shape = errorShape(err);
      if (shape?.errorClass !== 'transient' || attempt >= patience.retries || stopped()) throw err;
      await sleep(Math.min(patience.maxDelayMs, patience.baseDelayMs * 2 ** attempt));
    }
  }
}

/** A gate letting at most `n` calls run at once, first come first served. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const days = new Map<number, string>();

/**
 * Unix seconds as 'YYYY-MM-DD HH:MM:SS' (UTC), or null outside years 1970–9999. A million of them in a
 * sync: the date part is looked up by day, the rest put together from a table.
 */
export function unixToSql(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds >= 253_402_300_800) return null;
  const whole = Math.floor(seconds);
  const day = Math.floor(whole / 86_400);
  let date = days.get(day);
  if (date === undefined) {
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (days.size < 20_000) days.set(day, date);
  }
  const rest = whole - day * 86_400;
  return `${date} ${TWO[Math.floor(rest / 3600)]}:${TWO[Math.floor((rest % 3600) / 60)]}:${TWO[rest % 60]}`;
}

const clip = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value !== '' ? value.slice(0, max) : null;

/** One user/info entry as stored: empty strings are no value; numbers and lists as WeChat sent them. */
export function toDetails(info: UserInfo): FollowerDetails {
  const tags = Array.isArray(info.tagid_list) ? JSON.stringify(info.tagid_list.filter((n) => Number.isInteger(n))) : null;
  return {
    openid: info.openid,
    unionid: clip(info.unionid, 64),
    subscribeTime: typeof info.subscribe_time === 'number' ? unixToSql(info.subscribe_time) : null,
    subscribeScene: clip(info.subscribe_scene, 64),
    qrScene: typeof info.qr_scene === 'number' && Number.isSafeInteger(info.qr_scene) ? info.qr_scene : null,
    qrSceneStr: clip(info.qr_scene_str, 64),
    remark: clip(info.remark, 255),
    tagidList: tags !== null && tags.length <= 255 ? tags : null,
  };
}

export interface DetailsResult {
  /** Those WeChat says follow (subscribe 1), in the order asked. */
  followers: FollowerDetails[];
  /** Asked about but not following any more (subscribe 0), or refused as not an openid of the account. */
  skipped: number;
  calls: number;
}

export interface DetailsDeps {
  client: AccountClient;
  gate: <T>(fn: () => Promise<T>) => Promise<T>;
  patience: Patience;
  sleep: Sleep;
  stopped: () => boolean;
}

/** The details of a page of openids: batches of 100 through the shared gate. */
export async function fetchDetails(deps: DetailsDeps, openids: readonly string[]): Promise<DetailsResult> {
  const batches: string[][] = [];
  for (let i = 0; i < openids.length; i += BATCH_LIMIT) batches.push(openids.slice(i, i + BATCH_LIMIT));
  const parts = await Promise.all(batches.map((batch) => deps.gate(() => batchDetails(deps, batch))));
  const out: DetailsResult = { followers: [], skipped: 0, calls: 0 };
  for (const p of parts) {
    for (const f of p.followers) out.followers.push(f);
    out.skipped += p.skipped;
    out.calls += p.calls;
  }
  return out;
}

async function batchDetails(deps: DetailsDeps, batch: readonly string[]): Promise<DetailsResult> {
  let calls = 1;
  try {
    const res = await patiently(() => deps.client.batchGetUsers(batch), deps.patience, deps.sleep, deps.stopped);
    const asked = new Set(batch);
    const followers: FollowerDetails[] = [];
    for (const info of res.user_info_list ?? []) {
      if (info && typeof info.openid === 'string' && asked.has(info.openid) && Number(info.subscribe) === 1) {
        asked.delete(info.openid);
        followers.push(toDetails(info));
      }
    }
    return { followers, skipped: batch.length - followers.length, calls };
  } catch (err) {
    // One openid WeChat does not take spoils the whole batch (40003): halve until it is found, skip it.
    if (errorShape(err)?.errcode !== 40003) throw err;
    if (batch.length === 1) return { followers: [], skipped: 1, calls };
    const half = Math.ceil(batch.length / 2);
    const [a, b] = await Promise.all([batchDetails(deps, batch.slice(0, half)), batchDetails(deps, batch.slice(half))]);
    calls += a.calls + b.calls;
    return { followers: [...a.followers, ...b.followers], skipped: a.skipped + b.skipped, calls };
  }
}
