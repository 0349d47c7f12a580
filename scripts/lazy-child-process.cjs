// commander requires node:child_process when it loads, for executable subcommands, which wxplat has
// none of; loading it (and node:net with it) costs every command a few milliseconds. The front bundle
// gets this instead: the real module, loaded on first use.
'use strict';
let real;
module.exports = new Proxy(
  {},
  {
    get(_target, key) {
      real ??= require('node:child_process');
      return real[key];
    },
  },
);
