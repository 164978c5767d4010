import type { WalletStatus } from '../../../shared/src/contracts/transactions-api.ts';
import type { Queryable } from '../../../shared/src/db/queryable.ts';
import { numericToMinor } from '../../../shared/src/money.ts';

export type Wallet = {
  userId: string;
  balanceMinor: bigint;
  /** Reserved by pending holds; available = balance − held. */
  heldMinor: bigint;
  status: WalletStatus;
  statusReason: string | null;
  /** The ledger sequence of the wallet's latest row. */
  seq: bigint;
  createdAt: Date;
};
/** Keyset position in the newest-first wallet list: created_at in microseconds since epoch, then user id. */
export type WalletPosition = { createdAtMicros: bigint; userId: string };
export type WalletRow = Wallet & { position: WalletPosition };

type WalletRecord = {
  user_id: string;
  balance: string;
  held: string;
  status: WalletStatus;
  status_reason: string | null;
  ledger_seq: string;
  created_at: Date;
  created_at_micros: string;
};

const WALLET_COLUMNS = `user_id::text, balance::text, held::text, status, status_reason, ledger_seq::text, created_at,
  (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_at_micros`;

function toWalletRow(record: WalletRecord): WalletRow {
  return {
    userId: record.user_id,
    balanceMinor: numericToMinor(record.balance),
    heldMinor: numericToMinor(record.held),
    status: record.status,
    statusReason: record.status_reason,
    seq: BigInt(record.ledger_seq),
    createdAt: record.created_at,
    position: { createdAtMicros: BigInt(record.created_at_micros), userId: record.user_id },
  };
}

/**
 * Opens a wallet with a zero balance for each user, in one statement; a user who has one already
 * keeps it unchanged. Returns how many were opened now.
 */
export async function openWallets(client: Queryable, userIds: readonly string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  const result = await client.query(
    // Sorted: two replicas opening overlapping batches insert in one order and cannot deadlock.
    `INSERT INTO users (user_id)
     SELECT id FROM unnest($1::uuid[]) AS id ORDER BY id
     ON CONFLICT (user_id) DO NOTHING`,
    [userIds],
  );
  return result.rowCount ?? 0;
}

export async function findWallet(db: Queryable, userId: string): Promise<Wallet | undefined> {
  const { rows } = await db.query<WalletRecord>(
    `SELECT ${WALLET_COLUMNS} FROM users WHERE user_id = $1::uuid`,
    [userId],
  );
  return rows[0] ? toWalletRow(rows[0]) : undefined;
}

export async function walletExists(db: Queryable, userId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM users WHERE user_id = $1::uuid', [userId]);
  return rowCount === 1;
}

/** Newest wallets first, strictly after `after` when given. */
export async function listWallets(
  db: Queryable,
  options: { limit: number; after?: WalletPosition },
): Promise<WalletRow[]> {
  const { rows } = await db.query<WalletRecord>(
    `SELECT ${WALLET_COLUMNS} FROM users
      WHERE $2::bigint IS NULL
         OR (users.created_at, users.user_id)
            < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::uuid)
      -- Qualified: bare names would sort by the text output columns, not the indexed ones.
      ORDER BY users.created_at DESC, users.user_id DESC
      LIMIT $1::int`,
    [options.limit, options.after?.createdAtMicros.toString() ?? null, options.after?.userId ?? null],
  );
  return rows.map(toWalletRow);
}
