import type { FastifyReply } from 'fastify';
import { IDEMPOTENCY_REPLAYED_HEADER } from '../../../shared/src/http/idempotency-key-header.ts';
import type { Outcome } from '../operations/run-money-command.ts';
import type { RouteDeps } from './route-deps.ts';

/** A replay says so in a header; a fresh commit wakes the outbox relay so its event leaves at once. */
export function sendMoneyOutcome(
  reply: FastifyReply,
  outcome: Outcome<unknown>,
  deps: RouteDeps,
): FastifyReply {
  if (outcome.replayed) reply.header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
  else deps.onCommitted();
  return reply.status(outcome.statusCode).send(outcome.body);
}
