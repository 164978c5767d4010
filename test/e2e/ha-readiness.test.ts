import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HaPostgresState, killPrimary, startHaPostgres } from '../../scripts/stack/ha/index.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import { startTestTransactionsService, stopTestHaCluster, uniqueNamespace } from '../support/index.ts';

/**
 * A transactions-service on HA PostgreSQL (Patroni behind HAProxy) through a failover: its
 * readiness turns red while no primary takes connections and green again once the standby leads,
 * with the same process and pool: dead connections are dropped and new ones go through HAProxy
 * to the new primary, with no restart.
 */

// Patroni's ttl is 10 s: a failover takes ~10-15 s, more on a busy machine.
const failoverTimeoutMs = 90_000;

type Readiness = { status: number; failing: string[] };

async function readiness(url: string): Promise<Readiness> {
  try {
    const response = await request(`${url}/readyz`, { signal: AbortSignal.timeout(3_000) });
    const body = (await response.body.json()) as { failing?: string[] };
    return { status: response.statusCode, failing: body.failing ?? [] };
  } catch {
    return { status: 0, failing: ['no answer'] };
  }
}

describe('transactions-service on HA PostgreSQL', () => {
  let dir: string;
  let ha: HaPostgresState;
  let service: RunningTransactionsService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-ha-readiness-'));
    ha = await startHaPostgres({ dir, log: () => {} });
    service = await startTestTransactionsService(ha.databases.transactions, uniqueNamespace());
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await stopTestHaCluster(dir);
  }, 120_000);

  it(
    'given it is ready, when the primary is SIGKILLed, then /readyz names the database failing, then turns green by itself on the new primary',
    async () => {
      // Given
      await vi.waitFor(async () => expect((await readiness(service.url)).status).toBe(200), {
        timeout: 60_000,
        interval: 250,
      });

      // When
      await killPrimary(dir);

      // Then: red, with the database as the cause
      await vi.waitFor(
        async () => {
          const now = await readiness(service.url);
          expect(now.status).toBe(503);
          expect(now.failing).toContain('database');
        },
        { timeout: failoverTimeoutMs, interval: 200 },
      );

      // Then: green again, same process, once Patroni promoted the standby and HAProxy moved
      await vi.waitFor(async () => expect((await readiness(service.url)).status).toBe(200), {
        timeout: failoverTimeoutMs,
        interval: 250,
      });
    },
    2 * failoverTimeoutMs + 30_000,
  );
});
