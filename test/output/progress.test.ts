// The progress line fits the terminal at any width, and says "starting…" until the total is known.
import t from 'tap';
import { progressLine } from '../../src/output/progress.js';
import stringWidth from '../../src/output/string-width.js';

t.test('the line fits the width; the bar goes first, then the words are cut', async (t) => {
  for (const columns of [20, 40, 60, 80, 200]) {
    for (const [done, total] of [
      [0, 1_000_000],
      [512_345, 1_000_000],
      [1_000_000, 1_000_000],
    ] as const) {
      const line = progressLine('writing recipients', done, total, 125, columns);
      t.ok(stringWidth(line) < columns, `${columns} columns, ${done}/${total}: ${line}`);
    }
  }
  t.match(progressLine('sending', 500, 1000, 30, 200), /^sending \[█{20}░{20}\] 500\/1,000 50% \| 30s left$/);
  t.match(progressLine('sending', 500, 1000, 30, 40), /^sending 500\/1,000 50% \| 30s left$/, 'no room for a bar: none');
});

t.test('an unknown total is "starting…", not 0/0 100%', async (t) => {
  t.equal(progressLine('followers', 0, null, 0, 80), 'followers: starting…');
  t.equal(progressLine('followers', 10_000, null, 0, 80), 'followers: 10,000 so far…');
  t.notMatch(progressLine('followers', 0, null, 0, 80), /100%|0\/0/);
});

t.test('startProgress on a terminal: "starting…" until setTotal, then the bar', async (t) => {
  const { startProgress } = await import('../../src/output/progress.js');
  const { Writable, PassThrough } = await import('node:stream');
  let text = '';
  const stderr = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY: true, columns: 60 },
  );
  const bar = await startProgress({ stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {}, cwd: '/' }, 'followers', 0);
  bar.update(0);
  t.match(text, /followers: starting…/);
  t.notMatch(text, /0\/0|100%/);
  bar.setTotal(2000);
  bar.update(1000);
  bar.stop();
  t.match(text, /followers \[█+░+\] 1,000\/2,000 50%/);
});
