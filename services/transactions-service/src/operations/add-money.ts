import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { type MoneyAddedEvent, TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import type { addMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR, formatMinor, minorToNumber } from '../../../shared/src/money.ts';
import { enqueueEvent } from '../../../shared/src/outbox/enqueue-event.ts';
import { hashRequest } from '../idempotency-key.ts';
import { recordMovement } from '../repositories/transaction-repository.ts';
import { lockWallets } from '../repositories/wallet-repository.ts';
import { type Outcome, runIdempotent } from './run-idempotent.ts';
import { walletNotFound } from './wallet-not-found.ts';

export const ADD_MONEY_SCOPE = 'POST /addMoney';

export type AddMoneyCommand = {
  userId: string;
  amountMinor: bigint;
  idempotencyKey: string | undefined;
  requestId: string;
};
export type AddMoneyResponse = z.infer<typeof addMoneyResponseSchema>;

/** A deposit: one `deposit` row, the new balance and a `money-added` outbox event, in one transaction. */
export async function addMoney(
  pool: Pool,
  namespace: string,
  command: AddMoneyCommand,
): Promise<Outcome<AddMoneyResponse>> {
  const requestHash = hashRequest({ user_id: command.userId, amount_minor: command.amountMinor });
  return runIdempotent(
    pool,
    { scope: ADD_MONEY_SCOPE, key: command.idempotencyKey, requestHash },
    async (client) => {
      const balances = await lockWallets(client, [command.userId]);
      const balanceMinor = balances.get(command.userId);
      if (balanceMinor === undefined) throw walletNotFound(command.userId);
      if (balanceMinor + command.amountMinor > BALANCE_MAX_MINOR) {
        throw new AppError(
          'BALANCE_LIMIT_EXCEEDED',
          `the balance would exceed ${formatMinor(BALANCE_MAX_MINOR)}`,
        );
      }
      const transactionId = randomUUID();
      const recorded = await recordMovement(client, {
        id: transactionId,
        userId: command.userId,
        kind: 'deposit',
        balanceChangeMinor: command.amountMinor,
        transferId: null,
        counterpartyId: null,
        idempotencyKey: command.idempotencyKey ?? null,
      });
      const event: MoneyAddedEvent = {
        transaction_id: transactionId,
        user_id: command.userId,
        amount: formatMinor(command.amountMinor),
        balance: formatMinor(recorded.newBalanceMinor),
        occurred_at: recorded.timestamp.toISOString(),
      };
      await enqueueEvent(client, {
        topic: topicName(namespace, TOPICS.moneyAdded),
        key: command.userId,
        type: TOPICS.moneyAdded,
        payload: event,
        requestId: command.requestId,
      });
      return {
        updated_balance: minorToNumber(recorded.newBalanceMinor),
        user_id: command.userId,
        transaction_id: transactionId,
      };
    },
  );
}
