import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, REQUEST_ID_HEADER } from '../contracts/events.ts';
import type { PoolClient } from '../db/pool.ts';
import { newRowId } from '../row-ids.ts';

export type PendingEvent = {
  topic: string;
  key: string;
  type: string;
  payload: unknown;
  requestId?: string;
};

/** The headers every outbox event carries: event-id, event-type, and request-id when known. */
export function outboxEventHeaders(event: {
  eventId: string;
  type: string;
  requestId?: string | undefined;
}): Record<string, string> {
  const headers: Record<string, string> = {
    [EVENT_ID_HEADER]: event.eventId,
    [EVENT_TYPE_HEADER]: event.type,
  };
  if (event.requestId) headers[REQUEST_ID_HEADER] = event.requestId;
  return headers;
}

/** Writes an event into the outbox inside the caller's transaction; returns its event id. */
export async function enqueueEvent(client: PoolClient, event: PendingEvent): Promise<string> {
  const eventId = newRowId();
  const headers = outboxEventHeaders({ eventId, type: event.type, requestId: event.requestId });
  await client.query(
    `INSERT INTO outbox (event_id, topic, event_key, payload, headers)
     VALUES ($1::uuid, $2::text, $3::text, $4::jsonb, $5::jsonb)`,
    [eventId, event.topic, event.key, JSON.stringify(event.payload), JSON.stringify(headers)],
  );
  return eventId;
}
