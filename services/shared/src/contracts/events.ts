import { z } from 'zod';

/**
 * Kafka topics and event payloads. Topic names get the WALLET_NAMESPACE prefix
 * (empty in production) so test files can share one broker without cross-talk.
 * Every record carries headers `event-id`, `event-type` and `request-id`; its key is the user id.
 */
export const TOPICS = {
  userCreated: 'user-created',
  userCreatedDeadLetter: 'user-created.dlq',
  moneyAdded: 'money-added',
  moneyTransferred: 'money-transferred',
  moneyWithdrawn: 'money-withdrawn',
  holdCreated: 'hold-created',
  holdCaptured: 'hold-captured',
  holdVoided: 'hold-voided',
  holdExpired: 'hold-expired',
  transferReversed: 'transfer-reversed',
  depositReversed: 'deposit-reversed',
  walletFrozen: 'wallet-frozen',
  walletUnfrozen: 'wallet-unfrozen',
  walletClosed: 'wallet-closed',
  ledgerCheckpoints: 'ledger-checkpoints',
} as const;
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Message headers by name; `request-id` also travels on NATS requests, so one call can be followed. */
export const EVENT_ID_HEADER = 'event-id';
export const EVENT_TYPE_HEADER = 'event-type';
export const REQUEST_ID_HEADER = 'request-id';

export function topicName(namespace: string, topic: TopicName): string {
  return `${namespace}${topic}`;
}

/** Money in events is decimal text ("12.30"): consumers in any language read it exactly. */
const decimalText = z.string().regex(/^-?\d+\.\d{2}$/);

export const userCreatedEventSchema = z.object({
  user_id: z.uuid(),
  email: z.string().min(3).max(254),
  created_at: z.string(),
});
export type UserCreatedEvent = z.infer<typeof userCreatedEventSchema>;

/**
 * Every money event carries, for each wallet it touched, that wallet's ledger sequence and its
 * balances after the change: a consumer orders events per wallet by `seq`, notices a gap, and
 * applies only what is newer than what it has.
 */
export const walletAfterSchema = z.object({
  user_id: z.uuid(),
  seq: z.number().int().positive(),
  balance: decimalText,
  held: decimalText,
  available_balance: decimalText,
});
export type WalletAfter = z.infer<typeof walletAfterSchema>;
const walletsAfterSchema = z.array(walletAfterSchema).min(1).max(2);

export const moneyAddedEventSchema = z.object({
  transaction_id: z.uuid(),
  user_id: z.uuid(),
  amount: decimalText,
  balance: decimalText,
  occurred_at: z.string(),
  wallets: walletsAfterSchema,
});
export type MoneyAddedEvent = z.infer<typeof moneyAddedEventSchema>;

export const moneyTransferredEventSchema = z.object({
  transfer_id: z.uuid(),
  from_user_id: z.uuid(),
  to_user_id: z.uuid(),
  amount: decimalText,
  from_balance: decimalText,
  to_balance: decimalText,
  occurred_at: z.string(),
  wallets: walletsAfterSchema,
});
export type MoneyTransferredEvent = z.infer<typeof moneyTransferredEventSchema>;

export const moneyWithdrawnEventSchema = z.object({
  transaction_id: z.uuid(),
  user_id: z.uuid(),
  amount: decimalText,
  balance: decimalText,
  occurred_at: z.string(),
  wallets: walletsAfterSchema,
});
export type MoneyWithdrawnEvent = z.infer<typeof moneyWithdrawnEventSchema>;

/** hold-created, hold-voided and hold-expired: the sender's wallet only. */
export const holdEventSchema = z.object({
  hold_id: z.uuid(),
  from_user_id: z.uuid(),
  to_user_id: z.uuid(),
  amount: decimalText,
  expires_at: z.string(),
  occurred_at: z.string(),
  wallets: walletsAfterSchema,
});
export type HoldEvent = z.infer<typeof holdEventSchema>;

/** `captured_amount` moved as transfer `transfer_id`; `released_amount` (the rest) went back to available. */
export const holdCapturedEventSchema = holdEventSchema.extend({
  transfer_id: z.uuid(),
  captured_amount: decimalText,
  released_amount: decimalText,
});
export type HoldCapturedEvent = z.infer<typeof holdCapturedEventSchema>;

/** Money went back from the original receiver (`from_user_id`) to the original sender (`to_user_id`). */
export const transferReversedEventSchema = z.object({
  reversal_id: z.uuid(),
  transfer_id: z.uuid(),
  from_user_id: z.uuid(),
  to_user_id: z.uuid(),
  amount: decimalText,
  reason: z.string().nullable(),
  occurred_at: z.string(),
  wallets: walletsAfterSchema,
});
export type TransferReversedEvent = z.infer<typeof transferReversedEventSchema>;

export const depositReversedEventSchema = z.object({
  reversal_id: z.uuid(),
  transaction_id: z.uuid(),
  user_id: z.uuid(),
  amount: decimalText,
  reason: z.string().nullable(),
  occurred_at: z.string(),
  wallets: walletsAfterSchema,
});
export type DepositReversedEvent = z.infer<typeof depositReversedEventSchema>;

/** wallet-frozen, wallet-unfrozen, wallet-closed: no money moves, so no ledger sequence. */
export const walletStatusEventSchema = z.object({
  user_id: z.uuid(),
  status: z.enum(['active', 'frozen', 'closed']),
  reason: z.string().nullable(),
  occurred_at: z.string(),
});
export type WalletStatusEvent = z.infer<typeof walletStatusEventSchema>;

/**
 * A ledger checkpoint (docs/ledger-audit.md), in `parts` records of one checkpoint id: the
 * (seq, hash) of every wallet changed since the checkpoint before, and the root hash over all
 * wallets. Folding every checkpoint in order gives each wallet's pinned state.
 */
export const ledgerCheckpointEventSchema = z.object({
  checkpoint_id: z.number().int().positive(),
  taken_at: z.string(),
  wallet_count: z.number().int().nonnegative(),
  changed_count: z.number().int().positive(),
  root_hash: z.string().regex(/^[0-9a-f]{64}$/),
  part: z.number().int().positive(),
  parts: z.number().int().positive(),
  wallets: z.array(
    z.object({
      user_id: z.uuid(),
      seq: z.number().int().positive(),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
export type LedgerCheckpointEvent = z.infer<typeof ledgerCheckpointEventSchema>;
