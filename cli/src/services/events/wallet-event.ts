import type { z } from 'zod';
import {
  depositReversedEventSchema,
  holdCapturedEventSchema,
  holdEventSchema,
  moneyAddedEventSchema,
  moneyTransferredEventSchema,
  moneyWithdrawnEventSchema,
  TOPICS,
  type TopicName,
  topicName,
  transferReversedEventSchema,
  userCreatedEventSchema,
  type WalletAfter as WalletAfterPayload,
  walletStatusEventSchema,
} from '../../../../services/shared/src/contracts/events.ts';
import type { WalletStatus } from '../../../../services/shared/src/contracts/transactions-api.ts';
import type { IncomingEvent } from '../../../../services/shared/src/messaging/kafka.ts';
import { numericToMinor } from '../../../../services/shared/src/money.ts';

/** The topics a person can follow (the dead-letter topic is for operators' tools). */
export const FOLLOWED_TOPICS = [
  TOPICS.userCreated,
  TOPICS.moneyAdded,
  TOPICS.moneyWithdrawn,
  TOPICS.moneyTransferred,
  TOPICS.holdCreated,
  TOPICS.holdCaptured,
  TOPICS.holdVoided,
  TOPICS.holdExpired,
  TOPICS.transferReversed,
  TOPICS.depositReversed,
  TOPICS.walletFrozen,
  TOPICS.walletUnfrozen,
  TOPICS.walletClosed,
] as const;
export type FollowedTopic = (typeof FOLLOWED_TOPICS)[number];

/** One wallet an event touched, as it is after the event: its ledger sequence and balances. */
export type WalletAfter = {
  userId: string;
  seq: number;
  balanceMinor: bigint;
  heldMinor: bigint;
  availableMinor: bigint;
};

type EventMeta = { partition: number; offset: string; occurredAt: string };
/** Every money event: the wallets it touched, after it (empty only for records written before issue 9). */
type MoneyMeta = EventMeta & { wallets: WalletAfter[] };
type HoldFields = {
  holdId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  expiresAt: string;
};
type HoldEndTopic = typeof TOPICS.holdCreated | typeof TOPICS.holdVoided | typeof TOPICS.holdExpired;
type StatusTopic = typeof TOPICS.walletFrozen | typeof TOPICS.walletUnfrozen | typeof TOPICS.walletClosed;

/** A Kafka record read into our terms: ids, bigint money, one `type` (= its topic) to switch on. */
export type WalletEvent =
  | (EventMeta & { topic: 'user-created'; type: 'user-created'; userId: string; email: string })
  | (MoneyMeta & {
      topic: 'money-added' | 'money-withdrawn';
      type: 'money-added' | 'money-withdrawn';
      transactionId: string;
      userId: string;
      amountMinor: bigint;
      balanceMinor: bigint;
    })
  | (MoneyMeta & {
      topic: 'money-transferred';
      type: 'money-transferred';
      transferId: string;
      fromUserId: string;
      toUserId: string;
      amountMinor: bigint;
      fromBalanceMinor: bigint;
      toBalanceMinor: bigint;
    })
  | (MoneyMeta & HoldFields & { topic: HoldEndTopic; type: HoldEndTopic })
  | (MoneyMeta &
      HoldFields & {
        topic: 'hold-captured';
        type: 'hold-captured';
        transferId: string;
        capturedMinor: bigint;
        releasedMinor: bigint;
      })
  | (MoneyMeta & {
      topic: 'transfer-reversed';
      type: 'transfer-reversed';
      reversalId: string;
      transferId: string;
      /** Pays back: the original receiver. */
      fromUserId: string;
      /** Gets the money back: the original sender. */
      toUserId: string;
      amountMinor: bigint;
      reason: string | null;
    })
  | (MoneyMeta & {
      topic: 'deposit-reversed';
      type: 'deposit-reversed';
      reversalId: string;
      transactionId: string;
      userId: string;
      amountMinor: bigint;
      reason: string | null;
    })
  | (EventMeta & {
      topic: StatusTopic;
      type: StatusTopic;
      userId: string;
      status: WalletStatus;
      reason: string | null;
    });

/** The events that move money or held money; each carries `wallets`. */
export type MoneyEvent = Extract<WalletEvent, { wallets: WalletAfter[] }>;

export function isMoneyEvent(event: WalletEvent): event is MoneyEvent {
  return 'wallets' in event;
}

export function namespacedTopics(namespace: string, topics: readonly FollowedTopic[]): string[] {
  return topics.map((topic) => topicName(namespace, topic as TopicName));
}

/** What a topic's decoder returns: the event without the record's place in Kafka. */
type Decoded = WalletEvent extends infer E
  ? E extends WalletEvent
    ? Omit<E, 'partition' | 'offset'>
    : never
  : never;
type Decoder = (json: unknown) => Decoded | undefined;

/** Records written before issue 9 have no `wallets`: still readable, they just order nothing. */
const legacyMoneyAddedSchema = moneyAddedEventSchema.extend({
  wallets: moneyAddedEventSchema.shape.wallets.optional(),
});
const legacyMoneyTransferredSchema = moneyTransferredEventSchema.extend({
  wallets: moneyTransferredEventSchema.shape.wallets.optional(),
});

const DECODERS: Record<FollowedTopic, Decoder> = {
  'user-created': (json) =>
    parsed(userCreatedEventSchema, json, (data) => ({
      topic: 'user-created',
      type: 'user-created',
      userId: data.user_id,
      email: data.email,
      occurredAt: data.created_at,
    })),
  'money-added': (json) => parsed(legacyMoneyAddedSchema, json, (data) => deposit('money-added', data)),
  'money-withdrawn': (json) =>
    parsed(moneyWithdrawnEventSchema, json, (data) => deposit('money-withdrawn', data)),
  'money-transferred': (json) =>
    parsed(legacyMoneyTransferredSchema, json, (data) => ({
      topic: 'money-transferred',
      type: 'money-transferred',
      transferId: data.transfer_id,
      fromUserId: data.from_user_id,
      toUserId: data.to_user_id,
      amountMinor: numericToMinor(data.amount),
      fromBalanceMinor: numericToMinor(data.from_balance),
      toBalanceMinor: numericToMinor(data.to_balance),
      occurredAt: data.occurred_at,
      wallets: walletsAfter(data.wallets),
    })),
  'hold-created': (json) => parsed(holdEventSchema, json, (data) => holdEnd('hold-created', data)),
  'hold-voided': (json) => parsed(holdEventSchema, json, (data) => holdEnd('hold-voided', data)),
  'hold-expired': (json) => parsed(holdEventSchema, json, (data) => holdEnd('hold-expired', data)),
  'hold-captured': (json) =>
    parsed(holdCapturedEventSchema, json, (data) => ({
      ...holdFields(data),
      topic: 'hold-captured',
      type: 'hold-captured',
      transferId: data.transfer_id,
      capturedMinor: numericToMinor(data.captured_amount),
      releasedMinor: numericToMinor(data.released_amount),
    })),
  'transfer-reversed': (json) =>
    parsed(transferReversedEventSchema, json, (data) => ({
      topic: 'transfer-reversed',
      type: 'transfer-reversed',
      reversalId: data.reversal_id,
      transferId: data.transfer_id,
      fromUserId: data.from_user_id,
      toUserId: data.to_user_id,
      amountMinor: numericToMinor(data.amount),
      reason: data.reason,
      occurredAt: data.occurred_at,
      wallets: walletsAfter(data.wallets),
    })),
  'deposit-reversed': (json) =>
    parsed(depositReversedEventSchema, json, (data) => ({
      topic: 'deposit-reversed',
      type: 'deposit-reversed',
      reversalId: data.reversal_id,
      transactionId: data.transaction_id,
      userId: data.user_id,
      amountMinor: numericToMinor(data.amount),
      reason: data.reason,
      occurredAt: data.occurred_at,
      wallets: walletsAfter(data.wallets),
    })),
  'wallet-frozen': (json) =>
    parsed(walletStatusEventSchema, json, (data) => statusChange('wallet-frozen', data)),
  'wallet-unfrozen': (json) =>
    parsed(walletStatusEventSchema, json, (data) => statusChange('wallet-unfrozen', data)),
  'wallet-closed': (json) =>
    parsed(walletStatusEventSchema, json, (data) => statusChange('wallet-closed', data)),
};

/**
 * Decodes one record; undefined for a record we cannot read (another version's payload, a
 * foreign topic), which the caller skips: one odd record must not stop a live tail.
 */
export function decodeWalletEvent(namespace: string, record: IncomingEvent): WalletEvent | undefined {
  if (!record.topic.startsWith(namespace) || record.value === null) return undefined;
  const topic = record.topic.slice(namespace.length);
  if (!isFollowedTopic(topic)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(record.value);
  } catch {
    return undefined;
  }
  const event = DECODERS[topic](json);
  return event && ({ ...event, partition: record.partition, offset: record.offset } as WalletEvent);
}

function isFollowedTopic(topic: string): topic is FollowedTopic {
  return (FOLLOWED_TOPICS as readonly string[]).includes(topic);
}

function parsed<S extends z.ZodType, T>(
  schema: S,
  json: unknown,
  toEvent: (data: z.infer<S>) => T,
): T | undefined {
  const result = schema.safeParse(json);
  return result.success ? toEvent(result.data) : undefined;
}

function walletsAfter(wallets: WalletAfterPayload[] | undefined): WalletAfter[] {
  return (wallets ?? []).map((wallet) => ({
    userId: wallet.user_id,
    seq: wallet.seq,
    balanceMinor: numericToMinor(wallet.balance),
    heldMinor: numericToMinor(wallet.held),
    availableMinor: numericToMinor(wallet.available_balance),
  }));
}

function deposit(
  type: 'money-added' | 'money-withdrawn',
  data: z.infer<typeof legacyMoneyAddedSchema>,
): Decoded {
  return {
    topic: type,
    type,
    transactionId: data.transaction_id,
    userId: data.user_id,
    amountMinor: numericToMinor(data.amount),
    balanceMinor: numericToMinor(data.balance),
    occurredAt: data.occurred_at,
    wallets: walletsAfter(data.wallets),
  };
}

function holdFields(data: z.infer<typeof holdEventSchema>) {
  return {
    holdId: data.hold_id,
    fromUserId: data.from_user_id,
    toUserId: data.to_user_id,
    amountMinor: numericToMinor(data.amount),
    expiresAt: data.expires_at,
    occurredAt: data.occurred_at,
    wallets: walletsAfter(data.wallets),
  };
}

function holdEnd(type: HoldEndTopic, data: z.infer<typeof holdEventSchema>): Decoded {
  return { ...holdFields(data), topic: type, type };
}

function statusChange(type: StatusTopic, data: z.infer<typeof walletStatusEventSchema>): Decoded {
  return {
    topic: type,
    type,
    userId: data.user_id,
    status: data.status,
    reason: data.reason,
    occurredAt: data.occurred_at,
  };
}
