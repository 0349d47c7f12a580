// What records tail accepts, checked before the database is opened.
import t from 'tap';
import { parseNoun, parseStatuses } from '../../../src/core/records/kinds.js';
import { parseSince } from '../../../src/core/records/since.js';
import { planTail } from '../../../src/core/records/tail.js';
import { UsageError } from '../../../src/errors.js';

const now = new Date('2026-11-28T08:00:00Z');

t.test('--since: durations in each unit, record ids, and what is refused', async (t) => {
  for (const [value, ms] of [['30s', 30_000], ['10m', 600_000], ['2h', 7_200_000], ['1d', 86_400_000], ['90M', 5_400_000]] as const) {
    t.same(parseSince(value, 'sends', now), { kind: 'time', at: new Date(now.getTime() - ms) }, value);
  }
  t.same(parseSince('42', 'sends', now), { kind: 'record', record: 'send', id: 42 });
  t.same(parseSince('42', 'events', now), { kind: 'record', record: 'event', id: 42 });
  t.same(parseSince('receipt:7', undefined, now), { kind: 'record', record: 'receipt', id: 7 });
  t.same(parseSince('send#7', undefined, now), { kind: 'record', record: 'send', id: 7 });
  t.same(parseSince('sends:7', 'sends', now), { kind: 'record', record: 'send', id: 7 });
  for (const [value, noun, message] of [
    ['7', undefined, /say send:7 or receipt:7/],
    ['event:7', undefined, /events are not in this tail/],
    ['send:7', 'receipts', /names a send, but this tail shows receipts/],
    ['0', 'sends', /not a record id/],
    ['1w', 'sends', /neither a duration nor a record id/],
    ['-5m', 'sends', /neither/],
    ['', 'sends', /neither/],
    ['99999d', 'sends', /more than ten years/],
  ] as const) {
    t.throws(() => parseSince(value, noun, now), { message }, `${value} ${noun ?? ''}`);
    t.throws(() => parseSince(value, noun, now), UsageError);
  }
});

t.test('--status per noun, and the defaults', async (t) => {
  t.same(parseStatuses('sends', undefined).sends, ['sent', 'failed', 'unknown', 'delivered', 'blocked', 'system-failed'], 'in-flight rows not by default');
  t.same(parseStatuses('events', undefined).events, ['retrying', 'done', 'ignored', 'failed']);
  t.same(parseStatuses(undefined, undefined), { sends: ['sent', 'failed', 'unknown'], receipts: ['delivered', 'blocked', 'system-failed', 'other-failure'], events: [], forwards: [] });
  t.same(parseStatuses('sends', 'Failed, unknown'), { sends: ['failed', 'unknown'], receipts: [], events: [], forwards: [] });
  t.same(parseStatuses(undefined, 'system-failed'), { sends: [], receipts: ['system-failed'], events: [], forwards: [] }, 'the receipt outcome without a noun');
  t.same(parseStatuses(undefined, 'failed,success'), { sends: ['failed'], receipts: ['delivered'], events: [], forwards: [] }, 'the former word still works');
  t.same(parseStatuses('receipts', 'user-block'), { sends: [], receipts: ['blocked'], events: [], forwards: [] });
  t.throws(() => parseStatuses('receipts', 'sent'), { message: /unknown status "sent" for receipts: use one or more of delivered, blocked, system-failed, other-failure/ });
  t.throws(() => parseStatuses('sends', ','), { message: /--status names no status/ });
  t.equal(parseNoun('send'), 'sends');
  t.equal(parseNoun('EVENTS'), 'events');
  t.equal(parseNoun('forward'), 'forwards');
  t.same(parseStatuses('forwards', undefined).forwards, ['retrying', 'delivered', 'dead', 'failed'], 'fresh pending deliveries not by default');
  t.same(parseStatuses('forwards', 'dead'), { sends: [], receipts: [], events: [], forwards: ['dead'] });
  t.equal(parseNoun(undefined), undefined);
  t.throws(() => parseNoun('logs'), { message: /"logs" is not something records tail shows/ });
});

t.test('the plan', async (t) => {
  t.match(planTail({}, now), { noun: undefined, limit: 50, follow: false, since: undefined, account: undefined });
  t.match(planTail({ noun: 'receipts', limit: '0', follow: true, account: ' wxaaaaaaaaaaaaaaaa ' }, now), { noun: 'receipts', limit: 0, follow: true, account: 'wxaaaaaaaaaaaaaaaa' });
  t.throws(() => planTail({ limit: '1.5' }, now), { message: /--limit must be a whole number/ });
  t.throws(() => planTail({ account: '  ' }, now), { message: /--account names no account/ });
});
