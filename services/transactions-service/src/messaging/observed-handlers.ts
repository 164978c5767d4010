import type { FastifyBaseLogger } from 'fastify';
import { EVENT_ID_HEADER, REQUEST_ID_HEADER } from '../../../shared/src/contracts/events.ts';
import type { BalanceReply } from '../../../shared/src/contracts/nats.ts';
import { childLogForRequest } from '../../../shared/src/http/create-http-app.ts';
import type { ServiceMetrics } from '../../../shared/src/http/metrics.ts';
import type { IncomingEvent } from '../../../shared/src/messaging/kafka.ts';

/** Fastify's logger is pino's, which can say whether a level is on. */
type PinoLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/**
 * Times each balance request and logs it under the caller's request id (`reqId`), so one
 * getBalance can be followed from user-service into this service's log: failures at error,
 * refusals at info, answered requests only at debug (like HTTP requests, see request-log.ts).
 */
export function observeBalanceHandler(
  handle: (data: unknown) => Promise<BalanceReply>,
  options: { log: FastifyBaseLogger; metrics: ServiceMetrics; subject: string },
): (data: unknown, headers: Record<string, string>) => Promise<BalanceReply> {
  // Made only when a line is written: most requests write none.
  const logFor = (headers: Record<string, string>) =>
    childLogForRequest(options.log, headers[REQUEST_ID_HEADER]);
  return async (data, headers) => {
    const startedMs = performance.now();
    let result = 'INTERNAL_ERROR';
    try {
      const reply = await handle(data);
      result = reply.ok ? 'ok' : reply.code;
      return reply;
    } catch (error) {
      logFor(headers).error({ err: error, subject: options.subject }, 'balance request failed');
      throw error;
    } finally {
      const seconds = (performance.now() - startedMs) / 1000;
      options.metrics.natsHandledSeconds.observe({ subject: 'balance', result }, seconds);
      const level = result === 'ok' ? 'debug' : 'info';
      if ((options.log as PinoLogger).isLevelEnabled(level)) {
        logFor(headers)[level](
          { subject: options.subject, result, responseTimeMs: seconds * 1000 },
          'balance request answered',
        );
      }
    }
  };
}

/**
 * Logs each consumed batch: a failure at warn, naming the partition and the offsets Kafka will
 * deliver again; handled events only at debug, each under the request id that produced it (the
 * outbox's `request-id` header), as one line per created user would flood the log otherwise.
 */
export function observeEventBatchHandler(
  handle: (events: IncomingEvent[]) => Promise<void>,
  log: FastifyBaseLogger,
): (events: IncomingEvent[]) => Promise<void> {
  return async (events) => {
    try {
      await handle(events);
    } catch (error) {
      const first = events[0];
      log.warn(
        {
          topic: first?.topic,
          partition: first?.partition,
          offsets: `${first?.offset}..${events.at(-1)?.offset}`,
          events: events.length,
          err: error,
        },
        'event handling failed; Kafka will deliver the batch again',
      );
      throw error;
    }
    if (!(log as PinoLogger).isLevelEnabled('debug')) return;
    for (const event of events) {
      childLogForRequest(log, event.headers[REQUEST_ID_HEADER]).debug(
        {
          topic: event.topic,
          partition: event.partition,
          offset: event.offset,
          eventId: event.headers[EVENT_ID_HEADER],
        },
        'event handled',
      );
    }
  };
}
