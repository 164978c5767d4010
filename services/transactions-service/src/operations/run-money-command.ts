import { type TopicName, topicName } from '../../../shared/src/contracts/events.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { withStatement } from '../../../shared/src/db/transaction.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { toClientError } from '../database-errors.ts';
import { hashRequest } from '../idempotency-key.ts';
import {
  callMoneyFunction,
  type MoneyCommandResult,
  type MoneyFunctionCall,
  type SqlArgument,
} from '../repositories/money-command-repository.ts';
import { moneyCommandBatcher } from './money-command-batcher.ts';
import { outboxEventHeading } from './outbox-event-heading.ts';
import { refusalError } from './refusal-error.ts';

export const SUCCESS_STATUS_CODE = 200;

/** What a money operation answers: the response to send, and whether it was replayed from its key. */
export type Outcome<T> = { statusCode: number; body: T; replayed: boolean };

/** One money command as its operation describes it; the SQL function does the rest. */
export type MoneyCommand = {
  /** The SQL function (migration 003) that runs the whole command. */
  fn: string;
  /** Idempotency keys are unique per scope: the route, e.g. `POST /withdrawMoney`. */
  scope: string;
  idempotencyKey: string | undefined;
  /** The request as understood (ids lower-cased, amounts in minor units): a replay must match it. */
  request: Record<string, string | bigint>;
  /** The function's own arguments, between the key claim and the event. */
  args: SqlArgument[];
  namespace: string;
  topic: TopicName;
  requestId: string;
  statusCode?: number;
  /** What the command asked to move, for the wording of a refusal. */
  amountMinor?: bigint | undefined;
  /**
   * Every wallet the command locks, when they are known before it runs (deposits, withdrawals,
   * transfers): such a command may share a transaction with others (group commit).
   */
  wallets?: string[];
};

/**
 * Runs one money command: a single statement that is its own transaction (claim the key, move
 * the money, write the outbox event, store the response), or one command of a batch that shares
 * a transaction (money-command-batcher.ts), retried whole on a serialization failure or
 * deadlock. A replay returns the stored response and moves nothing; a refusal moved nothing and
 * left the key unclaimed, and becomes its coded error.
 */
export async function runMoneyCommand<T>(pool: Pool, command: MoneyCommand): Promise<Outcome<T>> {
  const claim = {
    scope: command.scope,
    key: command.idempotencyKey ?? null,
    requestHash: hashRequest(command.request),
  };
  const call: MoneyFunctionCall = {
    fn: command.fn,
    claim,
    args: command.args,
    event: outboxEventHeading({
      topic: topicName(command.namespace, command.topic),
      type: command.topic,
      requestId: command.requestId,
    }),
    statusCode: command.statusCode ?? SUCCESS_STATUS_CODE,
  };
  let result: MoneyCommandResult;
  try {
    result = command.wallets
      ? await moneyCommandBatcher(pool).run({ ...call, wallets: command.wallets })
      : await withStatement(pool, (client) => callMoneyFunction(client, call));
  } catch (error) {
    throw toClientError(error);
  }
  switch (result.verdict) {
    case 'done':
    case 'replayed':
      if (result.statusCode === null) throw new Error(`money command ${result.verdict} without a status`);
      // The body was built in SQL from the NUMERIC balances; the route's schema checks its shape.
      return {
        statusCode: result.statusCode,
        body: result.response as T,
        replayed: result.verdict === 'replayed',
      };
    case 'key_reused':
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    default:
      throw refusalError({ ...result, verdict: result.verdict }, command.amountMinor);
  }
}
