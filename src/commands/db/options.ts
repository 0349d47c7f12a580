// `--wait SECONDS` of `db migrate` and `db rollback`: how long to wait for another run on the same
// database (it holds the migration lock) before refusing.
import { UsageError } from '../../errors.js';

export function waitOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 86_400) throw new UsageError('--wait must be a whole number of seconds from 0 to 86400');
  return Number(value) * 1000;
}
