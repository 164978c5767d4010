import type { z } from 'zod';
import { TOPICS } from '../../../shared/src/contracts/events.ts';
import type { transferMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR } from '../../../shared/src/money.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import { moneyArgument } from '../repositories/money-command-repository.ts';
import { isPayeeRefusal, refuseUnpayablePayee } from './payee-refusal.ts';
import { type Outcome, runMoneyCommand } from './run-money-command.ts';

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
 * one statement (SQL function transfer_money). The sender pays from its available balance.
 */
export function transferMoney(
  pool: Pool,
  namespace: string,
  command: TransferMoneyCommand,
): Promise<Outcome<TransferMoneyResponse>> {
  const { fromUserId, toUserId, amountMinor } = command;
  if (fromUserId === toUserId) throw new AppError('SAME_ACCOUNT', 'from_user_id and to_user_id must differ');
  return runMoneyCommand(pool, {
    fn: 'transfer_money',
    scope: TRANSFER_MONEY_SCOPE,
    idempotencyKey: command.idempotencyKey,
    request: { from_user_id: fromUserId, to_user_id: toUserId, amount_minor: amountMinor },
    args: [
      [newRowId(), 'uuid'],
      [fromUserId, 'uuid'],
      [toUserId, 'uuid'],
      moneyArgument(amountMinor),
      moneyArgument(BALANCE_MAX_MINOR),
    ],
    namespace,
    topic: TOPICS.moneyTransferred,
    wallets: [fromUserId, toUserId],
    requestId: command.requestId,
    amountMinor,
  });
}

/**
 * A transfer a user token asked for: whatever stops the payee from being paid (nobody has that
 * email or id, no wallet yet, closed, at its limit) gets one answer, after the payer's own
 * refusals (payee-refusal.ts). `toUserId` undefined: the email named nobody.
 */
export async function transferMoneyAsPayer(
  pool: Pool,
  namespace: string,
  command: Omit<TransferMoneyCommand, 'toUserId'> & { toUserId: string | undefined },
): Promise<Outcome<TransferMoneyResponse>> {
  const { toUserId } = command;
  if (toUserId === undefined) throw await refuseUnpayablePayee(pool, command.fromUserId, command.amountMinor);
  try {
    return await transferMoney(pool, namespace, { ...command, toUserId });
  } catch (error) {
    if (isPayeeRefusal(error, toUserId)) {
      throw await refuseUnpayablePayee(pool, command.fromUserId, command.amountMinor);
    }
    throw error;
  }
}
