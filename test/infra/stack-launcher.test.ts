import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readStackState,
  type StackState,
  stackDown,
  stackStatus,
  stackUp,
} from '../../scripts/stack/index.ts';
import { isPortOpen } from '../../scripts/stack/ports.ts';
import { isOurProcess } from '../../scripts/stack/processes.ts';

// This file starts a second full stack: the launcher is what it tests, not the run's stack.
const externalPartVariables = [
  'DATABASE_ADMIN_URL',
  'USER_SERVICE_DATABASE_URL',
  'TRANSACTIONS_SERVICE_DATABASE_URL',
  'KAFKA_BROKERS',
  'NATS_URL',
];

function portsOf(state: StackState): number[] {
  const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));
  return [state.postgres.port, Number(new URL(state.nats.url).port), ...state.kafka.brokers.map(portOf)];
}

function pidsOf(state: StackState): number[] {
  return [state.postgres.pid, state.nats.pid, state.kafka.pid].filter(
    (pid): pid is number => pid !== undefined,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead, only not yet reaped by init; isOurProcess reads /proc to tell.
  return isOurProcess(pid, '');
}

describe('the stack launcher', () => {
  const savedEnv = new Map<string, string | undefined>();
  let dir: string;

  beforeAll(() => {
    for (const name of externalPartVariables) {
      savedEnv.set(name, process.env[name]);
      delete process.env[name];
    }
    dir = mkdtempSync(join(tmpdir(), 'wallet-launcher-test-'));
  });

  afterAll(async () => {
    await stackDown({ dir }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    for (const [name, value] of savedEnv) if (value !== undefined) process.env[name] = value;
  });

  it('given an empty dir, when up runs twice and then down, then the second up is harmless and down leaves nothing running', async () => {
    // Given / When: a first up starts every part
    const first = await stackUp({ dir, fast: true, quiet: true });
    expect([first.postgres.managed, first.nats.managed, first.kafka.managed]).toEqual([true, true, true]);
    expect(pidsOf(first)).toHaveLength(3);
    expect(readStackState(dir)).toEqual(first);

    // When: up again on the same dir
    const second = await stackUp({ dir, fast: true, quiet: true });

    // Then: the same servers, untouched
    expect(second).toEqual(first);
    const status = await stackStatus({ dir });
    expect([status.postgres.up, status.nats.up, status.kafka.up]).toEqual([true, true, true]);

    // When: down
    await stackDown({ dir });

    // Then: no process, no listening port, no state file
    for (const pid of pidsOf(first)) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    for (const port of portsOf(first)) expect(await isPortOpen(port), `port ${port}`).toBe(false);
    expect(readStackState(dir)).toBeUndefined();
  }, 180_000);
});
