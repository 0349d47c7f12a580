import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import t from 'tap';
import { loadConfig, requireComponent, validateConfig } from '../../src/config/load.js';
import { Secret, mask } from '../../src/config/secret.js';
import { ConfigError } from '../../src/errors.js';

const APPSECRET = '0123456789abcdef0123456789ABCDEF';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

function dir(dotenv?: string): string {
  const d = mkdtempSync(path.join(tmpdir(), 'wxplat-config-'));
  if (dotenv !== undefined) writeFileSync(path.join(d, '.env'), dotenv);
  return d;
}

t.test('defaults', async (t) => {
  const cwd = dir();
  const config = loadConfig({ env: {}, cwd });
  t.same(config.database, { kind: 'sqlite', path: path.join(cwd, 'wxplat.sqlite3'), display: `sqlite:${path.join(cwd, 'wxplat.sqlite3')}` });
  t.equal(config.apiBase, 'https://api.weixin.qq.com');
  t.equal(config.callbackMaxSkewSeconds, 300);
  t.same(config.component, { appid: undefined, appsecret: undefined, token: undefined, aesKey: undefined });
});

t.test('.env is read; the environment wins; --db beats both', async (t) => {
  const cwd = dir(`WXPLAT_COMPONENT_APPID=wx1111111111111111\nWXPLAT_DATABASE_URL=sqlite:./from-file.db\nWXPLAT_CALLBACK_MAX_SKEW=0\n`);
  const fromFile = loadConfig({ env: {}, cwd });
  t.equal(fromFile.component.appid, 'wx1111111111111111');
  t.equal(fromFile.database.kind === 'sqlite' && fromFile.database.path, path.join(cwd, 'from-file.db'));
  t.equal(fromFile.callbackMaxSkewSeconds, 0, '0 turns the skew check off');
  t.equal(fromFile.sources.WXPLAT_COMPONENT_APPID, '.env');

  const fromEnv = loadConfig({ env: { WXPLAT_COMPONENT_APPID: 'wx2222222222222222' }, cwd });
  t.equal(fromEnv.component.appid, 'wx2222222222222222');
  t.equal(fromEnv.sources.WXPLAT_COMPONENT_APPID, 'environment');

  const fromFlag = loadConfig({ env: { WXPLAT_DATABASE_URL: 'sqlite:./env.db' }, cwd, dbFlag: 'mysql://u:p@db.example:3307/prod' });
  t.match(fromFlag.database, { kind: 'mysql', host: 'db.example', port: 3307, user: 'u', database: 'prod' });
  t.equal(fromFlag.sources.WXPLAT_DATABASE_URL, 'flag');
});

t.test('malformed values name their variable', async (t) => {
  const cwd = dir();
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ WXPLAT_DATABASE_URL: 'postgres://x/y' }, 'WXPLAT_DATABASE_URL', /must start with mysql:\/\/ or sqlite:/],
    [{ WXPLAT_DATABASE_URL: 'mysql://root@127.0.0.1:3306/' }, 'WXPLAT_DATABASE_URL', /names no database/],
    [{ WXPLAT_DATABASE_URL: 'sqlite:' }, 'WXPLAT_DATABASE_URL', /names no SQLite file/],
    [{ WXPLAT_COMPONENT_APPID: 'not-an-appid' }, 'WXPLAT_COMPONENT_APPID', /"wx" followed by 16/],
    [{ WXPLAT_COMPONENT_APPSECRET: 'short' }, 'WXPLAT_COMPONENT_APPSECRET', /32 letters or digits \(got 5 characters\)/],
    [{ WXPLAT_COMPONENT_TOKEN: 'a b' }, 'WXPLAT_COMPONENT_TOKEN', /3 to 32 letters or digits/],
    [{ WXPLAT_COMPONENT_AES_KEY: 'x'.repeat(42) }, 'WXPLAT_COMPONENT_AES_KEY', /43 letters or digits \(got 42/],
    [{ WXPLAT_API_BASE: 'ftp://example.com' }, 'WXPLAT_API_BASE', /http\(s\)/],
    [{ WXPLAT_CALLBACK_MAX_SKEW: '-5' }, 'WXPLAT_CALLBACK_MAX_SKEW', /whole number of seconds/],
  ];
  for (const [env, variable, message] of cases) {
    const err = (() => {
      try {
        validateConfig(loadConfig({ env, cwd }));
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof ConfigError, `${variable} fails`);
    t.equal((err as ConfigError).variable, variable);
    t.equal((err as ConfigError).exitCode, 2);
    t.match((err as Error).message, message);
  }
  const secret = 'S3cr3t' + 'x'.repeat(26);
  t.notMatch(
    (() => {
      try {
        validateConfig(loadConfig({ env: { WXPLAT_COMPONENT_APPSECRET: secret + '!' }, cwd }));
      } catch (e) {
        return (e as Error).message;
      }
    })()!,
    secret,
    'a malformed secret is not echoed',
  );
});

t.test('a value is checked when it is read: a malformed one stops only what uses it', async (t) => {
  const cwd = dir('WXPLAT_COMPONENT_AES_KEY=too-short\n');
  const config = loadConfig({ env: { WXPLAT_COMPONENT_APPSECRET: 'bad', WXPLAT_DATABASE_URL: 'sqlite:./x.db' }, cwd });
  t.equal(config.database.kind, 'sqlite', 'the database is there for a command that needs only it');
  t.equal(config.component.appid, undefined);
  t.throws(() => config.component.appsecret, { message: /WXPLAT_COMPONENT_APPSECRET is malformed/, exitCode: 2 }, 'the malformed appsecret, when read');
  t.throws(() => config.component.aesKey, { message: /WXPLAT_COMPONENT_AES_KEY is malformed/ }, 'the malformed .env value, when read');
  t.throws(() => requireComponent(config, ['appid', 'appsecret']), { message: /WXPLAT_COMPONENT_APPSECRET is malformed/ });
  t.throws(() => validateConfig(config), { message: /WXPLAT_COMPONENT_APPSECRET is malformed/ }, 'validateConfig reads them all');
  t.throws(() => loadConfig({ env: { WXPLAT_DATABASE_URL: 'postgres://x/y' }, cwd }).database, { message: /WXPLAT_DATABASE_URL must start with/ });
});

t.test('requireComponent names every missing variable', async (t) => {
  const config = loadConfig({ env: { WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef' }, cwd: dir() });
  t.throws(() => requireComponent(config, ['appid', 'appsecret', 'aesKey']), {
    message: /set WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_AES_KEY/,
    exitCode: 2,
  });
  const full = loadConfig({
    env: {
      WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef',
      WXPLAT_COMPONENT_APPSECRET: APPSECRET,
      WXPLAT_COMPONENT_TOKEN: 'pamtest',
      WXPLAT_COMPONENT_AES_KEY: AES_KEY,
    },
    cwd: dir(),
  });
  const c = requireComponent(full, ['appid', 'appsecret', 'token', 'aesKey']);
  t.equal(c.appsecret.reveal(), APPSECRET);
  t.equal(c.aesKey.reveal(), AES_KEY);
});

t.test('secrets never turn into text', async (t) => {
  const s = new Secret(APPSECRET);
  const masked = mask(APPSECRET);
  t.equal(masked, '0123…CDEF');
  t.equal(String(s), masked);
  t.equal(`${s}`, masked);
  t.equal(JSON.stringify({ s }), `{"s":"${masked}"}`);
  t.notMatch(inspect({ s }), APPSECRET);
  t.notMatch(inspect({ s }, { showHidden: true, depth: 5 }), APPSECRET);
  t.equal(mask('short'), '…', 'short secrets are hidden whole');
  const mysql = loadConfig({ env: { WXPLAT_DATABASE_URL: 'mysql://app:VeryLongPassword123@h:3306/d' }, cwd: dir() });
  t.notMatch(mysql.database.display, 'VeryLongPassword123', 'the database password is masked in display');
  t.notMatch(JSON.stringify(mysql), 'VeryLongPassword123');
});
