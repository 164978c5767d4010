import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const searchBits = 0o001;

/**
 * As root we run postgres (and PgBouncer) as another user, who must be able to walk down to its
 * files. A repo cloned under /root or a mkdtemp dir (mode 700) would stop it, so add the "search"
 * bit for others on each ancestor that lacks it: that lets them pass through, not list or read.
 */
export function makeAncestorsTraversable(path: string, log: (line: string) => void): void {
  let current = dirname(path);
  while (true) {
    const mode = statSync(current).mode & 0o7777;
    if ((mode & searchBits) === 0) {
      chmodSync(current, mode | searchBits);
      log(`added o+x to ${current} so the postgres user can reach ${path}`);
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
