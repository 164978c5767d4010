import { z } from 'zod';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { registerLivenessRoute } from '../../../shared/src/http/liveness-route.ts';
import { checkReadiness, databaseAnswers } from '../../../shared/src/http/readiness.ts';
import type { UserAppDeps } from '../app-deps.ts';

export function registerHealthRoutes(app: HttpApp, deps: UserAppDeps): void {
  registerLivenessRoute(app);
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Readiness: PostgreSQL answers, Kafka answers, NATS is connected, the outbox relay runs',
        tags: ['health'],
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) }),
          503: problemSchema,
        },
      },
    },
    async () => {
      const { ready, checks } = await checkReadiness({
        postgres: () => databaseAnswers(deps.pool),
        kafka: () => deps.kafka.ping(),
        nats: () => deps.natsState.isConnected(),
        outbox_relay: () => deps.relay.isRunning(),
      });
      const names = Object.keys(checks);
      if (!ready) {
        const failing = names.filter((name) => !checks[name]);
        // This service's contract names each check 'ok' or 'failing' and lists the failing ones.
        throw new AppError('SERVICE_UNAVAILABLE', `not ready: ${failing.join(', ')}`, {
          checks: Object.fromEntries(names.map((name) => [name, checks[name] ? 'ok' : 'failing'])),
          failing,
        });
      }
      return {
        status: 'ready' as const,
        checks: Object.fromEntries(names.map((name) => [name, 'ok' as const])),
      };
    },
  );
}
