-- Migration 011 made claim_batch_keys and write_money_batch plan every statement on every call, so
-- that a plan made while the tables were new could not go on reading every key of a scope (or every
-- wallet) after they grew. Planning them all on each call took a sixth of a batch's time (60
-- transfers alone on one connection: 15.10 -> 12.45 ms, bench/tuning-runs/*-batch-plans-alone.txt),
-- inside its wallet locks, where batches that share wallets wait for each other. Now only the statements
-- that look rows up by a list are planned per call (EXECUTE: for the tables as they are then, as
-- 011 did); the inserts, most of the work, keep their plans. A batch whose keys were all new (nearly
-- every one) skips the lookup of earlier keys altogether. test/transactions-service/batch-plans.test.ts
-- checks what a batch reads after 20,000 keys.
CREATE OR REPLACE FUNCTION claim_batch_keys(p_scope text, p_keys text[], p_request_hashes text[],
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
  IF cardinality(claimed) < cardinality(array_remove(p_keys, NULL)) THEN
    EXECUTE 'SELECT array_agg(k) FROM idempotency_keys AS k
              WHERE k.scope = $1 AND k.key = ANY ($2) AND NOT (k.key = ANY ($3))'
      INTO stored USING p_scope, p_keys, claimed;
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION write_money_batch(
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
    EXECUTE 'UPDATE users AS u SET balance = w.balance, ledger_seq = w.seq, ledger_hash = w.hash
      FROM unnest($1, $2, $3, $4, $5) AS w(user_id, balance, seq, hash, changed)
     WHERE u.user_id = w.user_id AND w.changed'
      USING w_ids, w_balance, w_seq, w_hash, w_changed;
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
    EXECUTE 'UPDATE idempotency_keys AS k SET status_code = $1, response = d.response
      FROM unnest($2, $3) AS d(key, response)
     WHERE k.scope = $4 AND k.key = d.key'
      USING p_status_code, d_keys, d_response, p_scope;
  END IF;
  IF cardinality(p_given_back) > 0 THEN
    EXECUTE 'DELETE FROM idempotency_keys AS k WHERE k.scope = $1 AND k.key = ANY ($2)'
      USING p_scope, p_given_back;
  END IF;
END
$$;