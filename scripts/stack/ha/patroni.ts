import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { processState } from '../process-tree.ts';
import {
  isOurProcess,
  type RunAs,
  readLogTail,
  readPidFile,
  spawnDetached,
  stopProcess,
  waitForExit,
} from '../processes.ts';
import { makeAncestorsTraversable } from '../traversable.ts';
import { haLayout, patroniNodeLayout } from './layout.ts';
import { patroniConfig } from './patroni-config.ts';
import type { HaPorts, HaSecrets, PatroniNodePorts } from './state.ts';

const patroniBinary = process.env.WALLET_PATRONI_BIN ?? 'patroni';
// A clean stop checkpoints first; on a slow disk that can take a while.
const stopGraceMs = 60_000;
const postmasterStopGraceMs = 30_000;
const reapGraceMs = 2_000;
/** Longest socket path the kernel takes (sun_path is 108 bytes with its NUL). */
const socketPathMax = 107;
const reaperSource = fileURLToPath(new URL('./patroni-reaper.py', import.meta.url));

export type PatroniContext = {
  dir: string;
  ports: HaPorts;
  secrets: HaSecrets;
  binDir: string;
  runAs: RunAs | undefined;
  log: (line: string) => void;
};

/** Starts the node's Patroni unless it runs; it starts (or adopts) the node's PostgreSQL itself. */
export function startPatroniNode(context: PatroniContext, node: PatroniNodePorts): number {
  const paths = patroniNodeLayout(context.dir, node.name);
  const running = patroniPid(context.dir, node.name);
  if (running) return running;
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  mkdirSync(paths.socketDir, { recursive: true, mode: 0o700 });
  const socketDir =
    join(paths.socketDir, `.s.PGSQL.${node.pgPort}`).length > socketPathMax ? '' : paths.socketDir;
  const config = patroniConfig({
    dir: context.dir,
    node,
    etcd: context.ports.etcd,
    secrets: context.secrets,
    binDir: context.binDir,
    socketDir,
  });
  writeFileSync(paths.configFile, config, { mode: 0o600 });
  const reaper = join(haLayout(context.dir).root, 'patroni-reaper.py');
  copyFileSync(reaperSource, reaper);
  if (context.runAs) {
    makeAncestorsTraversable(paths.root, context.log);
    // Not -R over the data dir on every start: Patroni and PostgreSQL create what is in it.
    execFileSync('chown', [
      `${context.runAs.uid}:${context.runAs.gid}`,
      paths.root,
      paths.socketDir,
      paths.configFile,
    ]);
  }
  forgetDeadPostmaster(context.dir, node.name);
  context.log(`patroni: starting ${node.name} (postgres ${node.pgPort}, REST ${node.restPort})`);
  const pid = spawnDetached('python3', [reaper, patroniBinary, paths.configFile], {
    cwd: paths.root,
    env: patroniEnvironment(paths.root),
    logFile: paths.logFile,
    runAs: context.runAs,
  });
  writeFileSync(paths.pidFile, `${pid}\n`);
  return pid;
}

/** The launcher's own PG* settings (a developer's PGHOST, PGPORT) must not steer Patroni's libpq. */
function patroniEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('PG') && !name.startsWith('PATRONI_')) env[name] = value;
  }
  // HOME=/root is not the postgres user's to read (libpq looks there for .pgpass, psqlrc, …).
  env.HOME = home;
  return env;
}

/** The pid standing for the node's Patroni (its reaper, which lives exactly as long), if it runs. */
export function patroniPid(dir: string, name: string): number | undefined {
  const paths = patroniNodeLayout(dir, name);
  const pid = readPidFile(paths.pidFile);
  return isOurProcess(pid, paths.configFile) ? pid : undefined;
}

export function postmasterPid(dir: string, name: string): number | undefined {
  const paths = patroniNodeLayout(dir, name);
  const pid = readPidFile(join(paths.data, 'postmaster.pid'));
  return isOurProcess(pid, paths.data) ? pid : undefined;
}

/**
 * A SIGKILLed postmaster whose parent is the machine's init may stay a zombie for ever, and
 * PostgreSQL (and Patroni) refuse to start while the pid in postmaster.pid answers kill(pid, 0),
 * as a zombie does. Its lock file is removed, as it would be gone had the process been reaped.
 */
export async function forgetZombiePostmaster(dir: string, name: string): Promise<void> {
  const lockFile = join(patroniNodeLayout(dir, name).data, 'postmaster.pid');
  const pid = readPidFile(lockFile);
  if (!pid) return;
  const deadlineMs = Date.now() + reapGraceMs;
  while (processState(pid) !== undefined && processState(pid) !== 'Z' && Date.now() < deadlineMs) {
    await sleep(50);
  }
  forgetDeadPostmaster(dir, name);
}

function forgetDeadPostmaster(dir: string, name: string): void {
  const lockFile = join(patroniNodeLayout(dir, name).data, 'postmaster.pid');
  const pid = readPidFile(lockFile);
  if (pid && processState(pid) === 'Z') rmSync(lockFile);
}

/**
 * SIGTERM to Patroni, which stops its PostgreSQL (fast shutdown) and exits; a postmaster left
 * behind (Patroni was killed, or hung) gets a fast shutdown of its own.
 */
export async function stopPatroniNode(dir: string, name: string): Promise<void> {
  const paths = patroniNodeLayout(dir, name);
  const pid = patroniPid(dir, name);
  if (pid) await stopProcess(pid, paths.configFile, stopGraceMs);
  const postmaster = postmasterPid(dir, name);
  if (!postmaster) return;
  process.kill(postmaster, 'SIGINT');
  if (await waitForExit(postmaster, paths.data, postmasterStopGraceMs)) return;
  await stopProcess(postmaster, paths.data, 1_000).catch((error: unknown) => {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n${readLogTail(paths.logFile)}`,
    );
  });
}
