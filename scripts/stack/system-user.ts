import { execFileSync } from 'node:child_process';
import type { RunAs } from './processes.ts';

const preferredUser = 'postgres';
const fallbackUser = 'wallet-postgres';

/**
 * initdb and postgres refuse to run as root (CI runs as root), so as root we run them as an
 * unprivileged system user: `postgres` where the Debian package made one, else our own.
 * Returns undefined when we are not root, where the current user is fine.
 */
export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser(preferredUser) ?? lookupUser(fallbackUser);
  if (existing) return existing;
  execFileSync('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    fallbackUser,
  ]);
  const created = lookupUser(fallbackUser);
  if (!created) throw new Error(`could not create system user ${fallbackUser}`);
  return created;
}

function lookupUser(name: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}
