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

export const moneyAddedEventSchema = z.object({
  transaction_id: z.uuid(),
  user_id: z.uuid(),
  amount: decimalText,
  balance: decimalText,
  occurred_at: z.string(),
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
});
export type MoneyTransferredEvent = z.infer<typeof moneyTransferredEventSchema>;
