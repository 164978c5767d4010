import { randomUUID } from 'node:crypto';
import type { PoolClient } from '../db/pool.ts';

export type PendingEvent = {
  topic: string;
  key: string;
  type: string;
  payload: unknown;
  requestId?: string;
};

/** Writes an event into the outbox inside the caller's transaction; returns its event id. */
export async function enqueueEvent(client: PoolClient, event: PendingEvent): Promise<string> {
  const eventId = randomUUID();
  const headers: Record<string, string> = { 'event-id': eventId, 'event-type': event.type };
  if (event.requestId) headers['request-id'] = event.requestId;
  await client.query(
    `INSERT INTO outbox (event_id, topic, event_key, payload, headers)
     VALUES ($1::uuid, $2::text, $3::text, $4::jsonb, $5::jsonb)`,
    [eventId, event.topic, event.key, JSON.stringify(event.payload), JSON.stringify(headers)],
  );
  return eventId;
}
