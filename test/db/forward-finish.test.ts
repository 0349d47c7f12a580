// The forwarder writes the outcomes of a batch of deliveries together (ForwardDeliveryRepository.finish):
// outcomes of a few kinds by one statement a kind, many kinds by one statement of CASEs. Either way each
// row gets its own outcome, and a row another forwarder holds is left alone.
import t from 'tap';
import type { Database } from '../../src/db/database.js';
import { ForwardDeliveryRepository, type DeliveryOutcome } from '../../src/db/repositories/forward-deliveries.js';
import { fromSqlDateTime, toSqlDateTime } from '../../src/db/time.js';
import { eachDatabase, openTestDatabase } from '../helpers/databases.js';

const OWNER = 'host:1:fw-aaaaaa';
const CLAIMED = new Date('2026-12-07T10:00:00Z');
const NOW = new Date('2026-12-07T10:00:05Z');

/** `count` deliveries held by `owner`, as a claim leaves them; their ids. */
async function claimed(db: Database, count: number, owner = OWNER, firstInbox = 1): Promise<number[]> {
  const stamp = toSqlDateTime(CLAIMED);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const [id] = await db.knex('wxplat_forward_deliveries').insert({
      rule_id: 1,
      inbox_id: firstInbox + i,
      mode: 'async',
      state: 'pending',
      attempts: 1,
      next_attempt_at: toSqlDateTime(new Date(CLAIMED.getTime() + 20_000)),
      lease_owner: owner,
      retry_from: stamp,
      last_attempt_at: stamp,
      created_at: stamp,
      updated_at: stamp,
    });
    ids.push(Number(id));
  }
  return ids;
}

interface Row {
  state: string;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  lease_owner: string | null;
  updated_at: Date | null;
}

async function row(db: Database, id: number): Promise<Row> {
  const r = await db.knex('wxplat_forward_deliveries').where('id', id).first();
  return {
    state: r.state,
    next_attempt_at: fromSqlDateTime(r.next_attempt_at),
    delivered_at: fromSqlDateTime(r.delivered_at),
    last_status: r.last_status === null ? null : Number(r.last_status),
    last_error: r.last_error,
    latency_ms: r.latency_ms === null ? null : Number(r.latency_ms),
    lease_owner: r.lease_owner,
    updated_at: fromSqlDateTime(r.updated_at),
  };
}

const delivered = (id: number, latencyMs: number): DeliveryOutcome => ({ id, state: 'delivered', retryAt: null, status: 200, error: null, latencyMs });

t.test('a batch of a few kinds of outcome: each row gets its own, latency included; another owner’s row is untouched', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const repo = new ForwardDeliveryRepository(db);
    const ids = await claimed(db, 6);
    const [theirs] = await claimed(db, 1, 'host:2:fw-bbbbbb', 100);
    const retryAt = new Date('2026-12-07T10:00:15Z');
    const outcomes: DeliveryOutcome[] = [
      delivered(ids[0], 3),
      delivered(ids[1], 17),
      delivered(ids[2], 3),
      { id: ids[3], state: 'pending', retryAt, status: 503, error: 'HTTP 503: busy', latencyMs: 40 },
      { id: ids[4], state: 'dead', retryAt: null, status: null, error: 'the rule was removed', latencyMs: null },
      { id: ids[5], state: 'delivered', retryAt: null, status: 204, error: null, latencyMs: 9 },
      delivered(theirs, 5),
    ];
    t.equal(await repo.finish(OWNER, outcomes, NOW), 6, 'the six rows this forwarder holds');

    const done = { delivered_at: NOW, last_error: null, lease_owner: null, next_attempt_at: NOW, updated_at: NOW };
    t.same(await row(db, ids[0]), { ...done, state: 'delivered', last_status: 200, latency_ms: 3 });
    t.same(await row(db, ids[1]), { ...done, state: 'delivered', last_status: 200, latency_ms: 17 });
    t.same(await row(db, ids[2]), { ...done, state: 'delivered', last_status: 200, latency_ms: 3 });
    t.same(await row(db, ids[3]), { state: 'pending', next_attempt_at: retryAt, delivered_at: null, last_status: 503, last_error: 'HTTP 503: busy', latency_ms: 40, lease_owner: null, updated_at: NOW });
    t.same(await row(db, ids[4]), { state: 'dead', next_attempt_at: NOW, delivered_at: null, last_status: null, last_error: 'the rule was removed', latency_ms: null, lease_owner: null, updated_at: NOW });
    t.same(await row(db, ids[5]), { ...done, state: 'delivered', last_status: 204, latency_ms: 9 });
    const untouched = await row(db, theirs);
    t.equal(untouched.state, 'pending', 'a row held by another forwarder keeps its claim');
    t.equal(untouched.lease_owner, 'host:2:fw-bbbbbb');
    t.equal(untouched.latency_ms, null);
  }),
);

t.test('a batch of many kinds of outcome (failures with their own errors): one statement of CASEs, each row its own', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const repo = new ForwardDeliveryRepository(db);
    const ids = await claimed(db, 8);
    const outcomes: DeliveryOutcome[] = ids.map((id, i) =>
      i < 2
        ? delivered(id, 10 + i)
        : { id, state: 'pending', retryAt: new Date(NOW.getTime() + i * 1000), status: 500 + i, error: `HTTP ${500 + i}: error ${i}`, latencyMs: i },
    );
    t.equal(await repo.finish(OWNER, outcomes, NOW), 8);
    for (const [i, id] of ids.entries()) {
      const r = await row(db, id);
      if (i < 2) t.same(r, { state: 'delivered', next_attempt_at: NOW, delivered_at: NOW, last_status: 200, last_error: null, latency_ms: 10 + i, lease_owner: null, updated_at: NOW });
      else {
        t.same(r, {
          state: 'pending',
          next_attempt_at: new Date(NOW.getTime() + i * 1000),
          delivered_at: null,
          last_status: 500 + i,
          last_error: `HTTP ${500 + i}: error ${i}`,
          latency_ms: i,
          lease_owner: null,
          updated_at: NOW,
        });
      }
    }
    // An error over the column's 255 characters is cut to fit, in either way of writing.
    const [long] = await claimed(db, 1, OWNER, 50);
    await repo.finish(OWNER, [{ id: long, state: 'pending', retryAt: NOW, status: 500, error: 'x'.repeat(400), latencyMs: 1 }], NOW);
    t.equal((await row(db, long)).last_error, `${'x'.repeat(254)}…`);
  }),
);
