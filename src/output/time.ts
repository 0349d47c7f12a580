// Times as an operator reads them. --json and piped output keep ISO 8601 UTC (one form for programs);
// on a terminal a time is shown in the machine's local time with its UTC offset, and where WeChat's
// rule is Beijing time (the daily quota resets at 00:00 Beijing), in Beijing time by name.

const BEIJING_OFFSET_MINUTES = 8 * 60;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `date` moved by `offsetMinutes`, written from its UTC fields: YYYY-MM-DD HH:MM:SS. */
function wallClock(date: Date, offsetMinutes: number): string {
  const d = new Date(date.getTime() + offsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The local offset at `date` (daylight saving included), in minutes east of UTC. */
export function localOffsetMinutes(date: Date): number {
  return -date.getTimezoneOffset();
}

function parse(value: string | Date): Date | null {
  // The database's own form (YYYY-MM-DD HH:MM:SS) is UTC, as everything wxplat stores.
  const text = typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const d = text instanceof Date ? text : new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `2026-12-07 00:00:00 UTC+08:00`: local time with its offset. */
export function localTime(value: string | Date): string {
  const d = parse(value);
  if (!d) return String(value);
  const offset = localOffsetMinutes(d);
  return `${wallClock(d, offset)} ${offsetText(offset)}`;
}

/** Local time without the offset, for columns whose header names it (records tail). */
export function localWallClock(value: string | Date): string {
  const d = parse(value);
  return d ? wallClock(d, localOffsetMinutes(d)) : String(value);
}

/** The local offset's name for a header: `UTC+08:00`. */
export function localZone(at: Date): string {
  return offsetText(localOffsetMinutes(at));
}

/**
 * A time WeChat's rules put in Beijing time: `2026-12-07 00:00:00 Beijing time`, and the local time
 * beside it when the machine's zone is another.
 */
export function beijingTime(value: string | Date): string {
  const d = parse(value);
  if (!d) return String(value);
  const text = `${wallClock(d, BEIJING_OFFSET_MINUTES)} Beijing time`;
  return localOffsetMinutes(d) === BEIJING_OFFSET_MINUTES ? text : `${text} (${localTime(d)} here)`;
}
