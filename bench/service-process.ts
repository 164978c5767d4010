import type { ChildProcess } from 'node:child_process';
import {
  isRunning,
  readProcessMemoryKb,
  type ServiceProcessSpec,
  serviceUrl,
  spawnServiceProcess,
  stopGracefully,
  waitUntilHealthy,
} from '../scripts/service-process.ts';

export type ServiceProcess = {
  readonly url: string;
  /** Spawns the process and waits until GET /healthz answers 200. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after the grace; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MiB; undefined once the process is gone. */
  rssMb(): { currentMb: number; peakMb: number } | undefined;
};

const KIB_PER_MIB = 1024;

/** One service as a child process, `node [flags] <script>`, its output appended to `<logDir>/<name>.log`. */
export function createServiceProcess(spec: ServiceProcessSpec): ServiceProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  return {
    url: serviceUrl(spec.port),
    async start() {
      const current = spawnServiceProcess(spec);
      child = current;
      exited = new Promise((resolveExit) => current.once('exit', () => resolveExit()));
      await waitUntilHealthy(spec, current);
    },
    async stop() {
      if (isRunning(child)) await stopGracefully(child, exited);
    },
    rssMb() {
      if (!isRunning(child) || child.pid === undefined) return undefined;
      const currentKb = readProcessMemoryKb(child.pid, 'VmRSS');
      const peakKb = readProcessMemoryKb(child.pid, 'VmHWM');
      if (currentKb === undefined || peakKb === undefined) return undefined;
      return { currentMb: currentKb / KIB_PER_MIB, peakMb: peakKb / KIB_PER_MIB };
    },
  };
}
