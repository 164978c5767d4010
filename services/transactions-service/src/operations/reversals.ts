import type { z } from 'zod';
import { TOPICS } from '../../../shared/src/contracts/events.ts';
import type {
  depositReversalResponseSchema,
  transferReversalResponseSchema,
} from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { BALANCE_MAX_MINOR } from '../../../shared/src/money.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import { moneyArgument } from '../repositories/money-command-repository.ts';
import { type Outcome, runMoneyCommand } from './run-money-command.ts';

export type TransferReversalResponse = z.infer<typeof transferReversalResponseSchema>;
export type DepositReversalResponse = z.infer<typeof depositReversalResponseSchema>;

type ReversalCommand = {
  /** undefined: all that remains of the original. */
  amountMinor: bigint | undefined;
  reason: string | undefined;
  idempotencyKey: string | undefined;
  requestId: string;
};

function reversalRequest(originalId: string, command: ReversalCommand): Record<string, string | bigint> {
  return {
    original_id: originalId,
    amount_minor: command.amountMinor ?? 'rest',
    reason: command.reason ?? '',
  };
}

/**
 * Moves money back from a transfer's receiver to its sender: `reversal_out` and `reversal_in`
 * rows naming the transfer, and a `transfer-reversed` event (SQL function reverse_transfer).
 */
export function reverseTransfer(
  pool: Pool,
  namespace: string,
  command: ReversalCommand & { transferId: string },
): Promise<Outcome<TransferReversalResponse>> {
  return runMoneyCommand(pool, {
    fn: 'reverse_transfer',
    scope: 'POST /transfers/{transfer_id}/reverse',
    idempotencyKey: command.idempotencyKey,
    request: reversalRequest(command.transferId, command),
    args: [
      [command.transferId, 'uuid'],
      moneyArgument(command.amountMinor),
      [command.reason ?? null, 'text'],
      [newRowId(), 'uuid'],
      moneyArgument(BALANCE_MAX_MINOR),
    ],
    namespace,
    topic: TOPICS.transferReversed,
    requestId: command.requestId,
    amountMinor: command.amountMinor,
  });
}

/**
 * Takes a deposit back out (a charge-back): a `deposit_reversal` row naming the deposit and a
 * `deposit-reversed` event (SQL function reverse_deposit).
 */
export function reverseDeposit(
  pool: Pool,
  namespace: string,
  command: ReversalCommand & { transactionId: string },
): Promise<Outcome<DepositReversalResponse>> {
  return runMoneyCommand(pool, {
    fn: 'reverse_deposit',
    scope: 'POST /deposits/{transaction_id}/reverse',
    idempotencyKey: command.idempotencyKey,
    request: reversalRequest(command.transactionId, command),
    args: [
      [command.transactionId, 'uuid'],
      moneyArgument(command.amountMinor),
      [command.reason ?? null, 'text'],
      [newRowId(), 'uuid'],
    ],
    namespace,
    topic: TOPICS.depositReversed,
    requestId: command.requestId,
    amountMinor: command.amountMinor,
  });
}
