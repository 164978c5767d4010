-- Idempotency-Key of createUser: the same key with the same email answers the first response
-- again. Written in the same transaction as the user, so a key exists only for a created user.
CREATE TABLE idempotency_keys (
  idempotency_key text PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  email           text NOT NULL,
  user_id         uuid NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
