-- Set-based group commit for transfers and deposits, the hot commands (issue 11). run_money_batch (migration
-- 006) still runs transfer_money once per command, and a backend's profile showed that the
-- statements themselves, not the rows, cost most: every INSERT and UPDATE starts an executor and
-- re-reads its table's CHECK constraints. Here a batch of transfers is decided in memory, in
-- arrival order, with exactly transfer_money's rules, and written with one statement per table:
--   1. lock every wallet of the batch once, in user_id order, and read them;
--   2. claim every idempotency key at once (a key claimed before answers from its outcome);
--   3. per command, in order: replay, refusal (the key given back), or both legs applied to the
--      wallets in memory, each leg's ledger row hashed on the previous one as post_ledger_row does;
--   4. one UPDATE of the wallets, one INSERT of the ledger rows, one of the outbox events, one
--      UPDATE storing the responses, one DELETE of the keys refusals gave back.
-- The CHECK constraints and foreign keys still judge every row written. A batch never carries one
-- key twice (the service sends a repeat in the next batch), so a claim is decided once.
-- Withdrawals, rarer, still batch through run_money_batch.
-- Claims a batch's keys at once: the keys claimed now, and the stored rows of those claimed
-- before. A concurrent claim of one of these keys waits here until its transaction ends (as in
-- claim_idempotency_key); a key another transaction committed is then read by the second query.
CREATE FUNCTION claim_batch_keys(p_scope text, p_keys text[], p_request_hashes text[],
  OUT claimed text[], OUT stored idempotency_keys[])
LANGUAGE plpgsql AS $$
BEGIN
  WITH claim AS (
    INSERT INTO idempotency_keys (scope, key, request_hash)
    SELECT p_scope, k.key, k.request_hash
      FROM unnest(p_keys, p_request_hashes) AS k(key, request_hash)
     WHERE k.key IS NOT NULL
    ON CONFLICT ON CONSTRAINT idempotency_keys_pkey DO NOTHING
    RETURNING idempotency_keys.key
  )
  SELECT coalesce(array_agg(claim.key), '{}') INTO claimed FROM claim;
  SELECT array_agg(k) INTO stored
    FROM idempotency_keys AS k
   WHERE k.scope = p_scope AND k.key = ANY (p_keys) AND NOT (k.key = ANY (claimed));
END
$$;

-- The answer to a key claimed before this batch, from the rows claim_batch_keys read: its stored
-- outcome, or key_reused (stored_outcome, migration 003).
CREATE FUNCTION batch_stored_outcome(p_stored idempotency_keys[], p_key text, p_request_hash text)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_row idempotency_keys;
BEGIN
  SELECT * INTO v_row FROM unnest(p_stored) AS k WHERE k.key = p_key;
  IF NOT FOUND THEN
    -- Deleted by the cleanup between the claim and the read: an ordinary race, retried whole.
    RAISE EXCEPTION 'idempotency key % vanished during claim', p_key
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN stored_outcome(v_row, p_request_hash);
END
$$;

-- Locks a batch's wallets once, in user_id order (LockRows sits above the sort), and returns them
-- as arrays in that order: the state the batch then changes in memory.
CREATE FUNCTION lock_batch_wallets(p_user_ids uuid[],
  OUT ids uuid[], OUT balances numeric[], OUT held numeric[], OUT statuses text[],
  OUT seqs bigint[], OUT hashes text[], OUT changed boolean[])
LANGUAGE plpgsql AS $$
BEGIN
  SELECT coalesce(array_agg(w.user_id ORDER BY w.user_id), '{}'), array_agg(w.balance ORDER BY w.user_id),
         array_agg(w.held ORDER BY w.user_id), array_agg(w.status ORDER BY w.user_id),
         array_agg(w.ledger_seq ORDER BY w.user_id), array_agg(w.ledger_hash ORDER BY w.user_id),
         array_agg(false)
    INTO ids, balances, held, statuses, seqs, hashes, changed
    FROM (SELECT * FROM users AS u WHERE u.user_id = ANY (p_user_ids) ORDER BY u.user_id FOR UPDATE) AS w;
END
$$;

-- How a batch writes what it decided: the wallets it changed (their state after the batch), its
-- ledger rows and outbox events in order, the responses stored under the keys it claimed, and the
-- keys its refusals gave back. One statement per table.
CREATE FUNCTION write_money_batch(
  w_ids uuid[], w_balance numeric[], w_seq bigint[], w_hash text[], w_changed boolean[],
  l_id uuid[], l_user uuid[], l_seq bigint[], l_kind text[], l_change numeric[], l_old numeric[],
  l_new numeric[], l_held numeric[], l_transfer uuid[], l_counterparty uuid[], l_key text[],
  l_time timestamptz[], l_hash text[],
  p_event_ids uuid[], p_topic text, p_event_keys text[], p_event_headers jsonb[], o_index int[], o_payload jsonb[],
  p_scope text, p_status_code int, d_keys text[], d_response jsonb[], p_given_back text[]
)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(l_id) > 0 THEN
    UPDATE users AS u SET balance = w.balance, ledger_seq = w.seq, ledger_hash = w.hash
      FROM unnest(w_ids, w_balance, w_seq, w_hash, w_changed) AS w(user_id, balance, seq, hash, changed)
     WHERE u.user_id = w.user_id AND w.changed;
    INSERT INTO transactions
      (id, user_id, wallet_seq, kind, balance_change, old_balance, new_balance,
       held_change, old_held, new_held, transfer_id, counterparty_id, idempotency_key, "timestamp", hash)
    SELECT r.id, r.user_id, r.seq, r.kind, r.change, r.old, r.new, 0, r.held, r.held,
           r.transfer_id, r.counterparty_id, r.key, r.at, r.hash
      FROM unnest(l_id, l_user, l_seq, l_kind, l_change, l_old, l_new, l_held, l_transfer, l_counterparty,
                  l_key, l_time, l_hash)
        AS r(id, user_id, seq, kind, change, old, new, held, transfer_id, counterparty_id, key, at, hash);
    INSERT INTO outbox (event_id, topic, event_key, payload, headers)
    SELECT p_event_ids[e.i], p_topic, p_event_keys[e.i], e.payload, p_event_headers[e.i]
      FROM unnest(o_index, o_payload) WITH ORDINALITY AS e(i, payload, n)
     ORDER BY e.n;
  END IF;
  IF cardinality(d_keys) > 0 THEN
    UPDATE idempotency_keys AS k SET status_code = p_status_code, response = d.response
      FROM unnest(d_keys, d_response) AS d(key, response)
     WHERE k.scope = p_scope AND k.key = d.key;
  END IF;
  IF cardinality(p_given_back) > 0 THEN
    DELETE FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = ANY (p_given_back);
  END IF;
END
$$;

CREATE FUNCTION run_transfer_batch(
  p_scope text, p_keys text[], p_request_hashes text[],
  p_transfer_ids uuid[], p_from_user_ids uuid[], p_to_user_ids uuid[], p_amounts text[], p_balance_max text,
  p_event_ids uuid[], p_topic text, p_event_headers jsonb[], p_status_code int
)
RETURNS TABLE (
  ordinal int, verdict text, status_code int, response jsonb, user_id uuid, balance numeric, detail text
)
LANGUAGE plpgsql AS $$
DECLARE
  v_max      numeric := p_balance_max::numeric;
  -- The batch's wallets, in user_id order, as they stand after each command.
  w_ids      uuid[];
  w_balance  numeric[];
  w_held     numeric[];
  w_status   text[];
  w_seq      bigint[];
  w_hash     text[];
  w_changed  boolean[];
  -- Keys: claimed by this batch, and the stored rows of keys claimed before.
  v_claimed  text[];
  v_stored   idempotency_keys[];
  v_replay   money_command_result;
  v_given_back text[] := '{}';
  -- What the batch writes.
  l_id uuid[] := '{}'; l_user uuid[] := '{}'; l_seq bigint[] := '{}'; l_kind text[] := '{}';
  l_change numeric[] := '{}'; l_old numeric[] := '{}'; l_new numeric[] := '{}'; l_held numeric[] := '{}';
  l_transfer uuid[] := '{}'; l_counterparty uuid[] := '{}'; l_key text[] := '{}';
  l_time timestamptz[] := '{}'; l_hash text[] := '{}';
  o_payload  jsonb[] := '{}';
  o_index    int[] := '{}';
  d_keys     text[] := '{}';
  d_response jsonb[] := '{}';
  -- One command.
  i int; f int; t int; j int;
  v_amount   numeric;
  v_key      text;
  v_time     timestamptz;
  v_id       uuid;
  v_response jsonb;
BEGIN
  SELECT * INTO w_ids, w_balance, w_held, w_status, w_seq, w_hash, w_changed
    FROM lock_batch_wallets(p_from_user_ids || p_to_user_ids);

  SELECT * INTO v_claimed, v_stored FROM claim_batch_keys(p_scope, p_keys, p_request_hashes);

  FOR i IN 1 .. coalesce(cardinality(p_transfer_ids), 0) LOOP
    ordinal := i - 1;
    verdict := NULL; status_code := NULL; response := NULL; user_id := NULL; balance := NULL; detail := NULL;
    v_key := p_keys[i];
    v_amount := p_amounts[i]::numeric(15,2);

    IF v_key IS NOT NULL AND NOT (v_key = ANY (v_claimed)) THEN
      v_replay := batch_stored_outcome(v_stored, v_key, p_request_hashes[i]);
      verdict := v_replay.verdict; status_code := v_replay.status_code; response := v_replay.response;
      RETURN NEXT;
      CONTINUE;
    END IF;

    f := array_position(w_ids, p_from_user_ids[i]);
    t := array_position(w_ids, p_to_user_ids[i]);
    -- transfer_money's refusals, in its order (refuse_movement with frozen payers refused).
    IF f IS NULL THEN
      verdict := 'wallet_not_found'; user_id := p_from_user_ids[i];
    ELSIF t IS NULL OR t = f THEN
      -- One wallet on both sides finds no second wallet, as in transfer_money.
      verdict := 'wallet_not_found'; user_id := p_to_user_ids[i];
    ELSIF w_status[f] = 'closed' THEN
      verdict := 'wallet_closed'; user_id := p_from_user_ids[i];
    ELSIF w_status[t] = 'closed' THEN
      verdict := 'wallet_closed'; user_id := p_to_user_ids[i];
    ELSIF w_status[f] = 'frozen' THEN
      verdict := 'wallet_frozen'; user_id := p_from_user_ids[i];
    ELSIF w_balance[f] - w_held[f] < v_amount THEN
      verdict := 'insufficient_funds'; user_id := p_from_user_ids[i]; balance := w_balance[f] - w_held[f];
    ELSIF v_max IS NOT NULL AND w_balance[t] + v_amount > v_max THEN
      verdict := 'balance_limit_exceeded'; user_id := p_to_user_ids[i];
    END IF;
    IF verdict IS NOT NULL THEN
      IF v_key IS NOT NULL THEN
        v_given_back := v_given_back || v_key;
      END IF;
      RETURN NEXT;
      CONTINUE;
    END IF;

    -- The two legs, sender first, each timed and hashed as post_ledger_row times and hashes it.
    FOR j IN 1 .. 2 LOOP
      v_id := gen_random_uuid();
      v_time := clock_timestamp();
      IF j = 1 THEN
        w_seq[f] := w_seq[f] + 1;
        w_hash[f] := ledger_row_hash(w_hash[f], p_from_user_ids[i], w_seq[f], v_id, 'transfer_out',
          -v_amount, w_balance[f], w_balance[f] - v_amount, 0, w_held[f], w_held[f],
          p_transfer_ids[i], p_to_user_ids[i], NULL, NULL, NULL, v_time);
        l_user := l_user || p_from_user_ids[i]; l_seq := l_seq || w_seq[f]; l_kind := l_kind || 'transfer_out'::text;
        l_change := l_change || -v_amount; l_old := l_old || w_balance[f]; l_new := l_new || (w_balance[f] - v_amount);
        l_held := l_held || w_held[f]; l_counterparty := l_counterparty || p_to_user_ids[i]; l_hash := l_hash || w_hash[f];
        w_balance[f] := w_balance[f] - v_amount;
        w_changed[f] := true;
      ELSE
        w_seq[t] := w_seq[t] + 1;
        w_hash[t] := ledger_row_hash(w_hash[t], p_to_user_ids[i], w_seq[t], v_id, 'transfer_in',
          v_amount, w_balance[t], w_balance[t] + v_amount, 0, w_held[t], w_held[t],
          p_transfer_ids[i], p_from_user_ids[i], NULL, NULL, NULL, v_time);
        l_user := l_user || p_to_user_ids[i]; l_seq := l_seq || w_seq[t]; l_kind := l_kind || 'transfer_in'::text;
        l_change := l_change || v_amount; l_old := l_old || w_balance[t]; l_new := l_new || (w_balance[t] + v_amount);
        l_held := l_held || w_held[t]; l_counterparty := l_counterparty || p_from_user_ids[i]; l_hash := l_hash || w_hash[t];
        w_balance[t] := w_balance[t] + v_amount;
        w_changed[t] := true;
      END IF;
      l_id := l_id || v_id; l_transfer := l_transfer || p_transfer_ids[i]; l_key := l_key || v_key; l_time := l_time || v_time;
    END LOOP;

    o_index := o_index || i;
    o_payload := o_payload || jsonb_build_object(
      'transfer_id', p_transfer_ids[i],
      'from_user_id', p_from_user_ids[i],
      'to_user_id', p_to_user_ids[i],
      'amount', v_amount::text,
      'from_balance', w_balance[f]::text,
      'to_balance', w_balance[t]::text,
      'occurred_at', event_time_text(now()),
      'wallets', jsonb_build_array(
        jsonb_build_object('user_id', w_ids[f], 'seq', w_seq[f], 'balance', w_balance[f]::text,
          'held', w_held[f]::text, 'available_balance', (w_balance[f] - w_held[f])::text),
        jsonb_build_object('user_id', w_ids[t], 'seq', w_seq[t], 'balance', w_balance[t]::text,
          'held', w_held[t]::text, 'available_balance', (w_balance[t] - w_held[t])::text)));
    v_response := jsonb_build_object(
      'transfer_id', p_transfer_ids[i],
      'from_user_id', p_from_user_ids[i],
      'to_user_id', p_to_user_ids[i],
      'amount', v_amount,
      'from_balance', w_balance[f],
      'to_balance', w_balance[t],
      'from_available_balance', w_balance[f] - w_held[f]);
    IF v_key IS NOT NULL THEN
      d_keys := d_keys || v_key;
      d_response := d_response || v_response;
    END IF;
    verdict := 'done'; status_code := p_status_code; response := v_response;
    RETURN NEXT;
  END LOOP;

  PERFORM write_money_batch(w_ids, w_balance, w_seq, w_hash, w_changed,
    l_id, l_user, l_seq, l_kind, l_change, l_old, l_new, l_held, l_transfer, l_counterparty, l_key, l_time, l_hash,
    p_event_ids, p_topic, p_from_user_ids::text[], p_event_headers, o_index, o_payload,
    p_scope, p_status_code, d_keys, d_response, v_given_back);
END
$$;

-- Deposits the same way: add_money's rules (a closed wallet refuses, a frozen one still receives,
-- the balance limit), row, event and response per command, written once for the batch.
CREATE FUNCTION run_deposit_batch(
  p_scope text, p_keys text[], p_request_hashes text[],
  p_transaction_ids uuid[], p_user_ids uuid[], p_amounts text[], p_balance_max text,
  p_event_ids uuid[], p_topic text, p_event_headers jsonb[], p_status_code int
)
RETURNS TABLE (
  ordinal int, verdict text, status_code int, response jsonb, user_id uuid, balance numeric, detail text
)
LANGUAGE plpgsql AS $$
DECLARE
  v_max      numeric := p_balance_max::numeric;
  w_ids      uuid[];
  w_balance  numeric[];
  w_held     numeric[];
  w_status   text[];
  w_seq      bigint[];
  w_hash     text[];
  w_changed  boolean[];
  v_claimed  text[];
  v_stored   idempotency_keys[];
  v_replay   money_command_result;
  v_given_back text[] := '{}';
  l_id uuid[] := '{}'; l_user uuid[] := '{}'; l_seq bigint[] := '{}'; l_kind text[] := '{}';
  l_change numeric[] := '{}'; l_old numeric[] := '{}'; l_new numeric[] := '{}'; l_held numeric[] := '{}';
  l_none uuid[] := '{}'; l_key text[] := '{}'; l_time timestamptz[] := '{}'; l_hash text[] := '{}';
  o_payload  jsonb[] := '{}';
  o_index    int[] := '{}';
  d_keys     text[] := '{}';
  d_response jsonb[] := '{}';
  i int; w int;
  v_amount   numeric;
  v_key      text;
  v_time     timestamptz;
  v_response jsonb;
BEGIN
  SELECT * INTO w_ids, w_balance, w_held, w_status, w_seq, w_hash, w_changed
    FROM lock_batch_wallets(p_user_ids);
  SELECT * INTO v_claimed, v_stored FROM claim_batch_keys(p_scope, p_keys, p_request_hashes);

  FOR i IN 1 .. coalesce(cardinality(p_transaction_ids), 0) LOOP
    ordinal := i - 1;
    verdict := NULL; status_code := NULL; response := NULL; user_id := NULL; balance := NULL; detail := NULL;
    v_key := p_keys[i];
    v_amount := p_amounts[i]::numeric(15,2);

    IF v_key IS NOT NULL AND NOT (v_key = ANY (v_claimed)) THEN
      v_replay := batch_stored_outcome(v_stored, v_key, p_request_hashes[i]);
      verdict := v_replay.verdict; status_code := v_replay.status_code; response := v_replay.response;
      RETURN NEXT;
      CONTINUE;
    END IF;

    w := array_position(w_ids, p_user_ids[i]);
    IF w IS NULL THEN
      verdict := 'wallet_not_found'; user_id := p_user_ids[i];
    ELSIF w_status[w] = 'closed' THEN
      verdict := 'wallet_closed'; user_id := p_user_ids[i];
    ELSIF w_balance[w] + v_amount > v_max THEN
      verdict := 'balance_limit_exceeded'; user_id := p_user_ids[i];
    END IF;
    IF verdict IS NOT NULL THEN
      IF v_key IS NOT NULL THEN
        v_given_back := v_given_back || v_key;
      END IF;
      RETURN NEXT;
      CONTINUE;
    END IF;

    v_time := clock_timestamp();
    w_seq[w] := w_seq[w] + 1;
    w_hash[w] := ledger_row_hash(w_hash[w], p_user_ids[i], w_seq[w], p_transaction_ids[i], 'deposit',
      v_amount, w_balance[w], w_balance[w] + v_amount, 0, w_held[w], w_held[w],
      NULL, NULL, NULL, NULL, NULL, v_time);
    l_id := l_id || p_transaction_ids[i]; l_user := l_user || p_user_ids[i]; l_seq := l_seq || w_seq[w];
    l_kind := l_kind || 'deposit'::text; l_change := l_change || v_amount; l_old := l_old || w_balance[w];
    l_new := l_new || (w_balance[w] + v_amount); l_held := l_held || w_held[w]; l_none := l_none || NULL::uuid;
    l_key := l_key || v_key; l_time := l_time || v_time; l_hash := l_hash || w_hash[w];
    w_balance[w] := w_balance[w] + v_amount;
    w_changed[w] := true;

    o_index := o_index || i;
    o_payload := o_payload || jsonb_build_object(
      'transaction_id', p_transaction_ids[i],
      'user_id', p_user_ids[i],
      'amount', v_amount::text,
      'balance', w_balance[w]::text,
      'occurred_at', event_time_text(now()),
      'wallets', jsonb_build_array(
        jsonb_build_object('user_id', w_ids[w], 'seq', w_seq[w], 'balance', w_balance[w]::text,
          'held', w_held[w]::text, 'available_balance', (w_balance[w] - w_held[w])::text)));
    v_response := jsonb_build_object(
      'updated_balance', w_balance[w],
      'user_id', p_user_ids[i],
      'transaction_id', p_transaction_ids[i],
      'available_balance', w_balance[w] - w_held[w]);
    IF v_key IS NOT NULL THEN
      d_keys := d_keys || v_key;
      d_response := d_response || v_response;
    END IF;
    verdict := 'done'; status_code := p_status_code; response := v_response;
    RETURN NEXT;
  END LOOP;

  PERFORM write_money_batch(w_ids, w_balance, w_seq, w_hash, w_changed,
    l_id, l_user, l_seq, l_kind, l_change, l_old, l_new, l_held, l_none, l_none, l_key, l_time, l_hash,
    p_event_ids, p_topic, p_user_ids::text[], p_event_headers, o_index, o_payload,
    p_scope, p_status_code, d_keys, d_response, v_given_back);
END
$$;
