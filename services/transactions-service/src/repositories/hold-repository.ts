import type { HoldStatus, HoldView } from '../../../shared/src/contracts/transactions-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';

/** A hold as the API shows it (built by SQL hold_view, like the commands' answers) and its keyset position. */
export type HoldRow = { view: HoldView; seq: bigint };

type HoldRecord = { view: HoldView; seq: string };

function toHoldRow(record: HoldRecord): HoldRow {
  return { view: record.view, seq: BigInt(record.seq) };
}

export async function findHold(db: Queryable, holdId: string): Promise<HoldRow | undefined> {
  const { rows } = await db.query<HoldRecord>(
    'SELECT hold_view(holds) AS view, seq::text FROM holds WHERE hold_id = $1::uuid',
    [holdId],
  );
  return rows[0] ? toHoldRow(rows[0]) : undefined;
}

/** Holds a user sends or receives, newest first, strictly older than `beforeSeq` when given. */
export async function listHolds(
  db: Queryable,
  options: { userId: string; status: HoldStatus | undefined; limit: number; beforeSeq?: bigint },
): Promise<HoldRow[]> {
  const { rows } = await db.query<HoldRecord>(
    `SELECT hold_view(holds) AS view, seq::text FROM holds
      WHERE (from_user_id = $1::uuid OR to_user_id = $1::uuid)
        AND ($2::text IS NULL OR status = $2::text)
        AND ($4::bigint IS NULL OR holds.seq < $4::bigint)
      ORDER BY holds.seq DESC
      LIMIT $3::int`,
    [options.userId, options.status ?? null, options.limit, options.beforeSeq?.toString() ?? null],
  );
  return rows.map(toHoldRow);
}

/** Pending holds whose time is up, the longest overdue first. */
export async function findDueHolds(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ hold_id: string }>(
    `SELECT hold_id::text FROM holds
      WHERE status = 'pending' AND expires_at <= now()
      ORDER BY expires_at
      LIMIT $1::int`,
    [limit],
  );
  return rows.map((row) => row.hold_id);
}

/** Expires one due hold (SQL function expire_hold); false when it was no longer pending or due. */
export async function expireHold(
  db: Queryable,
  holdId: string,
  event: { eventId: string; topic: string; headers: Record<string, string> },
): Promise<boolean> {
  const { rows } = await db.query<{ expired: boolean }>({
    name: 'expire-hold',
    text: 'SELECT expire_hold($1::uuid, $2::uuid, $3::text, $4::jsonb) AS expired',
    values: [holdId, event.eventId, event.topic, JSON.stringify(event.headers)],
  });
  return rows[0]?.expired === true;
}
