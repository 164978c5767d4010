import type { Pool } from '../../../shared/src/db/pool.ts';
import type { ServiceMetrics } from '../../../shared/src/http/metrics.ts';
import type { ReadinessProbes } from '../../../shared/src/http/readiness.ts';
import type { FindUserIdByEmail } from '../messaging/user-by-email-client.ts';

/** What the routes need from the running service. */
export type RouteDeps = {
  pool: Pool;
  namespace: string;
  metrics: ServiceMetrics;
  /** Called after a money command committed: wakes the outbox relay so events leave at once. */
  onCommitted: () => void;
  readinessProbes: ReadinessProbes;
  /** A transfer by `to_email` asks user-service whom the email names; without it, 503. */
  findUserIdByEmail?: FindUserIdByEmail | undefined;
};
