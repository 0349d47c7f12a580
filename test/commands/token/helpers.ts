// What the token command tests share: `wxplat serve` as the real binary with its token listener, and a
// small HTTP client for the listener (keep-alive, as a service would hold its connections).
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { Test } from 'tap';
import { BIN, spawnCli, type RunResult } from '../../helpers/cli.js';
import type { World } from '../../helpers/world.js';

export interface RunningServe {
  callbackUrl: string;
  tokensUrl: string;
  /** Everything the process wrote to stderr (its log) so far. */
  log(): string;
  /** SIGTERM, then its exit code and whole output. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `wxplat serve --port 0` with WXPLAT_TOKENS_LISTEN=127.0.0.1:0; resolves when both listeners listen. */
export async function serveWithTokens(t: Test, world: World, args: string[] = [], env: Record<string, string> = {}): Promise<RunningServe> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...world.env, WXPLAT_TOKENS_LISTEN: '127.0.0.1:0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const urls = await new Promise<{ callbackUrl: string; tokensUrl: string }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const callback = /listening on (http:\/\/\S+)/.exec(stdout);
      const tokens = /tokens on (http:\/\/\S+)/.exec(stdout);
      if (callback && tokens) resolve({ callbackUrl: callback[1], tokensUrl: tokens[1] });
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  let stopped: Promise<{ code: number | null; stdout: string; stderr: string }> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      child.kill('SIGTERM');
      const code = await exited;
      return { code, stdout, stderr };
    })();
    return stopped;
  };
  t.teardown(async () => {
    await stop();
  });
  return { ...urls, log: () => stderr, stop };
}

export interface TokenAnswer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });

/** One request to the token listener; `key` becomes `Authorization: Bearer <key>`. */
export function ask(base: string, path: string, options: { key?: string; method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<TokenAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const r = http.request(`${base}${path}`, { method: options.method ?? 'GET', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    r.on('error', reject);
    r.end(options.body);
  });
}

/** `wxplat token keys add` through the binary: the key it hands over. */
export async function addKey(world: World, name: string, appids?: string[]): Promise<{ key: string; run: RunResult }> {
  const run = await spawnCli(['token', 'keys', 'add', '--name', name, ...(appids ? ['--appid', appids.join(',')] : []), '--json'], { env: world.env });
  if (run.code !== 0) throw new Error(`token keys add exited ${run.code}: ${run.stderr}`);
  return { key: JSON.parse(run.stdout).key as string, run };
}

/** Every secret value the database holds now: tokens, refresh tokens, tickets, the ticket. */
export async function storedSecrets(world: World): Promise<string[]> {
  const { knex } = world.db;
  const out: string[] = [];
  for (const r of await knex('wxplat_authorizer_tokens').select('access_token', 'refresh_token')) out.push(r.access_token, r.refresh_token);
  for (const r of await knex('wxplat_component_credentials').select('access_token', 'verify_ticket')) out.push(r.access_token, r.verify_ticket);
  for (const r of await knex('wxplat_jsapi_tickets').select('ticket')) out.push(r.ticket);
  return out.filter((v): v is string => typeof v === 'string' && v.length > 0);
}
