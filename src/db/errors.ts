// A database error in words an operator can act on: the driver's message, without the SQL statement
// (which knex puts in front, and which may hold values), and the code to look it up by. For MySQL
// errors that is the server's number: mysql2 names numbers by MySQL's list, which MariaDB's own
// numbers do not follow (4151, "this account is locked", would be named after another error).
export function databaseErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  const at = err.message.lastIndexOf(' - ');
  const driver = at >= 0 ? err.message.slice(at + 3) : err.message;
  if (typeof code === 'string' && code.startsWith('ER_') && typeof errno === 'number') return `${driver} (server error ${errno})`;
  return typeof code === 'string' && !driver.includes(code) ? `${driver} (${code})` : driver;
}
