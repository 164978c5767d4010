import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type HaPostgresState,
  haStatus,
  killEtcdMember,
  restartEtcdMember,
  restartNode,
  startHaPostgres,
} from '../../scripts/stack/ha/index.ts';
import { stopPatroniNode } from '../../scripts/stack/ha/patroni.ts';
import { withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { stopTestHaCluster } from '../support/index.ts';

/**
 * The bad cases of a two-node Patroni cluster (issue 16), each on the real engines: the standby
 * gone, etcd without its quorum, both PostgreSQL nodes gone. In each, nothing acknowledged may be
 * lost, and the cluster must come back by itself once the parts return, with no manual step.
 */

const attemptTimeoutMs = 3_000;
const recoveryTimeoutMs = 90_000;
/** Longer than Patroni's ttl (10 s, patroni-config.ts), so the leader key has expired. */
const ETCD_OUTAGE_MS = 15_000;

/** One autocommitted INSERT on a fresh connection through HAProxy: true when it was acknowledged. */
async function tryWrite(url: string, id: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: attemptTimeoutMs,
    query_timeout: attemptTimeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('insert into ha_probe (id) values ($1)', [id]);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('HA PostgreSQL: the bad cases', () => {
  let dir: string;
  let state: HaPostgresState;
  let nextId = 1;
  const acknowledged: number[] = [];

  /** Writes until `count` are acknowledged or the time is up; returns how many were. */
  async function write(count: number, timeoutMs: number): Promise<number> {
    const deadlineMs = Date.now() + timeoutMs;
    let done = 0;
    while (done < count && Date.now() < deadlineMs) {
      const id = nextId++;
      if (await tryWrite(state.adminUrl, id)) {
        acknowledged.push(id);
        done += 1;
      } else {
        await sleep(200);
      }
    }
    return done;
  }

  async function expectNothingLost(): Promise<void> {
    const rows = await withPostgresClient(state.adminUrl, (client) =>
      client.query<{ id: string }>('select id from ha_probe'),
    );
    const stored = new Set(rows.rows.map((row) => Number(row.id)));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }

  async function waitForSyncStandby(): Promise<void> {
    await vi.waitFor(
      async () => {
        const roles = (await haStatus(dir)).nodes.map((node) => node.role).sort();
        expect(roles).toEqual(['leader', 'sync_standby']);
      },
      { timeout: recoveryTimeoutMs, interval: 500 },
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-ha-bad-'));
    state = await startHaPostgres({ dir, log: () => {} });
    await withPostgresClient(state.adminUrl, (client) =>
      client.query('create table ha_probe (id bigint primary key)'),
    );
    expect(await write(10, 30_000)).toBe(10);
  }, 180_000);

  afterAll(async () => {
    await stopTestHaCluster(dir);
  }, 120_000);

  it('given the standby stopped, then the primary goes on alone (non-strict synchronous mode), and the standby catches up when it returns', async () => {
    // Given
    const standby = (await haStatus(dir)).nodes.find((node) => node.role === 'sync_standby')!.name;

    // When
    await stopPatroniNode(dir, standby);

    // Then: payments do not stop for a lost standby (the choice documented in patroni-config.ts)
    expect(await write(20, 30_000)).toBe(20);

    // When it returns, then it is the synchronous standby again, with every row
    await restartNode(dir, standby);
    await waitForSyncStandby();
    await expectNothingLost();
  }, 180_000);

  it('given two of three etcd members killed (no quorum) past the ttl, then the primary keeps taking writes (failsafe mode), and the cluster is whole again once etcd is back', async () => {
    // When
    await killEtcdMember(dir, 0);
    await killEtcdMember(dir, 1);
    // Past the ttl (10 s), the leader key could not be renewed: without failsafe mode Patroni
    // would demote the primary now. Its failsafe mode keeps a primary that still reaches every
    // other member, so payments go on through an etcd outage.
    await sleep(ETCD_OUTAGE_MS);
    const duringLoss = await write(5, 15_000);
    console.log(
      `[ha] etcd without quorum for ${ETCD_OUTAGE_MS / 1000} s: ${duringLoss} of 5 writes acknowledged`,
    );
    expect(duringLoss).toBe(5);
    expect((await haStatus(dir)).leader).toBeDefined();

    // Then
    await restartEtcdMember(dir, 0);
    await restartEtcdMember(dir, 1);
    expect(await write(10, recoveryTimeoutMs)).toBe(10);
    await waitForSyncStandby();
    await expectNothingLost();
  }, 240_000);

  it('given both PostgreSQL nodes stopped, then no write is acknowledged, and writes resume by themselves once the nodes are started again', async () => {
    // Given
    const nodes = (await haStatus(dir)).nodes.map((node) => node.name);

    // When
    await Promise.all(nodes.map((name) => stopPatroniNode(dir, name)));

    // Then
    expect(await write(1, 5_000)).toBe(0);

    // When the nodes come back (as an init system would restart them), then the same URL
    // takes writes again with no other step
    await Promise.all(nodes.map((name) => restartNode(dir, name)));
    expect(await write(10, recoveryTimeoutMs)).toBe(10);
    await waitForSyncStandby();
    await expectNothingLost();
  }, 240_000);
});
