import type { z } from 'zod';
import { TOPICS } from '../../../shared/src/contracts/events.ts';
import type { withdrawMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import { moneyArgument } from '../repositories/money-command-repository.ts';
import { type Outcome, runMoneyCommand } from './run-money-command.ts';

export const WITHDRAW_MONEY_SCOPE = 'POST /withdrawMoney';

export type WithdrawMoneyCommand = {
  userId: string;
  amountMinor: bigint;
  idempotencyKey: string | undefined;
  requestId: string;
};
export type WithdrawMoneyResponse = z.infer<typeof withdrawMoneyResponseSchema>;

/**
 * Money out of the platform: a `withdrawal` row and a `money-withdrawn` event (SQL function
 * withdraw_money). Paid from the available balance; a frozen or closed wallet refuses.
 */
export function withdrawMoney(
  pool: Pool,
  namespace: string,
  command: WithdrawMoneyCommand,
): Promise<Outcome<WithdrawMoneyResponse>> {
  return runMoneyCommand(pool, {
    fn: 'withdraw_money',
    scope: WITHDRAW_MONEY_SCOPE,
    idempotencyKey: command.idempotencyKey,
    request: { user_id: command.userId, amount_minor: command.amountMinor },
    args: [[newRowId(), 'uuid'], [command.userId, 'uuid'], moneyArgument(command.amountMinor)],
    namespace,
    topic: TOPICS.moneyWithdrawn,
    wallets: [command.userId],
    requestId: command.requestId,
    amountMinor: command.amountMinor,
  });
}
