import type pg from 'pg';

/** One wallet as a refused request must leave it. */
export type WalletState = {
  balance: string;
  /**
   * held plus what the wallet's expired holds had reserved: the expiry sweep runs on its own clock
   * and moves money from the first to the second, so only a request can change this sum.
   */
  reserved: string;
  status: string;
};
export type WalletStates = Map<string, WalletState>;

export async function readWalletStates(pool: pg.Pool): Promise<WalletStates> {
  // One statement, so one snapshot: an expiry commits both its hold and its wallet, or neither.
  const { rows } = await pool.query<WalletState & { user_id: string }>(
    `SELECT u.user_id::text, u.balance::text, u.status,
            (u.held + coalesce((SELECT sum(h.amount) FROM holds h
                                 WHERE h.from_user_id = u.user_id AND h.status = 'expired'), 0))::text
              AS reserved
       FROM users u
      -- A wallet still untouched may open at any moment (a user-created event), so it is left out.
      WHERE u.ledger_seq > 0 OR u.status <> 'active'`,
  );
  return new Map(rows.map(({ user_id, ...state }) => [user_id, state]));
}

/**
 * Each invariant as SQL that returns one row per breach, described in `breach`. Together they
 * say: the wallet columns are the sum of their ledger rows, 0 ≤ held ≤ balance, held is what the
 * pending holds reserve, money only appears by deposit and only leaves by withdrawal or deposit
 * reversal, each hold was reserved once and released or captured once and never above its
 * amount, and reversals never exceed what they reverse.
 */
const INVARIANT_QUERIES: Record<string, string> = {
  'held within balance': `
    SELECT user_id || ': balance ' || balance || ', held ' || held AS breach
      FROM users WHERE balance < 0 OR held < 0 OR held > balance`,
  'wallet = Σ of its ledger rows': `
    SELECT u.user_id || ': balance ' || u.balance || ' held ' || u.held || ' seq ' || u.ledger_seq
           || ' but rows say ' || coalesce(t.balance, 0) || ' / ' || coalesce(t.held, 0)
           || ' / ' || coalesce(t.rows, 0) || ' rows up to seq ' || coalesce(t.seq_max, 0) AS breach
      FROM users u
      LEFT JOIN (SELECT user_id, sum(balance_change) AS balance, sum(held_change) AS held,
                        count(*) AS rows, max(wallet_seq) AS seq_max
                   FROM transactions GROUP BY user_id) t USING (user_id)
     WHERE u.balance <> coalesce(t.balance, 0) OR u.held <> coalesce(t.held, 0)
        OR u.ledger_seq <> coalesce(t.rows, 0) OR u.ledger_seq <> coalesce(t.seq_max, 0)`,
  'held = Σ pending holds': `
    SELECT u.user_id || ': held ' || u.held || ' but pending holds ' || coalesce(h.pending, 0) AS breach
      FROM users u
      LEFT JOIN (SELECT from_user_id AS user_id, sum(amount) AS pending
                   FROM holds WHERE status = 'pending' GROUP BY from_user_id) h USING (user_id)
     WHERE u.held <> coalesce(h.pending, 0)`,
  'transfers and transfer reversals move money, never make it': `
    SELECT transfer_id || ': legs sum to ' || sum(balance_change) AS breach
      FROM transactions
     WHERE kind IN ('transfer_out', 'transfer_in', 'reversal_out', 'reversal_in')
     GROUP BY transfer_id HAVING sum(balance_change) <> 0 OR count(*) <> 2`,
  'Σ balances = Σ deposits − Σ withdrawals − Σ deposit reversals': `
    SELECT 'balances ' || (SELECT coalesce(sum(balance), 0) FROM users)
           || ' but deposits − withdrawals − deposit reversals = ' || coalesce(sum(balance_change), 0) AS breach
      FROM transactions WHERE kind IN ('deposit', 'withdrawal', 'deposit_reversal')
    HAVING coalesce(sum(balance_change), 0) <> (SELECT coalesce(sum(balance), 0) FROM users)`,
  'a hold is reserved once and released or captured once': `
    SELECT h.hold_id || ' (' || h.status || ', ' || h.amount || '): reserved ' || coalesce(r.reserved, 0)
           || ' in ' || coalesce(r.reservations, 0) || ' rows, released ' || coalesce(r.released, 0)
           || ' in ' || coalesce(r.releases, 0) || ' rows' AS breach
      FROM holds h
      LEFT JOIN (SELECT hold_id,
                        sum(held_change) FILTER (WHERE held_change > 0) AS reserved,
                        count(*) FILTER (WHERE held_change > 0) AS reservations,
                        -sum(held_change) FILTER (WHERE held_change < 0) AS released,
                        count(*) FILTER (WHERE held_change < 0) AS releases
                   FROM transactions WHERE hold_id IS NOT NULL GROUP BY hold_id) r USING (hold_id)
     WHERE r.reserved IS DISTINCT FROM h.amount OR r.reservations <> 1
        OR (h.status = 'pending' AND coalesce(r.releases, 0) <> 0)
        OR (h.status <> 'pending' AND (r.released IS DISTINCT FROM h.amount OR r.releases <> 1))`,
  'a captured hold moved its captured amount once, no other hold moved any': `
    SELECT h.hold_id || ' (' || h.status || ', captured ' || coalesce(h.captured_amount::text, '-')
           || ' of ' || h.amount || '): moved ' || coalesce(m.moved, 0) || ' in ' || coalesce(m.legs, 0)
           || ' legs' AS breach
      FROM holds h
      LEFT JOIN (SELECT hold_id, transfer_id, sum(balance_change) FILTER (WHERE kind = 'transfer_in') AS moved,
                        count(*) AS legs
                   FROM transactions WHERE hold_id IS NOT NULL AND kind IN ('transfer_out', 'transfer_in')
                  GROUP BY hold_id, transfer_id) m USING (hold_id)
     WHERE (h.status = 'captured' AND (m.moved IS DISTINCT FROM h.captured_amount OR m.legs <> 2
                                       OR m.transfer_id IS DISTINCT FROM h.transfer_id
                                       OR h.captured_amount > h.amount))
        OR (h.status <> 'captured' AND m.legs IS NOT NULL)`,
  'transfer reversals never exceed the transfer': `
    SELECT r.reverses_id || ': reversed ' || r.total || ' of ' || coalesce(o.amount, 0) AS breach
      FROM (SELECT reverses_id, sum(balance_change) AS total FROM transactions
             WHERE kind = 'reversal_in' GROUP BY reverses_id) r
      LEFT JOIN (SELECT transfer_id, balance_change AS amount FROM transactions
                  WHERE kind = 'transfer_in') o ON o.transfer_id = r.reverses_id
     WHERE r.total > coalesce(o.amount, 0)`,
  'deposit reversals never exceed the deposit': `
    SELECT r.reverses_id || ': reversed ' || r.total || ' of ' || coalesce(o.amount, 0) AS breach
      FROM (SELECT reverses_id, -sum(balance_change) AS total FROM transactions
             WHERE kind = 'deposit_reversal' GROUP BY reverses_id) r
      LEFT JOIN (SELECT id, balance_change AS amount FROM transactions WHERE kind = 'deposit') o
        ON o.id = r.reverses_id
     WHERE r.total > coalesce(o.amount, 0)`,
};

export async function findLedgerViolations(pool: pg.Pool | pg.PoolClient): Promise<string[]> {
  const violations: string[] = [];
  for (const [invariant, sql] of Object.entries(INVARIANT_QUERIES)) {
    const { rows } = await pool.query<{ breach: string }>(sql);
    for (const row of rows) violations.push(`${invariant}: ${row.breach}`);
  }
  return violations;
}
