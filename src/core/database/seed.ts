// `db seed`: the reference data every installation needs (today: the 41 industry codes).
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { seed as seedIndustryCodes, type SeedResult } from '../../../seeds/01_industry_codes.js';

export type { SeedResult };

export async function seedDatabase(db: Database, clock: Clock): Promise<SeedResult[]> {
  return [await seedIndustryCodes(db.knex, clock.now())];
}
