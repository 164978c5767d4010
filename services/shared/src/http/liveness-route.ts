import { z } from 'zod';
import type { HttpApp } from './create-http-app.ts';

const healthSchema = z.object({ status: z.literal('ok') });

/** GET /healthz, the same in every service: 200 while the process runs, whatever its dependencies do. */
export function registerLivenessRoute(app: HttpApp): void {
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
}
