import { z } from 'zod';
import { problemSchema } from '../../../shared/src/contracts/common.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { registerLivenessRoute } from '../../../shared/src/http/liveness-route.ts';
import { sendProblem } from '../../../shared/src/http/problem.ts';
import type { RouteDeps } from './route-deps.ts';

const readySchema = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.boolean()) });

export function registerHealthRoutes(app: HttpApp, deps: RouteDeps): void {
  registerLivenessRoute(app);
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Readiness: PostgreSQL, Kafka, NATS, the consumer and the outbox relay all work',
        description: 'Otherwise 503 problem+json with `checks` naming each part and whether it passed.',
        tags: ['health'],
        response: { 200: readySchema, 503: problemSchema },
      },
    },
    async (request, reply) => {
      const report = await deps.checkReadiness();
      if (report.ready) return { status: 'ready' as const, checks: report.checks };
      const failing = Object.keys(report.checks).filter((name) => !report.checks[name]);
      reply.header('retry-after', '1');
      return sendProblem(request, reply, 'SERVICE_UNAVAILABLE', `not ready: ${failing.join(', ')}`, {
        checks: report.checks,
      });
    },
  );
}
