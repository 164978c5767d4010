-- Money out, holds, reversals and wallet status (docs/money-operations.md).
--
-- A wallet gains `held` (reserved by pending holds; 0 ≤ held ≤ balance, so balance − held, the
-- available balance, is never negative), a status, and `ledger_seq`: the sequence of its latest
-- ledger row. Every ledger row carries the wallet's sequence (1, 2, 3 … per wallet, no gaps) and
-- its held amount before and after, so a reader can chain a wallet's rows and an event consumer
-- can order a wallet's events and notice a gap.

ALTER TABLE users
  ADD COLUMN held NUMERIC(15,2) NOT NULL DEFAULT 0 CHECK (held >= 0),
  ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'closed')),
  ADD COLUMN status_reason text CHECK (length(status_reason) BETWEEN 1 AND 500),
  ADD COLUMN status_changed_at timestamptz,
  ADD COLUMN ledger_seq bigint NOT NULL DEFAULT 0 CHECK (ledger_seq >= 0),
  ADD CONSTRAINT users_held_within_balance CHECK (held <= balance);

ALTER TABLE transactions
  ADD COLUMN wallet_seq  bigint,
  ADD COLUMN held_change NUMERIC(15,2) NOT NULL DEFAULT 0,
  ADD COLUMN old_held    NUMERIC(15,2) NOT NULL DEFAULT 0 CHECK (old_held >= 0),
  ADD COLUMN new_held    NUMERIC(15,2) NOT NULL DEFAULT 0 CHECK (new_held >= 0),
  ADD COLUMN hold_id     uuid,
  ADD COLUMN reverses_id uuid,
  ADD COLUMN reason      text CHECK (length(reason) BETWEEN 1 AND 500);

-- Rows written before this migration get their sequence in the order they were written.
UPDATE transactions
   SET wallet_seq = numbered.n
  FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY seq) AS n FROM transactions) AS numbered
 WHERE transactions.id = numbered.id;
UPDATE users
   SET ledger_seq = latest.n
  FROM (SELECT user_id, max(wallet_seq) AS n FROM transactions GROUP BY user_id) AS latest
 WHERE users.user_id = latest.user_id;
ALTER TABLE transactions ALTER COLUMN wallet_seq SET NOT NULL;
ALTER TABLE transactions ADD CONSTRAINT transactions_wallet_seq_positive CHECK (wallet_seq > 0);
CREATE UNIQUE INDEX transactions_user_wallet_seq_idx ON transactions (user_id, wallet_seq);
-- Sums of what was already reversed of a transfer or a deposit.
CREATE INDEX transactions_reverses_idx ON transactions (reverses_id) WHERE reverses_id IS NOT NULL;

-- The checks of migration 001 knew three kinds; replace them with the ones for all nine.
DO $$
DECLARE
  v_name text;
BEGIN
  FOR v_name IN
    SELECT conname FROM pg_constraint
     WHERE conrelid = 'transactions'::regclass AND contype = 'c'
       AND conname IN ('transactions_kind_check', 'transactions_balance_change_check',
                       'transactions_check', 'transactions_check1', 'transactions_check2')
  LOOP
    EXECUTE format('ALTER TABLE transactions DROP CONSTRAINT %I', v_name);
  END LOOP;
END
$$;

ALTER TABLE transactions
  ADD CONSTRAINT transactions_kind_known CHECK (kind IN (
    'deposit', 'withdrawal', 'transfer_out', 'transfer_in', 'hold', 'hold_release',
    'reversal_out', 'reversal_in', 'deposit_reversal'
  )),
  ADD CONSTRAINT transactions_balance_chain CHECK (new_balance = old_balance + balance_change),
  ADD CONSTRAINT transactions_held_chain CHECK (new_held = old_held + held_change),
  ADD CONSTRAINT transactions_held_within_balance CHECK (new_held <= new_balance),
  ADD CONSTRAINT transactions_changes_something CHECK (balance_change <> 0 OR held_change <> 0),
  -- Which way each kind moves the balance and the held amount. A capture's transfer_out takes the
  -- whole hold off `held` and the captured part off the balance in one row.
  ADD CONSTRAINT transactions_kind_direction CHECK (CASE kind
    WHEN 'deposit'          THEN balance_change > 0 AND held_change = 0
    WHEN 'transfer_in'      THEN balance_change > 0 AND held_change = 0
    WHEN 'reversal_in'      THEN balance_change > 0 AND held_change = 0
    WHEN 'withdrawal'       THEN balance_change < 0 AND held_change = 0
    WHEN 'reversal_out'     THEN balance_change < 0 AND held_change = 0
    WHEN 'deposit_reversal' THEN balance_change < 0 AND held_change = 0
    WHEN 'transfer_out'     THEN balance_change < 0 AND held_change <= 0
    WHEN 'hold'             THEN balance_change = 0 AND held_change > 0
    WHEN 'hold_release'     THEN balance_change = 0 AND held_change < 0
  END),
  -- What each kind names: transfer legs their transfer (and hold, for a capture) and the other
  -- user; hold rows their hold; reversals what they reverse.
  ADD CONSTRAINT transactions_kind_references CHECK (CASE
    WHEN kind IN ('deposit', 'withdrawal') THEN
      transfer_id IS NULL AND counterparty_id IS NULL AND hold_id IS NULL AND reverses_id IS NULL
    WHEN kind IN ('transfer_out', 'transfer_in') THEN
      transfer_id IS NOT NULL AND counterparty_id IS NOT NULL AND reverses_id IS NULL
    WHEN kind IN ('hold', 'hold_release') THEN
      hold_id IS NOT NULL AND counterparty_id IS NOT NULL AND transfer_id IS NULL AND reverses_id IS NULL
    WHEN kind IN ('reversal_out', 'reversal_in') THEN
      transfer_id IS NOT NULL AND counterparty_id IS NOT NULL AND reverses_id IS NOT NULL AND hold_id IS NULL
    WHEN kind = 'deposit_reversal' THEN
      reverses_id IS NOT NULL AND transfer_id IS NULL AND counterparty_id IS NULL AND hold_id IS NULL
  END),
  ADD CONSTRAINT transactions_counterparty_other CHECK (counterparty_id <> user_id);

CREATE TABLE holds (
  hold_id         uuid PRIMARY KEY,
  -- Keyset pages, newest first.
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  from_user_id    uuid NOT NULL REFERENCES users,
  to_user_id      uuid NOT NULL REFERENCES users,
  amount          NUMERIC(15,2) NOT NULL CHECK (amount > 0),
  captured_amount NUMERIC(15,2) CHECK (captured_amount > 0 AND captured_amount <= amount),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  transfer_id     uuid,
  CHECK (from_user_id <> to_user_id),
  CHECK (expires_at > created_at),
  CHECK ((status = 'pending') = (resolved_at IS NULL)),
  CHECK ((status = 'captured') = (captured_amount IS NOT NULL)),
  CHECK ((status = 'captured') = (transfer_id IS NOT NULL))
);
CREATE INDEX holds_from_idx ON holds (from_user_id, seq DESC);
CREATE INDEX holds_to_idx ON holds (to_user_id, seq DESC);
-- The expiry sweep's work list.
CREATE INDEX holds_due_idx ON holds (expires_at) WHERE status = 'pending';

-- A hold leaves `pending` once, and nothing changes it after: not a second capture, not a
-- capture after a void or an expiry, whatever SQL runs against the table.
CREATE FUNCTION holds_resolve_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'hold % is % and cannot change', OLD.hold_id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'holds_resolve_once';
  END IF;
  IF NEW.hold_id <> OLD.hold_id OR NEW.from_user_id <> OLD.from_user_id OR NEW.to_user_id <> OLD.to_user_id
     OR NEW.amount <> OLD.amount OR NEW.expires_at <> OLD.expires_at THEN
    RAISE EXCEPTION 'hold % may only change its status', OLD.hold_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'holds_resolve_once';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER holds_resolve_once BEFORE UPDATE ON holds
  FOR EACH ROW EXECUTE FUNCTION holds_resolve_once();

-- Who froze, unfroze or closed a wallet, when and why.
CREATE TABLE wallet_status_changes (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users,
  old_status text NOT NULL,
  new_status text NOT NULL CHECK (new_status <> old_status),
  reason     text,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wallet_status_changes_user_idx ON wallet_status_changes (user_id, seq);

-- The money command functions of migration 002, rewritten: the result carries a detail, every
-- command checks wallet status and the available balance, and every ledger row goes through
-- post_ledger_row, which keeps the wallet's sequence and held amount.
DROP FUNCTION add_money(text, text, text, uuid, uuid, text, text, uuid, text, jsonb, int);
DROP FUNCTION transfer_money(text, text, text, uuid, uuid, uuid, text, text, uuid, text, jsonb, int);
DROP FUNCTION refuse_money_command(text, text, text, uuid, numeric);
DROP FUNCTION stored_outcome(idempotency_keys, text);
DROP TYPE money_command_result;

CREATE TYPE money_command_result AS (
  -- done | replayed | key_reused | a refusal: wallet_not_found, insufficient_funds,
  -- balance_limit_exceeded, wallet_frozen, wallet_closed, wallet_not_empty, hold_not_found,
  -- hold_not_pending, hold_expired, capture_exceeds_hold, transfer_not_found, deposit_not_found,
  -- reversal_exceeds_original
  verdict     text,
  status_code int,
  -- The response body: stored under the key and returned, for done and replayed.
  response    jsonb,
  -- Refusals: the wallet the refusal is about.
  user_id     uuid,
  -- insufficient_funds: the available balance; reversal_exceeds_original: what remains.
  balance     numeric,
  -- hold_not_pending: the hold's status.
  detail      text
);

CREATE FUNCTION stored_outcome(p_stored idempotency_keys, p_request_hash text)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
BEGIN
  IF p_stored.request_hash <> p_request_hash THEN
    RETURN ROW('key_reused', NULL, NULL, NULL, NULL, NULL)::money_command_result;
  END IF;
  -- The outcome is stored in the transaction that claimed the key, so a committed claim has one.
  IF p_stored.status_code IS NULL THEN
    RAISE EXCEPTION 'idempotency key %/% has no outcome', p_stored.scope, p_stored.key;
  END IF;
  RETURN ROW('replayed', p_stored.status_code, p_stored.response, NULL, NULL, NULL)::money_command_result;
END
$$;

-- A refusal: gives back the key this transaction claimed (if any) and returns the verdict.
CREATE FUNCTION refuse_money_command(
  p_scope text, p_key text, p_verdict text, p_user_id uuid, p_balance numeric, p_detail text DEFAULT NULL
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
BEGIN
  IF p_key IS NOT NULL THEN
    DELETE FROM idempotency_keys WHERE scope = p_scope AND key = p_key;
  END IF;
  RETURN ROW(p_verdict, NULL, NULL, p_user_id, p_balance, p_detail)::money_command_result;
END
$$;

-- Success: stores the response under the key (if any) and returns it.
CREATE FUNCTION finish_money_command(p_scope text, p_key text, p_status_code int, p_response jsonb)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
BEGIN
  IF p_key IS NOT NULL THEN
    UPDATE idempotency_keys SET status_code = p_status_code, response = p_response
     WHERE scope = p_scope AND key = p_key;
  END IF;
  RETURN ROW('done', p_status_code, p_response, NULL, NULL, NULL)::money_command_result;
END
$$;

-- Claims the key; the stored outcome when it was claimed before, NULL when the command goes on.
CREATE FUNCTION begin_money_command(p_scope text, p_key text, p_request_hash text)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_claim idempotency_keys;
BEGIN
  IF p_key IS NULL THEN
    RETURN NULL;
  END IF;
  v_claim := claim_idempotency_key(p_scope, p_key, p_request_hash);
  IF v_claim.scope IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN stored_outcome(v_claim, p_request_hash);
END
$$;

-- Applies one change to a wallet the caller has locked, and writes its ledger row with the
-- wallet's next sequence, at `p_time` (the time the caller decided at) or else now, read under
-- the lock. Returns the wallet after the change.
CREATE FUNCTION post_ledger_row(
  p_user_id uuid, p_kind text, p_balance_change numeric, p_held_change numeric,
  p_id uuid, p_transfer_id uuid, p_counterparty_id uuid, p_hold_id uuid, p_reverses_id uuid,
  p_reason text, p_key text, p_time timestamptz DEFAULT NULL
)
RETURNS users
LANGUAGE plpgsql AS $$
DECLARE
  v_after users;
BEGIN
  UPDATE users
     SET balance = balance + p_balance_change, held = held + p_held_change, ledger_seq = ledger_seq + 1
   WHERE user_id = p_user_id
  RETURNING * INTO v_after;
  INSERT INTO transactions
    (id, user_id, wallet_seq, kind, balance_change, old_balance, new_balance,
     held_change, old_held, new_held, transfer_id, counterparty_id, hold_id, reverses_id, reason,
     idempotency_key, "timestamp")
  VALUES
    (coalesce(p_id, gen_random_uuid()), p_user_id, v_after.ledger_seq, p_kind, p_balance_change,
     v_after.balance - p_balance_change, v_after.balance,
     p_held_change, v_after.held - p_held_change, v_after.held,
     p_transfer_id, p_counterparty_id, p_hold_id, p_reverses_id, p_reason, p_key,
     coalesce(p_time, clock_timestamp()));
  RETURN v_after;
END
$$;

-- A wallet as an event's `wallets[]` entry: its sequence and balances after, as decimal text.
CREATE FUNCTION wallet_after(p_wallet users)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'user_id', p_wallet.user_id,
    'seq', p_wallet.ledger_seq,
    'balance', p_wallet.balance::text,
    'held', p_wallet.held::text,
    'available_balance', (p_wallet.balance - p_wallet.held)::text
  )
$$;

-- A wallet as the HTTP API shows it.
CREATE FUNCTION wallet_view(p_wallet users)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'user_id', p_wallet.user_id,
    'balance', p_wallet.balance,
    'held', p_wallet.held,
    'available_balance', p_wallet.balance - p_wallet.held,
    'status', p_wallet.status,
    'status_reason', p_wallet.status_reason,
    'seq', p_wallet.ledger_seq,
    'created_at', event_time_text(p_wallet.created_at)
  )
$$;

-- A hold as the HTTP API shows it.
CREATE FUNCTION hold_view(p_hold holds)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'hold_id', p_hold.hold_id,
    'from_user_id', p_hold.from_user_id,
    'to_user_id', p_hold.to_user_id,
    'amount', p_hold.amount,
    'captured_amount', p_hold.captured_amount,
    'status', p_hold.status,
    'expires_at', event_time_text(p_hold.expires_at),
    'created_at', event_time_text(p_hold.created_at),
    'resolved_at', CASE WHEN p_hold.resolved_at IS NULL THEN NULL ELSE event_time_text(p_hold.resolved_at) END,
    'transfer_id', p_hold.transfer_id
  )
$$;

-- A hold command's answer: the hold and the sender's balances after it.
CREATE FUNCTION hold_response(p_hold holds, p_sender users)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT hold_view(p_hold) || jsonb_build_object(
    'balance', p_sender.balance,
    'held', p_sender.held,
    'available_balance', p_sender.balance - p_sender.held
  )
$$;

-- A hold event's common fields.
CREATE FUNCTION hold_event(p_hold holds, p_wallets jsonb)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'hold_id', p_hold.hold_id,
    'from_user_id', p_hold.from_user_id,
    'to_user_id', p_hold.to_user_id,
    'amount', p_hold.amount::text,
    'expires_at', event_time_text(p_hold.expires_at),
    'occurred_at', event_time_text(now()),
    'wallets', p_wallets
  )
$$;

CREATE FUNCTION write_outbox_event(p_event_id uuid, p_topic text, p_key uuid, p_payload jsonb, p_headers jsonb)
RETURNS void
LANGUAGE sql AS $$
  INSERT INTO outbox (event_id, topic, event_key, payload, headers)
  VALUES (p_event_id, p_topic, p_key::text, p_payload, p_headers)
$$;

-- Locks one or two wallets in user_id order (so no two commands deadlock) and returns them.
CREATE FUNCTION lock_wallets(p_first uuid, p_second uuid)
RETURNS SETOF users
LANGUAGE sql AS $$
  -- LockRows sits above the sort, so the rows are locked in user_id order.
  SELECT * FROM users WHERE user_id IN (p_first, p_second) ORDER BY user_id FOR UPDATE
$$;

-- A deposit: one `deposit` row, the new balance and a money-added outbox event. Money in lands
-- on a frozen wallet; a closed one refuses it.
CREATE FUNCTION add_money(
  p_scope text, p_key text, p_request_hash text,
  p_transaction_id uuid, p_user_id uuid, p_amount text, p_balance_max text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_amount NUMERIC(15,2) := p_amount::numeric;
  v_stored money_command_result;
  v_wallet users;
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  SELECT * INTO v_wallet FROM users WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_user_id, NULL);
  END IF;
  IF v_wallet.status = 'closed' THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_closed', p_user_id, NULL);
  END IF;
  IF v_wallet.balance + v_amount > p_balance_max::numeric THEN
    RETURN refuse_money_command(p_scope, p_key, 'balance_limit_exceeded', p_user_id, NULL);
  END IF;

  v_wallet := post_ledger_row(p_user_id, 'deposit', v_amount, 0, p_transaction_id, NULL, NULL, NULL, NULL, NULL, p_key);
  PERFORM write_outbox_event(p_event_id, p_topic, p_user_id, jsonb_build_object(
    'transaction_id', p_transaction_id,
    'user_id', p_user_id,
    'amount', v_amount::text,
    'balance', v_wallet.balance::text,
    'occurred_at', event_time_text(now()),
    'wallets', jsonb_build_array(wallet_after(v_wallet))
  ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, jsonb_build_object(
    'updated_balance', v_wallet.balance,
    'user_id', p_user_id,
    'transaction_id', p_transaction_id,
    'available_balance', v_wallet.balance - v_wallet.held
  ));
END
$$;

-- A withdrawal: money leaves the platform. One `withdrawal` row and a money-withdrawn event.
CREATE FUNCTION withdraw_money(
  p_scope text, p_key text, p_request_hash text,
  p_transaction_id uuid, p_user_id uuid, p_amount text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_amount NUMERIC(15,2) := p_amount::numeric;
  v_stored money_command_result;
  v_wallet users;
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  SELECT * INTO v_wallet FROM users WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_user_id, NULL);
  END IF;
  IF v_wallet.status <> 'active' THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_' || v_wallet.status, p_user_id, NULL);
  END IF;
  IF v_wallet.balance - v_wallet.held < v_amount THEN
    RETURN refuse_money_command(p_scope, p_key, 'insufficient_funds', p_user_id, v_wallet.balance - v_wallet.held);
  END IF;

  v_wallet := post_ledger_row(p_user_id, 'withdrawal', -v_amount, 0, p_transaction_id, NULL, NULL, NULL, NULL, NULL, p_key);
  PERFORM write_outbox_event(p_event_id, p_topic, p_user_id, jsonb_build_object(
    'transaction_id', p_transaction_id,
    'user_id', p_user_id,
    'amount', v_amount::text,
    'balance', v_wallet.balance::text,
    'occurred_at', event_time_text(now()),
    'wallets', jsonb_build_array(wallet_after(v_wallet))
  ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, jsonb_build_object(
    'transaction_id', p_transaction_id,
    'user_id', p_user_id,
    'amount', v_amount,
    'updated_balance', v_wallet.balance,
    'available_balance', v_wallet.balance - v_wallet.held
  ));
END
$$;

-- Why money may not leave `p_payer` for `p_payee`, or NULL when it may: a closed wallet on
-- either side, a frozen payer (when frozen wallets may not pay), too little available, or a
-- payee balance over the limit.
CREATE FUNCTION refuse_movement(
  p_payer users, p_payee users, p_amount numeric, p_balance_max numeric, p_frozen_may_pay boolean
)
RETURNS money_command_result
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_payer.status = 'closed' THEN
    RETURN ROW('wallet_closed', NULL, NULL, p_payer.user_id, NULL, NULL)::money_command_result;
  END IF;
  IF p_payee.status = 'closed' THEN
    RETURN ROW('wallet_closed', NULL, NULL, p_payee.user_id, NULL, NULL)::money_command_result;
  END IF;
  IF p_payer.status = 'frozen' AND NOT p_frozen_may_pay THEN
    RETURN ROW('wallet_frozen', NULL, NULL, p_payer.user_id, NULL, NULL)::money_command_result;
  END IF;
  IF p_payer.balance - p_payer.held < p_amount THEN
    RETURN ROW('insufficient_funds', NULL, NULL, p_payer.user_id, p_payer.balance - p_payer.held, NULL)::money_command_result;
  END IF;
  IF p_balance_max IS NOT NULL AND p_payee.balance + p_amount > p_balance_max THEN
    RETURN ROW('balance_limit_exceeded', NULL, NULL, p_payee.user_id, NULL, NULL)::money_command_result;
  END IF;
  RETURN NULL;
END
$$;

-- A refusal decided by refuse_movement, with the claimed key given back.
CREATE FUNCTION refuse_with(p_scope text, p_key text, p_refusal money_command_result)
RETURNS money_command_result
LANGUAGE sql AS $$
  SELECT refuse_money_command(p_scope, p_key, p_refusal.verdict, p_refusal.user_id, p_refusal.balance, p_refusal.detail)
$$;

-- A transfer: a transfer_out row on the sender and a transfer_in row on the receiver sharing one
-- transfer id, both balances, and a money-transferred outbox event.
CREATE FUNCTION transfer_money(
  p_scope text, p_key text, p_request_hash text,
  p_transfer_id uuid, p_from_user_id uuid, p_to_user_id uuid, p_amount text, p_balance_max text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_amount  NUMERIC(15,2) := p_amount::numeric;
  v_stored  money_command_result;
  v_refusal money_command_result;
  v_wallet  users;
  v_from    users;
  v_to      users;
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  FOR v_wallet IN SELECT * FROM lock_wallets(p_from_user_id, p_to_user_id) LOOP
    IF v_wallet.user_id = p_from_user_id THEN v_from := v_wallet; ELSE v_to := v_wallet; END IF;
  END LOOP;
  IF v_from.user_id IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_from_user_id, NULL);
  END IF;
  IF v_to.user_id IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_to_user_id, NULL);
  END IF;
  v_refusal := refuse_movement(v_from, v_to, v_amount, p_balance_max::numeric, false);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;

  v_from := post_ledger_row(p_from_user_id, 'transfer_out', -v_amount, 0, NULL, p_transfer_id, p_to_user_id, NULL, NULL, NULL, p_key);
  v_to := post_ledger_row(p_to_user_id, 'transfer_in', v_amount, 0, NULL, p_transfer_id, p_from_user_id, NULL, NULL, NULL, p_key);
  PERFORM write_outbox_event(p_event_id, p_topic, p_from_user_id, jsonb_build_object(
    'transfer_id', p_transfer_id,
    'from_user_id', p_from_user_id,
    'to_user_id', p_to_user_id,
    'amount', v_amount::text,
    'from_balance', v_from.balance::text,
    'to_balance', v_to.balance::text,
    'occurred_at', event_time_text(now()),
    'wallets', jsonb_build_array(wallet_after(v_from), wallet_after(v_to))
  ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, jsonb_build_object(
    'transfer_id', p_transfer_id,
    'from_user_id', p_from_user_id,
    'to_user_id', p_to_user_id,
    'amount', v_amount,
    'from_balance', v_from.balance,
    'to_balance', v_to.balance,
    'from_available_balance', v_from.balance - v_from.held
  ));
END
$$;

-- A hold: reserves the amount on the sender (a `hold` row raises its held amount) until it is
-- captured, voided or expired. Both wallets must exist and be open; the sender must be active.
CREATE FUNCTION create_hold(
  p_scope text, p_key text, p_request_hash text,
  p_hold_id uuid, p_from_user_id uuid, p_to_user_id uuid, p_amount text, p_expires_in_seconds int,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_amount  NUMERIC(15,2) := p_amount::numeric;
  v_stored  money_command_result;
  v_refusal money_command_result;
  v_wallet  users;
  v_from    users;
  v_to      users;
  v_hold    holds;
  v_now     timestamptz;
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  FOR v_wallet IN SELECT * FROM lock_wallets(p_from_user_id, p_to_user_id) LOOP
    IF v_wallet.user_id = p_from_user_id THEN v_from := v_wallet; ELSE v_to := v_wallet; END IF;
  END LOOP;
  IF v_from.user_id IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_from_user_id, NULL);
  END IF;
  IF v_to.user_id IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_to_user_id, NULL);
  END IF;
  -- The receiver's limit is checked at capture, when money moves.
  v_refusal := refuse_movement(v_from, v_to, v_amount, NULL, false);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;

  v_now := clock_timestamp();
  INSERT INTO holds (hold_id, from_user_id, to_user_id, amount, created_at, expires_at)
  VALUES (p_hold_id, p_from_user_id, p_to_user_id, v_amount, v_now, v_now + make_interval(secs => p_expires_in_seconds))
  RETURNING * INTO v_hold;
  v_from := post_ledger_row(p_from_user_id, 'hold', 0, v_amount, NULL, NULL, p_to_user_id, p_hold_id, NULL, NULL, p_key, v_now);
  PERFORM write_outbox_event(p_event_id, p_topic, p_from_user_id,
    hold_event(v_hold, jsonb_build_array(wallet_after(v_from))), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, hold_response(v_hold, v_from));
END
$$;

-- Reads a hold and locks what a capture or void needs, wallets first and the hold last (the
-- order every hold command and the expiry sweep share). NULL hold_id when there is no such hold.
CREATE FUNCTION lock_hold(p_hold_id uuid, OUT o_hold holds, OUT o_from users, OUT o_to users)
LANGUAGE plpgsql AS $$
DECLARE
  v_wallet users;
BEGIN
  SELECT * INTO o_hold FROM holds WHERE hold_id = p_hold_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  FOR v_wallet IN SELECT * FROM lock_wallets(o_hold.from_user_id, o_hold.to_user_id) LOOP
    IF v_wallet.user_id = o_hold.from_user_id THEN o_from := v_wallet; ELSE o_to := v_wallet; END IF;
  END LOOP;
  SELECT * INTO o_hold FROM holds WHERE hold_id = p_hold_id FOR UPDATE;
END
$$;

-- Why a pending-or-not hold cannot be captured or voided at p_now, or NULL when it can. p_now is
-- read under the hold's lock and becomes the resolution's time, so a capture's ledger rows are
-- never later than the expiry it was judged against.
CREATE FUNCTION refuse_resolution(p_hold holds, p_now timestamptz)
RETURNS money_command_result
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_hold.status = 'expired' OR (p_hold.status = 'pending' AND p_now >= p_hold.expires_at) THEN
    RETURN ROW('hold_expired', NULL, NULL, p_hold.from_user_id, NULL, p_hold.status)::money_command_result;
  END IF;
  IF p_hold.status <> 'pending' THEN
    RETURN ROW('hold_not_pending', NULL, NULL, p_hold.from_user_id, NULL, p_hold.status)::money_command_result;
  END IF;
  RETURN NULL;
END
$$;

-- A capture: moves all of the hold, or part (`p_amount`), to the receiver as a transfer that
-- names the hold; the rest is released in the same ledger row. A second capture of the same
-- amount answers the captured hold again.
CREATE FUNCTION capture_hold(
  p_scope text, p_key text, p_request_hash text,
  p_hold_id uuid, p_amount text, p_transfer_id uuid, p_balance_max text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_stored  money_command_result;
  v_refusal money_command_result;
  v_locked  record;
  v_hold    holds;
  v_from    users;
  v_to      users;
  v_amount  NUMERIC(15,2);
  v_now     timestamptz;
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  v_locked := lock_hold(p_hold_id);
  v_now := clock_timestamp();
  v_hold := v_locked.o_hold;
  v_from := v_locked.o_from;
  v_to := v_locked.o_to;
  IF v_hold.hold_id IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'hold_not_found', NULL, NULL);
  END IF;
  v_amount := coalesce(p_amount::numeric, v_hold.amount);
  IF v_hold.status = 'captured' AND v_hold.captured_amount = v_amount THEN
    RETURN finish_money_command(p_scope, p_key, p_status_code,
      hold_response(v_hold, v_from) || jsonb_build_object('to_balance', v_to.balance));
  END IF;
  v_refusal := refuse_resolution(v_hold, v_now);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;
  IF v_amount > v_hold.amount THEN
    RETURN refuse_money_command(p_scope, p_key, 'capture_exceeds_hold', v_hold.from_user_id, v_hold.amount);
  END IF;
  -- The money is already reserved, so `available` is not asked again: the hold's own amount pays.
  v_refusal := refuse_movement(v_from, v_to, 0, p_balance_max::numeric - v_amount, false);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;

  v_from := post_ledger_row(v_hold.from_user_id, 'transfer_out', -v_amount, -v_hold.amount, NULL,
    p_transfer_id, v_hold.to_user_id, p_hold_id, NULL, NULL, p_key, v_now);
  v_to := post_ledger_row(v_hold.to_user_id, 'transfer_in', v_amount, 0, NULL,
    p_transfer_id, v_hold.from_user_id, p_hold_id, NULL, NULL, p_key, v_now);
  UPDATE holds SET status = 'captured', captured_amount = v_amount, transfer_id = p_transfer_id, resolved_at = v_now
   WHERE hold_id = p_hold_id
  RETURNING * INTO v_hold;
  PERFORM write_outbox_event(p_event_id, p_topic, v_hold.from_user_id,
    hold_event(v_hold, jsonb_build_array(wallet_after(v_from), wallet_after(v_to))) || jsonb_build_object(
      'transfer_id', p_transfer_id,
      'captured_amount', v_amount::text,
      'released_amount', (v_hold.amount - v_amount)::text
    ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code,
    hold_response(v_hold, v_from) || jsonb_build_object('to_balance', v_to.balance));
END
$$;

-- Releases a pending hold's money on the sender: a `hold_release` row and the hold's new status.
CREATE FUNCTION release_hold(
  p_hold holds, p_status text, p_key text, p_now timestamptz, OUT o_hold holds, OUT o_from users
)
LANGUAGE plpgsql AS $$
BEGIN
  o_from := post_ledger_row(p_hold.from_user_id, 'hold_release', 0, -p_hold.amount, NULL, NULL,
    p_hold.to_user_id, p_hold.hold_id, NULL, NULL, p_key, p_now);
  UPDATE holds SET status = p_status, resolved_at = p_now WHERE hold_id = p_hold.hold_id
  RETURNING * INTO o_hold;
END
$$;

-- A void: releases a pending hold. A second void answers the voided hold again.
CREATE FUNCTION void_hold(
  p_scope text, p_key text, p_request_hash text, p_hold_id uuid,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_stored   money_command_result;
  v_refusal  money_command_result;
  v_locked   record;
  v_released record;
  v_now      timestamptz;
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  v_locked := lock_hold(p_hold_id);
  v_now := clock_timestamp();
  IF (v_locked.o_hold).hold_id IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'hold_not_found', NULL, NULL);
  END IF;
  IF (v_locked.o_hold).status = 'voided' THEN
    RETURN finish_money_command(p_scope, p_key, p_status_code, hold_response(v_locked.o_hold, v_locked.o_from));
  END IF;
  v_refusal := refuse_resolution(v_locked.o_hold, v_now);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;

  v_released := release_hold(v_locked.o_hold, 'voided', p_key, v_now);
  PERFORM write_outbox_event(p_event_id, p_topic, (v_released.o_hold).from_user_id,
    hold_event(v_released.o_hold, jsonb_build_array(wallet_after(v_released.o_from))), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, hold_response(v_released.o_hold, v_released.o_from));
END
$$;

-- The expiry sweep's step: expires one hold if it is still pending and due. Every replica
-- sweeps; the locks make each hold expire once. True when this call expired it.
CREATE FUNCTION expire_hold(p_hold_id uuid, p_event_id uuid, p_topic text, p_event_headers jsonb)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_locked   record;
  v_released record;
  v_now      timestamptz;
BEGIN
  v_locked := lock_hold(p_hold_id);
  v_now := clock_timestamp();
  IF (v_locked.o_hold).hold_id IS NULL OR (v_locked.o_hold).status <> 'pending'
     OR (v_locked.o_hold).expires_at > v_now THEN
    RETURN false;
  END IF;
  v_released := release_hold(v_locked.o_hold, 'expired', NULL, v_now);
  PERFORM write_outbox_event(p_event_id, p_topic, (v_released.o_hold).from_user_id,
    hold_event(v_released.o_hold, jsonb_build_array(wallet_after(v_released.o_from))), p_event_headers);
  RETURN true;
END
$$;

-- A transfer reversal: moves money back from the receiver to the sender, all that remains by
-- default. The sum of a transfer's reversals never exceeds it: both wallets are locked, so
-- reversals of one transfer run one at a time and each sees the ones before. Reversals are
-- operator corrections, so a frozen wallet may pay one back; a closed one may not.
CREATE FUNCTION reverse_transfer(
  p_scope text, p_key text, p_request_hash text,
  p_transfer_id uuid, p_amount text, p_reason text, p_reversal_id uuid, p_balance_max text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_stored    money_command_result;
  v_refusal   money_command_result;
  v_original  transactions;
  v_wallet    users;
  v_payer     users;
  v_payee     users;
  v_reversed  NUMERIC(15,2);
  v_remaining NUMERIC(15,2);
  v_amount    NUMERIC(15,2);
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  -- The sender's leg: user_id paid, counterparty_id received.
  SELECT * INTO v_original FROM transactions WHERE transfer_id = p_transfer_id AND kind = 'transfer_out';
  IF NOT FOUND THEN
    RETURN refuse_money_command(p_scope, p_key, 'transfer_not_found', NULL, NULL);
  END IF;
  FOR v_wallet IN SELECT * FROM lock_wallets(v_original.user_id, v_original.counterparty_id) LOOP
    IF v_wallet.user_id = v_original.counterparty_id THEN v_payer := v_wallet; ELSE v_payee := v_wallet; END IF;
  END LOOP;
  SELECT coalesce(sum(balance_change), 0) INTO v_reversed
    FROM transactions WHERE reverses_id = p_transfer_id AND kind = 'reversal_in';
  v_remaining := -v_original.balance_change - v_reversed;
  v_amount := coalesce(p_amount::numeric, v_remaining);
  IF v_amount <= 0 OR v_amount > v_remaining THEN
    RETURN refuse_money_command(p_scope, p_key, 'reversal_exceeds_original', NULL, v_remaining);
  END IF;
  v_refusal := refuse_movement(v_payer, v_payee, v_amount, p_balance_max::numeric, true);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;

  v_payer := post_ledger_row(v_payer.user_id, 'reversal_out', -v_amount, 0, NULL, p_reversal_id,
    v_payee.user_id, NULL, p_transfer_id, p_reason, p_key);
  v_payee := post_ledger_row(v_payee.user_id, 'reversal_in', v_amount, 0, NULL, p_reversal_id,
    v_payer.user_id, NULL, p_transfer_id, p_reason, p_key);
  PERFORM write_outbox_event(p_event_id, p_topic, v_payer.user_id, jsonb_build_object(
    'reversal_id', p_reversal_id,
    'transfer_id', p_transfer_id,
    'from_user_id', v_payer.user_id,
    'to_user_id', v_payee.user_id,
    'amount', v_amount::text,
    'reason', p_reason,
    'occurred_at', event_time_text(now()),
    'wallets', jsonb_build_array(wallet_after(v_payer), wallet_after(v_payee))
  ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, jsonb_build_object(
    'reversal_id', p_reversal_id,
    'transfer_id', p_transfer_id,
    'from_user_id', v_payer.user_id,
    'to_user_id', v_payee.user_id,
    'amount', v_amount,
    'reversed_total', v_reversed + v_amount,
    'remaining', v_remaining - v_amount,
    'from_balance', v_payer.balance,
    'to_balance', v_payee.balance,
    'from_available_balance', v_payer.balance - v_payer.held
  ));
END
$$;

-- A deposit reversal (a charge-back): takes a deposit back out, all that remains by default.
CREATE FUNCTION reverse_deposit(
  p_scope text, p_key text, p_request_hash text,
  p_transaction_id uuid, p_amount text, p_reason text, p_reversal_id uuid,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_stored    money_command_result;
  v_refusal   money_command_result;
  v_original  transactions;
  v_wallet    users;
  v_reversed  NUMERIC(15,2);
  v_remaining NUMERIC(15,2);
  v_amount    NUMERIC(15,2);
BEGIN
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  SELECT * INTO v_original FROM transactions WHERE id = p_transaction_id AND kind = 'deposit';
  IF NOT FOUND THEN
    RETURN refuse_money_command(p_scope, p_key, 'deposit_not_found', NULL, NULL);
  END IF;
  SELECT * INTO v_wallet FROM users WHERE user_id = v_original.user_id FOR UPDATE;
  SELECT coalesce(-sum(balance_change), 0) INTO v_reversed
    FROM transactions WHERE reverses_id = p_transaction_id AND kind = 'deposit_reversal';
  v_remaining := v_original.balance_change - v_reversed;
  v_amount := coalesce(p_amount::numeric, v_remaining);
  IF v_amount <= 0 OR v_amount > v_remaining THEN
    RETURN refuse_money_command(p_scope, p_key, 'reversal_exceeds_original', NULL, v_remaining);
  END IF;
  -- The payee is the world outside; the wallet pays, frozen or not.
  v_refusal := refuse_movement(v_wallet, v_wallet, v_amount, NULL, true);
  IF v_refusal.verdict IS NOT NULL THEN
    RETURN refuse_with(p_scope, p_key, v_refusal);
  END IF;

  v_wallet := post_ledger_row(v_wallet.user_id, 'deposit_reversal', -v_amount, 0, p_reversal_id, NULL,
    NULL, NULL, p_transaction_id, p_reason, p_key);
  PERFORM write_outbox_event(p_event_id, p_topic, v_wallet.user_id, jsonb_build_object(
    'reversal_id', p_reversal_id,
    'transaction_id', p_transaction_id,
    'user_id', v_wallet.user_id,
    'amount', v_amount::text,
    'reason', p_reason,
    'occurred_at', event_time_text(now()),
    'wallets', jsonb_build_array(wallet_after(v_wallet))
  ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, jsonb_build_object(
    'reversal_id', p_reversal_id,
    'transaction_id', p_transaction_id,
    'user_id', v_wallet.user_id,
    'amount', v_amount,
    'reversed_total', v_reversed + v_amount,
    'remaining', v_remaining - v_amount,
    'updated_balance', v_wallet.balance,
    'available_balance', v_wallet.balance - v_wallet.held
  ));
END
$$;

-- freeze | unfreeze | close. Asking for the status a wallet already has answers the wallet as it
-- is (no event). A closed wallet stays closed; it closes only empty: zero balance, no pending
-- hold from or to it.
CREATE FUNCTION set_wallet_status(
  p_scope text, p_key text, p_request_hash text,
  p_user_id uuid, p_action text, p_reason text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_stored money_command_result;
  v_wallet users;
  v_target text := CASE p_action WHEN 'freeze' THEN 'frozen' WHEN 'unfreeze' THEN 'active' WHEN 'close' THEN 'closed' END;
  v_old    text;
BEGIN
  IF v_target IS NULL THEN
    RAISE EXCEPTION 'unknown wallet status action %', p_action;
  END IF;
  v_stored := begin_money_command(p_scope, p_key, p_request_hash);
  IF v_stored.verdict IS NOT NULL THEN
    RETURN v_stored;
  END IF;

  SELECT * INTO v_wallet FROM users WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_user_id, NULL);
  END IF;
  IF v_wallet.status = v_target THEN
    RETURN finish_money_command(p_scope, p_key, p_status_code, wallet_view(v_wallet));
  END IF;
  IF v_wallet.status = 'closed' THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_closed', p_user_id, NULL);
  END IF;
  IF v_target = 'closed' AND (v_wallet.balance <> 0 OR EXISTS (
    SELECT 1 FROM holds WHERE status = 'pending' AND (from_user_id = p_user_id OR to_user_id = p_user_id)
  )) THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_empty', p_user_id, v_wallet.balance);
  END IF;

  v_old := v_wallet.status;
  UPDATE users SET status = v_target, status_reason = p_reason, status_changed_at = now()
   WHERE user_id = p_user_id
  RETURNING * INTO v_wallet;
  INSERT INTO wallet_status_changes (user_id, old_status, new_status, reason)
  VALUES (p_user_id, v_old, v_target, p_reason);
  PERFORM write_outbox_event(p_event_id, p_topic, p_user_id, jsonb_build_object(
    'user_id', p_user_id,
    'status', v_target,
    'reason', p_reason,
    'occurred_at', event_time_text(now())
  ), p_event_headers);
  RETURN finish_money_command(p_scope, p_key, p_status_code, wallet_view(v_wallet));
END
$$;
