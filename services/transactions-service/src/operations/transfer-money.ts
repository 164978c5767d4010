import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import type { transferMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR, formatMinor } from '../../../shared/src/money.ts';
import { hashRequest } from '../idempotency-key.ts';
import { callTransferMoney } from '../repositories/money-command-repository.ts';
import { outboxEventHeading } from './outbox-event-heading.ts';
import {
  missingField,
  type Outcome,
  type Refusal,
  runMoneyCommand,
  SUCCESS_STATUS_CODE,
} from './run-money-command.ts';
import { walletNotFound } from './wallet-not-found.ts';

export const TRANSFER_MONEY_SCOPE = 'POST /transferMoney';

export type TransferMoneyCommand = {
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  idempotencyKey: string | undefined;
  requestId: string;
};
export type TransferMoneyResponse = z.infer<typeof transferMoneyResponseSchema>;

/**
 * A transfer: a `transfer_out` row on the sender and a `transfer_in` row on the receiver sharing
 * one transfer id, both balances, and a `money-transferred` outbox event, in one transaction of
 * one statement (see callTransferMoney).
 */
export async function transferMoney(
  pool: Pool,
  namespace: string,
  command: TransferMoneyCommand,
): Promise<Outcome<TransferMoneyResponse>> {
  const { fromUserId, toUserId, amountMinor } = command;
  if (fromUserId === toUserId) throw new AppError('SAME_ACCOUNT', 'from_user_id and to_user_id must differ');
  const requestHash = hashRequest({
    from_user_id: fromUserId,
    to_user_id: toUserId,
    amount_minor: amountMinor,
  });
  const claim = { scope: TRANSFER_MONEY_SCOPE, key: command.idempotencyKey ?? null, requestHash };
  return runMoneyCommand<TransferMoneyResponse>(
    pool,
    (client) =>
      callTransferMoney(client, {
        claim,
        transferId: randomUUID(),
        fromUserId,
        toUserId,
        amountMinor,
        balanceMaxMinor: BALANCE_MAX_MINOR,
        event: outboxEventHeading({
          topic: topicName(namespace, TOPICS.moneyTransferred),
          type: TOPICS.moneyTransferred,
          requestId: command.requestId,
        }),
        statusCode: SUCCESS_STATUS_CODE,
      }),
    (refusal) => refuseTransfer(refusal, amountMinor),
  );
}

function refuseTransfer(refusal: Refusal, amountMinor: bigint): AppError {
  switch (refusal.verdict) {
    case 'wallet_not_found':
      return walletNotFound(refusal.userId ?? missingField('user_id'));
    case 'insufficient_funds':
      return new AppError(
        'INSUFFICIENT_FUNDS',
        `the sender's balance ${formatMinor(refusal.balanceMinor ?? missingField('balance'))} is less than ${formatMinor(amountMinor)}`,
      );
    case 'balance_limit_exceeded':
      return new AppError(
        'BALANCE_LIMIT_EXCEEDED',
        `the receiver's balance would exceed ${formatMinor(BALANCE_MAX_MINOR)}`,
      );
  }
}
