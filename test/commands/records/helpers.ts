// Running `records tail --follow` in this process while a test makes records, and reading its lines
// as they come; receipts posted to a running receiver as WeChat would post them.
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { Capture } from '../../helpers/cli.js';
import { until } from '../../core/callbacks/helpers.js';
import { runCli } from '../../helpers/cli.js';

export interface Following {
  stdout: Capture;
  stderr: Capture;
  lines(): string[];
  json(): any[];
  /** Waits (up to a generous limit) until `check` holds for the lines printed so far. */
  waitFor(check: (lines: string[]) => boolean, what: string): Promise<void>;
  /** Ctrl-C. */
  stop(): Promise<{ code: number; stdout: string; stderr: string }>;
}

export function follow(argv: string[], env: Record<string, string>, options: { stdoutTTY?: boolean } = {}): Following {
  const stdout = new Capture(options.stdoutTTY ?? false);
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end();
  const controller = new AbortController();
  const done = main(argv, { io: { stdout, stderr, stdin, env, cwd: process.cwd() }, signal: controller.signal });
  let ended: number | undefined;
  void done.then((c) => (ended = c));
  const lines = () => stdout.text.split('\n').filter(Boolean);
  return {
    stdout,
    stderr,
    lines,
    json: () => lines().map((l) => JSON.parse(l)),
    async waitFor(check, what) {
      await until(() => {
        if (ended !== undefined) throw new Error(`the tail ended (${ended}) while waiting for ${what}: ${stderr.text}`);
        return check(lines());
      }, what, 60_000);
    },
    async stop() {
      controller.abort();
      return { code: await done, stdout: stdout.text, stderr: stderr.text };
    },
  };
}

/** Each sent row's TEMPLATESENDJOBFINISH, posted to the receiver as WeChat would. */
export async function receiptsFor(
  knex: any,
  env: Record<string, string>,
  url: string,
  appid: string,
  statuses: Record<string, string> = {},
  only?: number[],
) {
  const q = knex('wxplat_send_deliveries').where('state', 'sent').orderBy('send_record_id');
  if (only) q.whereIn('send_record_id', only);
  const rows = await q;
  for (const row of rows) {
    const r = await runCli(
      ['events', 'trigger', 'templatesendjobfinish', '--appid', appid, '--msgid', row.msgid, '--openid', row.openid, '--status', statuses[row.openid] ?? 'success', '--forward-to', url],
      { env },
    );
    if (r.code !== 0) throw new Error(`events trigger failed: ${r.stderr}`);
  }
  return rows.length;
}

