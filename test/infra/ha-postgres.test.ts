import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type HaPostgresState,
  haStatus,
  killPrimary,
  pausePrimary,
  restartNode,
  startHaPostgres,
  stopHaPostgres,
} from '../../scripts/stack/ha/index.ts';
import { withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { stopTestHaCluster } from '../support/index.ts';

/**
 * A real two-node Patroni cluster (etcd, PostgreSQL 15, HAProxy) in a temp dir of its own: a
 * primary is killed, then frozen, and the read-write URL must follow the leader without losing
 * an acknowledged commit and without two primaries taking writes.
 */

// Patroni's ttl is 10 s (patroni-config.ts): a failover takes ~10-15 s; a busy machine, more.
const failoverTimeoutMs = 90_000;
const rejoinTimeoutMs = 90_000;
// Past the ttl and the standby's promotion, with room for a slow machine.
const pauseMs = 25_000;
const attemptTimeoutMs = 3_000;
const writesBeforeFault = 100;
const writesAfterFault = 20;

type Writer = {
  acknowledged: number[];
  /** When each acknowledged write was sent (ms since epoch), by id. */
  sentAtMs: Map<number, number>;
  /** When each write was acknowledged, in order. */
  ackedAtMs: number[];
  stop: () => Promise<void>;
};

/**
 * Inserts rows one by one through `url`, each in its own autocommitted transaction, reconnecting
 * after any failure, as a service's pool would. A row counts as acknowledged only when its
 * INSERT returned: one cut off by the failover may or may not be there, and is not checked.
 */
function startWriter(url: string, firstId: number): Writer {
  const writer: Writer = { acknowledged: [], sentAtMs: new Map(), ackedAtMs: [], stop: async () => {} };
  let stopping = false;
  const loop = (async () => {
    let nextId = firstId;
    let client: pg.Client | undefined;
    while (!stopping) {
      const id = nextId;
      nextId += 1;
      const sentAtMs = Date.now();
      try {
        if (!client) {
          client = new pg.Client({
            connectionString: url,
            connectionTimeoutMillis: attemptTimeoutMs,
            query_timeout: attemptTimeoutMs,
          });
          client.on('error', () => {});
          await client.connect();
        }
        await client.query('insert into ha_probe (id) values ($1)', [id]);
        writer.acknowledged.push(id);
        writer.sentAtMs.set(id, sentAtMs);
        writer.ackedAtMs.push(Date.now());
      } catch {
        await client?.end().catch(() => {});
        client = undefined;
        await sleep(100);
      }
    }
    await client?.end().catch(() => {});
  })();
  writer.stop = async () => {
    stopping = true;
    await loop;
  };
  return writer;
}

async function waitForAcknowledged(writer: Writer, count: number, afterMs: number, timeoutMs: number) {
  await vi.waitFor(
    () => {
      const after = writer.acknowledged.filter((id) => (writer.sentAtMs.get(id) ?? 0) > afterMs);
      expect(after.length).toBeGreaterThanOrEqual(count);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

/**
 * How long writes were down: the longest time between two acknowledgments in a row (a write
 * takes a few ms, so outside a fault the gaps are tiny).
 */
function longestOutage(writer: Writer): { ms: number; endedAtMs: number } {
  let longest = { ms: 0, endedAtMs: 0 };
  for (let index = 1; index < writer.ackedAtMs.length; index += 1) {
    const ms = writer.ackedAtMs[index]! - writer.ackedAtMs[index - 1]!;
    if (ms > longest.ms) longest = { ms, endedAtMs: writer.ackedAtMs[index]! };
  }
  return longest;
}

async function storedIds(url: string): Promise<Set<number>> {
  const rows = await withPostgresClient(url, (client) =>
    client.query<{ id: string }>('select id from ha_probe'),
  );
  // bigint arrives as text.
  return new Set(rows.rows.map((row) => Number(row.id)));
}

function directUrl(state: HaPostgresState, nodeName: string): string {
  const node = state.nodes.find((candidate) => candidate.name === nodeName)!;
  const url = new URL(state.adminUrl);
  url.port = String(node.pgPort);
  return url.toString();
}

/** Every live process whose command line names `dir`: what a stop must leave none of. */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (commandLine.includes(dir)) found.push(`${entry}: ${commandLine}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('HA PostgreSQL: Patroni, etcd and HAProxy', () => {
  let dir: string;
  let state: HaPostgresState;
  const lines: string[] = [];
  const acknowledged = new Set<number>();
  let killed: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wallet-ha-test-'));
    state = await startHaPostgres({ dir, log: (line) => lines.push(line) });
    await withPostgresClient(state.adminUrl, (client) =>
      client.query('create table ha_probe (id bigint primary key)'),
    );
  }, 180_000);

  afterAll(async () => {
    await stopTestHaCluster(dir);
  }, 120_000);

  it('given the cluster, then its URLs go through HAProxy to the leader as user wallet, with a synchronous standby', async () => {
    // Then
    expect(state.managed).toBe(true);
    expect(new URL(state.adminUrl).port).toBe(String(state.port));
    const answers = await Promise.all(
      [state.databases.users, state.databases.transactions].map((url) =>
        withPostgresClient(url, async (client) => {
          const result = await client.query<{ database: string; role: string; standby: boolean }>(
            'select current_database() as database, current_user as role, pg_is_in_recovery() as standby',
          );
          return result.rows[0];
        }),
      ),
    );
    expect(answers).toEqual([
      { database: 'wallet_users', role: 'wallet', standby: false },
      { database: 'wallet_transactions', role: 'wallet', standby: false },
    ]);
    const status = await haStatus(dir);
    expect(status.leader).toBe('pg1');
    expect(status.nodes.map((node) => [node.name, node.role])).toEqual([
      ['pg1', 'leader'],
      ['pg2', 'sync_standby'],
    ]);
    expect(state.etcd.members).toHaveLength(3);
  });

  it('given writes through HAProxy, when the primary is SIGKILLed, then writes resume on the standby and every acknowledged row is there', async () => {
    // Given: a steady stream of committed rows
    const writer = startWriter(state.adminUrl, 1);
    await waitForAcknowledged(writer, writesBeforeFault, 0, 30_000);

    // When
    killed = await killPrimary(dir);
    const killedAtMs = Date.now();

    // Then: a write sent after the kill succeeds through the same URL
    await waitForAcknowledged(writer, writesAfterFault, killedAtMs, failoverTimeoutMs);
    await writer.stop();
    console.log(`[ha] SIGKILL of primary ${killed}: writes down for ${longestOutage(writer).ms} ms`);
    const status = await haStatus(dir);
    expect(status.leader).not.toBe(killed);

    // Then: synchronous replication: nothing the old primary acknowledged is missing
    const stored = await storedIds(state.adminUrl);
    const missing = writer.acknowledged.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    for (const id of writer.acknowledged) acknowledged.add(id);
  }, 150_000);

  it('given the killed node, when it is started again, then it rejoins as a standby with every row', async () => {
    // When
    const role = await restartNode(dir, killed, (line) => lines.push(line));

    // Then
    expect(['replica', 'sync_standby']).toContain(role);
    await vi.waitFor(
      async () => {
        const node = (await haStatus(dir)).nodes.find((candidate) => candidate.name === killed);
        expect(node?.role).toBe('sync_standby');
      },
      { timeout: rejoinTimeoutMs, interval: 500 },
    );
    const direct = directUrl(state, killed);
    const standby = await withPostgresClient(direct, (client) =>
      client.query<{ standby: boolean }>('select pg_is_in_recovery() as standby'),
    );
    expect(standby.rows[0]?.standby).toBe(true);
    await vi.waitFor(
      async () => {
        const stored = await storedIds(direct);
        expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
      },
      { timeout: 30_000, interval: 500 },
    );
  }, 150_000);

  it('given a primary frozen past its ttl, when it wakes, then it takes no write and rejoins as a standby: no split brain', async () => {
    // Given
    const writer = startWriter(state.adminUrl, 1_000_000);
    await waitForAcknowledged(writer, writesBeforeFault, 0, 30_000);

    // When: SIGSTOP of the leader's Patroni and PostgreSQL, SIGCONT after the pause
    const frozen = await pausePrimary(dir, pauseMs);
    const resumedAtMs = Date.now();

    // Then: its standby took over while it was frozen
    const outage = longestOutage(writer);
    console.log(`[ha] SIGSTOP of primary ${frozen}: writes down for ${outage.ms} ms`);
    expect(outage.endedAtMs).toBeLessThan(resumedAtMs);
    expect((await haStatus(dir)).leader).not.toBe(frozen);

    // Then: the woken node does not acknowledge a write, even one sent to it directly
    const direct = directUrl(state, frozen);
    const splitBrainWrite = withPostgresClient(direct, async (client) => {
      await client.query('set statement_timeout = 0');
      await client.query('insert into ha_probe (id) values (-1)');
    });
    const outcome = await Promise.race([
      splitBrainWrite.then(
        () => 'acknowledged',
        (error: Error) => `refused: ${error.message}`,
      ),
      sleep(15_000).then(() => 'not acknowledged within 15 s'),
    ]);
    console.log(`[ha] a write sent straight to the woken ${frozen}: ${outcome}`);
    expect(outcome).not.toBe('acknowledged');

    // Then: it comes back as a standby (pg_rewind onto the new timeline) and refuses writes
    await vi.waitFor(
      async () => {
        const node = (await haStatus(dir)).nodes.find((candidate) => candidate.name === frozen);
        expect(node?.role).toBe('sync_standby');
      },
      { timeout: rejoinTimeoutMs, interval: 500 },
    );
    const inRecovery = await withPostgresClient(direct, (client) =>
      client.query<{ standby: boolean }>('select pg_is_in_recovery() as standby'),
    );
    expect(inRecovery.rows[0]?.standby).toBe(true);
    await expect(
      withPostgresClient(direct, (client) => client.query('insert into ha_probe (id) values (-2)')),
    ).rejects.toThrow(/read-only transaction/);

    // Then: every write the cluster acknowledged is on the leader, the woken node's is not
    await writer.stop();
    const stored = await storedIds(state.adminUrl);
    expect(writer.acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.has(-1)).toBe(false);
  }, 150_000);

  it('given the cluster, when it is stopped, then none of its processes is left', async () => {
    // When
    await stopHaPostgres(dir);

    // Then
    expect(processesUnder(dir)).toEqual([]);
  }, 120_000);
});
