import type { Pool } from '../../shared/src/db/pool.ts';
import type { ServiceMetrics } from '../../shared/src/http/metrics.ts';
import type { KafkaClient } from '../../shared/src/messaging/kafka.ts';
import type { NatsConnection } from '../../shared/src/messaging/nats.ts';
import type { NatsConnectionState } from '../../shared/src/messaging/nats-connection-state.ts';
import type { OutboxRelay } from '../../shared/src/outbox/outbox-relay.ts';
import type { UserConfig } from './config.ts';

/** Everything the HTTP app uses, made by service.ts (or by a test). */
export type UserAppDeps = {
  config: UserConfig;
  pool: Pool;
  kafka: KafkaClient;
  nc: NatsConnection;
  natsState: NatsConnectionState;
  relay: OutboxRelay;
  metrics: ServiceMetrics;
};
