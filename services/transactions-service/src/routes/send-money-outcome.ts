import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  IDEMPOTENCY_REPLAYED_HEADER,
  readCallerIdempotencyKey,
} from '../../../shared/src/http/idempotency-key-header.ts';
import { countMoneyOperation, type MoneyOperationName } from '../operations/count-money-operation.ts';
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

/** Who asked: the request's Idempotency-Key (checked, in its caller's space) and id, as every money command takes them. */
export type MoneyCaller = { idempotencyKey: string | undefined; requestId: string };

/**
 * Runs a money route's command the way every money route does: reads the Idempotency-Key, counts
 * the outcome in wallet_money_operations_total, and answers it (sendMoneyOutcome).
 */
export async function answerMoneyCommand(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: RouteDeps,
  operation: MoneyOperationName,
  run: (caller: MoneyCaller) => Promise<Outcome<unknown>>,
): Promise<FastifyReply> {
  const outcome = await countMoneyOperation(deps.metrics.moneyOperations, operation, () =>
    run({
      idempotencyKey: readCallerIdempotencyKey(request),
      requestId: request.id,
    }),
  );
  return sendMoneyOutcome(reply, outcome, deps);
}
