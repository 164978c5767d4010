import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { natsLayout } from './nats.ts';
import { postgresLayout } from './postgres.ts';
import { processState, processTree, signalAll, waitUntilDead } from './process-tree.ts';
import { isOurProcess, readPidFile, waitForExit } from './processes.ts';

/**
 * Faults for the chaos suite, each a real signal to the real process: a crash (SIGKILL, no
 * shutdown, no flush) or a freeze (SIGSTOP until SIGCONT). Starting a part again is the part's
 * ordinary start (`startPostgres`, `startNats`, `startKafkaBroker`), on the same ports and data.
 * Kafka's kill is in kafka.ts (`killKafkaBroker`), beside the layout it needs.
 */

const killWaitMs = 10_000;
const processPollMs = 50;
const reapGraceMs = 2_000;

/**
 * SIGKILL of the postmaster and every backend at once, as when the machine loses power under
 * the server: the next start runs crash recovery from the WAL. No-op when no server runs.
 */
export async function killPostgres(dir: string): Promise<void> {
  const pids = postgresProcesses(dir);
  if (pids.length === 0) return;
  signalAll(pids, 'SIGKILL');
  await waitUntilDead(pids, killWaitMs, 'postgres');
  await forgetZombiePostmaster(dir, pids[0]!);
}

/**
 * PostgreSQL refuses to start while the pid in postmaster.pid answers kill(pid, 0), which a zombie
 * does. Here the killed postmaster's parent is the machine's init (pg_ctl exited long ago), and a
 * container's init may reap late or never; after a grace the dead server's lock file is removed,
 * as it would be gone had the process been reaped.
 */
async function forgetZombiePostmaster(dir: string, postmaster: number): Promise<void> {
  const deadlineMs = Date.now() + reapGraceMs;
  while (processState(postmaster) !== undefined && Date.now() < deadlineMs) await sleep(processPollMs);
  const lockFile = join(postgresLayout(dir).data, 'postmaster.pid');
  if (processState(postmaster) === 'Z' && readPidFile(lockFile) === postmaster) rmSync(lockFile);
}

/** SIGSTOP to the postmaster and every backend: connections stay open and nothing answers. */
export function pausePostgres(dir: string): void {
  signalAll(postgresProcesses(dir), 'SIGSTOP');
}

/** SIGCONT to the postmaster and every backend a `pausePostgres` froze. */
export function resumePostgres(dir: string): void {
  signalAll(postgresProcesses(dir), 'SIGCONT');
}

/** SIGKILL of nats-server; `startNats({ dir, log })` brings it back on the same port. */
export async function killNats(dir: string): Promise<void> {
  const paths = natsLayout(dir);
  const pid = readPidFile(paths.pidFile);
  if (!pid || !isOurProcess(pid, paths.pidFile)) return;
  process.kill(pid, 'SIGKILL');
  if (!(await waitForExit(pid, paths.pidFile, killWaitMs))) {
    throw new Error(`nats-server (pid ${pid}) survived SIGKILL`);
  }
}

/** The postmaster of `dir` and all its descendants (backends, checkpointer, WAL writer, …). */
function postgresProcesses(dir: string): number[] {
  const paths = postgresLayout(dir);
  const postmaster = readPidFile(join(paths.data, 'postmaster.pid'));
  if (!postmaster || !isOurProcess(postmaster, paths.data)) return [];
  return processTree(postmaster);
}
