// Starting `wxplat serve` from a test: the environment it needs, and the command run in this process.
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { Capture } from '../../helpers/cli.js';
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
  const url = /(http:\/\/[^\s"]+)/.exec(stdout.text)![1]!;
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
