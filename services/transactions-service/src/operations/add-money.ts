import type { z } from 'zod';
import { TOPICS } from '../../../shared/src/contracts/events.ts';
import type { addMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { BALANCE_MAX_MINOR } from '../../../shared/src/money.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import { moneyArgument } from '../repositories/money-command-repository.ts';
import { type Outcome, runMoneyCommand } from './run-money-command.ts';

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
 * transaction of one statement (SQL function add_money). A frozen wallet still receives money.
 */
export function addMoney(
  pool: Pool,
  namespace: string,
  command: AddMoneyCommand,
): Promise<Outcome<AddMoneyResponse>> {
  return runMoneyCommand(pool, {
    fn: 'add_money',
    scope: ADD_MONEY_SCOPE,
    idempotencyKey: command.idempotencyKey,
    request: { user_id: command.userId, amount_minor: command.amountMinor },
    args: [
      [newRowId(), 'uuid'],
      [command.userId, 'uuid'],
      moneyArgument(command.amountMinor),
      moneyArgument(BALANCE_MAX_MINOR),
    ],
    namespace,
    topic: TOPICS.moneyAdded,
    wallets: [command.userId],
    requestId: command.requestId,
    amountMinor: command.amountMinor,
  });
}
