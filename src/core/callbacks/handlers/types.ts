// What a handler of one event type gets and gives back.
import type { Knex } from 'knex';
import type { Clock } from '../../../clock.js';
import type { Database, Dialect } from '../../../db/database.js';
import type { ClaimedEntry } from '../../../db/repositories/inbox.js';
import type { WeChatClient } from '../../../wechat/client.js';

export interface Handled {
  state: 'done' | 'ignored';
  /** A few words for the inbox row and the log: what was done (never a secret or message content). */
  outcome: string;
}

export interface HandlerInput {
  entry: ClaimedEntry;
  /** The decrypted message's fields. */
  fields: Record<string, string>;
  componentAppid: string;
  clock: Clock;
  now: Date;
}

/** Works only in the database, inside the transaction that also marks the row processed. */
export interface DbHandler {
  kind: 'db';
  run(trx: Knex.Transaction, dialect: Dialect, input: HandlerInput): Promise<Handled>;
  /** Several rows of this type at once, with the same effects as `run` on each in turn. */
  runMany?(trx: Knex.Transaction, dialect: Dialect, inputs: readonly HandlerInput[]): Promise<Handled[]>;
}

/** Calls WeChat, so runs outside any transaction (it opens its own). */
export interface WeChatHandler {
  kind: 'wechat';
  run(deps: { db: Database; wechat: () => Promise<WeChatClient>; clock: Clock }, input: HandlerInput): Promise<Handled>;
}

export type Handler = DbHandler | WeChatHandler;

/** The message cannot be processed however often it is tried: the row becomes `failed` at once. */
export class UnprocessableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEventError';
  }
}

export function required(fields: Record<string, string>, name: string, what: string): string {
  const value = fields[name]?.trim();
  if (!value) throw new UnprocessableEventError(`${what} has no ${name}`);
  return value;
}
