import { AUDIT_FINDINGS_MAX, type AuditFinding } from '../../../shared/src/contracts/audit-api.ts';
import { ledgerCheckpointEventSchema } from '../../../shared/src/contracts/events.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { createCheckpointFold, type FoldedCheckpoint } from '../../../shared/src/ledger/checkpoint-fold.ts';

const LIMIT = AUDIT_FINDINGS_MAX + 1;
/** Checkpoint records (≤ 2,000 wallets each) read per statement while folding. */
const RECORD_BATCH_SIZE = 50;

export type LatestCheckpoint = { checkpointId: number; rootHash: string; walletCount: number };

export async function readLatestCheckpoint(db: Queryable): Promise<LatestCheckpoint | undefined> {
  const { rows } = await db.query<{ checkpoint_id: string; root_hash: string; wallet_count: string }>(
    `SELECT checkpoint_id::text, root_hash, wallet_count::text
       FROM ledger_checkpoints
      -- Qualified: a bare name is the text output column, which sorts 99 after 145.
      ORDER BY ledger_checkpoints.checkpoint_id DESC LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    checkpointId: Number(row.checkpoint_id),
    rootHash: row.root_hash,
    walletCount: Number(row.wallet_count),
  };
}

/** The latest checkpoint's root, recomputed from the pinned pairs of ledger_checkpoint_wallets. */
export function latestRootFindings(
  latest: LatestCheckpoint | undefined,
  pinned: { rootHash: string; count: number },
): AuditFinding[] {
  if (!latest) {
    return pinned.count === 0
      ? []
      : [
          {
            kind: 'checkpoint-root-mismatch',
            detail: 'wallets are pinned but no checkpoint exists',
            expected: '0 pinned',
            actual: `${pinned.count} pinned`,
          },
        ];
  }
  const findings: AuditFinding[] = [];
  if (latest.rootHash !== pinned.rootHash) {
    findings.push({
      kind: 'checkpoint-root-mismatch',
      detail: `checkpoint ${latest.checkpointId}: its root is not the root of the pinned wallets`,
      expected: latest.rootHash,
      actual: pinned.rootHash,
    });
  }
  if (latest.walletCount !== pinned.count) {
    findings.push({
      kind: 'checkpoint-root-mismatch',
      detail: `checkpoint ${latest.checkpointId}: wallet_count is not the number of pinned wallets`,
      expected: String(latest.walletCount),
      actual: String(pinned.count),
    });
  }
  return findings;
}

/** Each pair of each checkpoint record still in the outbox: the row at that seq has that hash. */
export async function checkRecordPairs(db: Queryable, checkpointTopic: string): Promise<AuditFinding[]> {
  const { rows } = await db.query<{
    checkpoint_id: string;
    user_id: string;
    seq: string;
    pinned: string;
    row_id: string | null;
    hash: string | null;
  }>(
    `SELECT o.payload->>'checkpoint_id' AS checkpoint_id, w->>'user_id' AS user_id, w->>'seq' AS seq,
            w->>'hash' AS pinned, t.id::text AS row_id, t.hash
       FROM outbox o
       CROSS JOIN LATERAL jsonb_array_elements(o.payload->'wallets') AS w
       LEFT JOIN transactions t ON t.user_id = (w->>'user_id')::uuid AND t.wallet_seq = (w->>'seq')::bigint
      WHERE o.topic = $1::text AND t.hash IS DISTINCT FROM w->>'hash'
      LIMIT $2::int`,
    [checkpointTopic, LIMIT],
  );
  return rows.map((row) => ({
    kind: 'checkpoint-mismatch',
    user_id: row.user_id,
    ...(row.row_id ? { row_id: row.row_id } : {}),
    seq: Number(row.seq),
    detail: `checkpoint ${row.checkpoint_id} (outbox record) pins a hash the row at this seq does not have`,
    expected: row.pinned,
    actual: row.hash ?? 'no row',
  }));
}

/** Each checkpoint record's root and count are those of its ledger_checkpoints row. */
export async function checkRecordRoots(db: Queryable, checkpointTopic: string): Promise<AuditFinding[]> {
  const { rows } = await db.query<{ checkpoint_id: string; record: string; stored: string | null }>(
    `SELECT DISTINCT o.payload->>'checkpoint_id' AS checkpoint_id,
            concat_ws(' ', o.payload->>'root_hash', o.payload->>'wallet_count') AS record,
            concat_ws(' ', c.root_hash, c.wallet_count) AS stored
       FROM outbox o
       LEFT JOIN ledger_checkpoints c ON c.checkpoint_id = (o.payload->>'checkpoint_id')::bigint
      WHERE o.topic = $1::text
        AND (c.root_hash IS DISTINCT FROM o.payload->>'root_hash'
             OR c.wallet_count IS DISTINCT FROM (o.payload->>'wallet_count')::bigint)
      LIMIT $2::int`,
    [checkpointTopic, LIMIT],
  );
  return rows.map((row) => ({
    kind: 'checkpoint-root-mismatch',
    detail: `checkpoint ${row.checkpoint_id}: the outbox record and ledger_checkpoints differ (root, wallet_count)`,
    expected: row.record,
    actual: row.stored ?? 'no such checkpoint',
  }));
}

export type RecordFold = { recordsChecked: number; rootsRecomputed: number; findings: AuditFinding[] };

/** Folds the outbox's checkpoint records in order and recomputes each root it can (see createCheckpointFold). */
export async function foldOutboxRecords(db: Queryable, checkpointTopic: string): Promise<RecordFold> {
  const fold = createCheckpointFold();
  const result: RecordFold = { recordsChecked: 0, rootsRecomputed: 0, findings: [] };
  let afterSeq = '0';
  for (;;) {
    const { rows } = await db.query<{ seq: string; payload: unknown }>(
      // Qualified: a bare seq is the text output column.
      'SELECT seq::text, payload FROM outbox WHERE topic = $1::text AND outbox.seq > $2::bigint ORDER BY outbox.seq LIMIT $3::int',
      [checkpointTopic, afterSeq, RECORD_BATCH_SIZE],
    );
    for (const row of rows) {
      result.recordsChecked += 1;
      const done = fold.add(ledgerCheckpointEventSchema.parse(row.payload));
      if (done) result.findings.push(...foldedFindings(done, result));
    }
    const last = rows.at(-1);
    if (!last) return result;
    afterSeq = last.seq;
  }
}

function foldedFindings(done: FoldedCheckpoint, result: RecordFold): AuditFinding[] {
  if (done.recomputedRoot === undefined) return [];
  result.rootsRecomputed += 1;
  if (done.recomputedRoot === done.rootHash && done.recomputedCount === done.walletCount) return [];
  return [
    {
      kind: 'checkpoint-root-mismatch',
      detail: `checkpoint ${done.checkpointId}: the root recomputed from the folded records differs`,
      expected: `${done.rootHash} over ${done.walletCount} wallets`,
      actual: `${done.recomputedRoot} over ${done.recomputedCount} wallets`,
    },
  ];
}
