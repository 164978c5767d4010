import { isConnectionError } from '../../shared/src/db/transaction.ts';
import { AppError } from '../../shared/src/errors.ts';
import { registerAccessControl } from '../../shared/src/http/access-control.ts';
import { createHttpApp, type HttpApp, type LogStream } from '../../shared/src/http/create-http-app.ts';
import { registerMetricsRoute } from '../../shared/src/http/metrics.ts';
import { refreshServiceGauges } from '../../shared/src/http/service-gauges.ts';
import type { UserAppDeps } from './app-deps.ts';
import { registerCreateUserRoute } from './routes/create-user-route.ts';
import { allowEmptyJsonBody, registerGetBalanceRoute } from './routes/get-balance-route.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerUsersRoutes } from './routes/users-routes.ts';

export const USER_SERVICE_NAME = 'user-service';
export const USER_SERVICE_VERSION = '0.1.0';

/** SQLSTATE 57014: a statement ran past STATEMENT_TIMEOUT_MS; the database, not the client, is at fault. */
const QUERY_CANCELED = '57014';

/** Builds the HTTP app over ready dependencies; it does not listen (tests may `inject`). */
export async function buildUserApp(deps: UserAppDeps, logStream?: LogStream): Promise<HttpApp> {
  const app = await createHttpApp({
    name: USER_SERVICE_NAME,
    version: USER_SERVICE_VERSION,
    description: 'Users of the wallet platform; balances are asked from transactions-service over NATS.',
    logLevel: deps.config.LOG_LEVEL,
    logStream,
  });
  await registerAccessControl(app, deps.config);
  registerMetricsRoute(app, deps.metrics, () => refreshServiceGauges(deps));
  registerHealthRoutes(app, deps);

  await app.register(async (scope) => {
    // Only this scope's handler runs first; what it rethrows reaches the shared problem handler.
    scope.setErrorHandler((error) => {
      throw isDatabaseUnavailable(error)
        ? new AppError('DATABASE_UNAVAILABLE', 'the user database did not answer; retry shortly')
        : error;
    });
    const routes: HttpApp = scope;
    registerCreateUserRoute(routes, deps);
    registerUsersRoutes(routes, deps);
    await routes.register(async (balanceScope) => {
      allowEmptyJsonBody(balanceScope);
      registerGetBalanceRoute(balanceScope, deps);
    });
  });
  return app;
}

function isDatabaseUnavailable(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  if ((error as { code?: unknown }).code === QUERY_CANCELED) return true;
  // pg's pool says so in words only when no connection frees up in time.
  return (
    error instanceof Error &&
    /timeout exceeded when trying to connect|Connection terminated/i.test(error.message)
  );
}
