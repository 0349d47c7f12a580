// Writing a job's recipients: every recipient becomes its rows before the first send, in batches, by
// one process (the preparation lease). A crash halfway leaves a `preparing` job that the next run with
// the same idempotency key carries on: recipients already written are skipped.
import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { SendRepository } from '../../db/repositories/sends.js';
import type { SendJobRow } from '../../db/rows.js';
import { InterruptedError } from '../../errors.js';
import type { Sleep } from '../../wechat/retry.js';
import { deadLocalOwners } from './owner.js';
import type { RecipientSource } from './recipients.js';

export const PREPARE_BATCH = 1000;

/** Derived from job and recipient: the same on every attempt, so WeChat can dedupe a resend. */
export function clientMsgId(job: Pick<SendJobRow, 'job_id' | 'client_msg_prefix'>, openid: string): string {
  const hash = createHash('sha1').update(openid).digest('hex').slice(0, 10);
  return `wxp-${job.job_id}-${job.client_msg_prefix}-${hash}`;
}

export interface PrepareDeps {
  repo: SendRepository;
  clock: Clock;
  sleep: Sleep;
  signal: AbortSignal;
  owner: string;
  leaseMs: number;
  onProgress?: (written: number) => void;
}

/** Returns the job once it is ready (prepared here, or by another process meanwhile). */
export async function prepareJob(deps: PrepareDeps, job: SendJobRow, source: RecipientSource): Promise<SendJobRow> {
  const jobId = Number(job.job_id);
  for (;;) {
    const current = (await deps.repo.findJob(jobId))!;
    if (current.state !== 'preparing') return current;
    // A preparer that died on this host leaves a lease nobody will renew: take it over at once.
    const dead = current.prepare_owner ? deadLocalOwners([current.prepare_owner], deps.owner) : [];
    if (await deps.repo.claimPreparation(jobId, deps.owner, deps.clock.now(), deps.leaseMs, dead)) break;
    if (deps.signal.aborted) throw new InterruptedError('interrupted while another process prepares the job');
    await deps.sleep(250);
  }

  let batch: string[] = [];
  let written = 0;
  const writeBatch = async () => {
    if (deps.signal.aborted) throw new InterruptedError('interrupted while writing the recipients; run the same command to carry on');
    const unique = [...new Set(batch)];
    batch = [];
    written += await deps.repo.addRecipients(
      job,
      unique.map((openid) => ({ openid, clientMsgId: clientMsgId(job, openid) })),
      deps.clock.now(),
    );
    deps.onProgress?.(written);
    // Still ours? Renew the lease; a lost lease means another process took over.
    if (!(await deps.repo.claimPreparation(jobId, deps.owner, deps.clock.now(), deps.leaseMs))) {
      throw new Error('lost the preparation lease to another process');
    }
  };
  for await (const openid of source.read()) {
    batch.push(openid);
    if (batch.length >= PREPARE_BATCH) await writeBatch();
  }
  if (batch.length > 0) await writeBatch();
  await deps.repo.markReady(jobId, deps.clock.now());
  return (await deps.repo.findJob(jobId))!;
}
