import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { repoRoot } from '../scripts/stack/paths.ts';

export const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 20_000;
const HEALTH_PROBE_TIMEOUT_MS = 1_000;
const HEALTH_PROBE_INTERVAL_MS = 200;

export type ServiceProcess = {
  readonly url: string;
  /** Spawns the process and waits until GET /healthz answers 200. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after the grace; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MiB; undefined once the process is gone. */
  rssMb(): { currentMb: number; peakMb: number } | undefined;
};

/** One service as a child process, `node [flags] <script>`, its output appended to `<logDir>/<name>.log`. */
export function createServiceProcess(spec: {
  name: string;
  script: string;
  nodeFlags: string[];
  port: number;
  env: Record<string, string>;
  logDir: string;
}): ServiceProcess {
  const url = `http://127.0.0.1:${spec.port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  return {
    url,
    async start() {
      const logFd = openSync(join(spec.logDir, `${spec.name}.log`), 'a');
      try {
        child = spawn(process.execPath, [...spec.nodeFlags, spec.script], {
          cwd: repoRoot,
          env: { ...process.env, ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
          stdio: ['ignore', logFd, logFd],
        });
      } finally {
        closeSync(logFd);
      }
      const current = child;
      exited = new Promise((resolveExit) => current.once('exit', () => resolveExit()));
      const deadlineMs = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadlineMs) {
        if (!isRunning())
          throw new Error(`${spec.name} exited during start; see ${spec.logDir}/${spec.name}.log`);
        if (await answersHealth(url)) return;
        await sleep(HEALTH_PROBE_INTERVAL_MS);
      }
      throw new Error(`${spec.name} not healthy after ${READY_TIMEOUT_MS} ms`);
    },
    async stop() {
      if (!isRunning()) return;
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    rssMb() {
      if (!isRunning() || child?.pid === undefined) return undefined;
      return readRssMb(child.pid);
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

const KIB_PER_MIB = 1024;

function readRssMb(pid: number): { currentMb: number; peakMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const current = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    const peak = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (!current || !peak) return undefined;
    return { currentMb: Number(current) / KIB_PER_MIB, peakMb: Number(peak) / KIB_PER_MIB };
  } catch {
    return undefined;
  }
}
