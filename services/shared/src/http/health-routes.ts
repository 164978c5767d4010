import { z } from 'zod';
import { problemSchema } from '../contracts/common.ts';
import { AppError } from '../errors.ts';
import type { HttpApp } from './create-http-app.ts';
import { probeRateLimit } from './probe-rate-limit.ts';
import { createReadinessCheck, type ReadinessProbes } from './readiness.ts';

const healthSchema = z.object({ status: z.literal('ok') });
const readySchema = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) });

/**
 * GET /healthz and GET /readyz, the same in every service. /healthz is 200 while the process
 * runs, whatever its dependencies do. /readyz runs the service's probes: 200 with every check
 * `ok`, or 503 problem+json whose `checks` name each part `ok` or `failing` and whose `failing`
 * lists the failing ones, so an operator reads the cause straight off the probe. The report is
 * reused for up to a second and concurrent callers share one check (readiness.ts); /readyz is
 * rate-limited per address (probe-rate-limit.ts), so an unauthenticated flood stays cheap.
 */
export function registerHealthRoutes(
  app: HttpApp,
  readiness: { summary: string; probes: ReadinessProbes; reuseMs?: number },
): void {
  const checkReadiness = createReadinessCheck(readiness.probes, { reuseMs: readiness.reuseMs });
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness: 200 while the process runs',
        tags: ['health'],
        response: { 200: healthSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      onRequest: probeRateLimit(app),
      schema: {
        summary: readiness.summary,
        description:
          'Otherwise 503 problem+json: `checks` names each part `ok` or `failing`, `failing` lists them.',
        tags: ['health'],
        response: { 200: readySchema, 429: problemSchema, 503: problemSchema },
      },
    },
    async () => {
      const { ready, checks } = await checkReadiness();
      const names = Object.keys(checks);
      if (!ready) {
        const failing = names.filter((name) => !checks[name]);
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
