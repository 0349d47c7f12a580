// The configuration check: which variables are set and where from (names and sources, never values).
// A malformed value makes validateConfig throw; the doctor still finds the database and the component
// appid by themselves, so that the other checks can run.
import {
  DEFAULT_DATABASE_URL,
  VARIABLES,
  loadConfig,
  parseDatabaseUrl,
  pickSetting,
  validateConfig,
  readDotEnv,
  type Config,
  type DatabaseTarget,
  type Env,
} from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import { check, type Check } from './check.js';
import { isAppid } from '../../formats.js';

/** What every part of the tool needs between them (serve, sending, authorization). */
export const REQUIRED = [VARIABLES.appid, VARIABLES.appsecret, VARIABLES.token, VARIABLES.aesKey] as const;

export interface ConfigSources {
  env: Env;
  cwd: string;
  dbFlag?: string;
}

export interface LoadedSettings {
  config: Config | null;
  error: ConfigError | null;
  /** The database to check, or why there is none. */
  database: DatabaseTarget | ConfigError;
  componentAppid: string | null;
}

function raw(name: string, sources: ConfigSources, dotenv: Env): string | undefined {
  return pickSetting(name, sources.env, dotenv)?.value;
}

export function loadSettings(sources: ConfigSources): LoadedSettings {
  try {
    const config = validateConfig(loadConfig(sources));
    return { config, error: null, database: config.database, componentAppid: config.component.appid ?? null };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    let dotenv: Env = {};
    try {
      dotenv = readDotEnv(sources.cwd);
    } catch {
      // An unreadable .env is the error already being reported.
    }
    let database: DatabaseTarget | ConfigError;
    const source = sources.dbFlag !== undefined ? '--db' : VARIABLES.databaseUrl;
    try {
      database = parseDatabaseUrl(sources.dbFlag ?? raw(VARIABLES.databaseUrl, sources, dotenv) ?? DEFAULT_DATABASE_URL, source, sources.cwd);
    } catch (dbErr) {
      if (!(dbErr instanceof ConfigError)) throw dbErr;
      database = dbErr;
    }
    const appid = raw(VARIABLES.appid, sources, dotenv);
    return { config: null, error: err, database, componentAppid: appid && isAppid(appid) ? appid : null };
  }
}

export interface ConfigurationCheck extends Check {
  /** Each variable that is set (or defaulted) and where from. */
  variables: Array<{ name: string; source: string }>;
  missing: string[];
}

export function configurationCheck(settings: LoadedSettings): ConfigurationCheck {
  const name = 'configuration';
  if (!settings.config) {
    const e = settings.error!;
    return {
      ...check(name, 'fail', e.message, e.hint ?? `fix ${e.variable} (in the environment or in .env)`),
      variables: [],
      missing: [],
    };
  }
  const { config } = settings;
  const variables = Object.entries(config.sources).map(([variable, source]) => ({ name: variable, source }));
  const missing = REQUIRED.filter((v) => !(v in config.sources));
  // Defaults are left out of the line (they are in --json): what was set, and where, is what matters.
  const bySource = new Map<string, string[]>();
  for (const v of variables) if (v.source !== 'default') bySource.set(v.source, [...(bySource.get(v.source) ?? []), v.name]);
  const defaults = variables.filter((v) => v.source === 'default').length;
  const set =
    [...bySource].map(([source, names]) => `${source === 'flag' ? '--db' : source}: ${names.join(', ')}`).join('; ') +
    (defaults ? `${bySource.size ? '; ' : ''}${defaults} left at the default` : '');
  if (missing.length > 0) {
    return {
      ...check(
        name,
        'fail',
        `missing ${missing.join(', ')}`,
        `set ${missing.join(', ')} in the environment or in .env; the values are on the Open Platform console (第三方平台 → 开发资料)`,
      ),
      variables,
      missing,
    };
  }
  return { ...check(name, 'ok', set), variables, missing };
}
