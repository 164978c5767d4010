import {
  moneyAddedEventSchema,
  moneyTransferredEventSchema,
  TOPICS,
  type TopicName,
  topicName,
  userCreatedEventSchema,
} from '../../../../services/shared/src/contracts/events.ts';
import type { IncomingEvent } from '../../../../services/shared/src/messaging/kafka.ts';
import { numericToMinor } from '../../../../services/shared/src/money.ts';

/** The topics a person can follow (the dead-letter topic is for operators' tools). */
export const FOLLOWED_TOPICS = [TOPICS.userCreated, TOPICS.moneyAdded, TOPICS.moneyTransferred] as const;
export type FollowedTopic = (typeof FOLLOWED_TOPICS)[number];

type EventMeta = { topic: FollowedTopic; partition: number; offset: string; occurredAt: string };

/** A Kafka record read into our terms: ids, bigint money, one `type` to switch on. */
export type WalletEvent =
  | (EventMeta & { type: 'user-created'; userId: string; email: string })
  | (EventMeta & {
      type: 'money-added';
      transactionId: string;
      userId: string;
      amountMinor: bigint;
      balanceMinor: bigint;
    })
  | (EventMeta & {
      type: 'money-transferred';
      transferId: string;
      fromUserId: string;
      toUserId: string;
      amountMinor: bigint;
      fromBalanceMinor: bigint;
      toBalanceMinor: bigint;
    });

export function namespacedTopics(namespace: string, topics: readonly FollowedTopic[]): string[] {
  return topics.map((topic) => topicName(namespace, topic as TopicName));
}

/**
 * Decodes one record; undefined for a record we cannot read (another version's payload, a
 * foreign topic), which the caller skips: one odd record must not stop a live tail.
 */
export function decodeWalletEvent(namespace: string, record: IncomingEvent): WalletEvent | undefined {
  if (!record.topic.startsWith(namespace) || record.value === null) return undefined;
  const topic = record.topic.slice(namespace.length);
  let json: unknown;
  try {
    json = JSON.parse(record.value);
  } catch {
    return undefined;
  }
  const meta = { partition: record.partition, offset: record.offset };
  if (topic === TOPICS.userCreated) {
    const event = userCreatedEventSchema.safeParse(json);
    if (!event.success) return undefined;
    const { user_id, email, created_at } = event.data;
    return { ...meta, topic, type: 'user-created', userId: user_id, email, occurredAt: created_at };
  }
  if (topic === TOPICS.moneyAdded) {
    const event = moneyAddedEventSchema.safeParse(json);
    if (!event.success) return undefined;
    const { data } = event;
    return {
      ...meta,
      topic,
      type: 'money-added',
      transactionId: data.transaction_id,
      userId: data.user_id,
      amountMinor: numericToMinor(data.amount),
      balanceMinor: numericToMinor(data.balance),
      occurredAt: data.occurred_at,
    };
  }
  if (topic === TOPICS.moneyTransferred) {
    const event = moneyTransferredEventSchema.safeParse(json);
    if (!event.success) return undefined;
    const { data } = event;
    return {
      ...meta,
      topic,
      type: 'money-transferred',
      transferId: data.transfer_id,
      fromUserId: data.from_user_id,
      toUserId: data.to_user_id,
      amountMinor: numericToMinor(data.amount),
      fromBalanceMinor: numericToMinor(data.from_balance),
      toBalanceMinor: numericToMinor(data.to_balance),
      occurredAt: data.occurred_at,
    };
  }
  return undefined;
}
