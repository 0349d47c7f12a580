// bench/followers — `wxplat user sync` of 1,000,000 followers from the sandbox into MariaDB, measured
// against a floor in the same run.
//   floor:  the same rows (official_account_users + wxplat_followers, with the details WeChat returns)
//           inserted with plain batched knex inserts of 1,000 rows into a fresh database on the same
//           server — no WeChat, no checks, no checkpoint. The rows are fetched from the sandbox before
//           the clock starts.
//   wxplat: the whole command, start to exit, through the binary (bin/wxplat.js → the bundle): user/get
//           pages, batchget calls, the writes, the checkpoint, the sweep and the summary. Peak RSS by
//           /usr/bin/time.
//   resync (--resync): then 1,000 of them unfollow and 1,000 new ones follow, and the same command runs
//           again: every known row updated, the new ones added, the 1,000 marked -2 by the sweep.
// Goals: wxplat ≥ 0.5 of the floor's rows a second; peak RSS < 300 MB. The machine's load average is
// printed beside the figures: other work on the machine moves them.
//
//   npm run build && node bench/followers.mjs [--followers N] [--only floor|wxplat] [--resync] [--json]
import { loadavg } from 'node:os';
import { parseDatabaseUrl } from '../dist/src/config/load.js';
import { completeAuthorization } from '../dist/src/core/accounts/authorize.js';
import { openDatabase } from '../dist/src/db/database.js';
import { migrateLatest } from '../dist/src/db/migrator.js';
import { TokenRepository } from '../dist/src/db/repositories/tokens.js';
import { WeChatClient } from '../dist/src/wechat/client.js';
import { seed } from '../dist/seeds/01_industry_codes.js';
import { COMPONENT, clock, envFor, freshDatabase, runWxplat, startSandboxProcess } from './lib/world.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const N = Number(opt('followers', 1_000_000));
const only = opt('only', null);
const BATCH = 1000;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** A migrated, seeded database with a ticket and one authorized account of N followers. */
async function prepare(sandbox, name) {
  const dbUrl = await freshDatabase('mysql', name);
  const db = await openDatabase(parseDatabaseUrl(dbUrl, 'bench', process.cwd()));
  try {
    await migrateLatest(db);
    await seed(db.knex, clock.now());
    const tokens = new TokenRepository(db.knex, clock);
    const { ticket } = await sandbox.control('POST', '/sandbox/tickets');
    await tokens.saveTicket(COMPONENT.appid, ticket, clock.now());
    const wechat = new WeChatClient({ apiBase: sandbox.url, component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret }, store: tokens, clock });
    const pre = await wechat.createPreauthcode();
    const auth = await sandbox.control('POST', '/sandbox/authorize', { preAuthCode: pre.pre_auth_code });
    await sandbox.control('POST', '/sandbox/followers', { appid: auth.appid, count: N });
    const done = await completeAuthorization({ db, wechat, clock }, auth.authCode);
    const accessToken = await wechat.tokens.authorizerToken(auth.appid);
    return { dbUrl, appid: auth.appid, accountId: done.account.official_account_id, accessToken, env: envFor(dbUrl, sandbox.url) };
  } finally {
    await db.close();
  }
}

/** Every follower's details as the sandbox gives them, held compactly (before the floor's clock starts). */
async function fetchRows(sandbox, appid, accessToken) {
  const openids = [];
  for (let at = 0; at < N; at += 100_000) {
    const page = await sandbox.control('GET', `/sandbox/followers?appid=${appid}&offset=${at}&limit=${Math.min(100_000, N - at)}`);
    for (const o of page.openids) openids.push(o);
  }
  const infos = new Array(openids.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 100;
      if (start >= openids.length) return;
      const res = await fetch(`${sandbox.url}/cgi-bin/user/info/batchget?access_token=${encodeURIComponent(accessToken)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_list: openids.slice(start, start + 100).map((openid) => ({ openid, lang: 'zh_CN' })) }),
      });
      const body = await res.json();
      if (!body.user_info_list) throw new Error(`batchget: ${JSON.stringify(body)}`);
      body.user_info_list.forEach((u, i) => {
        infos[start + i] = [u.unionid ?? null, u.subscribe_time ?? null, u.subscribe_scene ?? null, u.qr_scene ?? null];
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { openids, infos };
}

const sqlTime = (d) => d.toISOString().slice(0, 19).replace('T', ' ');

/** The floor: plain batched knex inserts of the same rows into the same two tables. */
async function floor(prepared, rows) {
  const db = await openDatabase(parseDatabaseUrl(prepared.dbUrl, 'bench', process.cwd()));
  try {
    const k = db.knex;
    const started = process.hrtime.bigint();
    const stamp = sqlTime(new Date());
    for (let i = 0; i < rows.openids.length; i += BATCH) {
      const openids = rows.openids.slice(i, i + BATCH);
      await k.transaction(async (trx) => {
        const [first] = await trx('official_account_users').insert(
          openids.map((openid) => ({ official_account_id: prepared.accountId, user_wx_info_id: null, openid, status: 1, created_at: stamp })),
        );
        await trx('wxplat_followers').insert(
          openids.map((openid, j) => {
            const [unionid, time, scene, qrScene] = rows.infos[i + j];
            return {
              official_account_user_id: Number(first) + j,
              official_account_id: prepared.accountId,
              openid,
              unionid,
              subscribe_time: time ? sqlTime(new Date(time * 1000)) : null,
              subscribe_scene: scene,
              qr_scene: qrScene,
              qr_scene_str: null,
              remark: null,
              tagid_list: '[]',
              seen_generation: 1,
              details_at: stamp,
              created_at: stamp,
              updated_at: stamp,
            };
          }),
        );
      });
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [{ n }] = await k('wxplat_followers').count({ n: '*' });
    if (Number(n) !== N) throw new Error(`the floor wrote ${n} rows of ${N}`);
    return { seconds, perSecond: N / seconds };
  } finally {
    await db.close();
  }
}


async function checkRows(prepared, following = N, gone = 0) {
  const db = await openDatabase(parseDatabaseUrl(prepared.dbUrl, 'bench', process.cwd()));
  try {
    const [{ n }] = await db.knex('official_account_users').where({ official_account_id: prepared.accountId, status: 1 }).count({ n: '*' });
    const [{ g }] = await db.knex('official_account_users').where({ official_account_id: prepared.accountId, status: -2 }).count({ g: '*' });
    const [{ f }] = await db.knex('wxplat_followers').where({ official_account_id: prepared.accountId }).count({ f: '*' });
    if (Number(n) !== following || Number(g) !== gone || Number(f) !== following + gone) {
      throw new Error(`after the sync: ${n} rows following, ${g} gone, ${f} in wxplat_followers; expected ${following} and ${gone}`);
    }
  } finally {
    await db.close();
  }
}

const results = { followers: N, loadBefore: load() };
console.log(`${N.toLocaleString('en-US')} followers into MariaDB; load average before: ${results.loadBefore}`);
const sandbox = await startSandboxProcess();
try {
  if (only !== 'wxplat') {
    const prepared = await prepare(sandbox, 'followers_floor');
    const rows = await fetchRows(sandbox, prepared.appid, prepared.accessToken);
    const loadAt = load();
    const f = await floor(prepared, rows);
    results.floor = { ...f, load: loadAt };
    console.log(`floor   plain batched knex inserts (${BATCH} rows, two tables): ${f.perSecond.toFixed(0)} rows/s (${f.seconds.toFixed(1)} s); load ${loadAt}`);
  }
  if (only !== 'floor') {
    const prepared = await prepare(sandbox, 'followers_wxplat');
    const loadAt = load();
    const w = await runWxplat(prepared.env, ['user', 'sync', prepared.appid, '--json']);
    await checkRows(prepared);
    const s = w.summary;
    if (s.following !== N) throw new Error(`wxplat synced ${s.following} of ${N}`);
    results.wxplat = { seconds: w.seconds, perSecond: N / w.seconds, peakRssMb: w.rssMb, load: loadAt, requests: s.run.requests, syncSeconds: s.run.seconds };
    console.log(
      `wxplat  user sync, whole command: ${(N / w.seconds).toFixed(0)} rows/s (${w.seconds.toFixed(1)} s; ${s.run.requests.userGet} user/get, ${s.run.requests.batchget} batchget calls); peak RSS ${w.rssMb.toFixed(0)} MB (goal < 300: ${w.rssMb < 300 ? 'met' : 'NOT met'}); load ${loadAt}`,
    );

    if (args.includes('--resync')) {
      const openids = (await sandbox.control('GET', `/sandbox/followers?appid=${prepared.appid}&offset=0&limit=1000`)).openids;
      for (const openid of openids) await sandbox.control('POST', '/sandbox/unsubscribe', { appid: prepared.appid, openid });
      await sandbox.control('POST', '/sandbox/followers', { appid: prepared.appid, count: N + 1000 });
      const loadAgain = load();
      const r = await runWxplat(prepared.env, ['user', 'sync', prepared.appid, '--json']);
      await checkRows(prepared, N, 1000);
      const rs = r.summary;
      if (rs.added !== 1000 || rs.unfollowed !== 1000 || rs.following !== N) throw new Error(`resync: ${JSON.stringify(rs)}`);
      results.resync = { seconds: r.seconds, perSecond: N / r.seconds, peakRssMb: r.rssMb, load: loadAgain };
      console.log(
        `resync  the same command again (1,000 gone, 1,000 new, ${N.toLocaleString('en-US')} rows updated): ${(N / r.seconds).toFixed(0)} rows/s (${r.seconds.toFixed(1)} s); peak RSS ${r.rssMb.toFixed(0)} MB; load ${loadAgain}`,
      );
    }
  }
  if (results.floor && results.wxplat) {
    results.ratio = results.wxplat.perSecond / results.floor.perSecond;
    console.log(`ratio   ${results.ratio.toFixed(2)} of the floor (goal ≥ 0.5: ${results.ratio >= 0.5 ? 'met' : 'NOT met'})`);
  }
} finally {
  await sandbox.stop();
  results.loadAfter = load();
  console.log(`load average after: ${results.loadAfter}`);
}
if (args.includes('--json')) console.log(JSON.stringify(results));
