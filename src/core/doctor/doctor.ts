// `doctor`: every check, in order, each one ok / warn / fail (or skipped when what it needs is
// broken), with one line of advice for each that is not ok. It never throws for a broken setup —
// no configuration, an unreachable or unmigrated database: that is what it is for.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { ConfigError } from '../../errors.js';
import { platformStatus } from '../platform/status.js';
import { inboxCheck, quotaCheck, sendsCheck } from './activity.js';
import { check, skipped, type Check } from './check.js';
import { configurationCheck, loadSettings, type ConfigSources, type ConfigurationCheck } from './configuration.js';
import { connect, migrationsCheck } from './database.js';
import { filePermissionsCheck } from './files.js';
import { forwardingCheck } from './forwarding.js';
import { accountFlags, accountsCheck, componentTokenCheck, ticketCheck } from './platform.js';
import { tokenServiceCheck } from './tokens.js';

export interface DoctorDeps {
  clock: Clock;
}

export interface DoctorReport {
  ok: boolean;
  /** 1 when any check failed (warnings alone: 0), so that a monitor can run it. */
  exitCode: 0 | 1;
  counts: { ok: number; warn: number; fail: number; skip: number };
  checks: Check[];
  configuration: { variables: ConfigurationCheck['variables']; missing: string[] };
}

/** A check that throws (a table dropped by hand) is reported as failing, and the rest go on. */
async function guarded(name: string, run: () => Promise<Check>): Promise<Check> {
  try {
    return await run();
  } catch (err) {
    return check(name, 'fail', `could not check: ${(err as Error).message}`, 'run `wxplat doctor --verbose` or `wxplat db status` to see more');
  }
}

export async function runDoctor(deps: DoctorDeps, sources: ConfigSources): Promise<DoctorReport> {
  const opened: { db: Database | null } = { db: null };
  try {
    return await examine(deps, sources, opened);
  } finally {
    await opened.db?.close();
  }
}

async function examine(deps: DoctorDeps, sources: ConfigSources, opened: { db: Database | null }): Promise<DoctorReport> {
  const now = deps.clock.now();
  const settings = loadSettings(sources);
  const config = configurationCheck(settings);
  const checks: Check[] = [config];

  let db: Database | null = null;
  if (settings.database instanceof ConfigError) {
    checks.push(check('database', 'fail', settings.database.message, settings.database.hint ?? `fix ${settings.database.variable}`));
  } else {
    const connected = await connect(settings.database);
    checks.push(connected.check);
    db = opened.db = connected.db;
  }
  checks.push(filePermissionsCheck(settings.database instanceof ConfigError ? null : settings.database, sources.cwd));

  const dataChecks = ['ticket', 'component token', 'accounts', 'quota', 'sends', 'inbox', 'forwarding', 'token service'];
  if (!db) {
    checks.push(skipped('migrations', 'no database'));
    for (const name of dataChecks) checks.push(skipped(name, 'no database'));
    return report(checks, config);
  }
  const migrations = await guarded('migrations', async () => {
    const m = await migrationsCheck(db);
    return m.check;
  });
  checks.push(migrations);
  if (migrations.state === 'fail') {
    for (const name of dataChecks) checks.push(skipped(name, 'the database is not fully migrated'));
    return report(checks, config);
  }

  const appid = settings.componentAppid;
  if (!appid) {
    for (const name of ['ticket', 'component token']) checks.push(skipped(name, 'WXPLAT_COMPONENT_APPID is not set'));
    checks.push(await guarded('accounts', async () => accountsCheck(await platformStatus({ db: db, clock: deps.clock }, ''), await accountFlags(db))));
  } else {
    try {
      const status = await platformStatus({ db, clock: deps.clock }, appid);
      checks.push(ticketCheck(status), componentTokenCheck(status), accountsCheck(status, await accountFlags(db)));
    } catch (err) {
      for (const name of ['ticket', 'component token', 'accounts']) {
        checks.push(check(name, 'fail', `could not check: ${(err as Error).message}`, 'run `wxplat db status` to see the state of the database'));
      }
    }
  }
  checks.push(await guarded('quota', () => quotaCheck(db, now)));
  checks.push(await guarded('sends', () => sendsCheck(db, now)));
  checks.push(await guarded('inbox', () => inboxCheck(db, now)));
  checks.push(await guarded('forwarding', () => forwardingCheck(db, now)));
  checks.push(await guarded('token service', () => tokenServiceCheck(db, settings.config?.tokensListen ?? null)));
  return report(checks, config);
}

function report(checks: Check[], config: ConfigurationCheck): DoctorReport {
  const counts = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.state]++;
  // The configuration check's variable list is given once, at the top level.
  const plain = checks.map((c) => (c === config ? { name: c.name, state: c.state, detail: c.detail, advice: c.advice } : c));
  return {
    ok: counts.fail === 0,
    exitCode: counts.fail === 0 ? 0 : 1,
    counts,
    checks: plain,
    configuration: { variables: config.variables, missing: config.missing },
  };
}
