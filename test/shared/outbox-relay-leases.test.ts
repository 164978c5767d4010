import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../services/shared/src/db/pool.ts';
import {
  createKafka,
  type EventProducer,
  type KafkaClient,
  type OutgoingEvent,
} from '../../services/shared/src/messaging/kafka.ts';
import { claimOutboxRows, markOutboxRowsPublished } from '../../services/shared/src/outbox/outbox-claims.ts';
import { createOutboxRelay, type OutboxRelay } from '../../services/shared/src/outbox/outbox-relay.ts';
import { OUTBOX_LEASE_SQL, OUTBOX_TABLE_SQL } from '../../services/shared/src/outbox/outbox-sql.ts';
import {
  collectTopic,
  createTestDatabase,
  getStack,
  type TestDatabase,
  uniqueNamespace,
  waitFor,
  withDatabase,
} from '../support/index.ts';

/** The relay under test connects as this, so pg_stat_activity tells its sessions apart. */
const RELAY_APPLICATION_NAME = 'outbox-relay-under-test';
const KEYS_COUNT = 7;
const CONCURRENT_BATCHES = 6;
const ROWS_PER_BATCH = 100;
const ONE_HOUR_MS = 3_600_000;
/** Topics whose events one claim mixes. */
const MIXED_TOPICS = ['mixed-a', 'mixed-b', 'mixed-c'];

/** Every Kafka send a relay made, in order: which event ids, and each event's payload `i`. */
type SendLog = { topic: string; events: OutgoingEvent[] }[];

/** The real producer, recording each topic's events once Kafka acknowledged them. */
function recording(producer: EventProducer, log: SendLog): EventProducer {
  const sendAll: EventProducer['sendAll'] = async (batches) => {
    await producer.sendAll(batches);
    log.push(...batches);
  };
  return {
    send: (topic, events) => sendAll([{ topic, events }]),
    sendAll,
    disconnect: () => producer.disconnect(),
  };
}

/** The real producer behind a gate: a send waits until `open()`, as it does while kafkajs retries. */
function gated(producer: EventProducer): { producer: EventProducer; entered: Promise<void>; open(): void } {
  let enter = () => {};
  let open = () => {};
  const entered = new Promise<void>((resolve) => {
    enter = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    producer: {
      async send(topic, events) {
        enter();
        await opened;
        await producer.send(topic, events);
      },
      async sendAll(batches) {
        enter();
        await opened;
        await producer.sendAll(batches);
      },
      disconnect: () => producer.disconnect(),
    },
    entered,
    open,
  };
}

/** Payload `i` of the last row enqueued: it grows with seq, across inserts. */
let enqueuedCount = 0;

async function enqueue(pool: Pool, topic: string, count: number): Promise<void> {
  // One insert, rows in order of i; the key spreads rows over KEYS_COUNT keys.
  await pool.query(
    `INSERT INTO outbox (event_id, topic, event_key, payload, headers)
     SELECT id, $1::text, 'key-' || (i % $3::int), jsonb_build_object('i', $4::int + i),
            jsonb_build_object('event-id', id::text)
       FROM (SELECT gen_random_uuid() AS id, i FROM generate_series(1, $2::int) AS i) AS s
      ORDER BY i`,
    [topic, count, KEYS_COUNT, enqueuedCount],
  );
  enqueuedCount += count;
}

async function unpublishedCount(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(
    'SELECT count(*)::text AS count FROM outbox WHERE published_at IS NULL',
  );
  return Number(rows[0]?.count);
}

function eventIds(log: SendLog): string[] {
  return log.flatMap((send) => send.events.map((event) => event.headers['event-id'] ?? ''));
}

describe('outbox relay leases', () => {
  const namespace = uniqueNamespace();
  let database: TestDatabase;
  let pool: Pool;
  let kafka: KafkaClient;
  const producers: EventProducer[] = [];
  const relays: OutboxRelay[] = [];

  async function producer(): Promise<EventProducer> {
    const created = await kafka.createProducer();
    producers.push(created);
    return created;
  }

  function relay(options: Parameters<typeof createOutboxRelay>[0]): OutboxRelay {
    const created = createOutboxRelay(options);
    relays.push(created);
    return created;
  }

  beforeAll(async () => {
    database = await createTestDatabase('outbox_relay_leases');
    pool = createPool({ connectionString: database.url, applicationName: 'outbox-relay-test' });
    await pool.query(OUTBOX_TABLE_SQL);
    await pool.query(OUTBOX_LEASE_SQL);
    kafka = createKafka({ brokers: getStack().kafka.brokers, clientId: 'outbox-relay-leases-test' });
    await kafka.ensureTopics(
      ['stalled', 'concurrent', 'expired', 'failed', ...MIXED_TOPICS].map((name) => ({
        topic: `${namespace}.${name}`,
      })),
    );
  });

  // Every test's relays stop before the next test: they share the outbox.
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((started) => started.stop()));
  });

  afterAll(async () => {
    await Promise.all(producers.map((created) => created.disconnect().catch(() => {})));
    await pool?.end();
    await database?.drop();
  });

  it('Given each service migration, When read, Then it adds exactly the shared lease columns', () => {
    for (const file of [
      'services/transactions-service/migrations/009-outbox-leases.sql',
      'services/user-service/migrations/004-outbox-leases.sql',
    ]) {
      expect(readFileSync(file, 'utf8')).toContain(OUTBOX_LEASE_SQL.trim());
    }
  });

  it('Given Kafka stalls a send, When the relay waits for it, Then it holds no connection, no transaction and no row lock, and publishes once Kafka answers', async () => {
    // Given
    const topic = `${namespace}.stalled`;
    await enqueue(pool, topic, 3);
    const relayPool = createPool({ connectionString: database.url, applicationName: RELAY_APPLICATION_NAME });
    const gate = gated(await producer());
    const stalled = relay({ pool: relayPool, producer: gate.producer });
    const reader = await collectTopic(topic);
    try {
      // When
      stalled.start();
      await gate.entered;

      // Then: every connection of the relay's pool is back in it, and none sits in a transaction
      expect(relayPool.idleCount).toBe(relayPool.totalCount);
      const inTransaction = await withDatabase(database.url, async (client) => {
        const { rows } = await client.query<{ count: string }>(
          `SELECT count(*)::text AS count FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1::text
              AND state <> 'idle'`,
          [RELAY_APPLICATION_NAME],
        );
        return Number(rows[0]?.count);
      });
      expect(inTransaction).toBe(0);
      // … and another session can lock every row at once: nothing holds them
      const lockedByOthers = await withDatabase(database.url, async (client) => {
        await client.query('BEGIN');
        const { rows } = await client.query('SELECT seq FROM outbox FOR UPDATE NOWAIT');
        await client.query('ROLLBACK');
        return rows.length;
      });
      expect(lockedByOthers).toBe(3);
      const { rows: leased } = await pool.query<{ leased: boolean }>(
        'SELECT claimed_until > now() AS leased FROM outbox WHERE published_at IS NULL',
      );
      expect(leased.map((row) => row.leased)).toEqual([true, true, true]);

      // When Kafka answers, Then the rows are published, once each
      gate.open();
      await waitFor('rows published', async () => ((await unpublishedCount(pool)) === 0 ? true : undefined));
      await waitFor('events on Kafka', () => (reader.events.length >= 3 ? true : undefined));
      expect(new Set(reader.events.map((event) => event.headers['event-id'])).size).toBe(3);
    } finally {
      gate.open();
      await stalled.stop();
      await relayPool.end();
      await reader.stop();
    }
  });

  it('Given two relays on one outbox, When rows arrive while both run, Then each row is sent exactly once and each relay sends a key in seq order', async () => {
    // Given
    const topic = `${namespace}.concurrent`;
    const logs: SendLog[] = [[], []];
    const both = await Promise.all(
      logs.map(async (log) => relay({ pool, producer: recording(await producer(), log) })),
    );
    for (const started of both) started.start();

    // When
    for (let batch = 0; batch < CONCURRENT_BATCHES; batch++) {
      await enqueue(pool, topic, ROWS_PER_BATCH);
      for (const started of both) started.nudge();
    }
    await waitFor('rows published', async () => ((await unpublishedCount(pool)) === 0 ? true : undefined));

    // Then
    const sent = logs.flatMap(eventIds);
    expect(sent).toHaveLength(CONCURRENT_BATCHES * ROWS_PER_BATCH);
    expect(new Set(sent).size).toBe(sent.length);
    for (const log of logs) {
      const lastByKey = new Map<string, number>();
      for (const event of log.flatMap((send) => send.events)) {
        const position = (JSON.parse(event.value) as { i: number }).i;
        expect(position).toBeGreaterThan(lastByKey.get(event.key) ?? 0);
        lastByKey.set(event.key, position);
      }
    }
  });

  it('Given rows leased by a relay that died mid-send, When the lease has not expired, Then no other relay sends them; When it expires, Then another relay sends them once', async () => {
    // Given: a relay claimed two rows and died; a live relay runs
    const topic = `${namespace}.expired`;
    await enqueue(pool, topic, 2);
    const orphaned = await claimOutboxRows(pool, {
      relayId: 'dead-relay',
      batchSize: 10,
      leaseMs: ONE_HOUR_MS,
    });
    expect(orphaned).toHaveLength(2);
    const log: SendLog = [];
    const live = relay({ pool, producer: recording(await producer(), log), relayId: 'live-relay' });
    live.start();

    // When a new row arrives while the dead relay's lease runs
    await enqueue(pool, topic, 1);
    live.nudge();
    await waitFor('the new row published', async () =>
      (await unpublishedCount(pool)) === 2 ? true : undefined,
    );

    // Then only the new row was sent
    expect(eventIds(log)).toHaveLength(1);
    expect(eventIds(log)).not.toContain(orphaned[0]?.headers['event-id']);

    // When the lease expires (moved into the past: the database's clock judges leases)
    await pool.query(
      "UPDATE outbox SET claimed_until = now() - interval '1 second' WHERE claimed_by = 'dead-relay'",
    );
    live.nudge();
    await waitFor('the orphaned rows published', async () =>
      (await unpublishedCount(pool)) === 0 ? true : undefined,
    );

    // Then the live relay sent them, once each, and a late mark by the dead relay changes nothing
    const orphanedIds = orphaned.map((row) => row.headers['event-id']);
    expect(eventIds(log).filter((id) => orphanedIds.includes(id))).toHaveLength(2);
    expect(
      await markOutboxRowsPublished(
        pool,
        'dead-relay',
        orphaned.map((row) => row.seq),
      ),
    ).toBe(0);
    const { rows } = await pool.query<{ claimed_by: string }>(
      'SELECT DISTINCT claimed_by FROM outbox WHERE seq = ANY($1::bigint[])',
      [orphaned.map((row) => row.seq)],
    );
    expect(rows).toEqual([{ claimed_by: 'live-relay' }]);
  });

  it('Given a claim taken over after its lease expired, When the first relay marks late, Then the rows stay unpublished for the new holder', async () => {
    // Given
    const topic = `${namespace}.expired`;
    await enqueue(pool, topic, 1);
    const first = await claimOutboxRows(pool, { relayId: 'slow-relay', batchSize: 10, leaseMs: ONE_HOUR_MS });
    await pool.query(
      "UPDATE outbox SET claimed_until = now() - interval '1 second' WHERE claimed_by = 'slow-relay'",
    );
    const second = await claimOutboxRows(pool, {
      relayId: 'new-holder',
      batchSize: 10,
      leaseMs: ONE_HOUR_MS,
    });
    expect(second.map((row) => row.seq)).toEqual(first.map((row) => row.seq));

    // When
    const marked = await markOutboxRowsPublished(
      pool,
      'slow-relay',
      first.map((row) => row.seq),
    );

    // Then
    expect(marked).toBe(0);
    expect(await unpublishedCount(pool)).toBe(1);
    expect(
      await markOutboxRowsPublished(
        pool,
        'new-holder',
        second.map((row) => row.seq),
      ),
    ).toBe(1);
  });

  it('Given a send that fails, When the relay retries, Then it sends the rows again without waiting for its lease to expire', async () => {
    // Given: a lease of an hour, and Kafka refusing the first send
    const topic = `${namespace}.failed`;
    await enqueue(pool, topic, 2);
    const log: SendLog = [];
    const real = recording(await producer(), log);
    let refusals = 0;
    const refusingOnce: EventProducer = {
      send: (sendTopic, events) => refusingOnce.sendAll([{ topic: sendTopic, events }]),
      async sendAll(batches) {
        if (refusals === 0) {
          refusals += 1;
          throw new Error('refused by the test: Kafka unavailable');
        }
        await real.sendAll(batches);
      },
      disconnect: () => real.disconnect(),
    };
    const errors: unknown[] = [];
    const retrying = relay({
      pool,
      producer: refusingOnce,
      leaseMs: ONE_HOUR_MS,
      onError: (error) => errors.push(error),
    });

    // When
    retrying.start();
    await waitFor('rows published', async () => ((await unpublishedCount(pool)) === 0 ? true : undefined));

    // Then
    expect(errors).toHaveLength(1);
    expect(eventIds(log)).toHaveLength(2);
  });
  it('Given due rows of three topics, When the relay sends them, Then one producer call carries all three, each topic in seq order', async () => {
    // Given: rows of the three topics interleaved, nothing else due
    expect(await unpublishedCount(pool)).toBe(0);
    const topics = MIXED_TOPICS.map((name) => `${namespace}.${name}`);
    for (const topic of [...topics, ...topics]) await enqueue(pool, topic, 2);
    const log: SendLog = [];
    const real = recording(await producer(), log);
    const calls: string[][] = [];
    const counting: EventProducer = {
      ...real,
      async sendAll(batches) {
        calls.push(batches.map((batch) => batch.topic));
        await real.sendAll(batches);
      },
    };
    const mixed = relay({ pool, producer: counting });

    // When
    mixed.start();
    await waitFor('rows published', async () => ((await unpublishedCount(pool)) === 0 ? true : undefined));

    // Then
    expect(calls).toEqual([topics]);
    for (const topic of topics) {
      const order = log
        .filter((send) => send.topic === topic)
        .flatMap((send) => send.events.map((event) => (JSON.parse(event.value) as { i: number }).i));
      expect(order).toHaveLength(4);
      expect(order).toEqual([...order].sort((left, right) => left - right));
    }
  });
});
