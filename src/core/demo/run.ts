// `wxplat demo` around the walkthrough: a database of its own unless the operator names one (the demo
// never writes into theirs), removed afterwards unless kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDatabaseUrl, type DatabaseTarget } from '../../config/load.js';
import { openDatabase } from '../../db/database.js';
import { realSleep } from '../../wechat/retry.js';
import { runWalkthrough, type DemoDeps, type DemoOptions, type DemoResult } from './walkthrough.js';

export interface DemoRunOptions extends DemoOptions {
  /** The operator's database (--db); without it, a SQLite file in a directory of its own. */
  database?: DatabaseTarget;
  /** Keep that directory afterwards. */
  keep: boolean;
}

export interface DemoRun extends DemoResult {
  /** Where it ran, as shown to the operator. */
  database: string;
  /** The database was the demo's own, and is gone unless kept. */
  temporary: boolean;
}

export async function runDemo(deps: Omit<DemoDeps, 'db' | 'sleep'> & Partial<Pick<DemoDeps, 'sleep'>>, options: DemoRunOptions): Promise<DemoRun> {
  const dir = options.database ? null : mkdtempSync(path.join(tmpdir(), 'wxplat-demo-'));
  const target = options.database ?? parseDatabaseUrl(`sqlite:${path.join(dir!, 'demo.sqlite3')}`, 'demo', dir!);
  const db = await openDatabase(target, { createIfMissing: true });
  try {
    const result = await runWalkthrough({ ...deps, db, sleep: deps.sleep ?? realSleep }, { followers: options.followers });
    return { ...result, database: db.target.display, temporary: dir !== null };
  } finally {
    await db.close();
    if (dir && !options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
