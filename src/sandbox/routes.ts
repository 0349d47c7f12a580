// What every endpoint module shares: the simulator's parts, the shape of a route, and the two ways a
// request carries its input (the query string and a JSON body).
import { ApiError } from './errors.js';
import type { Faults } from './faults.js';
import type { RequestLog } from './log.js';
import type { Pusher } from './pushes.js';
import type { Account, World } from './state.js';

export interface Sim {
  world: World;
  faults: Faults;
  pusher: Pusher;
  log: RequestLog;
}

export interface ApiRequest {
  /** The raw query string, without `?`. */
  readonly query: string;
  /** The raw body ('' for GET). */
  readonly body: string;
}

/** Who made a call that either identity may make (the openApi endpoints): the platform or an account. */
export type Caller = { kind: 'component' } | { kind: 'account'; account: Account };

/** The permission sets (funcscope) an account route needs: template messages, users, messages. */
export type Needs = 'template' | 'user' | 'message' | 'none';

/**
 * Which token a route takes and which permission set (funcscope) the account must have granted.
 * `uncounted`: the route keeps its own daily count (template send: the send quota).
 */
export type Route =
  | { method: 'GET' | 'POST'; auth: 'none' | 'component'; uncounted?: boolean; handle(req: ApiRequest): string }
  | { method: 'GET' | 'POST'; auth: 'account'; needs: Needs; uncounted?: boolean; handle(req: ApiRequest, account: Account): string }
  | { method: 'GET' | 'POST'; auth: 'caller'; uncounted?: boolean; handle(req: ApiRequest, caller: Caller): string };

/** The body as a JSON object: 44002 when empty, 47001 when not a JSON object. */
export function jsonBody(req: ApiRequest): Record<string, unknown> {
  if (req.body.length === 0) throw new ApiError(44002);
  let value: unknown;
  try {
    value = JSON.parse(req.body);
  } catch {
    throw new ApiError(47001);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(47001);
  return value as Record<string, unknown>;
}

/** A JSON text for WeChat's success bodies. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}
