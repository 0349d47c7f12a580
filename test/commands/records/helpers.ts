// Running `records tail --follow` in this process while a test makes records, and reading its lines
// as they come.
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { Capture } from '../../helpers/cli.js';
import { until } from '../../core/callbacks/helpers.js';

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
