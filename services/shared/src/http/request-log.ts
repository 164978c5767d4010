import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** A request that takes at least this long is logged at warn even when it succeeded. */
export const SLOW_REQUEST_MS_DEFAULT = 1_000;

/**
 * Which request lines reach the log. Fastify's default writes two lines per request at info
 * ("incoming request", "request completed"): ~16 µs of a ~70 µs request in a service's HTTP layer,
 * and a log that is all routine traffic. What an operator needs at info is what went wrong: 5xx
 * answers, requests slower than `slowMs`, and failed responses (those at warn or error, with the
 * method and URL). Every request is still logged, both lines, at debug.
 */
export class RequestLog extends LogController {
  readonly #slowMs: number;

  constructor(slowMs: number) {
    super();
    this.#slowMs = slowMs;
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const responseTime = reply.elapsedTime;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime }, 'request errored');
    } else if (reply.statusCode >= 500 || responseTime >= this.#slowMs) {
      reply.log.warn({ req: request, res: reply, responseTime }, 'request completed');
    } else {
      reply.log.debug({ res: reply, responseTime }, 'request completed');
    }
  }
}
