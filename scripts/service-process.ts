import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { repoRoot } from './stack/paths.ts';

/**
 * One home for running a service as a child process and waiting for it: the bench and the chaos
 * runner both need a real process (real memory, a real SIGKILL) and must start and stop it alike.
 */

export const SERVICE_READY_TIMEOUT_MS = 60_000;
export const SERVICE_STOP_GRACE_MS = 20_000;
const HEALTH_PROBE_TIMEOUT_MS = 1_000;
const HEALTH_PROBE_INTERVAL_MS = 200;

export type ServiceProcessSpec = {
  /** Used in errors and as the log file's name. */
  name: string;
  script: string;
  /** Flags for node before the script, e.g. ['--cpu-prof']. */
  nodeFlags: readonly string[];
  port: number;
  /** Environment beyond the inherited one. */
  env: Record<string, string>;
  /** Directory for `<name>.log` (stdout and stderr, appended across restarts). */
  logDir: string;
};

export function serviceUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/** `node [flags] <script>` from the repository root, its output appended to `<logDir>/<name>.log`. */
export function spawnServiceProcess(spec: ServiceProcessSpec): ChildProcess {
  const logFd = openSync(join(spec.logDir, `${spec.name}.log`), 'a');
  try {
    return spawn(process.execPath, [...spec.nodeFlags, spec.script], {
      cwd: repoRoot,
      env: { ...process.env, ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
}

/** Waits until GET /healthz answers 200; fails at once if the process exits first. */
export async function waitUntilHealthy(spec: ServiceProcessSpec, child: ChildProcess): Promise<void> {
  const url = serviceUrl(spec.port);
  const deadlineMs = Date.now() + SERVICE_READY_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    if (!isRunning(child))
      throw new Error(`${spec.name} exited during start; see ${spec.logDir}/${spec.name}.log`);
    if (await answersHealth(url)) return;
    await sleep(HEALTH_PROBE_INTERVAL_MS);
  }
  throw new Error(`${spec.name} not healthy after ${SERVICE_READY_TIMEOUT_MS} ms`);
}

/** SIGTERM, SIGKILL after the grace; resolves once `exited` does. */
export async function stopGracefully(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), SERVICE_STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
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

/** A `kB` field of /proc/<pid>/status (VmRSS now, VmHWM at peak), or undefined once the process is gone. */
export function readProcessMemoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
