import { outboxEventHeaders } from '../../../shared/src/outbox/enqueue-event.ts';
import { newRowId } from '../../../shared/src/row-ids.ts';
import type { OutboxEventHeading } from '../repositories/money-command-repository.ts';

/**
 * The outbox row's id, topic and headers for an event whose payload the SQL function builds:
 * the same headers as enqueueEvent writes (outboxEventHeaders).
 */
export function outboxEventHeading(event: {
  topic: string;
  type: string;
  requestId?: string;
}): OutboxEventHeading {
  const eventId = newRowId();
  return { eventId, topic: event.topic, headers: outboxEventHeaders({ ...event, eventId }) };
}
