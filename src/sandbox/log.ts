// What the sandbox was asked: counts per endpoint and per errcode, and per-recipient delivery counts
// (kept by each account, see deliveries.ts). Counters only, so a million requests cost nothing.
import type { World } from './state.js';

export interface EndpointCounts {
  calls: number;
  /** errcode → answers with it (0 = success). */
  errcodes: Record<string, number>;
}

export interface LogSnapshot {
  requests: number;
  endpoints: Record<string, EndpointCounts>;
  deliveries: number;
}

export class EndpointCounter {
  calls = 0;
  readonly errcodes = new Map<number, number>();
}

export class RequestLog {
  readonly #endpoints = new Map<string, EndpointCounter>();
  #requests = 0;

  constructor(private readonly world: World) {}

  /** The counter of an endpoint (e.g. `cgi-bin/message/template/send`), made once per endpoint. */
  counter(endpoint: string): EndpointCounter {
    let c = this.#endpoints.get(endpoint);
    if (c === undefined) {
      c = new EndpointCounter();
      this.#endpoints.set(endpoint, c);
    }
    return c;
  }

  /** Called once per API request, with its answer's errcode (0 for success). */
  record(counter: EndpointCounter, errcode: number): void {
    this.#requests++;
    counter.calls++;
    counter.errcodes.set(errcode, (counter.errcodes.get(errcode) ?? 0) + 1);
  }

  /** Calls to an endpoint, e.g. `count('cgi-bin/message/template/send')` (a leading / is ignored). */
  count(endpoint?: string): number {
    if (endpoint === undefined) return this.#requests;
    return this.#endpoints.get(endpoint.replace(/^\/+/, ''))?.calls ?? 0;
  }

  /** Answers with `errcode` (0 = success), at one endpoint or at all of them. */
  errors(errcode: number, endpoint?: string): number {
    if (endpoint !== undefined) return this.#endpoints.get(endpoint.replace(/^\/+/, ''))?.errcodes.get(errcode) ?? 0;
    let n = 0;
    for (const c of this.#endpoints.values()) n += c.errcodes.get(errcode) ?? 0;
    return n;
  }

  /** Messages sent to one recipient of one account, after client_msg_id dedupe. */
  deliveries(appid: string, openid: string): number {
    const account = this.world.accounts.get(appid);
    if (!account) return 0;
    return account.deliveries.count(openid, account.followers.derivedIndex(openid));
  }

  totalDeliveries(appid?: string): number {
    if (appid !== undefined) return this.world.accounts.get(appid)?.deliveries.total ?? 0;
    let n = 0;
    for (const a of this.world.accounts.values()) n += a.deliveries.total;
    return n;
  }

  snapshot(): LogSnapshot {
    const endpoints: Record<string, EndpointCounts> = {};
    for (const [name, c] of this.#endpoints) {
      if (c.calls === 0) continue;
      const errcodes: Record<string, number> = {};
      for (const [code, n] of c.errcodes) errcodes[String(code)] = n;
      endpoints[name] = { calls: c.calls, errcodes };
    }
    return { requests: this.#requests, endpoints, deliveries: this.totalDeliveries() };
  }

  /** Forgets the request counts and every account's delivery counts. */
  reset(): void {
    this.#requests = 0;
    for (const c of this.#endpoints.values()) {
      c.calls = 0;
      c.errcodes.clear();
    }
    for (const a of this.world.accounts.values()) a.deliveries.reset();
  }
}
