// The thresholds behind platform status and doctor.
import t from 'tap';
import { describeDuration } from '../../../src/core/platform/age.js';
import { componentTokenState, ticketState } from '../../../src/core/platform/status.js';

const now = new Date('2026-11-28T08:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const MIN = 60_000;

t.test('ticket: fresh under 20 minutes, stale under 12 hours, expired beyond', async (t) => {
  t.equal(ticketState(null, now), 'missing');
  t.equal(ticketState(ago(0), now), 'fresh');
  t.equal(ticketState(ago(20 * MIN - 1), now), 'fresh');
  t.equal(ticketState(ago(20 * MIN), now), 'stale');
  t.equal(ticketState(ago(12 * 60 * MIN - 1), now), 'stale');
  t.equal(ticketState(ago(12 * 60 * MIN), now), 'expired');
  t.equal(ticketState(new Date(now.getTime() + MIN), now), 'fresh', 'a clock slightly ahead');
});

t.test('component token: valid, expiring within the refresh margin, expired, missing', async (t) => {
  const later = (ms: number) => new Date(now.getTime() + ms);
  t.equal(componentTokenState('tok', later(2 * 60 * MIN), now), 'valid');
  t.equal(componentTokenState('tok', later(10 * MIN), now), 'expiring');
  t.equal(componentTokenState('tok', later(1), now), 'expiring');
  t.equal(componentTokenState('tok', now, now), 'expired');
  t.equal(componentTokenState('tok', new Date(0), now), 'expired', 'expired by a refused call (epoch)');
  t.equal(componentTokenState(null, later(MIN), now), 'missing');
  t.equal(componentTokenState('tok', null, now), 'missing');
});

t.test('durations in words', async (t) => {
  t.equal(describeDuration(0), '0 s');
  t.equal(describeDuration(59_400), '59 s');
  t.equal(describeDuration(60_000), '1 min');
  t.equal(describeDuration(3 * 3600_000 + 5 * MIN), '3 h 5 min');
  t.equal(describeDuration(2 * 3600_000), '2 h');
  t.equal(describeDuration(50 * 3600_000), '2 d 2 h');
  t.equal(describeDuration(7 * 86_400_000), '7 d');
  t.equal(describeDuration(-90_000), '1 min', 'a length, whatever the sign');
});
