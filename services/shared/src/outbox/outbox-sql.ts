/**
 * The outbox table both services create in their own migrations (kept identical; a test checks).
 * An event is written in the same transaction as the change it reports, and the relay publishes it.
 */
export const OUTBOX_TABLE_SQL = `
CREATE TABLE outbox (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     uuid NOT NULL UNIQUE,
  topic        text NOT NULL CHECK (length(topic) BETWEEN 1 AND 249),
  event_key    text NOT NULL,
  payload      jsonb NOT NULL,
  headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
`;

/**
 * The relay's lease on the rows it is sending (outbox-claims.ts), added by a later migration of
 * each service (transactions-service 009, user-service 004; a test checks both hold this text).
 * Nullable without a default: adding them rewrites nothing.
 */
export const OUTBOX_LEASE_SQL = `
ALTER TABLE outbox
  ADD COLUMN claimed_by    text,
  ADD COLUMN claimed_until timestamptz;
`;

/**
 * Room on each outbox page for the row's two later versions (the relay's claim and its mark), added
 * by a later migration of each service (transactions-service 010, user-service 006; a test checks).
 * An UPDATE whose new version lands on the same page is logged as the bytes that changed, not the
 * whole ~900-byte row: on packed pages (the default 100) every version moved to a new page and the
 * outbox was half of a transfer's WAL (bench/tuning-notes.md). Only pages written after it count.
 */
export const OUTBOX_FILLFACTOR_SQL = `
ALTER TABLE outbox SET (fillfactor = 50);
`;
