// `wxplat events replay <id>`: one inbox row run again, its outcome printed.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { describeMessage } from '../../../src/core/callbacks/message.js';
import { InboxRepository } from '../../../src/db/repositories/inbox.js';
import { parseFlatXml } from '../../../src/wechat/xml.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { ACCOUNT_APPID, COMPONENT, receiptXml, subscriptionXml } from '../../core/callbacks/helpers.js';

t.test('events replay', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const inbox = new InboxRepository(db.knex, db.dialect);
    const add = async (xml: string) => {
      const m = describeMessage('account', ACCOUNT_APPID, parseFlatXml(xml), clock.now());
      const [s] = await inbox.store([{ ...m, openid: null, decryptedXml: xml }], `t${Math.random()}`, clock.now());
      return s.id;
    };
    const receipt = await add(receiptXml(clock.now(), '3717005636572528642', 'success'));
    const follower = await add(subscriptionXml(clock.now(), 'subscribe', 'oNobody'));
    const env = { WXPLAT_DATABASE_URL: tdb.url, WXPLAT_COMPONENT_APPID: COMPONENT.appid };

    let r = await runCli(['events', 'replay', String(receipt)], { env, overrides: { clock } });
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, `inbox row ${receipt}: TEMPLATESENDJOBFINISH ${ACCOUNT_APPID} (attempt 1)\ndone: receipt 1; no send with msgid 3717005636572528642\n`);
    r = await runCli(['events', 'replay', String(receipt), '--json'], { env, overrides: { clock } });
    t.equal(r.code, 0);
    t.same(JSON.parse(r.stdout), {
      id: receipt,
      route: 'account',
      eventType: 'TEMPLATESENDJOBFINISH',
      appid: ACCOUNT_APPID,
      attempts: 2,
      state: 'done',
      outcome: 'receipt 2; no send with msgid 3717005636572528642',
      error: null,
      retryAt: null,
      forwards: 0,
    });

    r = await runCli(['events', 'replay', String(follower), '--json'], { env, overrides: { clock } });
    t.equal(r.code, 1, 'a failed run exits 1');
    const failed = JSON.parse(r.stdout);
    t.equal(failed.state, 'pending');
    t.match(failed.error, /no account with appid/);
    const retry = new Date(failed.retryAt).getTime() - clock.now().getTime();
    t.ok(retry >= 8000 && retry <= 12000, 'tried again after the first backoff (10 s ± 20 %)');
    t.match(r.stderr, /processing inbox row \d+ failed: no account/);
    t.match(r.stderr, `try it again from ${failed.retryAt}`);

    r = await runCli(['events', 'replay', '424242'], { env });
    t.equal(r.code, 2);
    t.match(r.stderr, /there is no inbox row 424242/);
    r = await runCli(['events', 'replay', 'abc'], { env });
    t.equal(r.code, 2);
    t.match(r.stderr, /the inbox row id must be a whole number from 1 /);
  }),
);
