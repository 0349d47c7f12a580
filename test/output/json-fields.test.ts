// Every command's --json document, held to one declared style (README "JSON output") and to the fields
// listed for it in test/fixtures/json-fields.json, so that a change to a document is deliberate:
// after changing one on purpose, run this test with WXPLAT_UPDATE_JSON_FIELDS=1 and update the README's
// list. The style: camelCase keys; times ISO 8601 UTC; ids WeChat makes (msgid, rid) strings; counts
// and rates whole or rounded; `state` for what something is in (never `status` beside it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { eachDatabase } from '../helpers/databases.js';
import { syncTemplate } from '../helpers/sending.js';
import { startWorld } from '../helpers/world.js';

const FIELDS_FILE = fileURLToPath(new URL('../fixtures/json-fields.json', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

type Shape = string | { [key: string]: Shape } | Shape[];

/** The keys and value types of a document; an array by the union of its elements' shapes. */
export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    return [value.map(shapeOf).reduce(mergeShapes)];
  }
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const key of Object.keys(value).sort()) out[key] = shapeOf((value as Record<string, unknown>)[key]);
    return out;
  }
  return typeof value;
}

function mergeShapes(a: Shape, b: Shape): Shape {
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return a;
    return [...new Set([...a.split('|'), ...b.split('|')])].sort().join('|');
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === 0 ? b : b.length === 0 ? a : [mergeShapes(a[0], b[0])];
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, Shape> = {};
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      out[key] = key in a && key in b ? mergeShapes(a[key], b[key]) : (a[key] ?? b[key]);
    }
    return out;
  }
  // An object where a null was (nullable object): keep the object, mark it nullable.
  if (a === 'null' && typeof b === 'object') return b;
  if (b === 'null' && typeof a === 'object') return a;
  return `${JSON.stringify(a)}|${JSON.stringify(b)}`;
}

/** Style problems in a document: each as `path: what`. */
export function styleProblems(value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => problems.push(...styleProblems(v, `${path}[${i}]`)));
    return problems;
  }
  if (value === null || typeof value !== 'object') return problems;
  // The dry run's `message` is WeChat's request body as it would be sent (template_id, the keywords):
  // WeChat's keys, not ours.
  if (path === '$.message') return problems;
  const obj = value as Record<string, unknown>;
  // One word for what something is in: state (WeChat's own account_status keeps its name).
  if ('status' in obj || 'statusCode' in obj) problems.push(`${path}: status, where the style says state`);
  for (const [key, v] of Object.entries(obj)) {
    const at = `${path}.${key}`;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) problems.push(`${at}: key is not camelCase`);
    if (/(At|Until)$/.test(key) && v !== null && !(typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(v))) {
      problems.push(`${at}: a time not in ISO 8601 UTC (${JSON.stringify(v)})`);
    }
    if (/^(msgid|msgId|rid)$/.test(key) && v !== null && typeof v !== 'string') problems.push(`${at}: WeChat's id is not a string`);
    if (typeof v === 'number' && !Number.isInteger(v) && String(v).split('.')[1].length > 3) problems.push(`${at}: ${v} is not rounded`);
    problems.push(...styleProblems(v, at));
  }
  return problems;
}

function documents(command: string, stdout: string): unknown {
  // records tail prints NDJSON: one object a line, checked as a list.
  if (command.startsWith('records tail')) return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return JSON.parse(stdout);
}

t.test('every command: its --json fields as declared, in the one style', (t) =>
  eachDatabase(
    t,
    async (t, tdb) => {
      const world = await startWorld(t, tdb);
      const { appid } = await world.authorize({ followers: 5 });
      const spare = await world.authorize({ followers: 0 });
      const tpl = await syncTemplate(t, world, appid);
      const openids = world.sandbox.followerOpenids(appid, 0, 3);
      const send = ['template', 'send', appid, '--template', tpl.code, '--to', ...openids, ...tpl.dataArgs];
      const env = world.env;

      // In the order they run: each may need what the one before made.
      const commands: Array<[string, string[], number?]> = [
        ['account list', ['account', 'list']],
        ['account show', ['account', 'show', appid]],
        ['account refresh', ['account', 'refresh', appid]],
        ['account reconcile', ['account', 'reconcile', '--dry-run']],
        ['account authorize --url-only', ['account', 'authorize', '--url-only', '--redirect-uri', 'https://platform.example.com/cb']],
        ['account remove', ['account', 'remove', spare.appid, '--yes']],
        ['industry list', ['industry', 'list']],
        ['industry get', ['industry', 'get', appid]],
        ['template system list', ['template', 'system', 'list']],
        ['template system add', ['template', 'system', 'add', '--code', 'OPENTM000000009', '--title', '测试', '--industry', '1', '--content', '内容:{{keyword1.DATA}}']],
        ['template system remove', ['template', 'system', 'remove', 'OPENTM000000009']],
        ['template list', ['template', 'list', appid]],
        ['template sync', ['template', 'sync', appid]],
        ['template sync --all', ['template', 'sync', '--all', '--dry-run']],
        ['template send --dry-run', [...send, '--dry-run']],
        ['template send', send],
        ['user sync', ['user', 'sync', appid]],
        ['user list', ['user', 'list', appid]],
        ['records tail', ['records', 'tail']],
        ['records tail sends', ['records', 'tail', 'sends']],
        ['platform status', ['platform', 'status']],
        ['quota get', ['quota', 'get', appid]],
        ['token get', ['token', 'get', appid]],
        ['token keys add', ['token', 'keys', 'add', '--name', 'billing']],
        ['token keys list', ['token', 'keys', 'list']],
        ['token keys remove', ['token', 'keys', 'remove', 'billing', '--yes']],
        ['forward add', ['forward', 'add', '--to', 'http://127.0.0.1:9/hook', '--name', 'hook', '--msg-type', 'text']],
        ['forward list', ['forward', 'list']],
        ['forward rotate-secret', ['forward', 'rotate-secret', 'hook']],
        ['forward retry', ['forward', 'retry', '--rule', 'hook']],
        ['forward remove', ['forward', 'remove', 'hook']],
        ['db status', ['db', 'status']],
        ['db migrate', ['db', 'migrate']],
        ['db seed', ['db', 'seed']],
        ['doctor', ['doctor'], -1],
      ];

      const declared = JSON.parse(readFileSync(FIELDS_FILE, 'utf8')) as Record<string, Shape>;
      const seen: Record<string, Shape> = {};
      const readme = readFileSync(README, 'utf8');
      for (const [name, argv, code = 0] of commands) {
        const r = await runCli([...argv, '--json'], { env });
        if (code >= 0) t.equal(r.code, code, `${name}: ${r.stderr}`);
        let doc: unknown;
        try {
          doc = documents(name, r.stdout);
        } catch {
          t.fail(`${name}: stdout is not JSON: ${r.stdout.slice(0, 200)}`);
          continue;
        }
        t.same(styleProblems(doc), [], `${name}: the JSON style`);
        seen[name] = shapeOf(doc);
        if (!process.env.WXPLAT_UPDATE_JSON_FIELDS) t.same(seen[name], declared[name], `${name}: the declared fields`);
        // The README lists each command's top-level fields.
        const top = (s: Shape): string[] => (Array.isArray(s) ? (s[0] ? top(s[0]) : []) : typeof s === 'object' ? Object.keys(s) : []);
        const line = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
        if (!line) t.fail(`README: no line for ${name} in "JSON output"`);
        else for (const key of top(seen[name])) if (!line.includes(`\`${key}\``)) t.fail(`README: ${name} does not list ${key}`);
      }
      if (process.env.WXPLAT_UPDATE_JSON_FIELDS) writeFileSync(FIELDS_FILE, `${JSON.stringify(seen, null, 2)}\n`);
    },
    // The documents are the same on both stores (their own tests run on both): one is enough here.
    ['sqlite'],
  ),
);
