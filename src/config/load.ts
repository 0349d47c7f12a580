// Configuration from the environment and from a `.env` file in the working directory (the environment
// wins), plus `--db`. A command checks only the settings it uses: each value is validated when it is
// first read (a malformed appsecret does not stop `db migrate`, which never reads it), and
// validateConfig checks them all (doctor). A missing value is reported by the getter of the command that
// needs it. Secrets are wrapped so that no output path can print them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../errors.js';
import { Secret, mask } from './secret.js';
import { httpUrl, isAppid, isUrl } from '../formats.js';

export type Env = Record<string, string | undefined>;

export type DatabaseTarget =
  | { kind: 'sqlite'; path: string; display: string }
  | {
      kind: 'mysql';
      host: string;
      port: number;
      user: string;
      password: Secret | null;
      database: string;
      display: string;
    };

export interface ComponentSettings {
  appid?: string;
  appsecret?: Secret;
  token?: string;
  aesKey?: Secret;
}

/** Where `serve` answers the platform's own services' token requests (WXPLAT_TOKENS_LISTEN). */
export interface ListenAddress {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** As given: `127.0.0.1:8081`, `[::1]:8081`. */
  display: string;
}

export interface Config {
  database: DatabaseTarget;
  component: ComponentSettings;
  apiBase: string;
  callbackMaxSkewSeconds: number;
  /** Off (null) unless WXPLAT_TOKENS_LISTEN is set. */
  tokensListen: ListenAddress | null;
  /** Where each variable came from, for `doctor` (names and sources only, never values). */
  sources: Record<string, 'flag' | 'environment' | '.env' | 'default'>;
}

export const VARIABLES = {
  databaseUrl: 'WXPLAT_DATABASE_URL',
  appid: 'WXPLAT_COMPONENT_APPID',
  appsecret: 'WXPLAT_COMPONENT_APPSECRET',
  token: 'WXPLAT_COMPONENT_TOKEN',
  aesKey: 'WXPLAT_COMPONENT_AES_KEY',
  apiBase: 'WXPLAT_API_BASE',
  maxSkew: 'WXPLAT_CALLBACK_MAX_SKEW',
  tokensListen: 'WXPLAT_TOKENS_LISTEN',
} as const;

export const DEFAULT_DATABASE_URL = 'sqlite:./wxplat.sqlite3';
export const DEFAULT_API_BASE = 'https://api.weixin.qq.com';

export interface LoadOptions {
  env: Env;
  cwd: string;
  /** The value of `--db`, which beats every other source. */
  dbFlag?: string;
}

/** Reads `.env` in cwd, if there is one, without touching process.env. */
export function readDotEnv(cwd: string): Env {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('.env', `could not read ${file}: ${(err as Error).message}`);
  }
}

/** A setting's value and where it came from: the environment wins over `.env`; empty counts as unset. */
export function pickSetting(name: string, env: Env, dotenv: Env): { value: string; source: 'environment' | '.env' } | undefined {
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'environment' };
  const fromFile = dotenv[name];
  if (fromFile !== undefined && fromFile !== '') return { value: fromFile, source: '.env' };
  return undefined;
}

export function loadConfig({ env, cwd, dbFlag }: LoadOptions): Config {
  const dotenv = readDotEnv(cwd);
  const sources: Config['sources'] = {};
  const pick = (name: string): string | undefined => {
    const picked = pickSetting(name, env, dotenv);
    if (picked) sources[name] = picked.source;
    return picked?.value;
  };

  let dbUrl = pick(VARIABLES.databaseUrl);
  let dbSource: string = VARIABLES.databaseUrl;
  if (dbFlag !== undefined) {
    dbUrl = dbFlag;
    dbSource = '--db';
    sources[VARIABLES.databaseUrl] = 'flag';
  }
  if (dbUrl === undefined) {
    dbUrl = DEFAULT_DATABASE_URL;
    sources[VARIABLES.databaseUrl] = 'default';
  }

  const appid = pick(VARIABLES.appid);
  const appsecret = pick(VARIABLES.appsecret);
  const token = pick(VARIABLES.token);
  const aesKey = pick(VARIABLES.aesKey);
  const apiBase = pick(VARIABLES.apiBase);
  const maxSkew = pick(VARIABLES.maxSkew);
  const tokensListen = pick(VARIABLES.tokensListen);
  if (apiBase === undefined) sources[VARIABLES.apiBase] = 'default';
  if (maxSkew === undefined) sources[VARIABLES.maxSkew] = 'default';

  const url = dbUrl;
  const component = {} as ComponentSettings;
  lazily(component, 'appid', () => (appid === undefined ? undefined : checkAppid(appid)));
  lazily(component, 'appsecret', () => (appsecret === undefined ? undefined : checkAppsecret(appsecret)));
  lazily(component, 'token', () => (token === undefined ? undefined : checkToken(token)));
  lazily(component, 'aesKey', () => (aesKey === undefined ? undefined : checkAesKey(aesKey)));
  const config = { component, sources } as Config;
  lazily(config, 'database', () => parseDatabaseUrl(url, dbSource, cwd));
  lazily(config, 'apiBase', () => (apiBase === undefined ? DEFAULT_API_BASE : checkApiBase(apiBase)));
  lazily(config, 'callbackMaxSkewSeconds', () => (maxSkew === undefined ? 300 : checkSkew(maxSkew)));
  lazily(config, 'tokensListen', () => (tokensListen === undefined ? null : parseListenAddress(tokensListen, VARIABLES.tokensListen)));
  return config;
}

/** A property checked when first read (then kept); a malformed value throws its ConfigError on every read. */
function lazily<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let known = false;
  let value: T[K];
  Object.defineProperty(target, key, {
    enumerable: true,
    get() {
      if (!known) {
        value = compute();
        known = true;
      }
      return value;
    },
  });
}

/** Reads every value, so that the first malformed one throws (doctor reports them before any is used). */
export function validateConfig(config: Config): Config {
  void config.database;
  void config.component.appid;
  void config.component.appsecret;
  void config.component.token;
  void config.component.aesKey;
  void config.apiBase;
  void config.callbackMaxSkewSeconds;
  void config.tokensListen;
  return config;
}

export function parseDatabaseUrl(url: string, source: string, cwd: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2); // sqlite:///abs/path
    if (file === '') {
      throw new ConfigError(source, `${source} names no SQLite file: use sqlite:PATH, e.g. sqlite:./wxplat.sqlite3`);
    }
    const resolved = file === ':memory:' ? file : path.resolve(cwd, file);
    return { kind: 'sqlite', path: resolved, display: `sqlite:${resolved}` };
  }
  if (/^(mysql|mysql2|mariadb):\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(source, `${source} is not a valid URL: expected mysql://user:pass@host:port/database`);
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!database || database.includes('/')) {
      throw new ConfigError(source, `${source} names no database: expected mysql://user:pass@host:port/database`);
    }
    if (!/^[A-Za-z0-9_$-]+$/.test(database)) {
      throw new ConfigError(source, `${source}: database name "${database}" may hold only letters, digits, _, $ and -`);
    }
    const port = parsed.port ? Number(parsed.port) : 3306;
    const password = parsed.password ? new Secret(decodeURIComponent(parsed.password)) : null;
    const user = decodeURIComponent(parsed.username) || 'root';
    const auth = password ? `${user}:${mask(password.reveal()) || '…'}@` : `${user}@`;
    return {
      kind: 'mysql',
      host: parsed.hostname || '127.0.0.1',
      port,
      user,
      password,
      database,
      display: `mysql://${auth}${parsed.hostname}:${port}/${database}`,
    };
  }
  throw new ConfigError(
    source,
    `${source} must start with mysql:// or sqlite: (e.g. mysql://user:pass@127.0.0.1:3306/wxplat or sqlite:./wxplat.sqlite3)`,
  );
}

function checkAppid(value: string): string {
  if (!isAppid(value)) {
    throw new ConfigError(
      VARIABLES.appid,
      `${VARIABLES.appid} is malformed: an appid is "wx" followed by 16 letters or digits (got "${value.slice(0, 24)}")`,
    );
  }
  return value;
}

function checkAppsecret(value: string): Secret {
  if (!/^[0-9A-Za-z]{32}$/.test(value)) {
    throw new ConfigError(
      VARIABLES.appsecret,
      `${VARIABLES.appsecret} is malformed: expected 32 letters or digits (got ${value.length} characters)`,
    );
  }
  return new Secret(value);
}

function checkToken(value: string): string {
  if (!/^[0-9A-Za-z]{3,32}$/.test(value)) {
    throw new ConfigError(
      VARIABLES.token,
      `${VARIABLES.token} is malformed: WeChat's message-check token is 3 to 32 letters or digits`,
    );
  }
  return value;
}

function checkAesKey(value: string): Secret {
  if (!/^[0-9A-Za-z]{43}$/.test(value)) {
    throw new ConfigError(
      VARIABLES.aesKey,
      `${VARIABLES.aesKey} is malformed: the EncodingAESKey is 43 letters or digits (got ${value.length} characters)`,
    );
  }
  return new Secret(value);
}

function checkApiBase(value: string): string {
  const url = httpUrl(value);
  if (url) return url.origin;
  if (!isUrl(value)) throw new ConfigError(VARIABLES.apiBase, `${VARIABLES.apiBase} is not a URL (e.g. https://api.weixin.qq.com)`);
  throw new ConfigError(VARIABLES.apiBase, `${VARIABLES.apiBase} must be an http(s) origin`);
}

function checkSkew(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new ConfigError(VARIABLES.maxSkew, `${VARIABLES.maxSkew} must be a whole number of seconds (0 turns the check off)`);
  }
  return Number(value);
}

/** `HOST:PORT`, `[IPv6]:PORT`; the host is required so that nobody binds every interface by accident. */
export function parseListenAddress(value: string, source: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(source, `${source} must be HOST:PORT, e.g. 127.0.0.1:8081 or [::1]:8081 (got "${value.slice(0, 60)}")`);
  }
  return { host: m[1] ?? m[2], port, display: value.trim() };
}

export type ComponentField = keyof ComponentSettings;

const FIELD_VARIABLE: Record<ComponentField, string> = {
  appid: VARIABLES.appid,
  appsecret: VARIABLES.appsecret,
  token: VARIABLES.token,
  aesKey: VARIABLES.aesKey,
};

/** The component settings a command needs; a missing one names its variable (exit 2). */
export function requireComponent<K extends ComponentField>(
  config: Config,
  fields: readonly K[],
): Required<Pick<ComponentSettings, K>> {
  const unset = (f: ComponentField) => config.component[f] === undefined;
  const missing = fields.filter(unset).map((f) => FIELD_VARIABLE[f]);
  if (missing.length > 0) {
    // Every component variable that is unset, as doctor lists them: the next command would ask for the rest.
    const others = (Object.keys(FIELD_VARIABLE) as ComponentField[]).filter((f) => unset(f) && !fields.includes(f as K)).map((f) => FIELD_VARIABLE[f]);
    throw new ConfigError(
      missing[0],
      `missing configuration: set ${[...missing, ...others].join(', ')} (in the environment or in .env)`,
      'the values are on the Open Platform console: 第三方平台 → 开发资料',
    );
  }
  return config.component as Required<Pick<ComponentSettings, K>>;
}
