// A database error in words an operator can act on: the driver's code and message, without the SQL
// statement (which knex puts in front, and which may hold values).
export function databaseErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const at = err.message.lastIndexOf(' - ');
  const driver = at >= 0 ? err.message.slice(at + 3) : err.message;
  return typeof code === 'string' && !driver.includes(code) ? `${code}: ${driver}` : driver;
}
