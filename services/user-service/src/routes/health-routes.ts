import { z } from 'zod';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import type { UserAppDeps } from '../app-deps.ts';

/** A readiness probe answers within this even when a dependency hangs. */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;

type CheckName = 'postgres' | 'kafka' | 'nats' | 'outbox_relay';

export function registerHealthRoutes(app: HttpApp, deps: UserAppDeps): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness: 200 while the process runs',
        tags: ['health'],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

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
      const results = await runChecks(deps);
      const failing = Object.entries(results).filter(([, ok]) => !ok);
      if (failing.length > 0) {
        const names = failing.map(([name]) => name);
        throw new AppError('SERVICE_UNAVAILABLE', `not ready: ${names.join(', ')}`, {
          checks: Object.fromEntries(
            Object.entries(results).map(([name, ok]) => [name, ok ? 'ok' : 'failing']),
          ),
          failing: names,
        });
      }
      return {
        status: 'ready' as const,
        checks: Object.fromEntries(names(results).map((n) => [n, 'ok' as const])),
      };
    },
  );
}

function names(results: Record<CheckName, boolean>): CheckName[] {
  return Object.keys(results) as CheckName[];
}

async function runChecks(deps: UserAppDeps): Promise<Record<CheckName, boolean>> {
  const [postgres, kafka] = await Promise.all([
    withinTimeout(deps.pool.query('SELECT 1').then(() => true)),
    withinTimeout(deps.kafka.ping()),
  ]);
  return {
    postgres,
    kafka,
    nats: deps.natsState.isConnected(),
    outbox_relay: deps.relay.isRunning(),
  };
}

/** A check that throws or has not answered in READINESS_CHECK_TIMEOUT_MS counts as failing. */
async function withinTimeout(check: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
