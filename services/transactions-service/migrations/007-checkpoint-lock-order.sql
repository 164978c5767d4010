-- A checkpoint pins the wallets that changed, and each new pin's foreign key check locks its
-- wallet (key share) in the order the rows are inserted. That order was arbitrary; with group
-- commit (migration 006) a batch holds many wallets at once, and a checkpoint and a batch each
-- waiting on a wallet the other held deadlocked every second under load (seen in the bench's
-- PostgreSQL log). The pins are now inserted in user_id order, the order every money command
-- locks wallets in. The function is otherwise as migration 004 wrote it.

CREATE OR REPLACE FUNCTION take_ledger_checkpoint(p_topic text, p_event_type text, p_part_size int)
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
  -- In user_id order: each new pin's foreign key check takes a key-share lock on its wallet, and
  -- money commands lock wallets in user_id order too, so the two cannot wait on each other in a
  -- circle (they did, in arbitrary order, once a batch held many wallets at a time).
  INSERT INTO ledger_checkpoint_wallets (user_id, seq, hash, checkpoint_id)
  SELECT user_id, seq, hash, v_checkpoint.checkpoint_id FROM checkpoint_changed ORDER BY user_id
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
