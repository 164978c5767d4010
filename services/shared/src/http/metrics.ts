import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '../errors.ts';
import { withinTimeout } from '../within-timeout.ts';
import { singleFlight } from './single-flight.ts';

/**
 * Prometheus metrics of one service. Each service owns a registry (not the global one) so
 * several instances in one test process never collide.
 */
export type ServiceMetrics = {
  registry: Registry;
  moneyOperations: Counter<'operation' | 'result'>;
  natsRequestSeconds: Histogram<'subject' | 'result'>;
  natsHandledSeconds: Histogram<'subject' | 'result'>;
  outboxBacklog: Gauge;
  outboxOldestAgeSeconds: Gauge;
  consumerLag: Gauge<'topic'>;
  consumerRestarts: Counter;
  poolConnections: Gauge<'state'>;
};

const HTTP_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** A scrape answers within this even when a gauge's source (database, Kafka) hangs; stale gauges keep their value. */
export const METRICS_REFRESH_TIMEOUT_MS = 1_500;
/** Gauges read for one scrape serve the scrapes of the next second too (and a hung refresh is joined, not repeated). */
export const METRICS_REFRESH_REUSE_MS = 1_000;

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    moneyOperations: new Counter({
      name: 'wallet_money_operations_total',
      help: 'Money operations by kind and result (ok, replayed, or an error code)',
      labelNames: ['operation', 'result'],
      registers: [registry],
    }),
    natsRequestSeconds: new Histogram({
      name: 'wallet_nats_request_duration_seconds',
      help: 'NATS request-reply latency seen by the requester, by subject and result (ok, or why it failed)',
      labelNames: ['subject', 'result'],
      buckets: HTTP_BUCKETS_SECONDS,
      registers: [registry],
    }),
    natsHandledSeconds: new Histogram({
      name: 'wallet_nats_handled_duration_seconds',
      help: 'Time a NATS responder took to answer, by subject and result (ok, or the error code it replied)',
      labelNames: ['subject', 'result'],
      buckets: HTTP_BUCKETS_SECONDS,
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'wallet_outbox_backlog_events',
      help: 'Outbox events not yet published to Kafka',
      registers: [registry],
    }),
    outboxOldestAgeSeconds: new Gauge({
      name: 'wallet_outbox_oldest_event_age_seconds',
      help: 'Age of the oldest unpublished outbox event',
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'wallet_kafka_consumer_lag_messages',
      help: 'Messages behind the end of the topic for this service consumer group',
      labelNames: ['topic'],
      registers: [registry],
    }),
    consumerRestarts: new Counter({
      name: 'wallet_kafka_consumer_restarts_total',
      help: 'Times the Kafka consumer stopped (kafkajs gave up on it) and a fresh one was scheduled to start',
      registers: [registry],
    }),
    poolConnections: new Gauge({
      name: 'wallet_db_pool_connections',
      help: 'PostgreSQL pool connections by state',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}

/**
 * HTTP latency by route and status, and the /metrics endpoint. The metrics tell money operation
 * counts, outbox backlog and pool use, so they are for operator and reader tokens (Prometheus
 * sends one with `authorization.credentials_file`); without a token the answer is 401 before any
 * work. `refresh` updates gauges before a scrape; it runs at most once a second and never twice at
 * once, so scrapes hammered during a Kafka stall do not pile up work.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: ServiceMetrics,
  refresh: () => Promise<void>,
): void {
  const httpSeconds = new Histogram({
    name: 'wallet_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS_SECONDS,
    registers: [metrics.registry],
  });
  // A callback hook: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpSeconds.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  const refreshShared = singleFlight(refresh, { reuseMs: METRICS_REFRESH_REUSE_MS });
  const options = { schema: { hide: true }, config: { access: 'read' as const } };
  app.get('/metrics', options, async (request, reply) => {
    if (request.principal?.scope === 'user') {
      throw new AppError('FORBIDDEN', 'metrics are for operator and reader tokens');
    }
    await withinTimeout(refreshShared(), METRICS_REFRESH_TIMEOUT_MS).catch((error: unknown) =>
      request.log.warn({ err: error }, 'metrics gauges could not be refreshed; serving the last values'),
    );
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
