-- Tamper evidence (docs/ledger-audit.md): every ledger row carries a SHA-256 over the previous
-- row's hash (per wallet) and its own fields in a canonical text form, written in the same
-- statement as the row; the wallet keeps its latest hash. A checkpoint pins each wallet's latest
-- sequence and hash and one root hash over all of them, and leaves through the outbox to Kafka,
-- so a copy outside the database shows a later rewrite even when the hashes were rewritten too.

ALTER TABLE users ADD COLUMN ledger_hash text NOT NULL
  DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
  CHECK (ledger_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE transactions ADD COLUMN hash text CHECK (hash ~ '^[0-9a-f]{64}$');

-- Point-in-time balances and statements read a wallet's rows by time. A wallet's history pages
-- by its own sequence (user_id, wallet_seq: migration 003), which runs in the same order as the
-- global seq, so the index on (user_id, seq) goes: each row keeps the same number of indexes.
CREATE INDEX transactions_user_timestamp_idx ON transactions (user_id, "timestamp");
DROP INDEX transactions_user_seq_idx;

-- The canonical form, version 1: these lines, each ended by "\n", hashed as UTF-8.
CREATE FUNCTION ledger_row_hash(
  p_prev_hash text, p_user_id uuid, p_wallet_seq bigint, p_id uuid, p_kind text,
  p_balance_change numeric, p_old_balance numeric, p_new_balance numeric,
  p_held_change numeric, p_old_held numeric, p_new_held numeric,
  p_transfer_id uuid, p_counterparty_id uuid, p_hold_id uuid, p_reverses_id uuid,
  p_reason text, p_timestamp timestamptz
)
RETURNS text
-- STABLE, not IMMUTABLE: to_char and convert_to are STABLE, and a function declared above what
-- it calls is not inlined; inlined into the money commands' UPDATE it costs microseconds, called
-- as a function from one it cost a tenth of a millisecond (its body planned on every call).
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    'wallet-ledger-v1' || E'\n' ||
    p_prev_hash || E'\n' ||
    p_user_id::text || E'\n' ||
    p_wallet_seq::text || E'\n' ||
    p_id::text || E'\n' ||
    p_kind || E'\n' ||
    p_balance_change::numeric(15,2)::text || E'\n' ||
    p_old_balance::numeric(15,2)::text || E'\n' ||
    p_new_balance::numeric(15,2)::text || E'\n' ||
    p_held_change::numeric(15,2)::text || E'\n' ||
    p_old_held::numeric(15,2)::text || E'\n' ||
    p_new_held::numeric(15,2)::text || E'\n' ||
    coalesce(p_transfer_id::text, '') || E'\n' ||
    coalesce(p_counterparty_id::text, '') || E'\n' ||
    coalesce(p_hold_id::text, '') || E'\n' ||
    coalesce(p_reverses_id::text, '') || E'\n' ||
    -- Free text, so hex of its UTF-8 bytes: no line break inside can shift the fields.
    coalesce(encode(convert_to(p_reason, 'UTF8'), 'hex'), '') || E'\n' ||
    to_char(p_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n',
    'UTF8')), 'hex')
$$;

-- Rows written before this migration get their chain now, in each wallet's order.
DO $$
DECLARE
  v_row  record;
  v_user uuid;
  v_prev text;
BEGIN
  FOR v_row IN SELECT * FROM transactions ORDER BY user_id, wallet_seq LOOP
    IF v_user IS DISTINCT FROM v_row.user_id THEN
      v_user := v_row.user_id;
      v_prev := repeat('0', 64);
    END IF;
    v_prev := ledger_row_hash(v_prev, v_row.user_id, v_row.wallet_seq, v_row.id, v_row.kind,
      v_row.balance_change, v_row.old_balance, v_row.new_balance,
      v_row.held_change, v_row.old_held, v_row.new_held,
      v_row.transfer_id, v_row.counterparty_id, v_row.hold_id, v_row.reverses_id,
      v_row.reason, v_row."timestamp");
    UPDATE transactions SET hash = v_prev WHERE id = v_row.id;
    UPDATE users SET ledger_hash = v_prev WHERE user_id = v_row.user_id;
  END LOOP;
END
$$;
ALTER TABLE transactions ALTER COLUMN hash SET NOT NULL;

-- Applies one change to a wallet the caller has locked, and writes its ledger row with the
-- wallet's next sequence, its time (`p_time`, the time the caller decided at, or else now; read
-- under the lock either way, so a wallet's rows are in time order too) and its hash. Returns the
-- wallet after the change.
CREATE OR REPLACE FUNCTION post_ledger_row(
  p_user_id uuid, p_kind text, p_balance_change numeric, p_held_change numeric,
  p_id uuid, p_transfer_id uuid, p_counterparty_id uuid, p_hold_id uuid, p_reverses_id uuid,
  p_reason text, p_key text, p_time timestamptz DEFAULT NULL
)
RETURNS users
LANGUAGE plpgsql AS $$
DECLARE
  v_id    uuid := coalesce(p_id, gen_random_uuid());
  v_time  timestamptz := coalesce(p_time, clock_timestamp());
  v_after users;
BEGIN
  -- One UPDATE: every expression in SET reads the row as it was, so the hash is computed from the
  -- old balance, held, sequence and hash without reading the row first.
  UPDATE users
     SET balance = balance + p_balance_change, held = held + p_held_change,
         ledger_seq = ledger_seq + 1,
         ledger_hash = ledger_row_hash(ledger_hash, user_id, ledger_seq + 1, v_id, p_kind,
           p_balance_change, balance, balance + p_balance_change,
           p_held_change, held, held + p_held_change,
           p_transfer_id, p_counterparty_id, p_hold_id, p_reverses_id, p_reason, v_time)
   WHERE user_id = p_user_id
  RETURNING * INTO v_after;
  INSERT INTO transactions
    (id, user_id, wallet_seq, kind, balance_change, old_balance, new_balance,
     held_change, old_held, new_held, transfer_id, counterparty_id, hold_id, reverses_id, reason,
     idempotency_key, "timestamp", hash)
  VALUES
    (v_id, p_user_id, v_after.ledger_seq, p_kind, p_balance_change,
     v_after.balance - p_balance_change, v_after.balance,
     p_held_change, v_after.held - p_held_change, v_after.held,
     p_transfer_id, p_counterparty_id, p_hold_id, p_reverses_id, p_reason, p_key, v_time, v_after.ledger_hash);
  RETURN v_after;
END
$$;

-- History is append-only. This stops mistakes, not an attacker with superuser rights (who can
-- drop the trigger); the hash chain and the checkpoints outside the database catch that one.
CREATE FUNCTION transactions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are never changed or deleted (% of row %)', TG_OP, OLD.id
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER transactions_append_only BEFORE UPDATE OR DELETE ON transactions
  FOR EACH ROW EXECUTE FUNCTION transactions_append_only();

-- Checkpoints: what was pinned, when.
CREATE TABLE ledger_checkpoints (
  checkpoint_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  taken_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Wallets with at least one ledger row.
  wallet_count  bigint NOT NULL CHECK (wallet_count >= 0),
  -- Wallets whose (seq, hash) this checkpoint names: those changed since the one before.
  changed_count bigint NOT NULL CHECK (changed_count > 0),
  -- sha256 over "<user_id> <seq> <hash>\n" of every wallet with rows, in user_id order.
  root_hash     text NOT NULL CHECK (root_hash ~ '^[0-9a-f]{64}$')
);
-- The latest pinned (seq, hash) of each wallet: the next checkpoint names what differs from it.
CREATE TABLE ledger_checkpoint_wallets (
  user_id       uuid PRIMARY KEY REFERENCES users,
  seq           bigint NOT NULL CHECK (seq > 0),
  hash          text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  checkpoint_id bigint NOT NULL REFERENCES ledger_checkpoints
);

-- Takes a checkpoint when some wallet changed since the last one and no other replica is taking
-- one: pins the changed wallets, computes the root over all pinned pairs, and writes the outbox
-- events (the changed wallets in parts of p_part_size), so folding the parts in order always
-- recomputes the root. Returns the checkpoint id, or NULL when there was nothing to do.
CREATE FUNCTION take_ledger_checkpoint(p_topic text, p_event_type text, p_part_size int)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_changed    jsonb;
  v_count      bigint;
  v_wallets    bigint;
  v_root       text;
  v_checkpoint ledger_checkpoints;
  v_parts      int;
  v_event_id   uuid;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('transactions-service:ledger-checkpoint')) THEN
    RETURN NULL;
  END IF;
  CREATE TEMPORARY TABLE checkpoint_changed ON COMMIT DROP AS
    SELECT u.user_id, u.ledger_seq AS seq, u.ledger_hash AS hash
      FROM users u LEFT JOIN ledger_checkpoint_wallets p USING (user_id)
     WHERE u.ledger_seq > 0 AND p.seq IS DISTINCT FROM u.ledger_seq;
  SELECT count(*) INTO v_count FROM checkpoint_changed;
  IF v_count = 0 THEN
    DROP TABLE checkpoint_changed;
    RETURN NULL;
  END IF;
  -- The root is over the pinned pairs once this checkpoint's are in: under READ COMMITTED each
  -- statement sees newer commits, so reading the wallets again here could disagree with the parts.
  INSERT INTO ledger_checkpoints (wallet_count, changed_count, root_hash)
  VALUES (0, v_count, repeat('0', 64))
  RETURNING * INTO v_checkpoint;
  INSERT INTO ledger_checkpoint_wallets (user_id, seq, hash, checkpoint_id)
  SELECT user_id, seq, hash, v_checkpoint.checkpoint_id FROM checkpoint_changed
  ON CONFLICT (user_id) DO UPDATE
    SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, checkpoint_id = EXCLUDED.checkpoint_id;
  SELECT count(*), encode(sha256(convert_to(coalesce(
           string_agg(user_id::text || ' ' || seq::text || ' ' || hash || E'\n', '' ORDER BY user_id),
           ''), 'UTF8')), 'hex')
    INTO v_wallets, v_root
    FROM ledger_checkpoint_wallets;
  UPDATE ledger_checkpoints SET wallet_count = v_wallets, root_hash = v_root
   WHERE checkpoint_id = v_checkpoint.checkpoint_id
  RETURNING * INTO v_checkpoint;

  v_parts := ceil(v_count::numeric / p_part_size)::int;
  FOR v_part IN 1..v_parts LOOP
    SELECT jsonb_agg(jsonb_build_object('user_id', user_id, 'seq', seq, 'hash', hash) ORDER BY user_id)
      INTO v_changed
      FROM (SELECT * FROM checkpoint_changed ORDER BY user_id
             OFFSET (v_part - 1) * p_part_size LIMIT p_part_size) AS part;
    v_event_id := gen_random_uuid();
    PERFORM write_outbox_event(v_event_id, p_topic, '00000000-0000-0000-0000-000000000000'::uuid,
      jsonb_build_object(
        'checkpoint_id', v_checkpoint.checkpoint_id,
        'taken_at', event_time_text(v_checkpoint.taken_at),
        'wallet_count', v_wallets,
        'changed_count', v_count,
        'root_hash', v_root,
        'part', v_part,
        'parts', v_parts,
        'wallets', v_changed
      ),
      jsonb_build_object('event-id', v_event_id, 'event-type', p_event_type));
  END LOOP;
  DROP TABLE checkpoint_changed;
  RETURN v_checkpoint.checkpoint_id;
END
$$;
