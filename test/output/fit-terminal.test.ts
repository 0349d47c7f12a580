// Tables as an operator sees them, through the shipped binary: on a 60- and a 200-column terminal
// every line fits (wide characters counted as 2), cut cells end in an ellipsis and ids are kept whole;
// piped, one tab-separated line a row with no box drawing and no header.
import t from 'tap';
import { fitWidths } from '../../src/output/output.js';
import stringWidth from '../../src/output/string-width.js';
import { spawnCli } from '../helpers/cli.js';
import { eachDatabase } from '../helpers/databases.js';
import { runOnTerminal } from '../helpers/pty.js';
import { syncTemplate } from '../helpers/sending.js';
import { startWorld } from '../helpers/world.js';

const BOX = /[│┌┐└┘─┬┴├┤┼]/;

/** The table's lines (a note on stderr is prose the terminal wraps). */
function lines(screen: string): string[] {
  return screen.split('\n').filter((l) => /^[│┌└]/.test(l));
}

t.test('fitWidths: narrow columns keep their width, the widest are cut first, kept ones last', async (t) => {
  t.same(fitWidths([2, 10, 5], [false, false, false], 80), [2, 10, 5], 'fits: unchanged');
  // 3 columns: 10 of borders and padding, 50 left: 2 and 5 keep theirs, the 100 gets the other 43.
  t.same(fitWidths([2, 100, 5], [false, false, false], 60), [2, 43, 5]);
  // Two wide ones share evenly.
  t.same(fitWidths([40, 40, 40], [true, false, false], 60), [40, 5, 5]);
  // Kept columns alone too wide: everything is cut.
  t.ok(fitWidths([60, 40], [true, false], 40).reduce((a, b) => a + b, 0) <= 40 - 7);
});

t.test('account list and doctor at 60 and 200 columns, and piped', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    world.sandbox.createAccount({ appid: 'wxaaaaaaaaaaaaaaa1', nickname: '一个名字相当长的中文服务号用来测试表格的宽度', funcIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] });
    world.sandbox.createAccount({ appid: 'wxaaaaaaaaaaaaaaa2', nickname: 'short' });
    await world.authorize({ appid: 'wxaaaaaaaaaaaaaaa1' });
    await world.authorize({ appid: 'wxaaaaaaaaaaaaaaa2' });

    for (const columns of [60, 200]) {
      const term = runOnTerminal(['account', 'list'], world.env, { columns, binary: true });
      t.equal(await term.exit, 0, term.screen);
      const out = lines(term.screen);
      const widest = Math.max(...out.map(stringWidth));
      t.ok(widest <= columns, `account list at ${columns} columns: widest line ${widest}`);
      t.match(term.screen, /wxaaaaaaaaaaaaaaa1/, 'the appid is whole');
      t.match(term.screen, BOX, 'a box table on a terminal');
      if (columns === 60) {
        t.match(term.screen, /…/, 'cut cells end in an ellipsis');
        t.match(term.screen, /not shown at this width: .*service type/, 'columns left out are named');
      }
      else t.match(term.screen, /一个名字相当长的中文服务号用来测试表格的宽度/, 'at 200 columns the nickname is whole');

      const doctor = runOnTerminal(['doctor'], world.env, { columns, binary: true });
      await doctor.exit;
      const dl = lines(doctor.screen);
      t.ok(Math.max(...dl.map(stringWidth)) <= columns, `doctor at ${columns} columns: widest line ${Math.max(...dl.map(stringWidth))}`);
      t.match(doctor.screen, /database/, 'doctor printed its checks');
      t.notMatch(doctor.screen, /…/, "doctor's details wrap, never cut");
    }

    // At 100 columns the least useful columns go before the nickname is cut.
    const mid = runOnTerminal(['account', 'list'], world.env, { columns: 100, binary: true });
    t.equal(await mid.exit, 0);
    t.match(mid.screen, /一个名字相当长的中文服务号用来测试表格的宽度/, 'the nickname whole at 100 columns');
    t.match(mid.screen, /not shown at this width: original id, service type, verify type, func ids;/, 'what was left out is named');
    t.ok(Math.max(...lines(mid.screen).map(stringWidth)) <= 100);

    // Times: local with the offset on a terminal, ISO UTC piped.
    const status = runOnTerminal(['platform', 'status'], { ...world.env, TZ: 'Asia/Shanghai' }, { binary: true });
    await status.exit;
    t.match(status.screen, /received .* ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+08:00\)/, 'local time on a terminal');
    const statusPiped = await spawnCli(['platform', 'status'], { env: { ...world.env, TZ: 'Asia/Shanghai' } });
    t.match(statusPiped.stdout, /received .* ago \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)/, 'ISO UTC piped');

    const piped = await spawnCli(['account', 'list'], { env: world.env });
    t.equal(piped.code, 0, piped.stderr);
    t.notMatch(piped.stdout, BOX, 'no box drawing when piped');
    const rows = piped.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    t.equal(rows.length, 2, 'one line a row, no header');
    t.same(rows.map((r) => r[1]), ['wxaaaaaaaaaaaaaaa1', 'wxaaaaaaaaaaaaaaa2'], 'cut -f2 gives the appids');
    t.equal(rows[0][2], '一个名字相当长的中文服务号用来测试表格的宽度', 'nothing is cut when piped');
    t.ok(rows.every((r) => r.length === rows[0].length), 'every line has every column');
  }),
);

t.test('records tail: a header line on a terminal, none when piped', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 2 });
    const tpl = await syncTemplate(t, world, appid);
    const sent = await spawnCli(['template', 'send', appid, '--template', tpl.code, '--to', ...world.sandbox.followerOpenids(appid, 0, 2), ...tpl.dataArgs], { env: world.env });
    t.equal(sent.code, 0, sent.stderr);
    const term = runOnTerminal(['records', 'tail', 'sends'], world.env, { columns: 200, binary: true });
    t.equal(await term.exit, 0, term.screen);
    const shown = term.screen.split('\n').filter((l) => l.trim());
    t.match(shown[0], /^time \(UTC[+-]\d\d:\d\d\) +id +account +openid +template +state +detail$/, 'the header first');
    t.equal(shown.filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /.test(l)).length, 2, 'then a line a send, in local time');
    const piped = await spawnCli(['records', 'tail', 'sends'], { env: world.env });
    const lines = piped.stdout.trimEnd().split('\n');
    t.equal(lines.length, 2, 'piped: the lines only');
    t.ok(lines.every((l) => /^\d{4}-/.test(l)));
  }),
);
