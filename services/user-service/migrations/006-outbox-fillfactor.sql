-- Half of each outbox page is left free for the row's later versions (the relay's claim and its
-- mark), so PostgreSQL logs an update as the bytes that changed instead of the whole row on a new
-- page: the outbox was half of a transfer's WAL (bench/tuning-notes.md, "Where a transfer's WAL
-- goes"). The same statement as OUTBOX_FILLFACTOR_SQL in services/shared/src/outbox/outbox-sql.ts.
ALTER TABLE outbox SET (fillfactor = 50);
