// Waiting in tests: on a condition (a row, a line, a count), never on time. The limit is only a
// generous bound so that a broken test fails instead of hanging; nothing asserts how long it took.

/** Resolves once `check` holds, looked at every few ms; throws naming `what` if it never does. */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
