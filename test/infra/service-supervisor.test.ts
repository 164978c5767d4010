import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import {
  type ExitStatus,
  nextRestartDelayMs,
  RESTART_BACKOFF_RESET_AFTER_MS,
  RESTART_DELAY_MS_MAX,
  RESTART_DELAY_MS_MIN,
  ServiceSupervisor,
  type SupervisedProcess,
} from '../../scripts/service-supervisor.ts';

/** A real process that idles until signalled: what is supervised is a pid, not a mock. */
function startIdleProcess(): SupervisedProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  const exited = new Promise<ExitStatus>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited };
}

describe('the restart backoff of npm start', () => {
  it('given crashes in a row, then the delay doubles from 0.5 s up to 10 s and starts over after a healthy run', () => {
    // Given / When: a first crash, then each process dying young
    const delays: number[] = [];
    let delayMs: number | undefined;
    for (let crash = 0; crash < 7; crash += 1) {
      delayMs = nextRestartDelayMs(delayMs, 1_000);
      delays.push(delayMs);
    }

    // Then
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(RESTART_DELAY_MS_MIN).toBe(500);
    expect(RESTART_DELAY_MS_MAX).toBe(10_000);
    expect(nextRestartDelayMs(RESTART_DELAY_MS_MAX, RESTART_BACKOFF_RESET_AFTER_MS)).toBe(
      RESTART_DELAY_MS_MIN,
    );
  });
});

describe('ServiceSupervisor', () => {
  it('given a supervised process, when it is SIGKILLed, then a new one is started and reported, and stop() ends it without another restart', async () => {
    // Given
    const lines: string[] = [];
    const restarted: SupervisedProcess[] = [];
    const first = startIdleProcess();
    const supervisor = new ServiceSupervisor(first, {
      name: 'idle',
      start: startIdleProcess,
      ready: async () => {},
      report: (line) => lines.push(line),
      onRestarted: (running) => restarted.push(running),
    });

    // When: the process is killed from outside
    first.child.kill('SIGKILL');

    // Then: a fresh process replaces it, and the operator was told what happened and when
    await vi.waitFor(() => expect(restarted).toHaveLength(1), { timeout: 10_000 });
    const second = supervisor.current();
    expect(second.child.pid).not.toBe(first.child.pid);
    expect(second.child.exitCode).toBeNull();
    expect(lines[0]).toMatch(/^idle \(pid \d+\) exited: killed by SIGKILL after .* s; restarting in 0\.5 s$/);
    expect(lines[1]).toMatch(/^idle is back \(pid \d+\)$/);

    // When: the supervisor is stopped
    await supervisor.stop();

    // Then: the process is gone and nothing was started again
    expect(await second.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(supervisor.current()).toBe(second);
    expect(lines).toHaveLength(2);
  });

  it('given a restart that is waiting out its backoff, when stop() is called, then no process is started', async () => {
    // Given: a process that died, its restart pending
    const lines: string[] = [];
    let starts = 0;
    const first = startIdleProcess();
    const supervisor = new ServiceSupervisor(first, {
      name: 'idle',
      start: () => {
        starts += 1;
        return startIdleProcess();
      },
      ready: async () => {},
      report: (line) => lines.push(line),
    });
    first.child.kill('SIGKILL');
    await vi.waitFor(() => expect(lines).toHaveLength(1));

    // When
    await supervisor.stop();

    // Then
    expect(starts).toBe(0);
  });
});
