-- A money command claims its key with a short row (~130 bytes) and stores its response in the
-- same transaction, a version of ~430 bytes. On a full page that version went to another page:
-- a new heap tuple and an entry in both of the table's indexes, for 99 of 100 keys
-- (pg_stat_user_tables over batches of transfers alone,
-- bench/tuning-runs/a33ba56-batch-hash-checks-and-key-fillfactor.txt). Inserts now leave
-- four fifths of each page free, room for the stored versions of the rows they put there, so
-- storing a response is a heap-only update. New pages only; pages already full stay as they are
-- until their keys are cleaned up. test/transactions-service/batch-row-writes.test.ts checks it.
ALTER TABLE idempotency_keys SET (fillfactor = 20);
