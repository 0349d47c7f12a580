// Inbox dedupe keys compare byte for byte. They hold openids, which are case-sensitive: under the
// database's utf8mb4_general_ci, two subscribes in one second from openids differing only in case had
// the same key, and the second was taken for a retry of the first. SQLite compares bytes already.
// Safe to run again: MODIFY states the whole column.
import type { Knex } from 'knex';
import { isMysql } from '../src/db/schema/extension.js';

export const droppedTables: string[] = [];

async function collate(knex: Knex, collation: string): Promise<void> {
  if (!isMysql(knex)) return;
  await knex.raw(`ALTER TABLE wxplat_callback_inbox MODIFY dedupe_key VARCHAR(191) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`);
}

export async function up(knex: Knex): Promise<void> {
  await collate(knex, 'utf8mb4_bin');
}

export async function down(knex: Knex): Promise<void> {
  await collate(knex, 'utf8mb4_general_ci');
}
