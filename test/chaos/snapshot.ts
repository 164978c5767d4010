import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';
import { withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { clientIdempotencyKey } from '../../services/shared/src/http/idempotency-key-header.ts';
import { numericToMinor } from '../../services/shared/src/money.ts';
import type {
  EventWallet,
  HoldRow,
  HoldStatus,
  KafkaRecord,
  LedgerRow,
  OutboxRow,
  Snapshot,
  TransactionKind,
  WalletRow,
} from './history.ts';

const KAFKA_READ_TIMEOUT_MS = 60_000;

type LedgerRecord = {
  id: string;
  seq: string;
  user_id: string;
  kind: TransactionKind;
  balance_change: string;
  old_balance: string;
  new_balance: string;
  held_change: string;
  old_held: string;
  new_held: string;
  transfer_id: string | null;
  hold_id: string | null;
  reverses_id: string | null;
  idempotency_key: string | null;
  at_ms: string;
};

type WalletRecord = { user_id: string; balance: string; held: string; status: string; seq: string };

type HoldRecord = {
  hold_id: string;
  from_user_id: string;
  to_user_id: string;
  amount: string;
  captured_amount: string | null;
  status: HoldStatus;
  expires_at_ms: string;
  resolved_at_ms: string | null;
  transfer_id: string | null;
};

type EventWalletRecord = {
  user_id: string;
  seq: number;
  balance: string;
  held: string;
  available_balance: string;
};
type OutboxRecord = {
  event_id: string;
  topic: string;
  published_at: string | null;
  wallets: EventWalletRecord[] | null;
};

async function readOutbox(client: pg.Client, service: OutboxRow['service']): Promise<OutboxRow[]> {
  const { rows } = await client.query<OutboxRecord>(
    // Checkpoint records pin (seq, hash) pairs, not balances: they are no money event.
    `SELECT event_id::text, topic, published_at::text,
            CASE WHEN topic LIKE '%ledger-checkpoints' THEN NULL ELSE payload->'wallets' END AS wallets
       FROM outbox ORDER BY seq`,
  );
  return rows.map((row) => ({
    service,
    eventId: row.event_id,
    topic: row.topic,
    publishedAt: row.published_at,
    wallets: Array.isArray(row.wallets) ? row.wallets.map(toEventWallet) : undefined,
  }));
}

function toEventWallet(entry: EventWalletRecord): EventWallet {
  return {
    userId: entry.user_id,
    seq: BigInt(entry.seq),
    balanceMinor: numericToMinor(entry.balance),
    heldMinor: numericToMinor(entry.held),
    availableMinor: numericToMinor(entry.available_balance),
  };
}

/** Both services' databases as they are now, money as exact minor units. */
export async function readSnapshot(urls: { users: string; transactions: string }): Promise<Snapshot> {
  const fromUsers = await withPostgresClient(urls.users, async (client) => {
    const users = await client.query<{ user_id: string; email: string }>(
      'SELECT user_id::text, email FROM users',
    );
    return {
      users: users.rows.map((row) => ({ userId: row.user_id, email: row.email })),
      outbox: await readOutbox(client, 'users'),
    };
  });
  return withPostgresClient(urls.transactions, async (client) => ({
    users: fromUsers.users,
    wallets: await readWallets(client),
    transactions: await readLedger(client),
    holds: await readHolds(client),
    outbox: [...fromUsers.outbox, ...(await readOutbox(client, 'transactions'))],
  }));
}

/** Milliseconds since the epoch of a timestamptz column, as text (fractions kept). */
function epochMs(column: string): string {
  return `(extract(epoch FROM ${column}) * 1000)::text`;
}

async function readWallets(client: pg.Client): Promise<WalletRow[]> {
  const { rows } = await client.query<WalletRecord>(
    'SELECT user_id::text, balance::text, held::text, status, ledger_seq::text AS seq FROM users',
  );
  return rows.map((row) => ({
    userId: row.user_id,
    balanceMinor: numericToMinor(row.balance),
    heldMinor: numericToMinor(row.held),
    status: row.status,
    seq: BigInt(row.seq),
  }));
}

async function readLedger(client: pg.Client): Promise<LedgerRow[]> {
  const { rows } = await client.query<LedgerRecord>(
    `SELECT id::text, wallet_seq::text AS seq, user_id::text, kind, balance_change::text, old_balance::text,
            new_balance::text, held_change::text, old_held::text, new_held::text,
            transfer_id::text, hold_id::text, reverses_id::text, idempotency_key,
            ${epochMs('"timestamp"')} AS at_ms
       FROM transactions ORDER BY user_id, wallet_seq`,
  );
  return rows.map(toLedgerRow);
}

async function readHolds(client: pg.Client): Promise<HoldRow[]> {
  const { rows } = await client.query<HoldRecord>(
    `SELECT hold_id::text, from_user_id::text, to_user_id::text, amount::text,
            captured_amount::text, status, ${epochMs('expires_at')} AS expires_at_ms,
            ${epochMs('resolved_at')} AS resolved_at_ms, transfer_id::text
       FROM holds`,
  );
  return rows.map((row) => ({
    holdId: row.hold_id,
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    amountMinor: numericToMinor(row.amount),
    capturedAmountMinor: row.captured_amount === null ? null : numericToMinor(row.captured_amount),
    status: row.status,
    expiresAtMs: Number(row.expires_at_ms),
    resolvedAtMs: row.resolved_at_ms === null ? null : Number(row.resolved_at_ms),
    transferId: row.transfer_id,
  }));
}

function toLedgerRow(row: LedgerRecord): LedgerRow {
  return {
    id: row.id,
    seq: BigInt(row.seq),
    userId: row.user_id,
    kind: row.kind,
    balanceChangeMinor: numericToMinor(row.balance_change),
    oldBalanceMinor: numericToMinor(row.old_balance),
    newBalanceMinor: numericToMinor(row.new_balance),
    heldChangeMinor: numericToMinor(row.held_change),
    oldHeldMinor: numericToMinor(row.old_held),
    newHeldMinor: numericToMinor(row.new_held),
    transferId: row.transfer_id,
    holdId: row.hold_id,
    reversesId: row.reverses_id,
    // The ledger keeps the key in its caller's space (<caller>/<key>); the workload knows the key it sent.
    idempotencyKey: row.idempotency_key === null ? null : clientIdempotencyKey(row.idempotency_key),
    atMs: Number(row.at_ms),
  };
}

/** What the run's topics held, read back the way a consumer reads them. */
export type KafkaReadBack = { eventIds: Set<string>; records: KafkaRecord[] };

/**
 * Reads every record of `topics` from the beginning (a fresh consumer group) and returns their
 * `event-id` headers and the records themselves (money events with their `wallets[]`, for the
 * per-wallet event check). Stops as soon as every id in `expected` was seen, or at the timeout
 * (then the checker reports what is missing); redeliveries read before that are kept.
 */
export async function readKafkaEvents(
  brokers: string[],
  topics: string[],
  expected: ReadonlySet<string>,
): Promise<KafkaReadBack> {
  const kafka = new Kafka({ clientId: 'chaos-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomUUID()}` });
  const readBack: KafkaReadBack = { eventIds: new Set<string>(), records: [] };
  let missing = expected.size;
  let done: () => void = () => {};
  const allSeen = new Promise<void>((resolveSeen) => {
    done = resolveSeen;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const eventId = message.headers?.['event-id']?.toString();
        if (eventId === undefined) return;
        const wallets = recordWallets(topic, message.value);
        readBack.records.push({ topic, partition, offset: message.offset, eventId, wallets });
        if (readBack.eventIds.has(eventId)) return;
        readBack.eventIds.add(eventId);
        if (expected.has(eventId) && --missing === 0) done();
      },
    });
    if (missing > 0)
      await Promise.race([
        allSeen,
        new Promise((resolveLater) => setTimeout(resolveLater, KAFKA_READ_TIMEOUT_MS)),
      ]);
    return readBack;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

/**
 * A money event's `wallets[]`, money exact. Checkpoint records pin (seq, hash) pairs, not
 * balances; a value that is not such an event (user-created, status events) has none.
 */
function recordWallets(topic: string, value: Buffer | null): EventWallet[] | undefined {
  if (value === null || topic.endsWith('ledger-checkpoints')) return undefined;
  // A payload that does not parse carries no wallets: its steps then show as missing events.
  try {
    const wallets = (JSON.parse(value.toString('utf8')) as { wallets?: unknown } | null)?.wallets;
    return Array.isArray(wallets)
      ? wallets.map((entry) => toEventWallet(entry as EventWalletRecord))
      : undefined;
  } catch {
    return undefined;
  }
}

/** Unpublished outbox rows in both databases: the run is quiet when this is 0 and stays 0. */
export async function countUnpublished(urls: { users: string; transactions: string }): Promise<number> {
  let count = 0;
  for (const url of [urls.users, urls.transactions]) {
    count += await withPostgresClient(url, async (client) => {
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*)::text AS count FROM outbox WHERE published_at IS NULL',
      );
      return Number(rows[0]?.count ?? 0);
    });
  }
  return count;
}

/** Users without a wallet yet (wallets open from user-created events). */
export async function countUsersWithoutWallet(urls: {
  users: string;
  transactions: string;
}): Promise<number> {
  const userIds = await withPostgresClient(urls.users, async (client) => {
    const { rows } = await client.query<{ user_id: string }>('SELECT user_id::text FROM users');
    return rows.map((row) => row.user_id);
  });
  return withPostgresClient(urls.transactions, async (client) => {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM unnest($1::uuid[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM users w WHERE w.user_id = u.id)',
      [userIds],
    );
    return Number(rows[0]?.count ?? 0);
  });
}
