import type pg from 'pg';

/**
 * A consistent ledger of `wallets × rowsPerWallet` rows written straight into a fresh
 * transactions-service database, in bulk: deposits, withdrawals and transfers between wallet
 * pairs, each wallet's rows chained by the SQL function ledger_row_hash, one outbox event per
 * money movement (marked published, so the relay leaves them alone). Wallet i is user
 * 00000000-0000-4000-8000-<i in hex>; `wallets` must be even (transfers go within pairs).
 */
export async function generateLedger(db: pg.Client, wallets: number, rowsPerWallet: number): Promise<void> {
  if (wallets % 2 !== 0) throw new Error('wallets must be even');
  await db.query(`
    CREATE TEMPORARY TABLE gen AS
    WITH steps AS (
      SELECT i, k::bigint AS k, (i % 2 = 0) AS pays FROM generate_series(0, ${wallets - 1}) i, generate_series(1, ${rowsPerWallet}) k
    ), rows AS (
      SELECT i, k, pays,
             ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid AS user_id,
             md5(i || ':' || k)::uuid AS id,
             CASE WHEN k = 1 THEN 'deposit' WHEN k % 10 = 5 THEN CASE WHEN pays THEN 'transfer_out' ELSE 'transfer_in' END
                  WHEN k % 10 = 7 THEN 'withdrawal' ELSE 'deposit' END AS kind,
             (CASE WHEN k = 1 THEN 1000.00 WHEN k % 10 = 5 THEN CASE WHEN pays THEN -1.00 ELSE 1.00 END
                   WHEN k % 10 = 7 THEN -0.50 ELSE (k % 7) + 1.25 END)::numeric(15,2) AS change,
             CASE WHEN k % 10 = 5 THEN md5('transfer:' || (i / 2) || ':' || k)::uuid END AS transfer_id,
             CASE WHEN k % 10 = 5 THEN ('00000000-0000-4000-8000-' || lpad(to_hex(CASE WHEN pays THEN i + 1 ELSE i - 1 END), 12, '0'))::uuid END AS counterparty_id,
             timestamptz '2026-01-01 00:00:00+00' + k * interval '1 second' + i * interval '1 microsecond' AS ts
        FROM steps
    )
    SELECT *, sum(change) OVER (PARTITION BY i ORDER BY k)::numeric(15,2) AS new_balance, NULL::text AS hash FROM rows`);
  await db.query('CREATE INDEX ON gen (k, user_id)');
  await db.query('ANALYZE gen');
  await db.query(`
    DO $$
    BEGIN
      UPDATE gen SET hash = ledger_row_hash(repeat('0', 64), user_id, k, id, kind, change, new_balance - change, new_balance,
        0, 0, 0, transfer_id, counterparty_id, NULL, NULL, NULL, ts) WHERE k = 1;
      FOR v_k IN 2..${rowsPerWallet} LOOP
        UPDATE gen g SET hash = ledger_row_hash(p.hash, g.user_id, g.k, g.id, g.kind, g.change, g.new_balance - g.change, g.new_balance,
          0, 0, 0, g.transfer_id, g.counterparty_id, NULL, NULL, NULL, g.ts)
          FROM gen p WHERE g.k = v_k AND p.k = v_k - 1 AND p.user_id = g.user_id;
      END LOOP;
    END $$`);
  await db.query(`
    INSERT INTO users (user_id, balance, ledger_seq, ledger_hash, created_at)
    SELECT user_id, new_balance, k, hash, timestamptz '2026-01-01 00:00:00+00' FROM gen WHERE k = ${rowsPerWallet}`);
  await db.query(`
    INSERT INTO transactions (id, user_id, wallet_seq, kind, balance_change, old_balance, new_balance,
                              held_change, old_held, new_held, transfer_id, counterparty_id, "timestamp", hash)
    SELECT id, user_id, k, kind, change, new_balance - change, new_balance, 0, 0, 0, transfer_id, counterparty_id, ts, hash
      FROM gen ORDER BY user_id, k`);
  await db.query(`
    INSERT INTO outbox (event_id, topic, event_key, payload, created_at, published_at)
    SELECT gen_random_uuid(), CASE WHEN kind = 'deposit' THEN 'money-added' ELSE 'money-withdrawn' END, user_id::text,
           jsonb_build_object('transaction_id', id, 'user_id', user_id, 'amount', abs(change)::text,
             'wallets', jsonb_build_array(jsonb_build_object('user_id', user_id, 'seq', k, 'balance', new_balance::text,
               'held', '0.00', 'available_balance', new_balance::text))),
           timestamptz '2026-01-01 00:00:00+00', now()
      FROM gen WHERE kind IN ('deposit', 'withdrawal')
    UNION ALL
    SELECT gen_random_uuid(), 'money-transferred', o.user_id::text,
           jsonb_build_object('transfer_id', o.transfer_id, 'amount', '1.00',
             'wallets', jsonb_build_array(
               jsonb_build_object('user_id', o.user_id, 'seq', o.k, 'balance', o.new_balance::text, 'held', '0.00', 'available_balance', o.new_balance::text),
               jsonb_build_object('user_id', n.user_id, 'seq', n.k, 'balance', n.new_balance::text, 'held', '0.00', 'available_balance', n.new_balance::text))),
           timestamptz '2026-01-01 00:00:00+00', now()
      FROM gen o JOIN gen n ON n.transfer_id = o.transfer_id AND n.kind = 'transfer_in'
     WHERE o.kind = 'transfer_out'`);
  await db.query('DROP TABLE gen');
  await db.query('ANALYZE');
}

/** The same users in user-service's database, so the reconciliation finds one wallet each. */
export async function generateUsers(db: pg.Client, wallets: number): Promise<void> {
  await db.query(`
    INSERT INTO users (user_id, email, created_at)
    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'audit-bench-' || i || '@example.com',
           timestamptz '2026-01-01 00:00:00+00'
      FROM generate_series(0, ${wallets - 1}) i`);
}
