import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import type { addMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR, formatMinor } from '../../../shared/src/money.ts';
import { hashRequest } from '../idempotency-key.ts';
import { callAddMoney } from '../repositories/money-command-repository.ts';
import { outboxEventHeading } from './outbox-event-heading.ts';
import {
  missingField,
  type Outcome,
  type Refusal,
  runMoneyCommand,
  SUCCESS_STATUS_CODE,
} from './run-money-command.ts';
import { walletNotFound } from './wallet-not-found.ts';

export const ADD_MONEY_SCOPE = 'POST /addMoney';

export type AddMoneyCommand = {
  userId: string;
  amountMinor: bigint;
  idempotencyKey: string | undefined;
  requestId: string;
};
export type AddMoneyResponse = z.infer<typeof addMoneyResponseSchema>;

/**
 * A deposit: one `deposit` row, the new balance and a `money-added` outbox event, in one
 * transaction of one statement (see callAddMoney).
 */
export async function addMoney(
  pool: Pool,
  namespace: string,
  command: AddMoneyCommand,
): Promise<Outcome<AddMoneyResponse>> {
  const requestHash = hashRequest({ user_id: command.userId, amount_minor: command.amountMinor });
  const claim = { scope: ADD_MONEY_SCOPE, key: command.idempotencyKey ?? null, requestHash };
  return runMoneyCommand<AddMoneyResponse>(
    pool,
    (client) =>
      callAddMoney(client, {
        claim,
        transactionId: randomUUID(),
        userId: command.userId,
        amountMinor: command.amountMinor,
        balanceMaxMinor: BALANCE_MAX_MINOR,
        event: outboxEventHeading({
          topic: topicName(namespace, TOPICS.moneyAdded),
          type: TOPICS.moneyAdded,
          requestId: command.requestId,
        }),
        statusCode: SUCCESS_STATUS_CODE,
      }),
    refuseDeposit,
  );
}

function refuseDeposit(refusal: Refusal): AppError {
  switch (refusal.verdict) {
    case 'wallet_not_found':
      return walletNotFound(refusal.userId ?? missingField('user_id'));
    case 'balance_limit_exceeded':
      return new AppError(
        'BALANCE_LIMIT_EXCEEDED',
        `the balance would exceed ${formatMinor(BALANCE_MAX_MINOR)}`,
      );
    case 'insufficient_funds':
      throw new Error('a deposit cannot be refused for insufficient funds');
  }
}
