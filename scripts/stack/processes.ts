import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type RunAs = { uid: number; gid: number };

export type CommandOptions = {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  runAs?: RunAs;
  timeoutMs?: number;
};

const commandTimeoutMsDefault = 120_000;
const outputBytesMax = 16 * 1024 * 1024;

/** Runs a command to completion; a failure carries the command's own output, which says why. */
export async function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
      timeout: options.timeoutMs ?? commandTimeoutMsDefault,
      maxBuffer: outputBytesMax,
    });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string; signal?: string };
    const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim();
    const how = failed.signal ? `killed by ${failed.signal}` : `exit code ${failed.code ?? '?'}`;
    throw new Error(`${command} ${args.join(' ')} failed (${how})${output ? `:\n${output}` : ''}`);
  }
}

export type DetachedOptions = CommandOptions & { logFile: string };

/**
 * Starts a long-running server in its own session (so Ctrl-C on the launcher or the end of a test
 * run does not take it down half-way), with stdout and stderr appended to `logFile`.
 */
export function spawnDetached(command: string, args: string[], options: DetachedOptions): number {
  const logFd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => {});
    child.unref();
    return child.pid;
  } finally {
    closeSync(logFd);
  }
}

/**
 * True when `pid` is a live process whose command line contains `marker` (a path of ours). The
 * marker guards against a stale pid file pointing at an unrelated process that reused the pid;
 * zombies count as gone, since a container's init may never reap them.
 */
export function isOurProcess(pid: number | undefined, marker: string): boolean {
  if (!pid || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return commandLine.includes(marker);
  } catch {
    return false;
  }
}

export async function waitForExit(pid: number, marker: string, timeoutMs: number): Promise<boolean> {
  const gone = () => !isOurProcess(pid, marker) && !isExiting(pid);
  const deadlineMs = Date.now() + timeoutMs;
  while (Date.now() < deadlineMs) {
    if (gone()) return true;
    await sleep(100);
  }
  return gone();
}

/**
 * Not gone yet, though no longer "ours" by its command line: a dying process gives up its memory
 * (its cmdline reads empty) before it closes its files, and a multi-threaded one (nats-server,
 * a JVM) shows its main thread as a zombie while the other threads still hold the shared file
 * table. Until then its listening sockets may still be open.
 */
function isExiting(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'X') return false;
    if (state === 'Z') return readdirSync(`/proc/${pid}/task`).length > 1;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === '';
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it is gone. */
export async function stopProcess(pid: number, marker: string, graceMs: number): Promise<void> {
  if (!isOurProcess(pid, marker)) return;
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, marker, graceMs)) return;
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, marker, 10_000))) {
    throw new Error(`process ${pid} (${marker}) survived SIGKILL`);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone between the check and the kill.
  }
}

export function readPidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The last lines of a log, to put in an error so the reader need not go and find the file. */
export function readLogTail(file: string, lineCount = 30): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return `--- last ${Math.min(lineCount, lines.length)} lines of ${file} ---\n${lines.slice(-lineCount).join('\n')}`;
}

/**
 * A Debian daemon's binary: `name` when the PATH has it, else /usr/sbin/name (where HAProxy and
 * PgBouncer live, and which a non-root PATH often lacks).
 */
export function daemonBinary(name: string): string {
  const sbin = `/usr/sbin/${name}`;
  const onPath = (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${name}`));
  return !onPath && existsSync(sbin) ? sbin : name;
}
