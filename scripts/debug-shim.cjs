// knex's `debug`, loaded only when DEBUG is set (DEBUG=knex:query still shows knex's queries): the real
// module reads its settings and loads node:tty on every start, ~2 ms that a command should not pay.
'use strict';
if (process.env.DEBUG) {
  module.exports = require('debug');
} else {
  const off = () => {
    const log = () => {};
    log.enabled = false;
    log.extend = off;
    return log;
  };
  off.enabled = () => false;
  module.exports = off;
}
