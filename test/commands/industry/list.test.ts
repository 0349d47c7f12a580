import t from 'tap';
import { ANSI, runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';

t.test('industry list', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { WXPLAT_DATABASE_URL: tdb.url };
    await runCli(['db', 'migrate'], { env });

    const empty = await runCli(['industry', 'list', '--json'], { env });
    t.equal(empty.code, 0);
    t.same(JSON.parse(empty.stdout), [], 'an empty list is [] and exit 0');
    const emptyHuman = await runCli(['industry', 'list'], { env });
    t.match(emptyHuman.stderr, /wxplat db seed/);

    await runCli(['db', 'seed'], { env });
    const json = await runCli(['industry', 'list', '--json'], { env });
    const codes = JSON.parse(json.stdout);
    t.equal(codes.length, 41);
    t.same(codes[0], { code: 1, main: 'IT科技', sub: '互联网/电子商务', mainType: 1, id: codes[0].id });
    t.same(Object.keys(codes[40]), ['code', 'main', 'sub', 'mainType', 'id']);

    const piped = await runCli(['industry', 'list'], { env });
    t.equal(piped.code, 0);
    t.match(piped.stdout, /互联网\/电子商务/);
    t.match(piped.stdout, /基金\|理财\|信托/);
    t.notMatch(piped.stdout, ANSI, 'piped: no ANSI codes');
    t.equal(piped.stdout.split('\n').filter((l) => /^\d+\t/.test(l)).length, 41, 'one line a code');

    const tty = await runCli(['industry', 'list'], { env, stdoutTTY: true });
    t.match(tty.stdout, ANSI, 'a terminal gets colour');
    const noColor = await runCli(['industry', 'list'], { env: { ...env, NO_COLOR: '1' }, stdoutTTY: true });
    t.notMatch(noColor.stdout, ANSI, 'NO_COLOR on a terminal: no ANSI codes');
    const flag = await runCli(['industry', 'list', '--no-color'], { env, stdoutTTY: true });
    t.notMatch(flag.stdout, ANSI, '--no-color on a terminal: no ANSI codes');
    const jsonTty = await runCli(['industry', 'list', '--json'], { env, stdoutTTY: true });
    t.notMatch(jsonTty.stdout, ANSI, '--json never has ANSI codes');
    t.equal(JSON.parse(jsonTty.stdout).length, 41);
  }),
);
