import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPortOpen } from './ports.ts';
import {
  daemonBinary,
  isOurProcess,
  readLogTail,
  readPidFile,
  runCommand,
  spawnDetached,
  stopProcess,
} from './processes.ts';
import { waitUntil } from './wait.ts';

/**
 * Runs Debian's HAProxy with a config the caller writes: the load balancer in front of service
 * replicas (service-balancer-config.ts) and the read-write front of a Patroni cluster share this
 * one runner. Each instance has a name and its own directory, so several can run side by side.
 */
const haproxyBinary = process.env.WALLET_HAPROXY_BIN ?? daemonBinary('haproxy');
const startTimeoutMs = 10_000;
const stopGraceMs = 5_000;

export function haproxyLayout(dir: string, name: string) {
  const root = join(dir, `haproxy-${name}`);
  return {
    root,
    configFile: join(root, 'haproxy.cfg'),
    logFile: join(root, 'haproxy.log'),
    pidFile: join(root, 'haproxy.pid'),
  };
}

export type StartHaproxyOptions = {
  dir: string;
  name: string;
  /** The whole haproxy.cfg; `global` needs no pidfile or daemon line, this runner keeps both. */
  config: string;
  log: (line: string) => void;
};

export type HaproxyInstance = { pid: number; configFile: string; logFile: string };

/**
 * Writes the config, has HAProxy check it (a typo fails here with HAProxy's own message, not as a
 * silent listener that never opens), stops an instance of the same name left running, then starts
 * HAProxy in the foreground (`-db`) in its own session, as the other stack parts run.
 */
export async function startHaproxy(options: StartHaproxyOptions): Promise<HaproxyInstance> {
  const paths = haproxyLayout(options.dir, options.name);
  mkdirSync(paths.root, { recursive: true });
  await stopHaproxy(options.dir, options.name);
  writeFileSync(paths.configFile, options.config);
  await runCommand(haproxyBinary, ['-c', '-q', '-f', paths.configFile]).catch((error: unknown) => {
    throw new Error(`haproxy ${options.name}: config rejected: ${(error as Error).message}`);
  });
  options.log(`haproxy ${options.name}: starting (${paths.configFile})`);
  const pid = spawnDetached(haproxyBinary, ['-db', '-f', paths.configFile], {
    cwd: paths.root,
    logFile: paths.logFile,
  });
  writeFileSync(paths.pidFile, `${pid}\n`);
  try {
    // HAProxy binds every listener before it serves; a bind failure (port taken) exits at once.
    await waitUntil(() => waitForBinds(paths.configFile), {
      what: `haproxy ${options.name}`,
      timeoutMs: startTimeoutMs,
      check: () => {
        if (!isOurProcess(pid, paths.configFile)) throw new Error('haproxy exited during startup');
      },
    });
  } catch (error) {
    await stopProcess(pid, paths.configFile, stopGraceMs);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`haproxy ${options.name} failed to start: ${message}\n${readLogTail(paths.logFile)}`);
  }
  return { pid, configFile: paths.configFile, logFile: paths.logFile };
}

export async function stopHaproxy(dir: string, name: string): Promise<void> {
  const paths = haproxyLayout(dir, name);
  const pid = readPidFile(paths.pidFile);
  if (pid) await stopProcess(pid, paths.configFile, stopGraceMs);
}

export function haproxyPid(dir: string, name: string): number | undefined {
  const paths = haproxyLayout(dir, name);
  const pid = readPidFile(paths.pidFile);
  return isOurProcess(pid, paths.configFile) ? pid : undefined;
}

/** Every `bind 127.0.0.1:<port>` of the config accepts connections. */
async function waitForBinds(configFile: string): Promise<void> {
  const ports = [...readFileSync(configFile, 'utf8').matchAll(/^\s*bind\s+[\d.]+:(\d+)/gm)].map((m) =>
    Number(m[1]),
  );
  for (const port of ports) {
    if (!(await isPortOpen(port))) throw new Error(`port ${port} not open yet`);
  }
}
