// `wxplat events replay <id>`: runs one inbox row again, through the same handlers as the receiver.
// Its forwards go out again too: its async deliveries are due again (and made, if they never were).
import { ForwardDeliveryRepository } from '../../db/repositories/forward-deliveries.js';
import { NotFoundError, FailedError } from '../../errors.js';
import { InboxProcessor, type ProcessorDeps, type ProcessResult } from './processor.js';

export interface ReplayResult extends ProcessResult {
  /** Forward deliveries due again. */
  forwards: number;
}

export async function replayInboxRow(deps: ProcessorDeps, id: number): Promise<ReplayResult> {
  const outcome = await new InboxProcessor(deps).replay(id);
  if (!outcome) throw new NotFoundError(`there is no inbox row ${id}`, 'list the inbox with `wxplat records tail events`');
  if ('heldBy' in outcome) {
    throw new FailedError(
      `inbox row ${id} is being processed right now (by ${outcome.heldBy}, claimed until ${outcome.until.toISOString()})`,
      'try again when that claim has ended',
    );
  }
  const forwards = await new ForwardDeliveryRepository(deps.db).replay(id, deps.clock.now());
  return { ...outcome.result, forwards };
}
