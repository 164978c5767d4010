import type { Pool } from '../db/pool.ts';

/**
 * The relay's three short statements on the outbox: claim (take a lease on the oldest rows nobody
 * holds), mark (published, only rows whose lease is still ours) and release (give a lease back
 * after a failed send). Each is one statement, an implicit transaction of its own: no connection
 * and no row lock is held while the relay waits for Kafka. Named, so each connection parses and
 * plans them once, not per claim.
 */

export type OutboxRow = {
  seq: string;
  topic: string;
  event_key: string;
  payload: string;
  headers: Record<string, string>;
};

/**
 * FOR UPDATE SKIP LOCKED keeps two relays claiming at the same instant off each other's rows;
 * the lease (claimed_until) keeps them off after the claim committed. A row whose lease expired
 * (its relay died mid-send) is due again. The database's clock sets and judges every lease, so
 * the relays' clocks do not matter.
 */
const CLAIM_SQL = `
UPDATE outbox AS o
   SET claimed_by = $2::text,
       claimed_until = now() + make_interval(secs => $3::double precision)
  FROM (SELECT seq FROM outbox
         WHERE published_at IS NULL
           AND (claimed_until IS NULL OR claimed_until <= now())
         ORDER BY seq
         LIMIT $1::int
           FOR UPDATE SKIP LOCKED) AS due
 WHERE o.seq = due.seq
RETURNING o.seq::text AS seq, o.topic, o.event_key, o.payload::text AS payload, o.headers`;

/**
 * Only rows still leased by `relayId`: after an expiry another relay may hold them, and marking is
 * its job. A lease that expired but nobody took is still ours (the rows were sent).
 */
const MARK_SQL = `
UPDATE outbox SET published_at = now(), claimed_until = NULL
 WHERE seq = ANY($1::bigint[]) AND claimed_by = $2::text AND published_at IS NULL`;

const RELEASE_SQL = `
UPDATE outbox SET claimed_by = NULL, claimed_until = NULL
 WHERE seq = ANY($1::bigint[]) AND claimed_by = $2::text AND published_at IS NULL`;

/** Leases up to `batchSize` of the oldest due rows to `relayId`; returns them in `seq` order. */
export async function claimOutboxRows(
  pool: Pool,
  claim: { relayId: string; batchSize: number; leaseMs: number },
): Promise<OutboxRow[]> {
  const { rows } = await pool.query<OutboxRow>({
    name: 'outbox-relay-claim',
    text: CLAIM_SQL,
    values: [claim.batchSize, claim.relayId, claim.leaseMs / 1_000],
  });
  // UPDATE … RETURNING has no order of its own; per-key order on Kafka is seq order.
  return rows.sort((left, right) => compareSeq(left.seq, right.seq));
}

/** Marks the rows published if `relayId` still holds them; returns how many it marked. */
export async function markOutboxRowsPublished(pool: Pool, relayId: string, seqs: string[]): Promise<number> {
  if (seqs.length === 0) return 0;
  const result = await pool.query({ name: 'outbox-relay-mark', text: MARK_SQL, values: [seqs, relayId] });
  return result.rowCount ?? 0;
}

/** Gives the lease on unsent rows back, so the next claim (this relay's or another's) sends them. */
export async function releaseOutboxRows(pool: Pool, relayId: string, seqs: string[]): Promise<void> {
  if (seqs.length === 0) return;
  await pool.query({ name: 'outbox-relay-release', text: RELEASE_SQL, values: [seqs, relayId] });
}

function compareSeq(left: string, right: string): number {
  const difference = BigInt(left) - BigInt(right);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
