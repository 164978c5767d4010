import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { natsLayout } from './nats.ts';
import { postgresLayout } from './postgres.ts';
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
  await waitUntilGone(pids, 'postgres');
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
  while (readStat(postmaster) !== undefined && Date.now() < deadlineMs) await sleep(processPollMs);
  const lockFile = join(postgresLayout(dir).data, 'postmaster.pid');
  if (readStat(postmaster)?.state === 'Z' && readPidFile(lockFile) === postmaster) rmSync(lockFile);
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
  const childrenOf = new Map<number, number[]>();
  for (const [pid, parent] of parentPids()) {
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(pid);
    childrenOf.set(parent, siblings);
  }
  const tree = [postmaster];
  for (let at = 0; at < tree.length; at += 1) tree.push(...(childrenOf.get(tree[at]!) ?? []));
  return tree;
}

/** Every live process's (pid, parent pid), from /proc. */
function parentPids(): [number, number][] {
  const pairs: [number, number][] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) pairs.push([pid, stat.parentPid]);
  }
  return pairs;
}

function readStat(pid: number): { state: string; parentPid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after its last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', parentPid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** One tight loop, so no process outlives the others by more than a few microseconds. */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function waitUntilGone(pids: number[], what: string): Promise<void> {
  const deadlineMs = Date.now() + killWaitMs;
  const alive = () => pids.filter((pid) => !['Z', 'X', undefined].includes(readStat(pid)?.state));
  while (alive().length > 0) {
    if (Date.now() > deadlineMs) throw new Error(`${what} pids ${alive().join(', ')} survived SIGKILL`);
    await sleep(processPollMs);
  }
}
