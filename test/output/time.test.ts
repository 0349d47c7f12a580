// Times for a person: local time with its offset; the quota's reset named in Beijing time.
import t from 'tap';
import { beijingTime, localTime, localWallClock } from '../../src/output/time.js';

function inZone<T>(zone: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

t.test('local time with its offset', async (t) => {
  t.equal(inZone('Asia/Shanghai', () => localTime('2026-12-06T16:00:00.000Z')), '2026-12-07 00:00:00 UTC+08:00');
  t.equal(inZone('UTC', () => localTime('2026-12-06T16:00:00.000Z')), '2026-12-06 16:00:00 UTC+00:00');
  t.equal(inZone('America/New_York', () => localTime('2026-07-01T12:00:00Z')), '2026-07-01 08:00:00 UTC-04:00', 'daylight saving');
  t.equal(inZone('Asia/Shanghai', () => localTime('2026-12-06 16:00:00')), '2026-12-07 00:00:00 UTC+08:00', "the database's form is UTC");
  t.equal(inZone('Asia/Shanghai', () => localWallClock('2026-12-06T16:00:00Z')), '2026-12-07 00:00:00');
});

t.test('the quota reset in Beijing time, with the local time when the zone differs', async (t) => {
  t.equal(inZone('Asia/Shanghai', () => beijingTime('2026-12-06T16:00:00.000Z')), '2026-12-07 00:00:00 Beijing time');
  t.equal(inZone('Europe/Berlin', () => beijingTime('2026-12-06T16:00:00.000Z')), '2026-12-07 00:00:00 Beijing time (2026-12-06 17:00:00 UTC+01:00 here)');
});
