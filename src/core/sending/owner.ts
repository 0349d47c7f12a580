// Who holds a lease: host, process id and a random tag. A lease held by a process of this host that
// no longer exists can be taken at once instead of waiting for it to run out.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function deadLocalOwners(owners: readonly string[], self: string): string[] {
  const host = hostname();
  return owners.filter((owner) => {
    if (owner === self) return false;
    const parts = owner.split(':');
    const pid = Number(parts[parts.length - 2]);
    return parts.slice(0, -2).join(':') === host && Number.isInteger(pid) && pid !== process.pid && !alive(pid);
  });
}
