import { TOPICS, topicName } from '../../../shared/src/contracts/events.ts';

export const USER_CREATED_EVENT_TYPE = TOPICS.userCreated;

export function userCreatedTopic(namespace: string): string {
  return topicName(namespace, TOPICS.userCreated);
}
