import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { RATE_LIMIT_WINDOW_MS } from './access-control.ts';

/**
 * Unauthenticated probe requests (/readyz) per client address per second. A kubelet asks a few
 * times a minute; a hundred per second is far above that and still keeps a flood of probes from
 * costing more than answers from cache (the caller gets 429).
 */
export const PROBE_REQUESTS_PER_SECOND_MAX = 100;

const PROBE_KEY_PREFIX = 'probe:';

/**
 * An onRequest hook that rate-limits a public probe route per client address. The service-wide
 * limit (access-control.ts) lets public routes through untouched, so probes get a limiter of
 * their own, from the same @fastify/rate-limit plugin (registered there, before any route).
 */
export function probeRateLimit(
  app: Pick<FastifyInstance, 'createRateLimit'>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const limit = app.createRateLimit({
    max: PROBE_REQUESTS_PER_SECOND_MAX,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => `${PROBE_KEY_PREFIX}${request.ip}`,
    // The plugin-wide allowList waves public routes through; here they are exactly what is limited.
    allowList: () => false,
  });
  return async (request) => {
    const verdict = await limit(request);
    if (!verdict.isAllowed && verdict.isExceeded) {
      throw new AppError(
        'RATE_LIMITED',
        `more than ${verdict.max} probe requests per second from this address; retry in ${verdict.ttlInSeconds} s`,
      );
    }
  };
}
