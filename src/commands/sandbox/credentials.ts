// The credentials the sandbox runs with: the configured component's where they are set, made up where
// not, and the made-up ones (with WXPLAT_API_BASE) added to .env so that wxplat in this folder talks to
// the sandbox with matching credentials. Lines already in .env are never changed.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { VARIABLES, type ComponentSettings } from '../../config/load.js';
import { UsageError } from '../../errors.js';

export interface SandboxCredentials {
  appid: string;
  appsecret: string;
  token: string;
  encodingAesKey: string;
  /** Variables that were not configured and were made up here. */
  generated: Array<[variable: string, value: string]>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  return [...randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

export function sandboxCredentials(component: ComponentSettings): SandboxCredentials {
  const generated: SandboxCredentials['generated'] = [];
  const pick = (variable: string, configured: string | undefined, make: () => string): string => {
    if (configured !== undefined) return configured;
    const value = make();
    generated.push([variable, value]);
    return value;
  };
  return {
    appid: pick(VARIABLES.appid, component.appid, () => `wx${randomBytes(8).toString('hex')}`),
    appsecret: pick(VARIABLES.appsecret, component.appsecret?.reveal(), () => randomBytes(16).toString('hex')),
    token: pick(VARIABLES.token, component.token, () => alnum(32)),
    encodingAesKey: pick(VARIABLES.aesKey, component.aesKey?.reveal(), () => alnum(43)),
    generated,
  };
}

export interface EnvFileChange {
  /** Variables added to the file. */
  wrote: string[];
  /** Variables the file already had, left as they were, with their values when not secret. */
  kept: Record<string, string>;
}

/** The variables whose values are secrets: written only to a file that others cannot read. */
const SECRET_VARIABLES = new Set<string>([VARIABLES.appsecret, VARIABLES.aesKey]);

/**
 * Refuses, before anything is started or written, to add a secret to an existing file that others can
 * read: appending would leave the appsecret and AES key readable by every local user.
 */
export function checkEnvFileMode(file: string, entries: ReadonlyArray<readonly [string, string]>): void {
  if (!existsSync(file) || !entries.some(([name]) => SECRET_VARIABLES.has(name))) return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new UsageError(
      `${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}): the sandbox would write the appsecret and AES key into it`,
      `make it private first: chmod 600 ${file}`,
    );
  }
}

/** Appends `NAME=value` for each variable the file does not have yet; creates the file (mode 600) if needed. */
export function addToEnvFile(file: string, entries: ReadonlyArray<readonly [string, string]>, note: string): EnvFileChange {
  checkEnvFileMode(file, entries);
  const exists = existsSync(file);
  const text = exists ? readFileSync(file, 'utf8') : '';
  const present = parseEnv(text) as Record<string, string | undefined>;
  const change: EnvFileChange = { wrote: [], kept: {} };
  const lines: string[] = [];
  for (const [name, value] of entries) {
    const existing = present[name];
    if (existing !== undefined) {
      change.kept[name] = name === VARIABLES.apiBase || name === VARIABLES.appid ? existing : '…';
      continue;
    }
    lines.push(`${name}=${value}`);
    change.wrote.push(name);
  }
  if (lines.length > 0) {
    const block = `${text !== '' && !text.endsWith('\n') ? '\n' : ''}# ${note}\n${lines.join('\n')}\n`;
    if (exists) appendFileSync(file, block);
    else writeFileSync(file, block, { mode: 0o600 });
  }
  return change;
}
