// The seed's DATETIME columns hold UTC as 'YYYY-MM-DD HH:MM:SS' on both stores.

export function toSqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function fromSqlDateTime(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(`${value.replace(' ', 'T')}Z`);
}

/** ISO 8601 for --json output. */
export function isoOrNull(value: string | Date | null | undefined): string | null {
  const d = fromSqlDateTime(value);
  return d ? d.toISOString() : null;
}
