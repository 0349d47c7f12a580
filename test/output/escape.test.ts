// Control characters from outside — a pushed event's fields, a flag's value — are shown as escapes
// wherever text is printed for a person or logged, never obeyed by the terminal.
import t from 'tap';
import { escapeControl, escapeForTerminal } from '../../src/output/escape.js';
import { stderrLogger } from '../../src/output/logger.js';
import { Output } from '../../src/output/output.js';
import { Capture, runCli } from '../helpers/cli.js';
import { eachDatabase, openTestDatabase } from '../helpers/databases.js';
import { PassThrough } from 'node:stream';

const EVIL = '\u001b[2J\u001b[31mFAKE\r\u0007\u009b1A\u202eevil';
const ESC = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

t.test('escapeControl shows every control character; escapeForTerminal keeps our colours and newlines', async (t) => {
  t.equal(escapeControl(EVIL), '\\x1b[2J\\x1b[31mFAKE\\r\\x07\\x9b1A\\u202eevil');
  t.equal(escapeControl('a\nb\tc'), 'a\\nb\\tc');
  t.equal(escapeControl('你好 plain'), '你好 plain', 'text without controls is untouched');
  t.equal(escapeForTerminal('\u001b[31mred\u001b[39m\n\tnext'), '\u001b[31mred\u001b[39m\n\tnext');
  t.equal(escapeForTerminal(`x ${'\u001b[2J'} y\r z`), 'x \\x1b[2J y\\r z', 'no screen clearing, no carriage return');
  t.equal(escapeForTerminal('tail\u001b'), 'tail\\x1b');
});

t.test('log lines and tables escape what came from outside', async (t) => {
  const stderr = new Capture();
  const stdout = new Capture();
  const stdin = new PassThrough();
  const out = new Output({ stdout, stderr, stdin, env: {}, cwd: process.cwd() }, { json: false, noColor: true, verbose: false });
  const logger = stderrLogger(out, undefined, { batched: true });
  logger.warn(`POST /wechat/accounts/x${EVIL}`, { type: EVIL });
  t.equal(stderr.text, '', 'lines are gathered…');
  logger.flush();
  t.notMatch(stderr.text.trimEnd(), ESC);
  t.match(stderr.text, 'type=\\x1b[2J\\x1b[31mFAKE');
  out.table([{ header: 'nickname', value: (r: { n: string }) => r.n }], [{ n: EVIL }]);
  t.notMatch(stdout.text, ESC);
  t.match(stdout.text, '\\x1b[2J');
});

t.test('records tail and error messages print pushed and given values escaped', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const stamp = '2026-11-28 08:00:00';
    await db.knex('wxplat_callback_inbox').insert({
      dedupe_key: 'k1', route: 'account', appid: 'wxf8b4f85f3a794e77', event_type: EVIL.slice(0, 30), message_time: stamp,
      query_string: null, raw_body: '<xml/>', decrypted_xml: '<xml/>', state: 'failed', attempts: 1, next_attempt_at: stamp,
      last_error: `bad ${EVIL}`, received_at: stamp, updated_at: stamp,
    });
    const env = { WXPLAT_DATABASE_URL: tdb.url };
    const r = await runCli(['records', 'tail', 'events'], { env });
    t.equal(r.code, 0, r.stderr);
    t.notMatch(r.stdout.replace(/\n/g, ''), ESC, 'no raw control character reaches the terminal');
    t.match(r.stdout, '\\x1b[2J\\x1b[31mFAKE');
    const json = await runCli(['records', 'tail', 'events', '--json'], { env });
    t.equal(JSON.parse(json.stdout).eventType, EVIL.slice(0, 30), '--json keeps the value exactly (JSON escapes it)');

    const bad = await runCli(['account', 'show', `x${EVIL}`], { env });
    t.equal(bad.code, 2);
    t.notMatch(bad.stderr.replace(/\n/g, ''), ESC);
    t.match(bad.stderr, '\\x1b[2J');
  }),
);
