// knex's logger colours: wxplat gives knex its own log functions (src/db/database.ts), so they never
// colour anything, and the real colorette loads node:tty on every start to decide whether they could.
'use strict';
const plain = (text) => String(text);
module.exports = { isColorSupported: false, yellow: plain, red: plain };
