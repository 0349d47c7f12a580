import t from 'tap';
import { param, queryParams } from '../../src/wechat/query.js';

t.test('a parameter reads as URLSearchParams reads it, for what WeChat and the sandbox send', async (t) => {
  const queries = [
    'signature=abc&timestamp=1765000000&nonce=12345&openid=oX&encrypt_type=aes&msg_signature=deadbeef',
    'timestamp=1&timestamp=2',
    'a=1&nonce=%E4%B8%AD+x&b=2',
    'xnonce=1&nonce=2',
    'nonce=',
    'nonce&nonce=3',
    'q=nonce%3D1&nonce=4',
    'echostr=a%2Bb%2Fc%3D%3D',
    '',
  ];
  for (const q of queries) {
    const expected = new URLSearchParams(q);
    for (const name of ['nonce', 'timestamp', 'msg_signature', 'echostr', 'signature']) {
      t.equal(queryParams(q).get(name), expected.get(name), `${name} of "${q}"`);
    }
  }
});

t.test('what it refuses to guess', async (t) => {
  t.equal(param('nonce=%ZZ&timestamp=1', 'nonce'), undefined, 'a broken escape: no value, so the request is refused');
  t.equal(param('nonce=%E4%B8&x=1', 'nonce'), undefined, 'an escape that is not UTF-8: no value');
  t.equal(param('%6Eonce=1&nonce=2', 'nonce'), '2', 'an escaped name is not the parameter');
  t.equal(param('timestamp=1', 'nonce'), undefined, 'absent');
});
