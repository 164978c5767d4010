import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isRunning,
  readProcessMemoryKb,
  serviceUrl,
  spawnServiceProcess,
  stopGracefully,
  waitUntilHealthy,
} from '../../scripts/service-process.ts';
import { repoRoot } from '../../scripts/stack/paths.ts';

/**
 * Service replicas as real child processes (`node services/<name>/src/server.ts`), so a SIGKILL
 * in the fault schedule is a real crash (no shutdown hook runs, in-flight requests are cut) and a
 * SIGSTOP a real freeze.
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
  /**
   * SIGSTOP, then SIGCONT after `durationMs`: the process keeps its sockets and answers nothing,
   * as under a long GC pause or a starved VM. No-op when it does not run.
   */
  pause(durationMs: number): Promise<void>;
  /** SIGTERM (graceful: in-flight requests finish, outbox flushes), SIGKILL after the grace. */
  stop(): Promise<void>;
  /** Called when the process exits on its own (a crash), not through kill() or stop(). */
  onCrash(listener: (crash: ReplicaCrash) => void): void;
};

export type ReplicaCrash = { replica: string; atMs: number; exitCode: number | null; signal: string | null };

export function serviceScript(service: ServiceName): string {
  return join(repoRoot, 'services', service, 'src', 'server.ts');
}

export function createReplica(spec: ReplicaSpec): Replica {
  const processSpec = { ...spec, script: serviceScript(spec.service), nodeFlags: spec.nodeFlags ?? [] };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let exitExpected = false;
  const crashListeners: ((crash: ReplicaCrash) => void)[] = [];

  const spawnChild = (): ChildProcess => {
    const current = spawnServiceProcess(processSpec);
    child = current;
    exitExpected = false;
    exited = new Promise((resolveExit) =>
      current.once('exit', (exitCode, signal) => {
        resolveExit();
        if (exitExpected) return;
        const crash = { replica: spec.name, atMs: Date.now(), exitCode, signal };
        for (const listener of crashListeners) listener(crash);
      }),
    );
    return current;
  };

  return {
    spec,
    url: serviceUrl(spec.port),
    pid: () => (isRunning(child) ? child.pid : undefined),
    async start() {
      if (isRunning(child)) return;
      await waitUntilHealthy(processSpec, spawnChild());
    },
    onCrash(listener) {
      crashListeners.push(listener);
    },
    async kill() {
      if (!isRunning(child)) return;
      exitExpected = true;
      child.kill('SIGKILL');
      await exited;
    },
    async pause(durationMs) {
      if (!isRunning(child)) return;
      const paused = child;
      paused.kill('SIGSTOP');
      try {
        await sleep(durationMs);
      } finally {
        paused.kill('SIGCONT');
      }
    },
    async stop() {
      if (!isRunning(child)) return;
      exitExpected = true;
      await stopGracefully(child, exited);
    },
  };
}

/** Peak resident memory of a live process in KiB (VmHWM), or undefined once it is gone. */
export function peakRssKb(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readProcessMemoryKb(pid, 'VmHWM');
}
