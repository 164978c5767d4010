-- One statement per money command. add_money and transfer_money each run a whole command in the
-- implicit transaction of the one `SELECT … FROM add_money(…)` that calls them: one round trip
-- instead of eight (BEGIN, claim, lock, two ledger writes, outbox, response, COMMIT), which was
-- where the service spent its CPU. The steps and guarantees are those of the statements they replace:
--   1. claim the idempotency key, or answer from its stored outcome, or refuse a reused key;
--   2. lock the wallets in user_id order, so transfers A→B and B→A cannot deadlock;
--   3. check funds and limits; 4. move the money, one ledger row per wallet with its old and new
--   balance; 5. write the outbox event; 6. store the response under the key.
-- A refusal (no wallet, funds, limit) returns a verdict row and deletes the key it claimed, so the
-- key is not burned; a concurrent claim of the same key that waited on ours then goes through,
-- exactly as after a rollback. Money stays NUMERIC; amounts come in as decimal text.
-- The TypeScript side owns the limits and the contract (scope, topic, event headers, status code)
-- and passes them in; the functions own only the order of the steps.

CREATE TYPE money_command_result AS (
  -- done | replayed | key_reused | wallet_not_found | insufficient_funds | balance_limit_exceeded
  verdict     text,
  status_code int,
  -- The response body: stored under the key and returned, for done and replayed.
  response    jsonb,
  -- wallet_not_found: the user without a wallet.
  user_id     uuid,
  -- insufficient_funds: the sender's balance.
  balance     numeric
);

-- Claims (scope, key) in the caller's transaction; NULL when claimed now, else the stored row.
-- A concurrent claim of the same key waits on the primary key until the first transaction ends:
-- after its commit we see its row (READ COMMITTED: every statement of a VOLATILE function takes
-- a fresh snapshot); after its rollback, or its refusal deleting the key, our insert goes through.
CREATE FUNCTION claim_idempotency_key(p_scope text, p_key text, p_request_hash text)
RETURNS idempotency_keys
LANGUAGE plpgsql AS $$
DECLARE
  v_stored idempotency_keys;
BEGIN
  INSERT INTO idempotency_keys (scope, key, request_hash)
  VALUES (p_scope, p_key, p_request_hash)
  ON CONFLICT (scope, key) DO NOTHING;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO v_stored FROM idempotency_keys WHERE scope = p_scope AND key = p_key;
  IF NOT FOUND THEN
    -- Deleted by the cleanup between the two statements: an ordinary race, retried whole.
    RAISE EXCEPTION 'idempotency key %/% vanished during claim', p_scope, p_key
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN v_stored;
END
$$;

-- The answer to a key that was claimed before: its stored outcome, or key_reused for another request.
CREATE FUNCTION stored_outcome(p_stored idempotency_keys, p_request_hash text)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
BEGIN
  IF p_stored.request_hash <> p_request_hash THEN
    RETURN ROW('key_reused', NULL, NULL, NULL, NULL)::money_command_result;
  END IF;
  -- The outcome is stored in the transaction that claimed the key, so a committed claim has one.
  IF p_stored.status_code IS NULL THEN
    RAISE EXCEPTION 'idempotency key %/% has no outcome', p_stored.scope, p_stored.key;
  END IF;
  RETURN ROW('replayed', p_stored.status_code, p_stored.response, NULL, NULL)::money_command_result;
END
$$;

-- A refusal: gives back the key this transaction claimed (if any) and returns the verdict.
CREATE FUNCTION refuse_money_command(
  p_scope text, p_key text, p_verdict text, p_user_id uuid, p_balance numeric
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
BEGIN
  IF p_key IS NOT NULL THEN
    DELETE FROM idempotency_keys WHERE scope = p_scope AND key = p_key;
  END IF;
  RETURN ROW(p_verdict, NULL, NULL, p_user_id, p_balance)::money_command_result;
END
$$;

-- Event time as JavaScript's Date#toISOString writes it (UTC, milliseconds), as before.
CREATE FUNCTION event_time_text(p_time timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT to_char(p_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A deposit: one `deposit` ledger row, the new balance and a money-added outbox event.
CREATE FUNCTION add_money(
  p_scope text, p_key text, p_request_hash text,
  p_transaction_id uuid, p_user_id uuid, p_amount text, p_balance_max text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_amount      NUMERIC(15,2) := p_amount::numeric;
  v_claim       idempotency_keys;
  v_old_balance NUMERIC(15,2);
  v_new_balance NUMERIC(15,2);
  v_response    jsonb;
BEGIN
  IF p_key IS NOT NULL THEN
    v_claim := claim_idempotency_key(p_scope, p_key, p_request_hash);
    IF v_claim.scope IS NOT NULL THEN
      RETURN stored_outcome(v_claim, p_request_hash);
    END IF;
  END IF;

  SELECT users.balance INTO v_old_balance FROM users WHERE users.user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_user_id, NULL);
  END IF;
  IF v_old_balance + v_amount > p_balance_max::numeric THEN
    RETURN refuse_money_command(p_scope, p_key, 'balance_limit_exceeded', p_user_id, NULL);
  END IF;

  UPDATE users SET balance = balance + v_amount WHERE users.user_id = p_user_id
  RETURNING users.balance INTO v_new_balance;
  INSERT INTO transactions (id, user_id, kind, balance_change, old_balance, new_balance, idempotency_key)
  VALUES (p_transaction_id, p_user_id, 'deposit', v_amount, v_old_balance, v_new_balance, p_key);
  INSERT INTO outbox (event_id, topic, event_key, payload, headers)
  VALUES (
    p_event_id, p_topic, p_user_id::text,
    jsonb_build_object(
      'transaction_id', p_transaction_id,
      'user_id', p_user_id,
      'amount', v_amount::text,
      'balance', v_new_balance::text,
      'occurred_at', event_time_text(now())
    ),
    p_event_headers
  );

  v_response := jsonb_build_object(
    'updated_balance', v_new_balance,
    'user_id', p_user_id,
    'transaction_id', p_transaction_id
  );
  IF p_key IS NOT NULL THEN
    UPDATE idempotency_keys SET status_code = p_status_code, response = v_response
     WHERE scope = p_scope AND key = p_key;
  END IF;
  RETURN ROW('done', p_status_code, v_response, NULL, NULL)::money_command_result;
END
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
  v_amount           NUMERIC(15,2) := p_amount::numeric;
  v_claim            idempotency_keys;
  v_wallet           record;
  v_from_old_balance NUMERIC(15,2);
  v_to_old_balance   NUMERIC(15,2);
  v_from_new_balance NUMERIC(15,2);
  v_to_new_balance   NUMERIC(15,2);
  v_response         jsonb;
BEGIN
  IF p_key IS NOT NULL THEN
    v_claim := claim_idempotency_key(p_scope, p_key, p_request_hash);
    IF v_claim.scope IS NOT NULL THEN
      RETURN stored_outcome(v_claim, p_request_hash);
    END IF;
  END IF;

  -- LockRows sits above the sort, so the rows are locked in user_id order.
  FOR v_wallet IN
    SELECT users.user_id, users.balance FROM users
     WHERE users.user_id IN (p_from_user_id, p_to_user_id)
     ORDER BY users.user_id
       FOR UPDATE
  LOOP
    IF v_wallet.user_id = p_from_user_id THEN
      v_from_old_balance := v_wallet.balance;
    ELSE
      v_to_old_balance := v_wallet.balance;
    END IF;
  END LOOP;
  IF v_from_old_balance IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_from_user_id, NULL);
  END IF;
  IF v_to_old_balance IS NULL THEN
    RETURN refuse_money_command(p_scope, p_key, 'wallet_not_found', p_to_user_id, NULL);
  END IF;
  IF v_from_old_balance < v_amount THEN
    RETURN refuse_money_command(p_scope, p_key, 'insufficient_funds', p_from_user_id, v_from_old_balance);
  END IF;
  IF v_to_old_balance + v_amount > p_balance_max::numeric THEN
    RETURN refuse_money_command(p_scope, p_key, 'balance_limit_exceeded', p_to_user_id, NULL);
  END IF;

  UPDATE users SET balance = balance - v_amount WHERE users.user_id = p_from_user_id
  RETURNING users.balance INTO v_from_new_balance;
  UPDATE users SET balance = balance + v_amount WHERE users.user_id = p_to_user_id
  RETURNING users.balance INTO v_to_new_balance;
  INSERT INTO transactions
    (id, user_id, kind, balance_change, old_balance, new_balance, transfer_id, counterparty_id, idempotency_key)
  VALUES
    (gen_random_uuid(), p_from_user_id, 'transfer_out', -v_amount, v_from_old_balance, v_from_new_balance,
     p_transfer_id, p_to_user_id, p_key),
    (gen_random_uuid(), p_to_user_id, 'transfer_in', v_amount, v_to_old_balance, v_to_new_balance,
     p_transfer_id, p_from_user_id, p_key);
  INSERT INTO outbox (event_id, topic, event_key, payload, headers)
  VALUES (
    p_event_id, p_topic, p_from_user_id::text,
    jsonb_build_object(
      'transfer_id', p_transfer_id,
      'from_user_id', p_from_user_id,
      'to_user_id', p_to_user_id,
      'amount', v_amount::text,
      'from_balance', v_from_new_balance::text,
      'to_balance', v_to_new_balance::text,
      'occurred_at', event_time_text(now())
    ),
    p_event_headers
  );

  v_response := jsonb_build_object(
    'transfer_id', p_transfer_id,
    'from_user_id', p_from_user_id,
    'to_user_id', p_to_user_id,
    'amount', v_amount,
    'from_balance', v_from_new_balance,
    'to_balance', v_to_new_balance
  );
  IF p_key IS NOT NULL THEN
    UPDATE idempotency_keys SET status_code = p_status_code, response = v_response
     WHERE scope = p_scope AND key = p_key;
  END IF;
  RETURN ROW('done', p_status_code, v_response, NULL, NULL)::money_command_result;
END
$$;
