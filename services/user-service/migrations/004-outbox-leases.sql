-- Outbox leases (issue 12): the relay no longer keeps a transaction and row locks open while it
-- waits for Kafka. It claims rows in one short statement (claimed_by, claimed_until), sends them
-- with no transaction open, and marks them published in another short statement, only while the
-- lease is still its own. A relay that dies mid-send leaves its lease to expire; another relay
-- then sends those rows again (at least once; consumers dedupe by the event-id header).
-- The same two columns as OUTBOX_LEASE_SQL in services/shared/src/outbox/outbox-sql.ts.
ALTER TABLE outbox
  ADD COLUMN claimed_by    text,
  ADD COLUMN claimed_until timestamptz;
