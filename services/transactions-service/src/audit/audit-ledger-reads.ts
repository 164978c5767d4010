import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { numericToMinor } from '../../../shared/src/money.ts';
import type { AuditedRow } from './ledger-row-hash.ts';
import type { AuditedWallet } from './wallet-chain-check.ts';

/** Rows and wallets read per statement: memory stays bounded whatever the ledger's size. */
export const AUDIT_ROW_BATCH_SIZE = 5_000;
export const AUDIT_WALLET_BATCH_SIZE = 2_000;

type RowRecord = {
  id: string;
  user_id: string;
  wallet_seq: string;
  kind: string;
  balance_change: string;
  old_balance: string;
  new_balance: string;
  held_change: string;
  old_held: string;
  new_held: string;
  transfer_id: string | null;
  counterparty_id: string | null;
  hold_id: string | null;
  reverses_id: string | null;
  reason: string | null;
  micros: string;
  hash: string;
};

type WalletRecord = {
  user_id: string;
  balance: string;
  held: string;
  ledger_seq: string;
  ledger_hash: string;
  pinned_seq: string | null;
  pinned_hash: string | null;
};

export type RowPosition = { userId: string; seq: bigint };

/** The next rows after `after`, in (user_id, wallet_seq) order: a keyset walk of the unique index. */
export async function readRowBatch(db: Queryable, after: RowPosition | undefined): Promise<AuditedRow[]> {
  const { rows } = await db.query<RowRecord>(
    `SELECT id::text, user_id::text, wallet_seq::text, kind,
            balance_change::text, old_balance::text, new_balance::text,
            held_change::text, old_held::text, new_held::text,
            transfer_id::text, counterparty_id::text, hold_id::text, reverses_id::text, reason,
            (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS micros, hash
       FROM transactions
      WHERE $1::uuid IS NULL
         OR (transactions.user_id, transactions.wallet_seq) > ($1::uuid, $2::bigint)
      -- Qualified: bare names would sort by the text output columns (seq 10 before seq 2), not the index.
      ORDER BY transactions.user_id, transactions.wallet_seq
      LIMIT $3::int`,
    [after?.userId ?? null, after?.seq.toString() ?? null, AUDIT_ROW_BATCH_SIZE],
  );
  return rows.map(toAuditedRow);
}

function toAuditedRow(record: RowRecord): AuditedRow {
  return {
    id: record.id,
    userId: record.user_id,
    seq: BigInt(record.wallet_seq),
    kind: record.kind,
    balanceChangeMinor: numericToMinor(record.balance_change),
    oldBalanceMinor: numericToMinor(record.old_balance),
    newBalanceMinor: numericToMinor(record.new_balance),
    heldChangeMinor: numericToMinor(record.held_change),
    oldHeldMinor: numericToMinor(record.old_held),
    newHeldMinor: numericToMinor(record.new_held),
    transferId: record.transfer_id,
    counterpartyId: record.counterparty_id,
    holdId: record.hold_id,
    reversesId: record.reverses_id,
    reason: record.reason,
    timestampMicros: BigInt(record.micros),
    hash: record.hash,
  };
}

/** The next wallets after `afterUserId`, in user_id order, each with its pinned (seq, hash). */
export async function readWalletBatch(
  db: Queryable,
  afterUserId: string | undefined,
): Promise<AuditedWallet[]> {
  const { rows } = await db.query<WalletRecord>(
    `SELECT u.user_id::text, u.balance::text, u.held::text, u.ledger_seq::text, u.ledger_hash,
            p.seq::text AS pinned_seq, p.hash AS pinned_hash
       FROM users u LEFT JOIN ledger_checkpoint_wallets p USING (user_id)
      WHERE $1::uuid IS NULL OR u.user_id > $1::uuid
      ORDER BY u.user_id
      LIMIT $2::int`,
    [afterUserId ?? null, AUDIT_WALLET_BATCH_SIZE],
  );
  return rows.map((record) => ({
    userId: record.user_id,
    balanceMinor: numericToMinor(record.balance),
    heldMinor: numericToMinor(record.held),
    ledgerSeq: BigInt(record.ledger_seq),
    ledgerHash: record.ledger_hash,
    pinnedSeq: record.pinned_seq === null ? null : BigInt(record.pinned_seq),
    pinnedHash: record.pinned_hash,
  }));
}

/** Every item of a keyset walk, one batch in memory at a time. */
export async function* walkBatches<T, K>(
  read: (after: K | undefined) => Promise<T[]>,
  keyOf: (item: T) => K,
): AsyncGenerator<T[]> {
  let after: K | undefined;
  for (;;) {
    const batch = await read(after);
    if (batch.length === 0) return;
    yield batch;
    after = keyOf(batch[batch.length - 1] as T);
  }
}

export type LedgerCounts = { rows: number; wallets: number; snapshotAt: string };

export async function readLedgerCounts(db: Queryable): Promise<LedgerCounts> {
  const { rows } = await db.query<{ rows: string; wallets: string; snapshot_at: Date }>(
    `SELECT (SELECT count(*) FROM transactions)::text AS rows, (SELECT count(*) FROM users)::text AS wallets,
            now() AS snapshot_at`,
  );
  const counts = rows[0];
  if (!counts) throw new Error('the counts query returned no row');
  return {
    rows: Number(counts.rows),
    wallets: Number(counts.wallets),
    snapshotAt: counts.snapshot_at.toISOString(),
  };
}
