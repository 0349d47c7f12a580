// Typed template values through the real binary, on both stores: a value that breaks its keyword's rule
// is refused before anything is stored (exit 2, naming key, problem and rule), the dry run shows each
// check, the sandbox refuses the same value with WeChat's 47003, old industry templates keep their
// checks, and a send beyond the day's quota is warned about before it starts.
import t from 'tap';
import { spawnCli, runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { recipientsFile, syncTemplate } from '../../helpers/sending.js';
import { startWorld, type World } from '../../helpers/world.js';
import { WeChatError } from '../../../src/wechat/errors.js';

async function stored(world: World) {
  const count = async (table: string) => Number((await world.db.knex(table).count({ n: '*' }))[0].n);
  return [await count('wxplat_send_jobs'), await count('wxplat_send_deliveries'), await count('account_message_send_records')];
}

const TOO_LONG = '这是一个超过二十个字的很长很长的商品名称呀呀'; // 22 characters

t.test('1,000 recipients and one bad thing value: refused before anything is stored', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 1000 });
    const tpl = await syncTemplate(t, world, appid);
    t.equal(tpl.library.keywords[1].key, 'thing2', 'the template has a thing keyword');
    const file = recipientsFile(t, world.sandbox.followerOpenids(appid, 0, 1000));
    const data = tpl.dataArgs.map((a) => (a.startsWith('thing2=') ? `thing2=${TOO_LONG}` : a));
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...data, '--idempotency-key', 'typed-1'];

    const r = await spawnCli(argv, { env: world.env });
    t.equal(r.code, 2, r.stderr);
    t.match(r.stderr, /a value breaks the rule of its keyword type \(WeChat would refuse every message of template \S+ with 47003\)/);
    t.match(r.stderr, `thing2 "${TOO_LONG}" is 22 characters: thing allows at most 20 characters (Chinese, letters, digits or symbols)`);
    t.match(r.stderr, /--dry-run` shows every value checked against its rule/);
    t.same(await stored(world), [0, 0, 0], 'no job, no rows');
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), 0, 'nothing sent');

    // Two bad values: both named.
    const two = await spawnCli([...argv.slice(0, -2), '--data', 'time5=明天下午'].map((a) => (a.startsWith('thing2=') ? `thing2=${TOO_LONG}` : a)), { env: world.env });
    t.equal(two.code, 2);
    t.match(two.stderr, /2 values break the rule of their keyword type/);
    t.match(two.stderr, /time5 "明天下午" is not a 24-hour time \(with an optional date before it\): time allows a 24-hour time/);

    // WeChat (the sandbox) refuses the same value the same way, message by message.
    const [first] = world.sandbox.followerOpenids(appid, 0, 1);
    const templateId = (await world.db.knex('account_message_templates').first()).template_id;
    const body = Object.fromEntries(tpl.library.keywords.map((k, i) => [k.key, { value: tpl.dataArgs[i * 2 + 1].slice(k.key.length + 1) }]));
    const refused = await world.wechat
      .account(appid)
      .sendTemplate({ touser: first, template_id: templateId, data: { ...body, thing2: { value: TOO_LONG } } })
      .catch((e) => e);
    t.ok(refused instanceof WeChatError);
    t.equal(refused.errcode, 47003);
    t.match(refused.errmsg, /^argument invalid! data\.thing2\.value invalid rid: /);
    const accepted = await world.wechat.account(appid).sendTemplate({ touser: first, template_id: templateId, data: body });
    t.match(accepted.msgid, /^\d{19}$/, 'and accepts the values wxplat accepts');
  }),
);

t.test('--dry-run shows each value checked; exit 2 when one fails, 0 when all pass', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 3 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 3);
    const base = ['template', 'send', appid, '--template', tpl.code, '--to', ...openids, '--dry-run'];

    const good = await spawnCli([...base, ...tpl.dataArgs], { env: world.env });
    t.equal(good.code, 0, good.stderr);
    t.notMatch(good.stdout, /[│┌]/, "piped: no box drawing");
    t.match(good.stdout, /time5\ttime\t2026年11月28日 12:00\tok/);
    t.notMatch(good.stdout, /allows/);

    const data = tpl.dataArgs.map((a) => (a.startsWith('character_string1=') ? 'character_string1=订单一' : a));
    const bad = await spawnCli([...base, ...data, '--json'], { env: world.env });
    t.equal(bad.code, 2, 'the dry run ends as the send would');
    const preview = JSON.parse(bad.stdout);
    t.match(preview, { dryRun: true, valid: false, recipients: 3 });
    t.same(preview.checks.find((c: { key: string }) => c.key === 'character_string1'), {
      key: 'character_string1',
      type: 'character_string',
      value: '订单一',
      ok: false,
      problem: 'has Chinese characters',
      rule: 'at most 32 letters, digits or symbols (no Chinese, no spaces)',
    });
    t.equal(preview.checks.filter((c: { ok: boolean }) => c.ok).length, 4);
    t.same(await stored(world), [0, 0, 0]);
  }),
);

t.test('an old industry template: untyped keywords keep the 2023 warnings and are not type-checked', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 2 });
    world.sandbox.addLibraryTemplate({ shortId: '41234', industryCode: 1, title: '旧行业模板', keywords: [{ name: '内容', key: 'keyword1' }, { name: '时间', key: 'keyword2' }] });
    const steps = [
      ['template', 'system', 'add', '--code', '41234', '--title', '旧行业模板', '--industry', '1', '--content', '{{first.DATA}}\n内容:{{keyword1.DATA}}\n时间:{{keyword2.DATA}}\n{{remark.DATA}}', '--keywords', '内容,时间'],
      ['industry', 'set', appid, '1', '2', '--yes'],
      ['template', 'sync', appid],
    ];
    for (const argv of steps) t.equal((await runCli(argv, { env: world.env })).code, 0, argv.join(' '));
    const openids = world.sandbox.followerOpenids(appid, 0, 2);
    const long = '任何文字都可以写在这里，哪怕超过了二十个字也只是被截断而已';
    const r = await spawnCli(['template', 'send', appid, '--template', '41234', '--to', ...openids, '--data', `keyword1=${long}`, '--data', 'keyword2=明天', '--json'], {
      env: world.env,
    });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, /keyword1 is \d+ characters: WeChat shows at most 20 of a value \(the rest is cut\)/);
    t.match(JSON.parse(r.stdout), { sent: 2, failed: 0 });
  }),
);

t.test('recipients beyond the quota left today: a warning before the job starts; 45009 still pauses it', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb, { sandbox: { dailySendQuota: 5 } });
    const { appid } = await world.authorize({ followers: 8 });
    const tpl = await syncTemplate(t, world, appid);
    const file = recipientsFile(t, world.sandbox.followerOpenids(appid, 0, 8));
    // Within the quota: no warning.
    const few = await spawnCli(['template', 'send', appid, '--template', tpl.code, '--to', ...world.sandbox.followerOpenids(appid, 0, 5), ...tpl.dataArgs, '--dry-run'], {
      env: world.env,
    });
    t.equal(few.code, 0, few.stderr);
    t.notMatch(few.stderr, /left today/, '5 recipients, 5 left');

    const r = await spawnCli(['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'q8', '--json'], { env: world.env });
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /8 recipients, but WeChat says 5 of the account's 5 template sends are left today: the job starts, and pauses at the quota \(45009\)/);
    const s = JSON.parse(r.stdout);
    t.match(s, { total: 8, sent: 5, pending: 3, state: 'stopped' });
    t.match(s.warnings, [/8 recipients, but WeChat says 5/]);
    t.equal(world.sandbox.log.count('cgi-bin/openapi/quota/get'), 2, 'asked once a run');
  }),
);
