import { randomUUID } from 'node:crypto';
import type { OutboxEventHeading } from '../repositories/money-command-repository.ts';

/**
 * The outbox row's id, topic and headers for an event whose payload the SQL function builds:
 * the same headers as enqueueEvent writes (event-id, event-type, request-id when known).
 */
export function outboxEventHeading(event: {
  topic: string;
  type: string;
  requestId?: string;
}): OutboxEventHeading {
  const eventId = randomUUID();
  const headers: Record<string, string> = { 'event-id': eventId, 'event-type': event.type };
  if (event.requestId) headers['request-id'] = event.requestId;
  return { eventId, topic: event.topic, headers };
}
