import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../db/pool.ts';
import type { EventProducer, OutgoingEvent } from '../messaging/kafka.ts';
import { withinTimeout } from '../within-timeout.ts';
import {
  claimOutboxRows,
  markOutboxRowsPublished,
  type OutboxRow,
  releaseOutboxRows,
} from './outbox-claims.ts';
import { prunePublishedEvents } from './prune-published-events.ts';

export const RELAY_BATCH_SIZE = 200;
export const RELAY_POLL_INTERVAL_MS = 100;
/**
 * After publishing a partial batch, the relay lets this long pass before it claims again, so under
 * load events leave in batches (one claim, one Kafka request, one mark for many) instead
 * of one claim cycle per commit; a lone event still leaves at once. Like Kafka's linger.ms: it
 * bounds the added delay of an event, not its throughput (bench/tuning-notes.md).
 */
export const RELAY_LINGER_MS = 15;
export const RELAY_ERROR_BACKOFF_MS = 1_000;
/**
 * How long a claim keeps other relays off its rows. Past it, rows whose relay died mid-send are
 * claimed and sent again by another. It must outlast any send that still runs: a send is cut
 * off at half the lease (RELAY_SEND_DEADLINE_SHARE), and kafka.ts bounds each of its sends at
 * KAFKA_SEND_TIMEOUT_MS (30 s) anyway.
 */
export const RELAY_LEASE_MS = 120_000;
/** The share of the lease a batch's sends may take before the relay gives up waiting on them. */
export const RELAY_SEND_DEADLINE_SHARE = 0.5;
/** How often each relay prunes published events past their retention (prune-published-events.ts). */
export const RELAY_PRUNE_INTERVAL_MS = 10 * 60_000;

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
 * Publishes outbox rows to Kafka in three steps, none of which holds a connection or a row lock
 * while Kafka is waited for (issue 12): claim a lease on the oldest due rows (one short
 * statement), send them with no transaction open, mark them published (another short statement,
 * only rows whose lease is still ours). Several relays (one per replica) never publish a row
 * concurrently: a leased row is nobody else's until its lease expires, which only a relay that
 * died or stalled mid-send lets happen; then another relay sends the rows again (at least once;
 * consumers dedupe by the event-id header). Within a batch, events go out in seq order, so a
 * key's events keep their commit order (one key, one partition).
 */
export function createOutboxRelay(options: {
  pool: Pool;
  producer: EventProducer;
  onError?: (error: unknown) => void;
  onPublished?: (count: number) => void;
  /** Default RELAY_LEASE_MS; tests shorten it. */
  leaseMs?: number;
  /** Names this relay's leases (claimed_by); default a fresh UUID per relay. */
  relayId?: string;
}): OutboxRelay {
  const relayId = options.relayId ?? randomUUID();
  const leaseMs = options.leaseMs ?? RELAY_LEASE_MS;
  const sendDeadlineMs = leaseMs * RELAY_SEND_DEADLINE_SHARE;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;

  async function publishBatch(): Promise<number> {
    const rows = await claimOutboxRows(options.pool, { relayId, batchSize: RELAY_BATCH_SIZE, leaseMs });
    if (rows.length === 0) return 0;
    const seqs = rows.map((row) => row.seq);
    const outcome = await sendBatch(options.producer, rows, sendDeadlineMs);
    if (outcome.kind === 'sent') {
      await markOutboxRowsPublished(options.pool, relayId, seqs);
      return rows.length;
    }
    // A send that failed is over: its rows may be claimed again at once (any part that landed is
    // sent again; consumers dedupe by event id). A stalled one may still land; its rows keep the
    // lease until it expires, so no other relay sends them meanwhile.
    if (outcome.kind === 'failed') await releaseOutboxRows(options.pool, relayId, seqs);
    throw outcome.error;
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

type SendOutcome = { kind: 'sent' } | { kind: 'failed' | 'stalled'; error: unknown };

/**
 * Sends the rows' events in one producer call: grouped by topic in order of first appearance,
 * each topic's in seq order, one Kafka request per broker for all of them (a claim of mixed
 * events used to cost one acknowledged round trip per topic, one after another). Past
 * `deadlineMs` the batch is reported stalled.
 */
async function sendBatch(
  producer: EventProducer,
  rows: OutboxRow[],
  deadlineMs: number,
): Promise<SendOutcome> {
  const byTopic = new Map<string, OutgoingEvent[]>();
  for (const row of rows) {
    const events = byTopic.get(row.topic) ?? [];
    events.push({ key: row.event_key, value: row.payload, headers: row.headers });
    byTopic.set(row.topic, events);
  }
  let settled = false;
  const sending = producer.sendAll([...byTopic].map(([topic, events]) => ({ topic, events }))).finally(() => {
    settled = true;
  });
  // A stalled send that fails later has nobody waiting for it; the stall is what is reported.
  sending.catch(() => {});
  try {
    await withinTimeout(sending, deadlineMs);
    return { kind: 'sent' };
  } catch (error) {
    return { kind: settled ? 'failed' : 'stalled', error };
  }
}
