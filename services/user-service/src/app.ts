import { isDatabaseUnavailable, isQueryCanceled } from '../../shared/src/db/database-errors.ts';
import { AppError } from '../../shared/src/errors.ts';
import { registerAccessControl } from '../../shared/src/http/access-control.ts';
import { createHttpApp, type HttpApp, type LogStream } from '../../shared/src/http/create-http-app.ts';
import { registerHealthRoutes } from '../../shared/src/http/health-routes.ts';
import { mapErrorsInScope } from '../../shared/src/http/map-errors.ts';
import { registerMetricsRoute } from '../../shared/src/http/metrics.ts';
import { databaseAnswers } from '../../shared/src/http/readiness.ts';
import { refreshServiceGauges } from '../../shared/src/http/service-gauges.ts';
import type { UserAppDeps } from './app-deps.ts';
import { registerCreateUserRoute } from './routes/create-user-route.ts';
import { allowEmptyJsonBody, registerGetBalanceRoute } from './routes/get-balance-route.ts';
import { registerUsersRoutes } from './routes/users-routes.ts';

export const USER_SERVICE_NAME = 'user-service';
export const USER_SERVICE_VERSION = '0.1.0';

/** Builds the HTTP app over ready dependencies; it does not listen (tests may `inject`). */
export async function buildUserApp(deps: UserAppDeps, logStream?: LogStream): Promise<HttpApp> {
  const app = await createHttpApp({
    name: USER_SERVICE_NAME,
    version: USER_SERVICE_VERSION,
    description: 'Users of the wallet platform; balances are asked from transactions-service over NATS.',
    logLevel: deps.config.LOG_LEVEL,
    slowRequestMs: deps.config.LOG_SLOW_REQUEST_MS,
    logStream,
  });
  await registerAccessControl(app, deps.config);
  registerMetricsRoute(app, deps.metrics, () => refreshServiceGauges(deps));
  registerHealthRoutes(app, {
    summary: 'Readiness: PostgreSQL and Kafka answer, NATS is connected, the outbox relay runs',
    probes: {
      database: () => databaseAnswers(deps.pool),
      kafka: () => deps.kafka.ping(),
      nats: () => deps.natsState.isConnected(),
      outbox_relay: () => deps.relay.isRunning(),
    },
  });

  await app.register(async (scope) => {
    const routes: HttpApp = scope;
    mapErrorsInScope(routes, toClientError);
    registerCreateUserRoute(routes, deps);
    registerUsersRoutes(routes, deps);
    await routes.register(async (balanceScope) => {
      allowEmptyJsonBody(balanceScope);
      registerGetBalanceRoute(balanceScope, deps);
    });
  });
  return app;
}

/** A database that is down or too slow is a 503 the client may retry, not a 500. */
function toClientError(error: unknown): unknown {
  if (isDatabaseUnavailable(error) || isQueryCanceled(error)) {
    return new AppError('DATABASE_UNAVAILABLE', 'the user database did not answer; retry shortly');
  }
  return error;
}
