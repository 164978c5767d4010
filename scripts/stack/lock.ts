import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPidFile } from './processes.ts';

const pollIntervalMs = 200;

/**
 * Runs `work` while holding a lock dir (mkdir is atomic), so two launchers on one stack dir or
 * two fetches into one jar cache do not interleave. A lock whose holder died is taken over.
 */
export async function withLock<T>(lockDir: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const deadlineMs = Date.now() + timeoutMs;
  const ownerFile = join(lockDir, 'owner.pid');
  while (!tryAcquire(lockDir, ownerFile)) {
    const ownerPid = readPidFile(ownerFile);
    if (ownerPid !== undefined && !isAlive(ownerPid)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadlineMs) {
      throw new Error(`${lockDir} is held by pid ${ownerPid ?? '?'}; still there after ${timeoutMs} ms`);
    }
    await sleep(pollIntervalMs);
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function tryAcquire(lockDir: string, ownerFile: string): boolean {
  try {
    mkdirSync(lockDir);
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  }
  writeFileSync(ownerFile, `${process.pid}\n`);
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, only not ours to signal.
    return (error as { code?: string }).code === 'EPERM';
  }
}
