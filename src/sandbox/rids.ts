// What WeChat keeps of a failed call for cgi-bin/openapi/rid/get: kept 7 days, and shown only to the
// identity that made the call (the platform, or the account a call was made for). The newest
// RID_LIMIT are kept, so that a benchmark's refusals cost bounded memory.

export const RID_TTL_MS = 7 * 86_400_000;
export const RID_LIMIT = 10_000;
/** Bodies are kept up to this many characters. */
const BODY_LIMIT = 4096;

export interface RidEntry {
  /** The component appid or the account appid the call was made as; null when the token was not known. */
  owner: string | null;
  /** Sandbox time, ms. */
  at: number;
  costMs: number;
  /** The query string, as WeChat shows it (with the token). */
  requestUrl: string;
  requestBody: string;
  responseBody: string;
  clientIp: string;
}

export class RidLog {
  readonly #entries = new Map<string, RidEntry>();

  add(rid: string, entry: RidEntry): void {
    this.#entries.set(rid, { ...entry, requestBody: entry.requestBody.slice(0, BODY_LIMIT) });
    if (this.#entries.size > RID_LIMIT) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** The entry, unless it is unknown or older than 7 days at `now`. */
  get(rid: string, now: number): RidEntry | undefined {
    const entry = this.#entries.get(rid);
    return entry && now - entry.at <= RID_TTL_MS ? entry : undefined;
  }
}
