import type { ChildProcess } from 'node:child_process';
import { isRunning, stopGracefully } from './service-process.ts';

/**
 * Keeps one service process alive for `npm start`: when it dies on its own (a crash, an OOM kill,
 * a SIGKILL), it is started again after a backoff, and the rest of the platform keeps running.
 * A stop (Ctrl-C, SIGTERM, q) is never answered with a restart.
 */

export const RESTART_DELAY_MS_MIN = 500;
export const RESTART_DELAY_MS_MAX = 10_000;
/** A process that stayed up this long was healthy: its next crash waits the minimum again. */
export const RESTART_BACKOFF_RESET_AFTER_MS = 30_000;

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export type SupervisedProcess = { child: ChildProcess; exited: Promise<ExitStatus> };

export type SupervisorOptions<T extends SupervisedProcess> = {
  name: string;
  /** Spawns a fresh process of the service. */
  start: () => T;
  /** Resolves once the process serves; rejects if it exits first or is not ready in time. */
  ready: (running: T) => Promise<void>;
  /** One line for the operator: what happened and what comes next. */
  report: (line: string) => void;
  /** Called with each process that came back ready (to record its pid, say). */
  onRestarted?: (running: T) => void;
};

/**
 * 0.5 s after a crash, doubling while the process keeps dying young, capped at 10 s; back to
 * 0.5 s once a process has stayed up `RESTART_BACKOFF_RESET_AFTER_MS`. A crash loop (bad config, a
 * database that is down) then costs a start every 10 s, not a busy loop.
 */
export function nextRestartDelayMs(previousDelayMs: number | undefined, upForMs: number): number {
  if (previousDelayMs === undefined || upForMs >= RESTART_BACKOFF_RESET_AFTER_MS) return RESTART_DELAY_MS_MIN;
  return Math.min(previousDelayMs * 2, RESTART_DELAY_MS_MAX);
}

export function describeExit(status: ExitStatus): string {
  return status.signal ? `killed by ${status.signal}` : `exit code ${status.code ?? '?'}`;
}

export class ServiceSupervisor<T extends SupervisedProcess> {
  private running: T;
  private startedAtMs = Date.now();
  private delayMs: number | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private readonly watching: Promise<void>;
  private readonly options: SupervisorOptions<T>;

  /** Supervises `first`, a process of the service that is already running and ready. */
  constructor(first: T, options: SupervisorOptions<T>) {
    this.options = options;
    this.running = first;
    this.watching = this.watch();
  }

  /** The process serving now (or the last one, while a restart waits). */
  current(): T {
    return this.running;
  }

  /** Stops the process (SIGTERM, SIGKILL after the grace) and any restart that was pending. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    if (isRunning(this.running.child)) await stopGracefully(this.running.child, this.running.exited);
    await this.watching;
  }

  private async watch(): Promise<void> {
    while (!this.stopping) {
      const status = await this.running.exited;
      if (this.stopping) return;
      const upForMs = Date.now() - this.startedAtMs;
      this.delayMs = nextRestartDelayMs(this.delayMs, upForMs);
      this.options.report(
        `${this.options.name} (pid ${this.running.child.pid}) exited: ${describeExit(status)} after ` +
          `${seconds(upForMs)}; restarting in ${seconds(this.delayMs)}`,
      );
      await this.pause(this.delayMs);
      if (this.stopping) return;
      await this.restart();
    }
  }

  private async restart(): Promise<void> {
    this.running = this.options.start();
    this.startedAtMs = Date.now();
    try {
      await this.options.ready(this.running);
    } catch (error) {
      if (this.stopping) return;
      const message = error instanceof Error ? error.message : String(error);
      this.options.report(`${this.options.name} did not come back: ${message}`);
      // A process that hangs instead of serving is killed, so the loop sees it exit and retries.
      if (isRunning(this.running.child)) this.running.child.kill('SIGKILL');
      return;
    }
    if (this.stopping) return;
    this.options.report(`${this.options.name} is back (pid ${this.running.child.pid})`);
    this.options.onRestarted?.(this.running);
  }

  /** A sleep that `stop()` cuts short. */
  private pause(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}
