import type { TransactionView } from '../../../shared/src/contracts/transactions-api.ts';
import { minorToNumber } from '../../../shared/src/money.ts';
import type { TransactionRow } from '../repositories/transaction-repository.ts';

/** A ledger row as GET /transactions and statements show it. */
export function transactionView(row: TransactionRow): TransactionView {
  return {
    id: row.id,
    user_id: row.userId,
    seq: Number(row.walletSeq),
    kind: row.kind,
    balance_change: minorToNumber(row.balanceChangeMinor),
    old_balance: minorToNumber(row.oldBalanceMinor),
    new_balance: minorToNumber(row.newBalanceMinor),
    held_change: minorToNumber(row.heldChangeMinor),
    old_held: minorToNumber(row.oldHeldMinor),
    new_held: minorToNumber(row.newHeldMinor),
    transfer_id: row.transferId,
    counterparty_id: row.counterpartyId,
    hold_id: row.holdId,
    reverses_id: row.reversesId,
    reason: row.reason,
    timestamp: row.timestamp.toISOString(),
  };
}
