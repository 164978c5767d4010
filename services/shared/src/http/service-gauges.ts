import type { Pool } from '../db/pool.ts';
import type { EventConsumer } from '../messaging/kafka.ts';
import type { OutboxRelay } from '../outbox/outbox-relay.ts';
import { withinTimeout } from '../within-timeout.ts';
import type { ServiceMetrics } from './metrics.ts';

/** Asking Kafka for the group's offsets takes a round trip or two; a scrape does not wait longer. */
export const CONSUMER_LAG_TIMEOUT_MS = 1_000;

/**
 * Reads what the gauges show, just before a scrape: outbox backlog and age, pool usage and the
 * consumer's lag (for a service that consumes). Each part is independent, so a slow Kafka does not hide the outbox.
 */
export async function refreshServiceGauges(parts: {
  metrics: ServiceMetrics;
  pool: Pool;
  relay: OutboxRelay;
  consumer?: Pick<EventConsumer, 'lag'> | undefined;
}): Promise<void> {
  const { metrics, pool, relay, consumer } = parts;
  metrics.poolConnections.set({ state: 'total' }, pool.totalCount);
  metrics.poolConnections.set({ state: 'idle' }, pool.idleCount);
  metrics.poolConnections.set({ state: 'waiting' }, pool.waitingCount);
  const results = await Promise.allSettled([
    relay.backlog().then((backlog) => {
      metrics.outboxBacklog.set(backlog.count);
      metrics.outboxOldestAgeSeconds.set(backlog.oldestAgeSeconds);
    }),
    consumer
      ? withinTimeout(consumer.lag(), CONSUMER_LAG_TIMEOUT_MS).then((lagByTopic) => {
          for (const [topic, lag] of Object.entries(lagByTopic)) metrics.consumerLag.set({ topic }, lag);
        })
      : Promise.resolve(),
  ]);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
