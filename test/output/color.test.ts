import t from 'tap';
import { colorLevelFor } from '../../src/output/io.js';
import { Capture } from '../helpers/cli.js';

t.test('colour only on a terminal with NO_COLOR unset', async (t) => {
  const tty = new Capture(true);
  const pipe = new Capture(false);
  t.ok(colorLevelFor(tty, {}, false) > 0, 'terminal: colour');
  t.equal(colorLevelFor(pipe, {}, false), 0, 'pipe: none');
  t.equal(colorLevelFor(tty, { NO_COLOR: '1' }, false), 0, 'NO_COLOR: none');
  t.equal(colorLevelFor(tty, { NO_COLOR: '' }, false), 1, 'an empty NO_COLOR does not count');
  t.equal(colorLevelFor(tty, {}, true), 0, '--no-color: none');
  t.equal(colorLevelFor(tty, { TERM: 'dumb' }, false), 0, 'dumb terminal: none');
  t.equal(colorLevelFor(pipe, { FORCE_COLOR: '1' }, false), 1, 'FORCE_COLOR forces it');
  t.equal(colorLevelFor(tty, { FORCE_COLOR: '0' }, false), 0);
});
