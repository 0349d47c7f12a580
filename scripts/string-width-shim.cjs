// cli-table3 requires `string-width` as a CommonJS function; the bundle gives it ours (see
// src/output/string-width.ts for why).
module.exports = require('../src/output/string-width.ts').default;
