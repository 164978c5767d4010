-- Wallets, their money movements, idempotency keys and the outbox.
-- Money is NUMERIC(15,2): exact, and below 2^53 cents so it prints back exactly as a JSON number.

CREATE TABLE users (
  user_id    uuid PRIMARY KEY,
  balance    NUMERIC(15,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Keyset pages of wallets, newest first.
CREATE INDEX users_created_at_idx ON users (created_at DESC, user_id DESC);

CREATE TABLE transactions (
  id              uuid PRIMARY KEY,
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  user_id         uuid NOT NULL REFERENCES users,
  kind            text NOT NULL CHECK (kind IN ('deposit', 'transfer_out', 'transfer_in')),
  balance_change  NUMERIC(15,2) NOT NULL CHECK (balance_change <> 0),
  old_balance     NUMERIC(15,2) NOT NULL CHECK (old_balance >= 0),
  new_balance     NUMERIC(15,2) NOT NULL CHECK (new_balance >= 0),
  transfer_id     uuid,
  counterparty_id uuid REFERENCES users,
  idempotency_key text,
  "timestamp"     timestamptz NOT NULL DEFAULT now(),
  CHECK (new_balance = old_balance + balance_change),
  -- Money leaves only through transfer_out; deposits and transfer_in add.
  CHECK ((kind = 'transfer_out') = (balance_change < 0)),
  -- A deposit stands alone; both legs of a transfer name the transfer and the other user.
  CHECK (
    (kind = 'deposit' AND transfer_id IS NULL AND counterparty_id IS NULL)
    OR (kind <> 'deposit' AND transfer_id IS NOT NULL AND counterparty_id IS NOT NULL
        AND counterparty_id <> user_id)
  )
);
CREATE INDEX transactions_user_seq_idx ON transactions (user_id, seq DESC);
-- At most one leg of each direction per transfer.
CREATE UNIQUE INDEX transactions_transfer_leg_idx ON transactions (transfer_id, kind) WHERE transfer_id IS NOT NULL;

CREATE TABLE idempotency_keys (
  scope        text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  status_code  int,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
-- The periodic cleanup deletes by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

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
