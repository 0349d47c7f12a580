// `wxplat serve` with WXPLAT_TOKENS_LISTEN: what it prints, what it refuses before listening, and that
// stopping closes the token listener too.
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { serveCommand, serveEnv } from '../serve/helpers.js';
import { ask } from './helpers.js';

t.test('serve prints the token listener, --json names it, Ctrl-C closes it', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { ...serveEnv(tdb), WXPLAT_TOKENS_LISTEN: '127.0.0.1:0' };
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    const serve = await serveCommand(env);
    const tokens = /tokens on (http:\/\/127\.0\.0\.1:\d+) \(WXPLAT_TOKENS_LISTEN; keys: `wxplat token keys list`\)/.exec(serve.stdout.text);
    t.ok(tokens, serve.stdout.text);
    t.not(tokens![1], serve.url);
    t.equal((await ask(tokens![1], '/tokens/component')).status, 401, 'it answers, and wants a key');
    t.equal((await ask(serve.url, '/tokens/component')).status, 404, 'not on the callback port');
    t.equal((await serve.stop()).code, 0);
    const after = await new Promise((resolve) => {
      const socket = connect(Number(new URL(tokens![1]).port), '127.0.0.1', () => resolve('connected'));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    t.equal(after, 'ECONNREFUSED', 'closed with the rest');

    const json = await serveCommand(env, ['--json']);
    const doc = JSON.parse(json.stdout.text);
    t.same(Object.keys(doc), ['url', 'database', 'processing', 'tokens']);
    t.match(doc.tokens, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.equal((await json.stop()).code, 0);

    const without = await serveCommand(serveEnv(tdb), ['--json']);
    t.same(Object.keys(JSON.parse(without.stdout.text)), ['url', 'database', 'processing'], 'no token listener unless set');
    t.equal((await without.stop()).code, 0);
  }),
);

t.test('serve refuses a token listener on the callback port, and names a taken address', (t) =>
  eachDatabase(
    t,
    async (t, tdb) => {
      const env = serveEnv(tdb);
      t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
      const same = await runCli(['serve', '--port', '8099'], { env: { ...env, WXPLAT_TOKENS_LISTEN: '127.0.0.1:8099' } });
      t.equal(same.code, 2);
      t.match(same.stderr, 'WXPLAT_TOKENS_LISTEN (127.0.0.1:8099) must not be the callback port 8099');

      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
      const port = (taken.address() as AddressInfo).port;
      const busy = await runCli(['serve', '--port', '0'], { env: { ...env, WXPLAT_TOKENS_LISTEN: `127.0.0.1:${port}` } });
      t.equal(busy.code, 1);
      t.match(busy.stderr, `error: the token listener cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      t.match(busy.stderr, 'pick another HOST:PORT for WXPLAT_TOKENS_LISTEN');

      const malformed = await runCli(['serve', '--port', '0'], { env: { ...env, WXPLAT_TOKENS_LISTEN: 'localhost' } });
      t.equal(malformed.code, 2);
      t.match(malformed.stderr, 'WXPLAT_TOKENS_LISTEN must be HOST:PORT');
    },
    ['sqlite'],
  ),
);
