// A tiny test run in a child process by test/db/ci-mysql.test.ts: one eachDatabase test, to see what
// the helper does with the environment it is given.
import t from 'tap';
import { eachDatabase } from './databases.js';

t.test('probe', (t) =>
  eachDatabase(t, async (t, tdb) => {
    t.pass(`ran on ${tdb.kind}`);
  }),
);
