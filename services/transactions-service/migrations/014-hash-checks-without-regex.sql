-- The hash CHECKs of migration 004, same rule (64 lowercase hexadecimal characters), without the
-- regular expression engine: a profile of a batch of transfers alone (perf of its backend,
-- bench/tuning-runs/a33ba56-batch-backend-perf.txt) found 9% of its time in textregexeq, the
-- two checks run on every wallet update and every ledger row. ltrim with the sixteen digits
-- removes a leading run of them; nothing is left only when every character is one. Each ALTER
-- scans its table once to validate the rows already there. Batches of 60 transfers alone took 12%
-- less time with this and migration 015 (a33ba56-batch-hash-checks-and-key-fillfactor.txt);
-- test/transactions-service/batch-row-writes.test.ts checks that they refuse what 004's did.
ALTER TABLE users
  DROP CONSTRAINT users_ledger_hash_check,
  ADD CONSTRAINT users_ledger_hash_check
    CHECK (octet_length(ledger_hash) = 64 AND ltrim(ledger_hash, '0123456789abcdef') = '');
ALTER TABLE transactions
  DROP CONSTRAINT transactions_hash_check,
  ADD CONSTRAINT transactions_hash_check
    CHECK (octet_length(hash) = 64 AND ltrim(hash, '0123456789abcdef') = '');
