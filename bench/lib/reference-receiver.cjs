// The reference durable receiver of issue 13, for bench/serve.mjs: the essential work of
// `wxplat serve --no-process` on MariaDB/MySQL and nothing more, to show in the same run what this
// machine allows for that work. It is a yardstick, not a server to deploy: no log, one account URL, no
// forwarding, no release check, fields read by name rather than with a parser that refuses every bad
// shape.
//
// What it does for each POST /wechat/accounts/APPID: reads the body (at most 64 KiB); checks
// msg_signature (sha1 of the sorted token, timestamp, nonce and Encrypt; constant-time compare) and that
// the timestamp is within 5 minutes; decrypts (AES-256-CBC, a new decipher each request) and checks the
// padding, the length field and the AppId; refuses a DOCTYPE or entity; reads MsgType, Event, MsgID,
// FromUserName and CreateTime; and stores one row per event in wxplat's own inbox table (the real
// schema, every index) by group commit: what arrives together is one multi-row INSERT, a prepared
// statement through mysql2, up to 4 in flight; each request is answered `success` after the commit
// that holds its row.
//
// It does not call wxplat's code (src/wechat/crypto.ts, xml.ts, the inbox repository) on purpose: it is
// the plain way of doing that work, which wxplat is measured against.
//
//   node bench/lib/reference-receiver.cjs --port 0    (env: receiverEnv() of bench/lib/receivers.mjs)
'use strict';
const http = require('node:http');
const { createDecipheriv, createHash, timingSafeEqual } = require('node:crypto');
const mysql = require('mysql2');

const IN_FLIGHT = 4;
const MAX_BODY = 64 * 1024;
const env = process.env;
const token = env.WXPLAT_COMPONENT_TOKEN;
const appid = env.WXPLAT_COMPONENT_APPID;
const aesKey = Buffer.from(`${env.WXPLAT_COMPONENT_AES_KEY}=`, 'base64');
const url = new URL(env.WXPLAT_DATABASE_URL);
const pool = mysql.createPool({
  host: url.hostname,
  port: Number(url.port || 3306),
  user: decodeURIComponent(url.username) || 'root',
  password: decodeURIComponent(url.password),
  database: url.pathname.slice(1),
  connectionLimit: IN_FLIGHT,
});

// The columns wxplat's receiver writes, with the same derived values.
const COLUMNS = 'dedupe_key, route, appid, event_type, message_time, openid, decrypted_xml, forward_rules, forward_state, batch_tag, received_at, next_attempt_at, updated_at, state, attempts, retries, raw_body';
const ROW = "(?, 'account', ?, ?, ?, ?, ?, NULL, NULL, ?, ?, received_at, received_at, 'pending', 0, 0, '')";
const statements = new Map();
function insertFor(n) {
  let sql = statements.get(n);
  if (!sql) statements.set(n, (sql = `INSERT INTO wxplat_callback_inbox (${COLUMNS}) VALUES ${Array(n).fill(ROW).join(', ')} ON DUPLICATE KEY UPDATE retries = retries + 1`));
  return sql;
}

/** A DATETIME of milliseconds since the epoch; null for no time (a CreateTime missing or absurd). */
const sqlTime = (ms) => (Number.isFinite(ms) && ms >= 0 && ms < 253402300800000 ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : null);

/** The text of element `name` (CDATA unwrapped), or null. */
function field(xml, name) {
  const start = xml.indexOf(`<${name}>`);
  if (start < 0) return null;
  const end = xml.indexOf(`</${name}>`, start);
  if (end < 0) return null;
  const v = xml.slice(start + name.length + 2, end);
  return v.startsWith('<![CDATA[') && v.endsWith(']]>') ? v.slice(9, -3) : v;
}

let queue = [];
let inFlight = 0;
let scheduled = false;
let seq = 0;
function pump() {
  while (inFlight < IN_FLIGHT && queue.length > 0) {
    const batch = queue.splice(0, 500);
    inFlight++;
    const stamp = sqlTime(Date.now());
    const tag = `ref-${++seq}`;
    const values = [];
    for (const r of batch) values.push(r.key, r.appid, r.type, r.time, r.openid, r.xml, tag, stamp);
    pool.execute(insertFor(batch.length), values, (err) => {
      inFlight--;
      for (const r of batch) r.done(err);
      pump();
    });
  }
}
function store(row) {
  queue.push(row);
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    pump();
  });
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function receive(req, res, body) {
  const q = req.url.indexOf('?');
  const account = req.url.slice('/wechat/accounts/'.length, q < 0 ? undefined : q);
  const params = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  const timestamp = params.get('timestamp') ?? '';
  const nonce = params.get('nonce') ?? '';
  const signature = Buffer.from(params.get('msg_signature') ?? '');
  const encrypt = field(body, 'Encrypt');
  if (!encrypt) return answer(res, 400, 'not encrypted');
  const expected = Buffer.from(createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex'));
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return answer(res, 401, 'signature');
  if (!(Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300)) return answer(res, 401, 'timestamp');
  const data = Buffer.from(encrypt, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) return answer(res, 400, 'ciphertext');
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > 32) return answer(res, 400, 'padding');
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return answer(res, 400, 'padding');
  if (plain.length - pad < 20) return answer(res, 400, 'length');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length - pad) return answer(res, 400, 'length');
  if (plain.toString('utf8', 20 + length, plain.length - pad) !== appid) return answer(res, 400, 'appid');
  const xml = plain.toString('utf8', 20, 20 + length);
  if (/<!DOCTYPE|<!ENTITY|&#?\w+;/i.test(xml)) return answer(res, 400, 'doctype or entity');
  const msgType = field(xml, 'MsgType') ?? '';
  const msgId = field(xml, 'MsgID') ?? field(xml, 'MsgId') ?? '';
  store({
    key: `account|${account}|${msgId}`,
    appid: account,
    type: msgType === 'event' ? `event:${field(xml, 'Event')}` : msgType,
    time: sqlTime(Number(field(xml, 'CreateTime')) * 1000),
    openid: field(xml, 'FromUserName'),
    xml,
    done: (err) => (err ? answer(res, 503, 'inbox unavailable') : answer(res, 200, 'success')),
  });
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/healthz')) return answer(res, 200, JSON.stringify({ status: 'ok', processing: false, inbox: { pending: 0 } }));
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => receive(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[process.argv.indexOf('--port') + 1] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port} (reference receiver)\n`);
});
process.on('SIGTERM', () => {
  server.close(() => pool.end(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
});
