// Starting `wxplat serve` from a test: the environment it needs, and the command run in this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { BIN, Capture } from '../../helpers/cli.js';
import type { TestDatabase } from '../../helpers/databases.js';
import { COMPONENT, until } from '../../core/callbacks/helpers.js';

export function serveEnv(tdb: TestDatabase): Record<string, string> {
  return {
    WXPLAT_DATABASE_URL: tdb.url,
    WXPLAT_COMPONENT_APPID: COMPONENT.appid,
    WXPLAT_COMPONENT_APPSECRET: COMPONENT.appsecret,
    WXPLAT_COMPONENT_TOKEN: COMPONENT.token,
    WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey,
    WXPLAT_API_BASE: 'http://127.0.0.1:9',
  };
}

/** `wxplat serve` in this process; stop() is Ctrl-C. */
export async function serveCommand(env: Record<string, string>, args: string[] = []) {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end();
  const controller = new AbortController();
  const done = main(['serve', '--port', '0', ...args], {
    io: { stdout, stderr, stdin, env, cwd: process.cwd() },
    signal: controller.signal,
  });
  let code: number | undefined;
  void done.then((c) => (code = c));
  await until(() => /listening on|"url"/.test(stdout.text) || code !== undefined, 'serve to listen');
  if (code !== undefined) throw new Error(`serve ended with ${code}: ${stderr.text}`);
  const url = /(http:\/\/[^\s"]+)/.exec(stdout.text)![1];
  return {
    url,
    stdout,
    stderr,
    async stop() {
      controller.abort();
      return { code: await done, stdout: stdout.text, stderr: stderr.text };
    },
  };
}

export interface ServeBinary {
  child: ChildProcess;
  /** Its URL, once it prints its ready line. */
  url: Promise<string>;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real binary: `wxplat serve --port 0` as its own process. */
export function serveBinary(env: Record<string, string>, args: string[] = []): ServeBinary {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`serve exited before listening: ${err}`)));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, url, stderr: () => err, exit };
}
