// The message of a `template send`, from flags to WeChat's request body, with every check that can be
// made before anything is stored or sent (exit 2) and the warnings WeChat's 2023 rules call for.
import { UsageError } from '../../errors.js';
import type { TemplateSendRequest } from '../../wechat/types.js';
import { checkKeywordValue, type ValueCheck } from '../../wechat/values.js';
import { fillPlaceholders } from '../templates/placeholders.js';
import { httpUrl, isAppid, isUrl } from '../../formats.js';

export interface MessageInput {
  /** `--data key=value`, in order. */
  dataPairs: readonly string[];
  /** The parsed JSON of `--data-file`. */
  dataFile?: unknown;
  dataFileName?: string;
  url?: string;
  /** `--miniprogram APPID:PAGEPATH` */
  miniprogram?: string;
}

export type MessageBody = Omit<TemplateSendRequest, 'touser' | 'client_msg_id'>;

/** WeChat shows at most this many characters of a keyword value since 2023-05-04. */
export const SHOWN_VALUE_CHARS = 20;
/** `first` and `remark` are filtered out by WeChat since 2023-05-04. */
export const IGNORED_KEYS = ['first', 'remark'] as const;
export const CONTENT_LIMIT = 2000;

const OPENID = /^[A-Za-z0-9_-]{20,64}$/;

export function looksLikeOpenid(value: string): boolean {
  return OPENID.test(value);
}

export function parseDataPairs(pairs: readonly string[]): Map<string, { value: string; color?: string }> {
  const data = new Map<string, { value: string; color?: string }>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--data "${pair.slice(0, 40)}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    if (!/^[A-Za-z_][\w]*$/.test(key)) throw new UsageError(`--data key "${key.slice(0, 40)}" is not a template keyword name`);
    data.set(key, { value: pair.slice(eq + 1) });
  }
  return data;
}

export function parseDataFile(json: unknown, name = '--data-file'): Map<string, { value: string; color?: string }> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UsageError(`${name} must hold a JSON object: {"key":"value"} or {"key":{"value":"…"}}`);
  }
  const data = new Map<string, { value: string; color?: string }>();
  for (const [key, raw] of Object.entries(json as Record<string, unknown>)) {
    if (!/^[A-Za-z_][\w]*$/.test(key)) throw new UsageError(`${name}: key "${key.slice(0, 40)}" is not a template keyword name`);
    if (typeof raw === 'string' || typeof raw === 'number') {
      data.set(key, { value: String(raw) });
    } else if (raw && typeof raw === 'object' && 'value' in raw) {
      const entry = raw as { value: unknown; color?: unknown };
      if (typeof entry.value !== 'string' && typeof entry.value !== 'number') {
        throw new UsageError(`${name}: "${key}".value must be a string`);
      }
      data.set(key, { value: String(entry.value), ...(typeof entry.color === 'string' ? { color: entry.color } : {}) });
    } else {
      throw new UsageError(`${name}: "${key}" must be a string or {"value": "…"}`);
    }
  }
  return data;
}

function checkHttpUrl(value: string, flag: string): string {
  if (httpUrl(value)) return value;
  if (!isUrl(value)) throw new UsageError(`${flag} "${value.slice(0, 80)}" is not a URL`);
  throw new UsageError(`${flag} must be an http(s) URL`);
}

export function parseMiniprogram(value: string): { appid: string; pagepath?: string } {
  const colon = value.indexOf(':');
  const appid = colon < 0 ? value : value.slice(0, colon);
  const pagepath = colon < 0 ? '' : value.slice(colon + 1);
  if (!isAppid(appid)) {
    throw new UsageError(`--miniprogram "${value.slice(0, 60)}": expected APPID:PAGEPATH with a mini program appid (wx…)`);
  }
  return pagepath ? { appid, pagepath } : { appid };
}

export interface BuiltMessage {
  body: MessageBody;
  warnings: string[];
  /** Each value against its placeholder's type (category templates); untyped ones are ok. */
  checks: ValueCheck[];
}

export interface BuildOptions {
  /**
   * Return values that break their type's rule in `checks` rather than refusing them (--dry-run shows
   * the check). Without it such a value is bad input: exit 2 before anything is stored.
   */
  collectValueProblems?: boolean;
}

/** The refusal of values WeChat would refuse with 47003, naming each key, its problem and its type's rule. */
export function valueProblemsError(templateId: string, bad: readonly ValueCheck[]): UsageError {
  const lines = bad.map((c) => `${c.key} "${c.value.length > 40 ? `${[...c.value].slice(0, 40).join('')}…` : c.value}" ${c.problem}: ${c.type} allows ${c.rule}`);
  return new UsageError(
    `${bad.length === 1 ? 'a value breaks' : `${bad.length} values break`} the rule of ${bad.length === 1 ? 'its' : 'their'} keyword type (WeChat would refuse every message of template ${templateId} with 47003):\n  ${lines.join('\n  ')}`,
    'fix the value; `--dry-run` shows every value checked against its rule',
  );
}

/**
 * Builds the body and checks the data against the template's placeholders: every placeholder needs a
 * value (but `first`/`remark`, which WeChat drops), no key may be unknown, and each value of a typed
 * placeholder (thing1, amount2 …) must keep its type's rule.
 */
export function buildMessage(input: MessageInput, templateId: string, placeholders: readonly string[], options: BuildOptions = {}): BuiltMessage {
  const data = input.dataFile === undefined ? new Map<string, { value: string; color?: string }>() : parseDataFile(input.dataFile, input.dataFileName);
  for (const [k, v] of parseDataPairs(input.dataPairs)) data.set(k, v);

  const wanted = new Set(placeholders);
  const missing = placeholders.filter((p) => !data.has(p) && !(IGNORED_KEYS as readonly string[]).includes(p));
  const unknown = [...data.keys()].filter((k) => !wanted.has(k));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.join(', ')}`);
    if (unknown.length) parts.push(`unknown ${unknown.join(', ')}`);
    throw new UsageError(
      `the data does not match template ${templateId}: ${parts.join('; ')}`,
      `its keywords are ${placeholders.join(', ') || '(none)'}: give each with --data key=value`,
    );
  }

  const checks = [...data].map(([k, v]) => checkKeywordValue(k, v.value));
  const bad = checks.filter((c) => !c.ok);
  if (bad.length > 0 && !options.collectValueProblems) throw valueProblemsError(templateId, bad);

  const warnings: string[] = [];
  const ignored = [...data.keys()].filter((k) => (IGNORED_KEYS as readonly string[]).includes(k));
  if (ignored.length > 0) warnings.push(`WeChat has ignored ${ignored.join(' and ')} since 2023-05-04: they will not be shown`);
  if ([...data.values()].some((v) => v.color)) warnings.push('WeChat has ignored custom colours since 2023: every value shows in the default colour');
  // The 2023 display rules concern untyped (industry template) values; a typed value has its own rule.
  for (const c of checks) {
    if (c.type !== null || (IGNORED_KEYS as readonly string[]).includes(c.key)) continue;
    if (c.value.length > SHOWN_VALUE_CHARS) {
      warnings.push(`${c.key} is ${c.value.length} characters: WeChat shows at most ${SHOWN_VALUE_CHARS} of a value (the rest is cut)`);
    }
    if (/[\r\n]/.test(c.value)) warnings.push(`${c.key} has a line break: WeChat shows values on one line`);
  }

  const body: MessageBody = { template_id: templateId, data: Object.fromEntries(data) };
  if (input.url) body.url = checkHttpUrl(input.url, '--url');
  if (input.miniprogram) body.miniprogram = parseMiniprogram(input.miniprogram);
  return { body, warnings, checks };
}

/** The text stored in account_message_send_records.content: the template with its values filled in. */
export function renderContent(templateContent: string | null, body: MessageBody): string {
  const data = body.data;
  if (templateContent) {
    return fillPlaceholders(templateContent, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.value])));
  }
  return Object.entries(data)
    .map(([k, v]) => `${k}: ${v.value}`)
    .join('\n');
}

export function checkRenderedLength(content: string): void {
  const length = [...content].length;
  if (length > CONTENT_LIMIT) {
    throw new UsageError(`the rendered message is ${length} characters; the record holds at most ${CONTENT_LIMIT}`);
  }
}
