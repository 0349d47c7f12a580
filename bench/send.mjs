// bench/send — bulk sending, measured against a floor in the same run.
//   1. 100,000 recipients through the sandbox with no added latency, on MariaDB and on SQLite, beside a
//      bare loop that posts the same 100,000 requests to the same sandbox at the same concurrency with
//      no database (the floor). Goal: ≥ 0.5 of the floor.
//   2. 50 ms added latency at concurrency 64. Goal: ≥ 0.8 of 64 / 0.05 = 1280 messages a second. The
//      bare loop runs at the same latency too, to show what the machine and the sandbox allow.
//   3. Peak RSS of a 1,000,000-recipient --to-file job (with --million). Goal: < 300 MB.
// The wxplat figure is the whole command, from start to exit: start-up, checks, writing every
// recipient's rows, sending, and the summary.
//
//   node bench/send.mjs [--recipients N] [--concurrency C] [--only sqlite|mysql] [--million] [--json]
import { freshDatabase, prepareAccount, recipientsFile, runWxplat, startSandboxProcess } from './lib/world.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const N = Number(opt('recipients', 100_000));
const C = Number(opt('concurrency', 64));
const only = opt('only', null);
const kinds = only ? [only] : ['mysql', 'sqlite'];

/** The floor: the same requests, at the same concurrency, straight from a loop, no database. */
async function bareLoop(url, token, templateId, data, openids, concurrency) {
  const endpoint = `${url}/cgi-bin/message/template/send?access_token=${encodeURIComponent(token)}`;
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= openids.length) return;
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser: openids[i], template_id: templateId, client_msg_id: `floor-${i}`, data }),
      });
      const body = await res.text();
      if (!body.includes('"errcode":0')) throw new Error(`floor request failed: ${body}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const results = {};
const sandbox = await startSandboxProcess();
try {
  for (const kind of kinds) {
    const dbUrl = await freshDatabase(kind, `send_${kind}`);
    const account = await prepareAccount(sandbox, dbUrl, N * 2 + 20_000);
    // The floor posts to the second half of the followers, wxplat to the first: no dedupe between them.
    const floorOpenids = (await sandbox.control('GET', `/sandbox/followers?appid=${account.appid}&offset=${N}&limit=${N}`)).openids;
    const floorSeconds = await bareLoop(sandbox.url, account.accessToken, account.templateId, account.data, floorOpenids, C);
    const file = await recipientsFile(sandbox, account.appid, N);
    const w = await runWxplat(account.env, [
      'template', 'send', account.appid, '--template', account.code, '--to-file', file, ...account.dataArgs,
      '--concurrency', String(C), '--idempotency-key', `bench-${kind}`, '--json',
    ]);
    if (w.summary.sent !== N) throw new Error(`wxplat sent ${w.summary.sent} of ${N}`);
    const floorRate = N / floorSeconds;
    const rate = N / w.seconds;
    results[kind] = { recipients: N, concurrency: C, floorPerSecond: floorRate, wxplatPerSecond: rate, ratio: rate / floorRate, wxplatSeconds: w.seconds, sendingPerSecond: w.summary.run.perSecond, peakRssMb: w.rssMb };
    console.log(`${kind.padEnd(6)} ${N} recipients at concurrency ${C}: floor ${floorRate.toFixed(0)}/s, wxplat ${rate.toFixed(0)}/s (whole command ${w.seconds.toFixed(1)} s) → ${(rate / floorRate).toFixed(2)} of the floor (goal ≥ 0.5: ${rate / floorRate >= 0.5 ? 'met' : 'NOT met'}); peak RSS ${w.rssMb.toFixed(0)} MB`);
  }

  // 50 ms latency, concurrency 64.
  const kind = kinds[0];
  const dbUrl = await freshDatabase(kind, `send_latency_${kind}`);
  const M = Number(opt('latency-recipients', 20_000));
  const account = await prepareAccount(sandbox, dbUrl, M * 2);
  const file = await recipientsFile(sandbox, account.appid, M);
  await sandbox.control('POST', '/sandbox/faults', { latencyMs: 50 });
  // What this machine and sandbox allow at 50 ms and 64 at once, with no database: the bare loop again.
  const bareOpenids = (await sandbox.control('GET', `/sandbox/followers?appid=${account.appid}&offset=${M}&limit=${M}`)).openids;
  const bareRate = M / (await bareLoop(sandbox.url, account.accessToken, account.templateId, account.data, bareOpenids, 64));
  const w = await runWxplat(account.env, [
    'template', 'send', account.appid, '--template', account.code, '--to-file', file, ...account.dataArgs,
    '--concurrency', '64', '--idempotency-key', 'bench-latency', '--json',
  ]);
  await sandbox.control('DELETE', '/sandbox/faults');
  const ideal = 64 / 0.05;
  const rate = M / w.seconds;
  results.latency = { database: kind, recipients: M, wxplatPerSecond: rate, ideal, ratio: rate / ideal, sendingPerSecond: w.summary.run.perSecond, barePerSecond: bareRate };
  console.log(`50 ms latency, concurrency 64, ${M} recipients on ${kind}: ${rate.toFixed(0)}/s of an ideal ${ideal}/s → ${(rate / ideal).toFixed(2)} (goal ≥ 0.8: ${rate / ideal >= 0.8 ? 'met' : 'NOT met'}); sending phase ${w.summary.run.perSecond.toFixed(0)}/s`);
  console.log(`  the bare loop at 50 ms and 64 at once, no database: ${bareRate.toFixed(0)}/s (${(bareRate / ideal).toFixed(2)} of the ideal); wxplat ${(rate / bareRate).toFixed(2)} of it`);

  if (args.includes('--million')) {
    const million = 1_000_000;
    const dbUrl2 = await freshDatabase(kind, `send_million_${kind}`);
    const big = await prepareAccount(sandbox, dbUrl2, million);
    const file2 = await recipientsFile(sandbox, big.appid, million);
    const m = await runWxplat(big.env, [
      'template', 'send', big.appid, '--template', big.code, '--to-file', file2, ...big.dataArgs,
      '--concurrency', '64', '--idempotency-key', 'bench-million', '--json',
    ]);
    results.million = { database: kind, recipients: million, seconds: m.seconds, peakRssMb: m.rssMb, sent: m.summary.sent };
    console.log(`1,000,000 recipients on ${kind}: ${m.summary.sent} sent in ${m.seconds.toFixed(0)} s; peak RSS ${m.rssMb.toFixed(0)} MB (goal < 300: ${m.rssMb < 300 ? 'met' : 'NOT met'})`);
  }
} finally {
  await sandbox.stop();
}
if (args.includes('--json')) console.log(JSON.stringify(results));
