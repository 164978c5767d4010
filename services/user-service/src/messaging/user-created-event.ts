import { TOPICS, topicName, type UserCreatedEvent } from '../../../shared/src/contracts/events.ts';
import type { PoolClient } from '../../../shared/src/db/pool.ts';
import { enqueueEvent } from '../../../shared/src/outbox/enqueue-event.ts';

export const USER_CREATED_EVENT_TYPE = TOPICS.userCreated;

export function userCreatedTopic(namespace: string): string {
  return topicName(namespace, TOPICS.userCreated);
}

/** Writes the user-created event into the outbox, inside the transaction that inserts the user. */
export async function enqueueUserCreated(
  client: PoolClient,
  event: { namespace: string; payload: UserCreatedEvent; requestId: string },
): Promise<string> {
  return enqueueEvent(client, {
    topic: userCreatedTopic(event.namespace),
    key: event.payload.user_id,
    type: USER_CREATED_EVENT_TYPE,
    payload: event.payload,
    requestId: event.requestId,
  });
}
