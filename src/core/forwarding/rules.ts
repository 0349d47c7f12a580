// Forwarding rules: which pushes go where. A rule matches on the route (an account's messages and
// events, or the component's authorization events), the account (one, several or all), and what the
// push is: its MsgType or Event (account route) or its InfoType (component route). A field left out
// matches everything. For the account route the MsgType and Event filters add up: `--msg-type text
// --event CLICK` takes text messages and CLICK events; `--event subscribe` alone takes that event only.
import { UsageError } from '../../errors.js';
import { knownName, type NameKind } from './names.js';
import { httpUrl, isAppid, isUrl } from '../../formats.js';

export type ForwardRoute = 'account' | 'component';
export type ForwardMode = 'async' | 'reply';
export type ForwardFormat = 'xml' | 'json';

export interface ForwardFilter {
  route: ForwardRoute;
  /** Null: every account. */
  appids: string[] | null;
  msgTypes: string[] | null;
  events: string[] | null;
  infoTypes: string[] | null;
}

export interface ForwardRule extends ForwardFilter {
  id: number;
  name: string | null;
  /** The URL pushes go to; `$APPID$` stands for the account's appid. */
  target: string;
  mode: ForwardMode;
  format: ForwardFormat;
  /** How long an async delivery is retried before it is dead. */
  retryForSeconds: number;
  createdAt: string;
}

/** What a push is, for matching. */
export interface PushKind {
  route: ForwardRoute;
  appid: string | null;
  /** Account route. */
  msgType?: string;
  event?: string;
  /** Component route. */
  infoType?: string;
}

const lower = (xs: string[] | null) => xs?.map((x) => x.toLowerCase()) ?? null;

/** Whether a rule takes a push. */
export function matches(rule: ForwardFilter, push: PushKind): boolean {
  if (rule.route !== push.route) return false;
  if (rule.appids !== null && (push.appid === null || !rule.appids.includes(push.appid))) return false;
  if (push.route === 'component') {
    // The ticket is wxplat's own credential: never forwarded.
    if ((push.infoType ?? '').toLowerCase() === 'component_verify_ticket') return false;
    return rule.infoTypes === null || lower(rule.infoTypes)!.includes((push.infoType ?? '').toLowerCase());
  }
  if (rule.msgTypes === null && rule.events === null) return true;
  const msgType = (push.msgType ?? '').toLowerCase();
  if (rule.msgTypes !== null && lower(rule.msgTypes)!.includes(msgType)) return true;
  return msgType === 'event' && rule.events !== null && lower(rule.events)!.includes((push.event ?? '').toLowerCase());
}

/**
 * Whether some push could match both filters (two reply rules may not: at most one answers a message).
 * The appid sets meet, and the kinds of push meet.
 */
export function overlap(a: ForwardFilter, b: ForwardFilter): boolean {
  if (a.route !== b.route) return false;
  if (a.appids !== null && b.appids !== null && !a.appids.some((x) => b.appids!.includes(x))) return false;
  const kinds = (f: ForwardFilter): Set<string> | null => {
    if (f.msgTypes === null && f.events === null) return null;
    return new Set([...(lower(f.msgTypes) ?? []), ...(lower(f.events) ?? []).map((e) => `event:${e}`)]);
  };
  const ka = kinds(a);
  const kb = kinds(b);
  if (ka === null || kb === null) return true;
  for (const k of ka) {
    if (kb.has(k)) return true;
    // "event" as a MsgType takes every event.
    if (k === 'event' && [...kb].some((x) => x.startsWith('event:'))) return true;
    if (k.startsWith('event:') && kb.has('event')) return true;
  }
  return false;
}

export interface RuleInput {
  to?: string;
  route?: string;
  appid?: string;
  msgType?: string;
  event?: string;
  infoType?: string;
  mode?: string;
  format?: string;
  name?: string;
  retryFor?: string;
}

export interface NewRule extends ForwardFilter {
  name: string | null;
  target: string;
  mode: ForwardMode;
  format: ForwardFormat;
  retryForSeconds: number;
}

/** Starts with a letter, so that a name is never taken for a rule id. */
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const DEFAULT_RETRY_SECONDS = 24 * 3600;

function list(value: string | undefined, flag: string, kind: NameKind): string[] | null {
  if (value === undefined) return null;
  const names = value.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`${flag} needs at least one name`);
  return [
    ...new Set(
      names.map((n) => {
        const known = knownName(kind, n);
        if (!known) throw new UsageError(`${flag}: WeChat has no ${kind === 'msgType' ? 'MsgType' : kind === 'event' ? 'Event' : 'InfoType'} "${n.slice(0, 40)}"`, `\`wxplat forward add --help\` lists them`);
        return known;
      }),
    ),
  ];
}

/** `30s`, `15m`, `6h`, `2d` or seconds: from a second (for trying things) to thirty days. */
function duration(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RETRY_SECONDS;
  const m = /^(\d{1,7})(s|m|h|d)?$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(seconds >= 1 && seconds <= 30 * 86400)) throw new UsageError(`--retry-for must be a duration from 1s to 30d (e.g. 24h), got "${value}"`);
  return seconds;
}

/** An http(s) URL, with `$APPID$` allowed where the account's appid goes. */
export function checkTarget(to: string | undefined): string {
  if (!to) throw new UsageError('--to is required: the URL to forward to, e.g. https://cs.internal/wx/$APPID$');
  const text = to.replaceAll('$APPID$', 'wx0000000000000000');
  if (!httpUrl(text)) {
    if (!isUrl(text)) throw new UsageError(`--to is not a URL: ${to.slice(0, 200)}`);
    throw new UsageError(`--to must be an http(s) URL, not ${new URL(text).protocol}`);
  }
  if (to.length > 2000) throw new UsageError('--to is longer than 2,000 characters');
  // A password in the URL would be printed wherever a rule is (forward list, records, status, --json).
  const u = new URL(text);
  if (u.username || u.password) throw new UsageError('--to may not carry credentials (user:password@): rules are printed; check X-Wxplat-Signature in the service instead');
  return to;
}

/** Checks every flag of `forward add`; throws a UsageError naming the first bad one. */
export function parseRuleInput(input: RuleInput): NewRule {
  const target = checkTarget(input.to);
  const route = input.route ?? 'account';
  if (route !== 'account' && route !== 'component') throw new UsageError(`--route must be account or component, not "${route}"`);
  const mode = input.mode ?? 'async';
  if (mode !== 'async' && mode !== 'reply') throw new UsageError(`--mode must be async or reply, not "${mode}"`);
  const format = input.format ?? 'xml';
  if (format !== 'xml' && format !== 'json') throw new UsageError(`--format must be xml or json, not "${format}"`);
  let appids: string[] | null = null;
  if (input.appid !== undefined && input.appid.trim() !== '*') {
    appids = [...new Set(input.appid.split(',').map((a) => a.trim()).filter(Boolean))];
    const bad = appids.find((a) => !isAppid(a));
    if (appids.length === 0 || bad !== undefined) throw new UsageError(`--appid takes "*" or appids (wx and 16 letters or digits), not "${(bad ?? input.appid).slice(0, 40)}"`);
  }
  const msgTypes = list(input.msgType, '--msg-type', 'msgType');
  const events = list(input.event, '--event', 'event');
  const infoTypes = list(input.infoType, '--info-type', 'infoType');
  if (infoTypes?.includes('component_verify_ticket')) {
    throw new UsageError('component_verify_ticket is never forwarded: the ticket is wxplat\'s own credential (wxplat platform status shows its age)');
  }
  if (route === 'component') {
    if (msgTypes || events) throw new UsageError('--msg-type and --event are for the account route; the component route takes --info-type');
    if (mode === 'reply') throw new UsageError('--mode reply is for the account route: WeChat takes no reply to an authorization event');
  } else if (infoTypes) {
    throw new UsageError('--info-type is for the component route (--route component)');
  }
  if (input.name !== undefined && !NAME.test(input.name)) throw new UsageError('--name: a letter, then up to 63 letters, digits, _ . or -');
  return {
    name: input.name ?? null,
    target,
    route,
    appids,
    msgTypes,
    events,
    infoTypes,
    mode,
    format,
    retryForSeconds: duration(input.retryFor),
  };
}

/** What a rule takes, in a few words: `text,CLICK of every account`. */
export function describeFilter(r: ForwardFilter): string {
  const what =
    r.route === 'component'
      ? (r.infoTypes?.join(',') ?? 'every authorization event')
      : [...(r.msgTypes ?? []), ...(r.events ?? [])].join(',') || 'everything';
  return `${what} of ${r.appids ? r.appids.join(',') : 'every account'}`;
}

/** The account a push goes to, in its URL. */
export function targetFor(rule: Pick<ForwardRule, 'target'>, appid: string | null): string {
  return rule.target.replaceAll('$APPID$', appid ?? '');
}
