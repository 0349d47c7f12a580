// One line of the doctor's report.
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: string;
  state: CheckStatus;
  detail: string;
  /** What to do, for every check that is not ok. */
  advice: string | null;
}

export function check(name: string, status: CheckStatus, detail: string, advice: string | null = null): Check {
  return { name, state: status, detail, advice: status === 'ok' ? null : advice };
}

export function skipped(name: string, why: string): Check {
  return { name, state: 'skip', detail: `not checked: ${why}`, advice: null };
}
