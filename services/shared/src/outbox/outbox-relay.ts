import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import type { EventProducer, OutgoingEvent } from '../messaging/kafka.ts';
import { prunePublishedEvents } from './prune-published-events.ts';

export const RELAY_BATCH_SIZE = 200;
export const RELAY_POLL_INTERVAL_MS = 100;
/**
 * After publishing a partial batch, the relay lets this long pass before it claims again, so under
 * load events leave in batches (one transaction, one Kafka request, one commit for many) instead
 * of one claim cycle per commit; a lone event still leaves at once. Like Kafka's linger.ms: it
 * bounds the added delay of an event, not its throughput (bench/tuning-notes.md).
 */
export const RELAY_LINGER_MS = 15;
export const RELAY_ERROR_BACKOFF_MS = 1_000;
/** How often each relay prunes published events past their retention (prune-published-events.ts). */
export const RELAY_PRUNE_INTERVAL_MS = 10 * 60_000;

type OutboxRow = {
  seq: string;
  topic: string;
  event_key: string;
  payload: string;
  headers: Record<string, string>;
};

export type OutboxBacklog = { count: number; oldestAgeSeconds: number };

export type OutboxRelay = {
  start(): void;
  /** Wakes the relay now instead of at its next poll (after a local commit). */
  nudge(): void;
  /** Publishes what is pending, then stops. */
  stop(): Promise<void>;
  isRunning(): boolean;
  backlog(): Promise<OutboxBacklog>;
};

/**
 * Publishes outbox rows to Kafka. Rows are claimed with FOR UPDATE SKIP LOCKED inside a
 * transaction that stays open until Kafka acknowledged them, so several relays (one per
 * replica) never publish the same row concurrently, and a crash before the mark
 * leaves the rows for the next attempt (at-least-once; consumers dedupe by event id / key).
 */
export function createOutboxRelay(options: {
  pool: Pool;
  producer: EventProducer;
  onError?: (error: unknown) => void;
  onPublished?: (count: number) => void;
}): OutboxRelay {
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;

  async function publishBatch(): Promise<number> {
    return withTransaction(options.pool, async (client) => {
      // Named: each connection parses and plans the relay's two statements once, not per claim.
      const { rows } = await client.query<OutboxRow>({
        name: 'outbox-relay-claim',
        text: `SELECT seq::text, topic, event_key, payload::text AS payload, headers
                 FROM outbox
                WHERE published_at IS NULL
                ORDER BY seq
                LIMIT $1
                FOR UPDATE SKIP LOCKED`,
        values: [RELAY_BATCH_SIZE],
      });
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, OutgoingEvent[]>();
      for (const row of rows) {
        const events = byTopic.get(row.topic) ?? [];
        events.push({ key: row.event_key, value: row.payload, headers: row.headers });
        byTopic.set(row.topic, events);
      }
      for (const [topic, events] of byTopic) await options.producer.send(topic, events);
      await client.query({
        name: 'outbox-relay-mark',
        text: 'UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])',
        values: [rows.map((row) => row.seq)],
      });
      return rows.length;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      let published = 0;
      try {
        published = await publishBatch();
        if (published > 0) options.onPublished?.(published);
      } catch (error) {
        options.onError?.(error);
        await sleep(RELAY_ERROR_BACKOFF_MS);
        continue;
      }
      if (published === RELAY_BATCH_SIZE) continue;
      if (published > 0) {
        // What committed meanwhile is claimed next, without waiting for a nudge.
        await sleep(RELAY_LINGER_MS);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RELAY_POLL_INTERVAL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
      pruneTimer = setInterval(() => {
        prunePublishedEvents(options.pool).catch((error: unknown) => options.onError?.(error));
      }, RELAY_PRUNE_INTERVAL_MS);
      pruneTimer.unref();
    },
    nudge() {
      wake?.();
    },
    async stop() {
      if (!running) return;
      running = false;
      clearInterval(pruneTimer);
      wake?.();
      await loop;
      // One last pass so events committed just before shutdown leave with this process.
      try {
        while ((await publishBatch()) === RELAY_BATCH_SIZE) {}
      } catch (error) {
        options.onError?.(error);
      }
    },
    isRunning: () => running,
    async backlog() {
      const { rows } = await options.pool.query<{ count: string; age: string | null }>(
        `SELECT count(*)::text AS count,
                extract(epoch FROM now() - min(created_at))::text AS age
           FROM outbox WHERE published_at IS NULL`,
      );
      return { count: Number(rows[0]?.count ?? 0), oldestAgeSeconds: Number(rows[0]?.age ?? 0) };
    },
  };
}
