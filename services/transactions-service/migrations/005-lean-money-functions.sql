-- What a money command costs PostgreSQL (issue 11; perf of a backend running transfers, in
-- bench/tuning-notes.md): most of its CPU went to work done again for every statement, not to
-- the rows themselves.
--
-- 1. CHECK constraints are kept as node trees in text and read back (stringToNode) and planned
--    for every INSERT or UPDATE statement. The three CASE constraints on a ledger row's kind were
--    22 kB of that text, read twice per transfer. They become one call of an IMMUTABLE function
--    with the same rules, whose body PL/pgSQL compiles once per connection. Unknown kinds are
--    refused by it too (transactions_kind_known folds in).
-- 2. A SQL-language function that cannot be inlined (an INSERT, a FOR UPDATE, or a body more
--    volatile than its declaration) is parsed and planned again on every call before PostgreSQL
--    18. Those the money commands call become PL/pgSQL, whose plans are kept per connection.
--    Same names, arguments and results.

CREATE FUNCTION ledger_row_shape_ok(
  p_kind text, p_balance_change numeric, p_held_change numeric,
  p_transfer_id uuid, p_counterparty_id uuid, p_hold_id uuid, p_reverses_id uuid
)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  -- Which way each kind moves the balance and the held amount. A capture's transfer_out takes the
  -- whole hold off `held` and the captured part off the balance in one row. Then what each kind
  -- names: transfer legs their transfer (and hold, for a capture) and the other user; hold rows
  -- their hold; reversals what they reverse.
  CASE p_kind
    WHEN 'deposit', 'withdrawal' THEN
      RETURN (CASE WHEN p_kind = 'deposit' THEN p_balance_change > 0 ELSE p_balance_change < 0 END)
        AND p_held_change = 0
        AND p_transfer_id IS NULL AND p_counterparty_id IS NULL AND p_hold_id IS NULL AND p_reverses_id IS NULL;
    WHEN 'transfer_in' THEN
      RETURN p_balance_change > 0 AND p_held_change = 0
        AND p_transfer_id IS NOT NULL AND p_counterparty_id IS NOT NULL AND p_reverses_id IS NULL;
    WHEN 'transfer_out' THEN
      RETURN p_balance_change < 0 AND p_held_change <= 0
        AND p_transfer_id IS NOT NULL AND p_counterparty_id IS NOT NULL AND p_reverses_id IS NULL;
    WHEN 'hold' THEN
      RETURN p_balance_change = 0 AND p_held_change > 0
        AND p_hold_id IS NOT NULL AND p_counterparty_id IS NOT NULL AND p_transfer_id IS NULL AND p_reverses_id IS NULL;
    WHEN 'hold_release' THEN
      RETURN p_balance_change = 0 AND p_held_change < 0
        AND p_hold_id IS NOT NULL AND p_counterparty_id IS NOT NULL AND p_transfer_id IS NULL AND p_reverses_id IS NULL;
    WHEN 'reversal_in' THEN
      RETURN p_balance_change > 0 AND p_held_change = 0
        AND p_transfer_id IS NOT NULL AND p_counterparty_id IS NOT NULL AND p_reverses_id IS NOT NULL AND p_hold_id IS NULL;
    WHEN 'reversal_out' THEN
      RETURN p_balance_change < 0 AND p_held_change = 0
        AND p_transfer_id IS NOT NULL AND p_counterparty_id IS NOT NULL AND p_reverses_id IS NOT NULL AND p_hold_id IS NULL;
    WHEN 'deposit_reversal' THEN
      RETURN p_balance_change < 0 AND p_held_change = 0
        AND p_reverses_id IS NOT NULL AND p_transfer_id IS NULL AND p_counterparty_id IS NULL AND p_hold_id IS NULL;
    ELSE
      RETURN false;
  END CASE;
END
$$;

ALTER TABLE transactions
  DROP CONSTRAINT transactions_kind_known,
  DROP CONSTRAINT transactions_kind_direction,
  DROP CONSTRAINT transactions_kind_references,
  ADD CONSTRAINT transactions_kind_shape CHECK (ledger_row_shape_ok(
    kind, balance_change, held_change, transfer_id, counterparty_id, hold_id, reverses_id
  ));

CREATE OR REPLACE FUNCTION lock_wallets(p_first uuid, p_second uuid)
RETURNS SETOF users
LANGUAGE plpgsql AS $$
BEGIN
  -- LockRows sits above the sort, so the rows are locked in user_id order.
  RETURN QUERY SELECT * FROM users WHERE user_id IN (p_first, p_second) ORDER BY user_id FOR UPDATE;
END
$$;

CREATE OR REPLACE FUNCTION write_outbox_event(p_event_id uuid, p_topic text, p_key uuid, p_payload jsonb, p_headers jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (event_id, topic, event_key, payload, headers)
  VALUES (p_event_id, p_topic, p_key::text, p_payload, p_headers);
END
$$;

CREATE OR REPLACE FUNCTION wallet_after(p_wallet users)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN jsonb_build_object(
    'user_id', p_wallet.user_id,
    'seq', p_wallet.ledger_seq,
    'balance', p_wallet.balance::text,
    'held', p_wallet.held::text,
    'available_balance', (p_wallet.balance - p_wallet.held)::text
  );
END
$$;

CREATE OR REPLACE FUNCTION refuse_with(p_scope text, p_key text, p_refusal money_command_result)
RETURNS money_command_result
LANGUAGE plpgsql AS $$
BEGIN
  RETURN refuse_money_command(p_scope, p_key, p_refusal.verdict, p_refusal.user_id, p_refusal.balance, p_refusal.detail);
END
$$;
