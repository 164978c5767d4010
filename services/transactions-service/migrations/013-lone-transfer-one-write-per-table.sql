-- A transfer that finds the group-commit slots free runs alone through transfer_money: every
-- transfer of a single client, and a share of those at 16 clients. It posted its two legs through
-- post_ledger_row, one UPDATE of a wallet and one INSERT of a ledger row per leg, and each INSERT
-- starts an executor and checks the ledger's 13 CHECK constraints and 2 foreign keys again. Both
-- wallets are locked and read by lock_wallets first, so both legs can be decided in memory, as
-- run_transfer_batch decides them (the same hash inputs, sender first), and written with one UPDATE
-- of the two wallets and one INSERT of the two rows. Same arguments, same refusals, same rows,
-- hashes and event; the ledger audit checks the chain it writes like any other.
CREATE OR REPLACE FUNCTION transfer_money(
  p_scope text, p_key text, p_request_hash text,
  p_transfer_id uuid, p_from_user_id uuid, p_to_user_id uuid, p_amount text, p_balance_max text,
  p_event_id uuid, p_topic text, p_event_headers jsonb, p_status_code int
)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
DECLARE
  v_amount   NUMERIC(15,2) := p_amount::numeric;
  v_stored   money_command_result;
  v_refusal  money_command_result;
  v_wallet   users;
  v_from     users;
  v_to       users;
  v_out_id   uuid := gen_random_uuid();
  v_in_id    uuid := gen_random_uuid();
  v_out_time timestamptz;
  v_in_time  timestamptz;
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

  -- Each leg timed and hashed as post_ledger_row times and hashes it; v_from and v_to become the
  -- wallets as they stand after their leg.
  v_out_time := clock_timestamp();
  v_from.ledger_seq := v_from.ledger_seq + 1;
  v_from.ledger_hash := ledger_row_hash(v_from.ledger_hash, p_from_user_id, v_from.ledger_seq, v_out_id,
    'transfer_out', -v_amount, v_from.balance, v_from.balance - v_amount, 0, v_from.held, v_from.held,
    p_transfer_id, p_to_user_id, NULL, NULL, NULL, v_out_time);
  v_from.balance := v_from.balance - v_amount;
  v_in_time := clock_timestamp();
  v_to.ledger_seq := v_to.ledger_seq + 1;
  v_to.ledger_hash := ledger_row_hash(v_to.ledger_hash, p_to_user_id, v_to.ledger_seq, v_in_id,
    'transfer_in', v_amount, v_to.balance, v_to.balance + v_amount, 0, v_to.held, v_to.held,
    p_transfer_id, p_from_user_id, NULL, NULL, NULL, v_in_time);
  v_to.balance := v_to.balance + v_amount;

  UPDATE users AS u
     SET balance = w.balance, ledger_seq = w.seq, ledger_hash = w.hash
    FROM (VALUES (v_from.user_id, v_from.balance, v_from.ledger_seq, v_from.ledger_hash),
                 (v_to.user_id, v_to.balance, v_to.ledger_seq, v_to.ledger_hash)) AS w (user_id, balance, seq, hash)
   WHERE u.user_id = w.user_id;
  -- One statement, rows in this order: the sender's leg takes the lower ledger seq, as before.
  INSERT INTO transactions
    (id, user_id, wallet_seq, kind, balance_change, old_balance, new_balance,
     held_change, old_held, new_held, transfer_id, counterparty_id, hold_id, reverses_id, reason,
     idempotency_key, "timestamp", hash)
  VALUES
    (v_out_id, p_from_user_id, v_from.ledger_seq, 'transfer_out', -v_amount, v_from.balance + v_amount, v_from.balance,
     0, v_from.held, v_from.held, p_transfer_id, p_to_user_id, NULL, NULL, NULL,
     p_key, v_out_time, v_from.ledger_hash),
    (v_in_id, p_to_user_id, v_to.ledger_seq, 'transfer_in', v_amount, v_to.balance - v_amount, v_to.balance,
     0, v_to.held, v_to.held, p_transfer_id, p_from_user_id, NULL, NULL, NULL,
     p_key, v_in_time, v_to.ledger_hash);

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
