import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

/**
 * Service replicas as real child processes (`node services/<name>/src/server.ts`), so a SIGKILL
 * in the fault schedule is a real crash: no shutdown hook runs, in-flight requests are cut.
 */
export type ServiceName = 'user-service' | 'transactions-service';

export type ReplicaSpec = {
  /** e.g. "transactions-1": used in logs, the history and the summary. */
  name: string;
  service: ServiceName;
  port: number;
  /** Environment beyond the inherited one: DATABASE_URL, KAFKA_BROKERS, NATS_URL, … */
  env: Record<string, string>;
  /** Directory for `<name>.log` (stdout and stderr, appended across restarts). */
  logDir: string;
  /** Extra flags for node before the script, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeFlags?: string[];
};

export type Replica = {
  readonly spec: ReplicaSpec;
  readonly url: string;
  pid(): number | undefined;
  /** Spawns the process and waits until GET /healthz answers 200. */
  start(): Promise<void>;
  /** SIGKILL, no grace; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful: in-flight requests finish, outbox flushes), SIGKILL after the grace. */
  stop(): Promise<void>;
  /** Called when the process exits on its own (a crash), not through kill() or stop(). */
  onCrash(listener: (crash: ReplicaCrash) => void): void;
};

export type ReplicaCrash = { replica: string; atMs: number; exitCode: number | null; signal: string | null };

const repoRoot = resolve(import.meta.dirname, '..', '..');
export const REPLICA_READY_TIMEOUT_MS = 60_000;
const REPLICA_STOP_GRACE_MS = 20_000;
const HEALTH_PROBE_TIMEOUT_MS = 1_000;
const HEALTH_PROBE_INTERVAL_MS = 200;

export function serviceScript(service: ServiceName): string {
  return join(repoRoot, 'services', service, 'src', 'server.ts');
}

export function createReplica(spec: ReplicaSpec): Replica {
  const url = `http://127.0.0.1:${spec.port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let exitExpected = false;
  const crashListeners: ((crash: ReplicaCrash) => void)[] = [];

  const spawnChild = () => {
    const logFd = openSync(join(spec.logDir, `${spec.name}.log`), 'a');
    try {
      child = spawn(process.execPath, [...(spec.nodeFlags ?? []), serviceScript(spec.service)], {
        cwd: repoRoot,
        env: { ...process.env, ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const current = child;
    exitExpected = false;
    exited = new Promise((resolveExit) =>
      current.once('exit', (exitCode, signal) => {
        resolveExit();
        if (exitExpected) return;
        const crash = { replica: spec.name, atMs: Date.now(), exitCode, signal };
        for (const listener of crashListeners) listener(crash);
      }),
    );
  };

  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  return {
    spec,
    url,
    pid: () => (isRunning() ? child?.pid : undefined),
    async start() {
      if (isRunning()) return;
      spawnChild();
      const deadlineMs = Date.now() + REPLICA_READY_TIMEOUT_MS;
      while (Date.now() < deadlineMs) {
        if (!isRunning())
          throw new Error(`${spec.name} exited during start; see ${spec.logDir}/${spec.name}.log`);
        if (await answersHealth(url)) return;
        await sleep(HEALTH_PROBE_INTERVAL_MS);
      }
      throw new Error(`${spec.name} not healthy after ${REPLICA_READY_TIMEOUT_MS} ms`);
    },
    onCrash(listener) {
      crashListeners.push(listener);
    },
    async kill() {
      if (!isRunning()) return;
      exitExpected = true;
      child?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!isRunning()) return;
      exitExpected = true;
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), REPLICA_STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await request(`${url}/healthz`, {
      signal: AbortSignal.timeout(HEALTH_PROBE_TIMEOUT_MS),
    });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}

/** Peak resident memory of a live process in KiB (VmHWM), or undefined once it is gone. */
export function peakRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
