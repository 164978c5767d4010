import { registerAccessControl } from '../../shared/src/http/access-control.ts';
import { createHttpApp, type HttpApp, type LogStream } from '../../shared/src/http/create-http-app.ts';
import { registerHealthRoutes } from '../../shared/src/http/health-routes.ts';
import { mapErrorsInScope } from '../../shared/src/http/map-errors.ts';
import { registerMetricsRoute } from '../../shared/src/http/metrics.ts';
import type { TransactionsConfig } from './config.ts';
import { toClientError } from './database-errors.ts';
import { registerAddMoneyRoute } from './routes/add-money-route.ts';
import { registerAuditRoute } from './routes/audit-route.ts';
import { registerHoldRoutes } from './routes/hold-routes.ts';
import { registerListTransactionsRoute } from './routes/list-transactions-route.ts';
import { registerReversalRoutes } from './routes/reversal-routes.ts';
import type { RouteDeps } from './routes/route-deps.ts';
import { registerStatementRoutes } from './routes/statement-routes.ts';
import { registerTransferMoneyRoute } from './routes/transfer-money-route.ts';
import { registerWalletRoutes } from './routes/wallet-routes.ts';
import { registerWalletStatusRoutes } from './routes/wallet-status-routes.ts';
import { registerWithdrawMoneyRoute } from './routes/withdraw-money-route.ts';

export const SERVICE_NAME = 'transactions-service';
export const SERVICE_VERSION = '0.1.0';

export type TransactionsAppDeps = RouteDeps & {
  config: TransactionsConfig;
  logStream?: LogStream | undefined;
  /** Updates the gauges (outbox, pool, consumer lag) just before /metrics answers. */
  refreshGauges: () => Promise<void>;
};

/** The HTTP app with every route; it does not listen (the service or a test decides that). */
export async function buildTransactionsApp(deps: TransactionsAppDeps): Promise<HttpApp> {
  const app = await createHttpApp({
    name: SERVICE_NAME,
    version: SERVICE_VERSION,
    description:
      'Wallets and exact money movements: deposits, withdrawals, transfers, holds, reversals, history.',
    logLevel: deps.config.LOG_LEVEL,
    slowRequestMs: deps.config.LOG_SLOW_REQUEST_MS,
    logStream: deps.logStream,
  });
  await registerAccessControl(app, deps.config);
  registerMetricsRoute(app, deps.metrics, deps.refreshGauges);
  registerHealthRoutes(app, {
    summary: 'Readiness: PostgreSQL, Kafka, NATS, the user-created consumer and the outbox relay all work',
    probes: deps.readinessProbes,
  });
  await app.register(async (scope) => {
    const routes: HttpApp = scope;
    mapErrorsInScope(routes, toClientError);
    registerAddMoneyRoute(routes, deps);
    registerTransferMoneyRoute(routes, deps);
    registerWithdrawMoneyRoute(routes, deps);
    registerHoldRoutes(routes, deps);
    registerReversalRoutes(routes, deps);
    registerListTransactionsRoute(routes, deps);
    registerWalletRoutes(routes, deps);
    registerWalletStatusRoutes(routes, deps);
    registerAuditRoute(routes, deps);
    registerStatementRoutes(routes, deps);
  });
  return app;
}
