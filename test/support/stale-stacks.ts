import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackDown } from '../../scripts/stack/index.ts';
import { readPidFile } from '../../scripts/stack/processes.ts';

export const testStackPrefix = 'wallet-test-stack-';

export function testStackOwnerFile(dir: string): string {
  return join(dir, 'owner.pid');
}

/**
 * A run killed before its teardown (Ctrl-C twice, a CI timeout) leaves its servers running in
 * their temp dir. The next run stops them, so ports and memory do not pile up on a dev box.
 */
export async function removeStaleTestStacks(): Promise<void> {
  const root = tmpdir();
  for (const name of readdirSync(root)) {
    if (!name.startsWith(testStackPrefix)) continue;
    const dir = join(root, name);
    const ownerPid = readPidFile(testStackOwnerFile(dir));
    if (ownerPid && isAlive(ownerPid)) continue;
    if (!existsSync(dir)) continue;
    await stackDown({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
