// The front of the shipped CLI (dist/bundle/cli.cjs): commander and the registration of every command,
// nothing else, so that `wxplat --help` loads 60 KB. A command's own module (and knex, the WeChat
// client, …) is in the second bundle, app.cjs, which bin/wxplat.js loads on first use: scripts/bundle.mjs
// turns each lazy `import('./verb.js')` here into `require('wxplat-app:commands/noun/verb')`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../src/cli.js';

export { main, run } from '../src/cli.js';

/**
 * Runs the everyday commands once, in this process, on a scratch SQLite database, so that the V8 code
 * caches made right after hold the compiled code of what commands do — not only of what loads.
 */
export async function warmUp(loadEverything: () => void): Promise<void> {
  loadEverything();
  const { Writable } = await import('node:stream');
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-warm-'));
  const sink = () =>
    Object.assign(
      new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
      { isTTY: false },
    );
  const env = { WXPLAT_DATABASE_URL: `sqlite:${path.join(dir, 'warm.sqlite3')}` };
  try {
    for (const argv of [
      ['--help'],
      ['db', 'migrate'],
      ['db', 'seed'],
      ['industry', 'list'],
      ['industry', 'list', '--json'],
      ['db', 'status'],
      ['account', 'list'],
      ['template', 'system', 'list'],
    ]) {
      await main(argv, { io: { stdout: sink(), stderr: sink(), stdin: process.stdin, env, cwd: dir } });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
