import type {
  HoldStatus,
  HoldView,
  TransactionView,
  WalletStatus,
  WalletView,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import { numberToMinor } from '../money/money-json.ts';

/**
 * transactions-service answers as the CLI holds them: money as bigint minor units, names in
 * camelCase. Each `…Of` maps one contract view (already checked by its zod schema).
 */
export type { HoldStatus, WalletStatus };

export type Wallet = {
  userId: string;
  balanceMinor: bigint;
  heldMinor: bigint;
  availableMinor: bigint;
  status: WalletStatus;
  statusReason: string | null;
  seq: number;
  createdAt: string;
};

export type Transaction = {
  id: string;
  userId: string;
  seq: number;
  kind: TransactionView['kind'];
  changeMinor: bigint;
  oldBalanceMinor: bigint;
  newBalanceMinor: bigint;
  heldChangeMinor: bigint;
  oldHeldMinor: bigint;
  newHeldMinor: bigint;
  transferId: string | null;
  counterpartyId: string | null;
  holdId: string | null;
  reversesId: string | null;
  reason: string | null;
  timestamp: string;
};

export type Hold = {
  holdId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  /** What moved to the receiver once captured (≤ amount); null otherwise. */
  capturedMinor: bigint | null;
  status: HoldStatus;
  expiresAt: string;
  createdAt: string;
  resolvedAt: string | null;
  transferId: string | null;
};

/** A sender's balances after a hold command. */
export type SenderBalances = { balanceMinor: bigint; heldMinor: bigint; availableMinor: bigint };

export type Page<T> = { items: T[]; nextCursor: string | null };

export function walletOf(row: WalletView): Wallet {
  return {
    userId: row.user_id,
    balanceMinor: numberToMinor(row.balance),
    heldMinor: numberToMinor(row.held),
    availableMinor: numberToMinor(row.available_balance),
    status: row.status,
    statusReason: row.status_reason,
    seq: row.seq,
    createdAt: row.created_at,
  };
}

export function transactionOf(row: TransactionView): Transaction {
  return {
    id: row.id,
    userId: row.user_id,
    seq: row.seq,
    kind: row.kind,
    changeMinor: numberToMinor(row.balance_change),
    oldBalanceMinor: numberToMinor(row.old_balance),
    newBalanceMinor: numberToMinor(row.new_balance),
    heldChangeMinor: numberToMinor(row.held_change),
    oldHeldMinor: numberToMinor(row.old_held),
    newHeldMinor: numberToMinor(row.new_held),
    transferId: row.transfer_id,
    counterpartyId: row.counterparty_id,
    holdId: row.hold_id,
    reversesId: row.reverses_id,
    reason: row.reason,
    timestamp: row.timestamp,
  };
}

export function holdOf(row: HoldView): Hold {
  return {
    holdId: row.hold_id,
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    amountMinor: numberToMinor(row.amount),
    capturedMinor: row.captured_amount === null ? null : numberToMinor(row.captured_amount),
    status: row.status,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    transferId: row.transfer_id,
  };
}

export function senderBalancesOf(row: {
  balance: number;
  held: number;
  available_balance: number;
}): SenderBalances {
  return {
    balanceMinor: numberToMinor(row.balance),
    heldMinor: numberToMinor(row.held),
    availableMinor: numberToMinor(row.available_balance),
  };
}
