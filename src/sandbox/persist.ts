// The sandbox's state in a file (`wxplat sandbox --state FILE`), so that a restart does not leave every
// account "needs re-authorization … 61003". The file holds tokens and codes of a made-up WeChat:
// written owner-only, replaced whole (written beside, then renamed) so that a crash never leaves half.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SandboxError } from './errors.js';
import type { World, WorldSnapshot } from './state.js';

/** Reads the file into the world; false when there is no file yet. */
export function readState(file: string, world: World): boolean {
  if (!existsSync(file)) return false;
  let snapshot: WorldSnapshot;
  try {
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as WorldSnapshot;
  } catch (err) {
    throw new SandboxError(`the state file ${file} cannot be read: ${(err as Error).message}`);
  }
  world.restore(snapshot);
  return true;
}

export function writeState(file: string, world: World): void {
  const next = `${file}.${process.pid}.tmp`;
  writeFileSync(next, `${JSON.stringify(world.snapshot())}\n`, { mode: 0o600 });
  renameSync(next, file);
}
