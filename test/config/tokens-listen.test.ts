// WXPLAT_TOKENS_LISTEN: off unless set; HOST:PORT or [IPv6]:PORT; anything else names the variable.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'wxplat-config-'));
const load = (value?: string) => loadConfig({ env: value === undefined ? {} : { WXPLAT_TOKENS_LISTEN: value }, cwd });

t.test('off unless set', async (t) => {
  t.equal(load().tokensListen, null);
  t.equal(load('').tokensListen, null, 'empty is unset');
  t.notOk('WXPLAT_TOKENS_LISTEN' in load().sources);
});

t.test('HOST:PORT', async (t) => {
  t.same(load('127.0.0.1:8081').tokensListen, { host: '127.0.0.1', port: 8081, display: '127.0.0.1:8081' });
  t.same(load('[::1]:8081').tokensListen, { host: '::1', port: 8081, display: '[::1]:8081' });
  t.same(load('tokens.internal:9000').tokensListen, { host: 'tokens.internal', port: 9000, display: 'tokens.internal:9000' });
  t.same(load('10.0.0.5:0').tokensListen?.port, 0, '0 picks a free port');
  t.equal(load('127.0.0.1:8081').sources.WXPLAT_TOKENS_LISTEN, 'environment');
});

t.test('anything else names the variable', async (t) => {
  for (const value of ['8081', '127.0.0.1', ':8081', '127.0.0.1:65536', '127.0.0.1:80:81', 'http://127.0.0.1:8081', '::1:8081', '127.0.0.1:8x']) {
    const err = (() => {
      try {
        // Values are checked when first read (a command checks only the settings it uses).
        void load(value).tokensListen;
      } catch (e) {
        return e;
      }
      return null;
    })();
    t.ok(err instanceof ConfigError, value);
    t.equal((err as ConfigError).variable, 'WXPLAT_TOKENS_LISTEN');
    t.match((err as Error).message, /WXPLAT_TOKENS_LISTEN must be HOST:PORT, e\.g\. 127\.0\.0\.1:8081/);
  }
});
