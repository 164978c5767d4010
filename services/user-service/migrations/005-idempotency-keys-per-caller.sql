-- Idempotency keys are per caller: stored as `<caller>/<client key>` (shared/src/http/
-- idempotency-key-header.ts), at most 100 characters of caller, the separator and the client's
-- 200. Rows stored before have no caller and are left as they are: a stored key now always holds
-- the separator and a client key never does, so no new request reaches them.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_idempotency_key_check;
ALTER TABLE idempotency_keys
  ADD CONSTRAINT idempotency_keys_idempotency_key_check CHECK (length(idempotency_key) BETWEEN 1 AND 301);
