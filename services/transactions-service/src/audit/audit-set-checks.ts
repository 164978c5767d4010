import { AUDIT_FINDINGS_MAX, type AuditFinding } from '../../../shared/src/contracts/audit-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';

/**
 * The audit's checks over sets of rows, each one SQL statement that returns only what is wrong (at
 * most AUDIT_FINDINGS_MAX + 1 rows): both legs of every transfer and reversal, held amounts against
 * holds, ledger rows against outbox events, checkpoint records against the ledger.
 */
const LIMIT = AUDIT_FINDINGS_MAX + 1;

type TransferRecord = {
  transfer_id: string;
  legs: string;
  kinds: string;
  users: string;
  counterparties: string;
  net: string;
};

/** Each transfer_id (a transfer, a capture, a reversal) has one leg out and one in, that cancel and name each other. */
export async function checkTransferLegs(db: Queryable): Promise<AuditFinding[]> {
  const { rows } = await db.query<TransferRecord>(
    `SELECT transfer_id::text, count(*)::text AS legs,
            string_agg(kind, ',' ORDER BY kind) AS kinds,
            string_agg(user_id::text, ',' ORDER BY user_id) AS users,
            string_agg(counterparty_id::text, ',' ORDER BY counterparty_id) AS counterparties,
            sum(balance_change)::text AS net
       FROM transactions
      WHERE transfer_id IS NOT NULL
      GROUP BY transfer_id
     HAVING count(*) <> 2
         OR sum(balance_change) <> 0
         OR string_agg(kind, ',' ORDER BY kind) NOT IN ('transfer_in,transfer_out', 'reversal_in,reversal_out')
         OR string_agg(user_id::text, ',' ORDER BY user_id)
            IS DISTINCT FROM string_agg(counterparty_id::text, ',' ORDER BY counterparty_id)
      LIMIT $1::int`,
    [LIMIT],
  );
  return rows.map((row) => ({
    kind: 'transfer-legs-mismatch',
    detail: `transfer ${row.transfer_id}: ${row.legs} legs (${row.kinds}) of users ${row.users}, naming ${row.counterparties}`,
    expected: 'one leg out and one in, each naming the other wallet, summing to 0.00',
    actual: `${row.legs} legs summing to ${row.net}`,
  }));
}

/** A wallet's held amount is the sum of its pending holds. */
export async function checkHeldAgainstHolds(db: Queryable): Promise<AuditFinding[]> {
  const { rows } = await db.query<{ user_id: string; held: string; pending: string }>(
    `SELECT u.user_id::text, u.held::text, coalesce(p.pending, 0)::numeric(15,2)::text AS pending
       FROM users u
       LEFT JOIN (SELECT from_user_id, sum(amount) AS pending FROM holds WHERE status = 'pending'
                   GROUP BY from_user_id) p ON p.from_user_id = u.user_id
      WHERE u.held <> coalesce(p.pending, 0)
      LIMIT $1::int`,
    [LIMIT],
  );
  return rows.map((row) => ({
    kind: 'held-mismatch',
    user_id: row.user_id,
    detail: 'the wallet’s held is not the sum of its pending holds',
    expected: row.pending,
    actual: row.held,
  }));
}

/** What a hold's ledger rows hold on its sender: its amount while pending, nothing once resolved. */
export async function checkHoldsAgainstLedger(db: Queryable): Promise<AuditFinding[]> {
  const { rows } = await db.query<{
    hold_id: string;
    user_id: string;
    status: string;
    expected: string;
    actual: string;
  }>(
    `SELECT h.hold_id::text, h.from_user_id::text AS user_id, h.status,
            (CASE WHEN h.status = 'pending' THEN h.amount ELSE 0 END)::numeric(15,2)::text AS expected,
            coalesce(sum(t.held_change), 0)::numeric(15,2)::text AS actual
       FROM holds h
       LEFT JOIN transactions t ON t.hold_id = h.hold_id AND t.user_id = h.from_user_id
      GROUP BY h.hold_id
     HAVING coalesce(sum(t.held_change), 0) <> CASE WHEN h.status = 'pending' THEN h.amount ELSE 0 END
      LIMIT $1::int`,
    [LIMIT],
  );
  return rows.map((row) => ({
    kind: 'hold-ledger-mismatch',
    user_id: row.user_id,
    detail: `${row.status} hold ${row.hold_id}: its ledger rows hold a different amount on the sender`,
    expected: row.expected,
    actual: row.actual,
  }));
}

export type EventCoverage = { checkedSince: string | null; rowsChecked: number; rowsNotChecked: number };

/**
 * Published events are pruned after a week, so only rows written since the oldest outbox row can
 * be matched to their event. Rows from then on are checked; the rest are counted.
 */
export async function readEventCoverage(db: Queryable): Promise<EventCoverage & { sinceTime: Date | null }> {
  const { rows } = await db.query<{ since: Date | null; checked: string; not_checked: string }>(
    `WITH since AS (SELECT min(created_at) AS at FROM outbox)
     SELECT (SELECT at FROM since) AS since,
            count(*) FILTER (WHERE "timestamp" >= (SELECT at FROM since))::text AS checked,
            count(*) FILTER (WHERE (SELECT at FROM since) IS NULL OR "timestamp" < (SELECT at FROM since))::text AS not_checked
       FROM transactions`,
  );
  const row = rows[0];
  return {
    sinceTime: row?.since ?? null,
    checkedSince: row?.since?.toISOString() ?? null,
    rowsChecked: Number(row?.checked ?? 0),
    rowsNotChecked: Number(row?.not_checked ?? 0),
  };
}

/** The wallets[] entries of every money event in the outbox (checkpoint records are not money events). */
const EVENT_ENTRIES = `
  SELECT o.event_id, o.topic, (w->>'user_id')::uuid AS user_id, (w->>'seq')::bigint AS seq,
         w->>'balance' AS balance, w->>'held' AS held, w->>'available_balance' AS available
    FROM outbox o
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN o.topic <> $1::text AND jsonb_typeof(o.payload->'wallets') = 'array'
           THEN o.payload->'wallets' ELSE '[]'::jsonb END) AS w`;

/** Every event's wallets[] entry names a row and carries that row's balances after. */
export async function checkEventEntries(db: Queryable, checkpointTopic: string): Promise<AuditFinding[]> {
  const { rows } = await db.query<{
    event_id: string;
    topic: string;
    user_id: string;
    seq: string;
    entry: string;
    row_id: string | null;
    row_state: string | null;
  }>(
    `WITH entries AS (${EVENT_ENTRIES})
     SELECT e.event_id::text, e.topic, e.user_id::text, e.seq::text,
            concat_ws(' ', e.balance, e.held, e.available) AS entry, t.id::text AS row_id,
            concat_ws(' ', t.new_balance, t.new_held, t.new_balance - t.new_held) AS row_state
       FROM entries e
       LEFT JOIN transactions t ON t.user_id = e.user_id AND t.wallet_seq = e.seq
      WHERE t.id IS NULL
         OR t.new_balance IS DISTINCT FROM e.balance::numeric
         OR t.new_held IS DISTINCT FROM e.held::numeric
         OR (t.new_balance - t.new_held) IS DISTINCT FROM e.available::numeric
      LIMIT $2::int`,
    [checkpointTopic, LIMIT],
  );
  return rows.map((row) => ({
    kind: 'event-mismatch',
    user_id: row.user_id,
    ...(row.row_id ? { row_id: row.row_id } : {}),
    seq: Number(row.seq),
    detail: `event ${row.event_id} (${row.topic}): ${row.row_id ? 'balance held available differ from the row' : 'no ledger row has this seq'}`,
    expected: row.row_state ?? 'a ledger row',
    actual: row.entry,
  }));
}

/** Every row since the oldest outbox row is announced by exactly one event. */
export async function checkRowsHaveEvents(
  db: Queryable,
  checkpointTopic: string,
  since: Date,
): Promise<AuditFinding[]> {
  const { rows } = await db.query<{ id: string; user_id: string; seq: string; kind: string; events: string }>(
    `WITH entries AS (${EVENT_ENTRIES}),
          counts AS (SELECT user_id, seq, count(*) AS n FROM entries GROUP BY user_id, seq)
     SELECT t.id::text, t.user_id::text, t.wallet_seq::text AS seq, t.kind, coalesce(c.n, 0)::text AS events
       FROM transactions t
       LEFT JOIN counts c ON c.user_id = t.user_id AND c.seq = t.wallet_seq
      WHERE t."timestamp" >= $2::timestamptz AND coalesce(c.n, 0) <> 1
      LIMIT $3::int`,
    [checkpointTopic, since, LIMIT],
  );
  return rows.map((row) => ({
    kind: 'event-missing',
    user_id: row.user_id,
    row_id: row.id,
    seq: Number(row.seq),
    detail: `${row.kind} row is announced by ${row.events} events`,
    expected: '1 event',
    actual: `${row.events} events`,
  }));
}
